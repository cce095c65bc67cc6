// URL normalization (RFC 3986 section 6.2.2 syntax-based normalization, plus the scheme-based
// default port and trailing-slash rules feeds and sensors disagree on).
#include "intel/url_normalizer.h"

namespace khien {
namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool is_unreserved(unsigned char c) {
  return is_alpha(static_cast<char>(c)) || is_digit(static_cast<char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~';
}
bool must_encode(unsigned char c) {
  return c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' || c == '{' ||
         c == '|' || c == '}';
}

void append_escape(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

void append_normalized_component(std::string& out, std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      auto v = static_cast<unsigned char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      if (is_unreserved(v))
        out += static_cast<char>(v);
      else
        append_escape(out, v);
      i += 2;
    } else if (must_encode(c)) {
      append_escape(out, c);
    } else {
      out += static_cast<char>(c);
    }
  }
}

int default_port(std::string_view scheme) {
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  if (scheme == "ftp") return 21;
  return -1;
}

}  // namespace

bool normalize_url(std::string_view url, std::string& out) {
  out.clear();
  while (!url.empty() && static_cast<unsigned char>(url.front()) <= 0x20) url.remove_prefix(1);
  while (!url.empty() && static_cast<unsigned char>(url.back()) <= 0x20) url.remove_suffix(1);
  if (url.empty() || url.front() == '/') {
    if (url.size() < 2 || url[1] != '/') return false;  // a bare path has no host
  }
  // Scheme.
  std::size_t i = 0;
  std::string_view scheme = "http";
  if (!url.empty() && is_alpha(url[0])) {
    std::size_t j = 1;
    while (j < url.size() && (is_alpha(url[j]) || is_digit(url[j]) || url[j] == '+' || url[j] == '-' || url[j] == '.'))
      ++j;
    if (url.substr(j, 3) == "://") {
      scheme = url.substr(0, j);
      i = j + 3;
    }
  }
  if (i == 0 && url.substr(0, 2) == "//") i = 2;
  for (char c : scheme) out += lower(c);
  std::string_view lower_scheme(out);
  int def_port = default_port(lower_scheme);
  out += "://";
  // Authority.
  std::size_t auth_end = url.find_first_of("/?#", i);
  if (auth_end == std::string_view::npos) auth_end = url.size();
  std::string_view authority = url.substr(i, auth_end - i);
  auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    append_normalized_component(out, authority.substr(0, at));
    out += '@';
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(0, close + 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return false;
  for (char c : host) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == '\\') return false;
    out += lower(c);
  }
  if (!port.empty()) {
    std::size_t value = 0;
    for (char c : port) {
      if (!is_digit(c)) return false;
      value = value * 10 + static_cast<std::size_t>(c - '0');
      if (value > 65535) return false;
    }
    if (static_cast<int>(value) != def_port) {
      out += ':';
      out += std::to_string(value);
    }
  }
  // Path, query; the fragment is dropped.
  std::string_view rest = url.substr(auth_end);
  auto hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  auto q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  std::size_t path_start = out.size();
  if (path.empty()) out += '/';
  append_normalized_component(out, path);
  while (out.size() > path_start + 1 && out.back() == '/') out.pop_back();
  if (q != std::string_view::npos && q + 1 < rest.size()) {
    out += '?';
    append_normalized_component(out, rest.substr(q + 1));
  }
  return true;
}

}  // namespace khien
