// The IANA IPFIX information elements (ids, names, abstract data types) and IP protocol names used by the NetFlow/IPFIX
// decoder.
#pragma once

#include <cstdint>
#include <string_view>

namespace khien {

/// How the value of an information element is encoded on the wire (RFC 7011 §6.1), reduced to
/// what the decoder needs to turn it into a typed event value.
enum class IeType : std::uint8_t {
  Unsigned,          ///< unsigned8..64, big-endian, reduced-size encoding allowed
  Float,             ///< float32 / float64
  Boolean,           ///< 1 = true, 2 = false
  Ipv4,              ///< 4 bytes
  Ipv6,              ///< 16 bytes
  Mac,               ///< 6 bytes
  String,            ///< UTF-8, NUL padded by some exporters
  DateSeconds,       ///< seconds since the Unix epoch
  DateMilliseconds,  ///< milliseconds since the Unix epoch
  DateMicroseconds,  ///< NTP timestamp (seconds since 1900, 32-bit fraction)
  DateNanoseconds,   ///< NTP timestamp
  Octets,            ///< opaque bytes, shown as hex
};

/// One registered information element.
struct IeInfo {
  std::uint16_t id;
  std::string_view name;
  IeType type;
};

/// The IANA element `id` (enterprise bit clear), or nullptr when it is not in the table.
/// NetFlow v9 field types below 128 and the IANA ids share one numbering (RFC 3954 §8, RFC 7012).
const IeInfo* find_information_element(std::uint16_t id);

/// Lower-case IANA keyword of an IP protocol number ("tcp", "udp", "icmp", "ipv6-icmp", ...);
/// the number in decimal for numbers without a keyword. The view is static.
std::string_view ip_protocol_name(std::uint8_t protocol);

/// RFC 5103 reverse-direction elements are enterprise-specific with this private enterprise number.
inline constexpr std::uint32_t kReversePen = 29305;

}  // namespace khien
