// IP address parsing and formatting, with inet_pton/inet_ntop semantics.
#include "core/ip_address.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstring>

namespace khien {

namespace {

// A dotted quad in its plain form (four decimal octets of 1-3 digits, no leading zero, each at most
// 255): the text nearly every address field holds, parsed without the copy and the strlen that
// inet_pton needs. Anything else is left to inet_pton (false), which accepts nothing this rejects.
bool parse_plain_v4(std::string_view text, std::uint8_t* out) {
  std::size_t i = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (i >= text.size() || text[i] != '.') return false;
      ++i;
    }
    const std::size_t start = i;
    unsigned value = 0;
    while (i < text.size() && i - start < 3 && text[i] >= '0' && text[i] <= '9')
      value = value * 10 + static_cast<unsigned>(text[i++] - '0');
    if (i == start || value > 255 || (text[start] == '0' && i - start > 1)) return false;
    out[octet] = static_cast<std::uint8_t>(value);
  }
  return i == text.size();
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  IpAddress fast;
  if (parse_plain_v4(text, fast.bytes.data() + 12)) {
    fast.bytes[10] = 0xff;
    fast.bytes[11] = 0xff;
    fast.v4 = true;
    return fast;
  }
  char buf[64];
  if (text.empty() || text.size() >= sizeof(buf)) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress ip;
  if (text.find(':') == std::string_view::npos) {
    in_addr a4{};
    if (inet_pton(AF_INET, buf, &a4) != 1) return std::nullopt;
    ip.bytes[10] = 0xff;
    ip.bytes[11] = 0xff;
    std::memcpy(ip.bytes.data() + 12, &a4, 4);
    ip.v4 = true;
    return ip;
  }
  // Zone ids (fe80::1%eth0) name an interface, not part of the address.
  if (char* pct = std::strchr(buf, '%')) *pct = '\0';
  in6_addr a6{};
  if (inet_pton(AF_INET6, buf, &a6) != 1) return std::nullopt;
  std::memcpy(ip.bytes.data(), &a6, 16);
  return ip;
}

IpAddress IpAddress::from_v4(std::uint32_t host_order) {
  IpAddress ip;
  ip.bytes[10] = 0xff;
  ip.bytes[11] = 0xff;
  ip.bytes[12] = static_cast<std::uint8_t>(host_order >> 24);
  ip.bytes[13] = static_cast<std::uint8_t>(host_order >> 16);
  ip.bytes[14] = static_cast<std::uint8_t>(host_order >> 8);
  ip.bytes[15] = static_cast<std::uint8_t>(host_order);
  ip.v4 = true;
  return ip;
}

std::uint32_t IpAddress::v4_host_order() const {
  return (std::uint32_t{bytes[12]} << 24) | (std::uint32_t{bytes[13]} << 16) | (std::uint32_t{bytes[14]} << 8) |
         std::uint32_t{bytes[15]};
}

std::size_t IpAddress::format(char* out) const {
  if (v4) {
    // Each octet's digits and a dot from a table, four bytes copied at once: every archived
    // event writes two or more addresses.
    static constexpr auto kOctets = [] {
      std::array<std::array<char, 5>, 256> t{};  // digits, '.', length last
      for (int v = 0; v < 256; ++v) {
        int n = 0;
        if (v >= 100) t[v][n++] = static_cast<char>('0' + v / 100);
        if (v >= 10) t[v][n++] = static_cast<char>('0' + v / 10 % 10);
        t[v][n++] = static_cast<char>('0' + v % 10);
        t[v][n] = '.';
        t[v][4] = static_cast<char>(n);
      }
      return t;
    }();
    char* p = out;
    for (int i = 12; i < 16; ++i) {
      const auto& octet = kOctets[bytes[i]];
      std::memcpy(p, octet.data(), 4);
      p += octet[4] + 1;
    }
    --p;  // the last octet's dot
    *p = '\0';
    return static_cast<std::size_t>(p - out);
  }
  inet_ntop(AF_INET6, bytes.data(), out, 46);
  return std::strlen(out);
}

std::string IpAddress::to_string() const {
  char buf[64];
  return std::string(buf, format(buf));
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  auto slash = text.find('/');
  auto ip = IpAddress::parse(text.substr(0, slash));
  if (!ip) return std::nullopt;
  int max_bits = ip->v4 ? 32 : 128;
  int bits = max_bits;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (ec != std::errc() || end != digits.data() + digits.size() || bits < 0 || bits > max_bits) return std::nullopt;
  }
  IpPrefix prefix{*ip, bits};
  // Clear host bits so 10.1.2.3/8 and 10.0.0.0/8 are the same prefix.
  int total = bits + (ip->v4 ? 96 : 0);
  for (int i = 0; i < 16; ++i) {
    int keep = total - i * 8;
    if (keep >= 8) continue;
    prefix.address.bytes[i] &= keep <= 0 ? 0 : static_cast<std::uint8_t>(0xff << (8 - keep));
  }
  return prefix;
}

bool IpPrefix::contains(const IpAddress& ip) const {
  if (ip.v4 != address.v4) return false;
  int total = bits + (address.v4 ? 96 : 0);
  int full = total / 8;
  if (std::memcmp(ip.bytes.data(), address.bytes.data(), static_cast<std::size_t>(full)) != 0) return false;
  int rest = total % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (ip.bytes[full] & mask) == address.bytes[full];
}

std::string IpPrefix::to_string() const { return address.to_string() + "/" + std::to_string(bits); }

}  // namespace khien
