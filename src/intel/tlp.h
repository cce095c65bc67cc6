// Traffic Light Protocol levels (TLP 2.0) and the STIX marking-definitions that carry them.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace khien {

/// TLP 2.0 levels, ordered from least to most restricted (so `<` means "less restricted").
enum class Tlp { clear = 0, green = 1, amber = 2, amber_strict = 3, red = 4 };

/// "clear", "green", "amber", "amber+strict", "red".
std::string_view tlp_name(Tlp tlp);

/// Parses a level name, case-insensitive, with or without the "TLP:" prefix; TLP 1.0's "white"
/// is read as CLEAR and "amber-strict"/"amber_strict" as AMBER+STRICT.
std::optional<Tlp> parse_tlp(std::string_view text);

/// The level of one of the fixed STIX marking-definition ids: the five TLP 2.0 ids published
/// with the TLP 2.0 extension, and the four TLP 1.0 ids of STIX 2.1 section 7.2.1.4 (white,
/// green, amber, red map to CLEAR, GREEN, AMBER, RED).
std::optional<Tlp> tlp_from_marking_id(std::string_view marking_id);

/// The TLP 2.0 marking-definition id of a level.
std::string_view tlp_marking_id(Tlp tlp);

/// The level a marking-definition object states: `definition_type: "tlp"` with
/// `definition.tlp`, a TLP 2.0 extension (`extensions.*.tlp_2_0`), a name "TLP:…", or one of
/// the fixed ids. nullopt when it is not a TLP marking.
std::optional<Tlp> tlp_from_marking_definition(const nlohmann::json& marking);

/// The more restricted of two levels.
inline Tlp stricter(Tlp a, Tlp b) {
  return a < b ? b : a;
}

}  // namespace khien
