// Whole writes to file descriptors and files only their owner may read.
#pragma once

#include <filesystem>
#include <string_view>

#include "core/error.h"

namespace khien {

/// Writes all of `data` to `fd`, retrying short writes and EINTR; false on any other failure
/// (errno says why).
bool write_all(int fd, std::string_view data);

/// Writes `text` to `path` as a file of mode 0600 (created or truncated), synced to disk before it
/// returns: for secrets such as the administrator token.
Status write_private_file(const std::filesystem::path& path, std::string_view text);

}  // namespace khien
