// Helpers the route files share: JSON answers and strict parsing of query parameters.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/http_server.h"

namespace khien {

/// A JSON answer (200 unless `status` says otherwise); invalid UTF-8 in strings is replaced, never thrown.
HttpResponse json_ok(const nlohmann::json& body, int status = 200);

/// A non-negative integer query parameter: `fallback` when absent or empty; nullopt when it is not a
/// whole decimal number or lies above `max`.
std::optional<std::int64_t> int_param(const HttpRequest& req, const char* name, std::int64_t fallback,
                                      std::int64_t max = std::numeric_limits<std::int64_t>::max());

/// A decimal number query parameter: `fallback` when absent or empty; nullopt when malformed.
std::optional<double> number_param(const HttpRequest& req, const char* name, double fallback);

/// The non-empty lines of a multi-line message (one problem a line), for a JSON list.
std::vector<std::string> message_lines(const std::string& message);

}  // namespace khien
