// URL normalization so that an indicator URL and an observed URL that mean the same resource compare
// equal byte for byte.
#pragma once

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

}  // namespace khien
