// URL normalization (RFC 3986 section 6.2.2 syntax-based normalization, plus the scheme-based
// default port and trailing-slash rules feeds and sensors disagree on).
#include "intel/url_normalizer.h"

#include "core/text.h"

namespace khien {
namespace {

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

// A bounded output buffer: writes past the end are dropped and remembered, so the caller checks once.
class Writer {
 public:
  Writer(char* out, std::size_t cap) : out_(out), cap_(cap) {}
  void put(char c) {
    if (size_ < cap_)
      out_[size_++] = c;
    else
      overflow_ = true;
  }
  void put(std::string_view s) {
    for (char c : s) put(c);
  }
  std::size_t size() const { return size_; }
  char back() const { return out_[size_ - 1]; }
  void pop_back() { --size_; }
  std::string_view view() const { return {out_, size_}; }
  bool overflow() const { return overflow_; }

 private:
  char* out_;
  std::size_t cap_;
  std::size_t size_ = 0;
  bool overflow_ = false;
};

void append_escape(Writer& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.put('%');
  out.put(kHex[c >> 4]);
  out.put(kHex[c & 15]);
}

void append_normalized_component(Writer& out, std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      auto v = static_cast<unsigned char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      if (is_unreserved(v))
        out.put(static_cast<char>(v));
      else
        append_escape(out, v);
      i += 2;
    } else if (must_encode(c)) {
      append_escape(out, c);
    } else {
      out.put(static_cast<char>(c));
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

std::size_t normalize_url_into(std::string_view url, char* buffer, std::size_t cap) {
  Writer out(buffer, cap);
  while (!url.empty() && static_cast<unsigned char>(url.front()) <= 0x20) url.remove_prefix(1);
  while (!url.empty() && static_cast<unsigned char>(url.back()) <= 0x20) url.remove_suffix(1);
  if (url.empty() || url.front() == '/') {
    if (url.size() < 2 || url[1] != '/') return 0;  // a bare path has no host
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
  for (char c : scheme) out.put(ascii_lower(c));
  int def_port = out.overflow() ? -1 : default_port(out.view());
  out.put("://");
  // Authority.
  std::size_t auth_end = url.find_first_of("/?#", i);
  if (auth_end == std::string_view::npos) auth_end = url.size();
  std::string_view authority = url.substr(i, auth_end - i);
  auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    append_normalized_component(out, authority.substr(0, at));
    out.put('@');
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return 0;
    host = authority.substr(0, close + 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return 0;
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
  if (host.empty()) return 0;
  for (char c : host) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == '\\') return 0;
    out.put(ascii_lower(c));
  }
  if (!port.empty()) {
    std::size_t value = 0;
    for (char c : port) {
      if (!is_digit(c)) return 0;
      value = value * 10 + static_cast<std::size_t>(c - '0');
      if (value > 65535) return 0;
    }
    if (static_cast<int>(value) != def_port) {
      char digits[8];
      int n = 0;
      do {
        digits[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
      } while (value != 0);
      out.put(':');
      while (n > 0) out.put(digits[--n]);
    }
  }
  // Path, query; the fragment is dropped.
  std::string_view rest = url.substr(auth_end);
  auto hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  auto q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  std::size_t path_start = out.size();
  if (path.empty()) out.put('/');
  append_normalized_component(out, path);
  while (!out.overflow() && out.size() > path_start + 1 && out.back() == '/') out.pop_back();
  if (q != std::string_view::npos && q + 1 < rest.size()) {
    out.put('?');
    append_normalized_component(out, rest.substr(q + 1));
  }
  return out.overflow() ? 0 : out.size();
}

bool normalize_url(std::string_view url, std::string& out) {
  out.resize(normalized_url_bound(url.size()));
  std::size_t n = normalize_url_into(url, out.data(), out.size());
  out.resize(n);
  return n != 0;
}

}  // namespace khien
