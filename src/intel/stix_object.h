// Validation of one STIX 2.1 object (common properties, per-type required properties,
// timestamps, identifiers, references) and the facts the store keeps beside its JSON.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace khien {

/// Microseconds since 1970-01-01T00:00:00Z (STIX timestamps span years 0001..9999, beyond TimeNs).
using StixTimeUs = std::int64_t;

/// Parses a STIX timestamp: RFC 3339 in UTC with a `Z` ("2016-05-12T08:17:27.000Z"), any number of
/// fraction digits (kept to the microsecond). nullopt for anything else (offsets, missing `Z`,
/// out-of-range fields such as month 13 or February 30).
std::optional<StixTimeUs> parse_stix_timestamp(std::string_view text);

/// "2016-05-12T08:17:27.000000Z" (six fraction digits, as TAXII's date_added is written).
std::string format_stix_timestamp(StixTimeUs t);

/// True for `type--UUID` with a valid type name and an 8-4-4-4-12 hex UUID.
bool is_stix_identifier(std::string_view id);

/// What kind of STIX object a type name is.
enum class StixKind {
  domain,
  relationship,
  cyber_observable,
  marking_definition,
  language_content,
  extension_definition,
  custom
};

/// A reference found in an object: the property path ("source_ref", "object_refs[2]",
/// "granular_markings[0].marking_ref") and the id it names.
struct StixReference {
  std::string property;
  std::string target;
  bool marking = false;  ///< object_marking_refs or a granular marking_ref
  bool custom = false;   ///< inside a custom (`x_…`) property: reported, never required
};

/// The facts of one valid object that the store indexes.
struct StixObjectInfo {
  std::string id, type, spec_version;
  StixKind kind = StixKind::custom;
  std::string created, modified;  ///< as written; empty when absent (SCOs, marking-definitions)
  std::optional<StixTimeUs> created_us, modified_us;
  bool revoked = false;
  std::optional<StixTimeUs> valid_from, valid_until;  ///< indicators
  std::vector<StixReference> references;
};

struct StixValidationOptions {
  /// Accept STIX 2.0 objects (no spec_version, or "2.0") with the common checks only; used for
  /// fixtures that mix both versions. STIX 2.1 is required otherwise.
  bool allow_stix20 = false;
};

/// Validates one object. Errors read "<id>: property '<name>': <reason>" (or "object N" when
/// there is no usable id), so a user can find and fix the object.
Result<StixObjectInfo> validate_stix_object(const nlohmann::json& object, const StixValidationOptions& options = {});

}  // namespace khien
