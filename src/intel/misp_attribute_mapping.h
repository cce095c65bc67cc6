// The MISP attribute type → STIX 2.1 mapping (cyber-observables and pattern comparisons) shared by
// the MISP event converter and the CSV reader, and the small STIX writing helpers both need.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace khien {

/// What one attribute value becomes in STIX.
struct MispStixMapping {
  /// Cyber-observable objects, ids "<type>--<uuid>" from the uuid given to the mapper (one
  /// object per type, so several observables of one attribute share the uuid, as misp-stix does).
  std::vector<nlohmann::json> observables;
  /// Comparison expressions, joined with AND inside one observation expression.
  std::vector<std::string> comparisons;
  /// (warninglist observable type, value) pairs that identify the value: the host of a
  /// domain|ip, the digest of a filename|sha256, the address of an ip-dst|port.
  std::vector<std::pair<std::string, std::string>> identifying;
};

/// Maps a MISP attribute (`type` as MISP names it, `value` as written) to STIX. Also accepts
/// the STIX-ish names CSV lists use ("ipv4-addr", "domain-name", "email-addr", "file-hash"...).
/// Errors say why ("'abc' is not an IP address or CIDR", "no STIX mapping for this type").
Result<MispStixMapping> map_misp_attribute(std::string_view type, std::string_view value, std::string_view uuid);

/// True when map_misp_attribute knows `type`.
bool misp_attribute_type_known(std::string_view type);

/// "[a AND b]".
std::string stix_observation(const std::vector<std::string>& comparisons);

/// A STIX pattern string constant: quoted, with `\` and `'` escaped.
std::string stix_quote(std::string_view text);

/// True for an 8-4-4-4-12 hex UUID.
bool is_uuid(std::string_view text);

/// A name-based UUID (RFC 4122 version 5, SHA-1) in khien's namespace: stable ids for objects
/// whose input carries no UUID (relationships, CSV indicators).
std::string uuid_v5(std::string_view name);

/// Seconds since the epoch in MISP's forms: "1603642920" (timestamp fields) or ISO 8601 with an
/// offset (first_seen/last_seen: "2020-10-25T16:22:00.000000+00:00"); microseconds, nullopt when
/// it is neither.
std::optional<std::int64_t> parse_misp_time_us(std::string_view text);

/// STIX timestamp text of microseconds: "2020-10-25T16:22:00.000Z" with `millis`, else the
/// shortest exact form ("2020-10-25T16:22:00Z", or with the fraction digits needed).
std::string stix_time(std::int64_t us, bool millis);

}  // namespace khien
