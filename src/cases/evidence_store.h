// Content-addressed evidence files (incident attachments, directive evidence) with size and type checks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/error.h"

namespace khien {

/// A stored file: its SHA-256 names it; `name` is the sanitised name the uploader gave.
struct EvidenceRef {
  std::string sha256;
  std::string name;
  std::string media_type;
  std::uint64_t size = 0;
};

/// Limits on what may be stored.
struct EvidenceLimits {
  std::uint64_t max_bytes = 25u << 20;
  /// Media types accepted, as detected from the content (never from the name).
  std::set<std::string> allowed_types{"application/pdf",      "image/png",
                                      "image/jpeg",           "image/gif",
                                      "application/zip",      "application/vnd.tcpdump.pcap",
                                      "application/x-pcapng", "text/plain",
                                      "application/json"};
};

/// The media type the first bytes show, or nullopt when they match no type khien knows.
std::optional<std::string> sniff_media_type(std::string_view bytes);

/// A file name safe to show and to store in a header: no directories, no "..", no control characters,
/// at most 200 bytes; "attachment" when nothing is left.
std::string sanitize_file_name(std::string_view name);

/// Why an uploaded file name looks like a path-traversal attempt (a ".." component, an absolute
/// Unix path, a home-directory path or a NUL byte), or "" when it does not. A Windows path such as
/// `C:\Users\x\report.pdf` (sent by old browsers) is not an attempt; sanitize_file_name keeps its
/// last component either way.
std::string file_name_traversal(std::string_view name);

/// Files live at <root>/<first two hex digits>/<sha256>. Threading: put() and read() may run on any
/// thread; identical content stored twice is one file.
class EvidenceStore {
 public:
  explicit EvidenceStore(std::filesystem::path root, EvidenceLimits limits = {});

  /// Checks size and type, then stores `bytes` (written to a temporary file and renamed into place).
  Result<EvidenceRef> put(std::string_view name, std::string_view bytes);
  /// The content of a stored file; fails for an unknown or malformed hash.
  Result<std::string> read(const std::string& sha256) const;
  bool contains(const std::string& sha256) const;
  std::filesystem::path path_of(const std::string& sha256) const;

 private:
  std::filesystem::path root_;
  EvidenceLimits limits_;
};

}  // namespace khien
