// URL normalization so that an indicator URL and an observed URL that mean the same resource compare
// equal byte for byte.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace khien {

/// Normalizes `url` into `out` (replacing its content); false when it is not a URL with a host.
///  - scheme and host lower-cased, a trailing dot on the host dropped;
///  - the scheme's default port removed (http/ws 80, https/wss 443, ftp 21), leading zeros of a port too;
///  - percent-encoding: escapes of unreserved characters (A-Z a-z 0-9 - . _ ~) decoded, other escapes
///    with upper-case hex; bytes that may not appear raw (space, controls, non-ASCII, "<>\^`{|}) encoded;
///  - empty path becomes "/", trailing slashes of the path removed except the root;
///  - an empty query ("?") and the fragment dropped.
/// Without "scheme://", "http://" is assumed unless the text starts with '/' (a bare path).
bool normalize_url(std::string_view url, std::string& out);

/// The same into `out[0, cap)` without allocating (the matcher's lookup path); returns the length,
/// 0 when `url` is not a URL with a host or the result would not fit. normalized_url_bound(n)
/// bytes always suffice for an input of n bytes.
std::size_t normalize_url_into(std::string_view url, char* out, std::size_t cap);
constexpr std::size_t normalized_url_bound(std::size_t input_size) {
  return 3 * input_size + 16;  // every byte escaped, plus "://", "/" and a port
}

}  // namespace khien
