// Evidence uploads from HTTP requests: one file from multipart/form-data, or the raw body with its name.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "api/http_server.h"
#include "core/error.h"

namespace khien {

/// The first part of a multipart/form-data body that carries a file: (file name, bytes).
Result<std::pair<std::string, std::string>> parse_multipart_file(std::string_view body, std::string_view content_type);

/// The file of an upload request: multipart/form-data (first file part), or the raw body named by the
/// `name` query parameter or the X-File-Name header.
Result<std::pair<std::string, std::string>> upload_of(const HttpRequest& req);

}  // namespace khien
