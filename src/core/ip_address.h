// IPv4/IPv6 address value type and CIDR prefixes, parsed without allocation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace khien {

/// An IPv4 or IPv6 address. IPv4 is stored as an IPv4-mapped IPv6 address (::ffff:a.b.c.d) so
/// prefix matching treats both families in one 128-bit space.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};
  bool v4 = false;

  /// Parses dotted IPv4 or RFC 4291/5952 IPv6 text; nullopt if `text` is not an address.
  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress from_v4(std::uint32_t host_order);
  /// Canonical text: dotted quad for IPv4, RFC 5952 compressed form for IPv6.
  std::string to_string() const;
  /// Writes the canonical text into `out` (at least 46 bytes); returns its length.
  std::size_t format(char* out) const;
  std::uint32_t v4_host_order() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

/// A CIDR prefix such as 10.0.0.0/8 or 2001:db8::/32 (bits counted in the family's own width).
struct IpPrefix {
  IpAddress address;
  int bits = 0;  ///< prefix length in the address family (0..32 or 0..128)

  /// Parses "a.b.c.d/n", "x::/n" or a bare address (a host prefix); nullopt on malformed text.
  static std::optional<IpPrefix> parse(std::string_view text);
  bool contains(const IpAddress& ip) const;
  std::string to_string() const;
};

}  // namespace khien
