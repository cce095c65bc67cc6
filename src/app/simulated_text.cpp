// Seeded randomness helpers, invented addresses and per-format time styles for the simulator.
#include "app/simulated_text.h"

namespace khien::sim {

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

std::string stable_hex(std::string_view seed, std::size_t digits) {
  std::mt19937_64 g(fnv1a(seed));
  Rand r{g};
  return r.hex(digits);
}

IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return IpAddress::from_v4((std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d);
}

IpAddress random_in(const IpPrefix& p, Rand& r) {
  IpAddress a = p.address;
  if (a.v4) {
    const int host_bits = 32 - std::clamp(p.bits, 0, 32);
    const std::uint32_t mask = host_bits >= 32 ? 0xffffffffu : ((1u << host_bits) - 1);
    std::uint32_t host = static_cast<std::uint32_t>(r.bits()) & mask;
    if (host_bits >= 2) {
      // Not the network or broadcast address, and not .0/.255 in any case.
      if (host == 0) host = 1;
      if (host == mask) host = mask - 1;
      std::uint32_t addr = (a.v4_host_order() & ~mask) | host;
      if ((addr & 0xff) == 0 && (mask & 0xff) == 0xff) addr |= 1;
      if ((addr & 0xff) == 0xff && (mask & 0xff) == 0xff) addr &= ~1u;
      return IpAddress::from_v4(addr);
    }
    return IpAddress::from_v4((a.v4_host_order() & ~mask) | host);
  }
  const int bits = std::clamp(p.bits, 0, 128);
  for (int i = bits; i < 128; ++i) {
    const int byte = i / 8, bit = 7 - i % 8;
    a.bytes[byte] = static_cast<std::uint8_t>((a.bytes[byte] & ~(1 << bit)) | ((r.bits() & 1) << bit));
  }
  if (bits < 120) a.bytes[15] |= 1;
  return a;
}

IpAddress internet_address(Rand& r) {
  return v4(r.pick(kInternetFirstOctets), static_cast<std::uint8_t>(r.range(1, 254)),
            static_cast<std::uint8_t>(r.range(0, 255)), static_cast<std::uint8_t>(r.range(1, 254)));
}

IpAddress hosting_address(std::string_view host) {
  std::uint64_t h = fnv1a(host);
  constexpr std::uint8_t kFirst[] = {45, 91, 103, 185, 193};
  return v4(kFirst[h % 5], static_cast<std::uint8_t>(1 + (h >> 8) % 250), static_cast<std::uint8_t>((h >> 16) % 256),
            static_cast<std::uint8_t>(2 + (h >> 24) % 250));
}

std::string iso_with_offset(TimeNs t, int digits) {  // Suricata / Wazuh: "...+0000"
  std::string s = format_rfc3339(t, digits);
  s.pop_back();
  return s + "+0000";
}

std::string windows_time(TimeNs t, int digits) {  // NXLog EventTime / Sysmon UtcTime: "YYYY-MM-DD HH:MM:SS[.mmm]"
  std::string s = format_rfc3339(t, digits);
  s.pop_back();
  s[10] = ' ';
  return s;
}

std::string zeek_time(TimeNs t) {
  const std::int64_t us = t / 1000;
  return fmt::format("{}.{:06}", us / 1000000, us % 1000000);
}

std::string leef_time(TimeNs t) {  // "MMM dd yyyy HH:mm:ss" (with devTimeFormat saying so)
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string s = format_rfc3339(t, 0);  // YYYY-MM-DDTHH:MM:SSZ
  const int month = (s[5] - '0') * 10 + (s[6] - '0');
  return fmt::format("{} {} {} {}", kMonths[std::clamp(month, 1, 12) - 1], s.substr(8, 2), s.substr(0, 4),
                     s.substr(11, 8));
}

std::int64_t epoch_ms(TimeNs t) {
  return t / 1000000;
}

std::string cef_header(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '\\') out.push_back('\\');
    out.push_back(c == '\n' || c == '\r' ? ' ' : c);
  }
  return out;
}

std::optional<Format> format_of(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kFormatNames); ++i)
    if (kFormatNames[i] == name) return static_cast<Format>(i);
  return std::nullopt;
}

}  // namespace khien::sim
