// Converters from the other intelligence formats members send (MISP events and feeds, CSV and
// plain lists) into STIX 2.1 objects that the StixBundleImporter then validates and stores.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "intel/tlp.h"

namespace khien {

class WarninglistSet;

/// How a converter labels and filters what it reads.
struct IntelImportOptions {
  /// Who sent the data (an organisation, a feed name); becomes the name of the identity that
  /// CSV indicators (and MISP events without an Orgc) are created by.
  std::string source;
  /// TLP for objects whose input carries none (no tlp:* tag, no tlp column); nullopt leaves them
  /// unmarked so that the bundle importer applies its own default.
  std::optional<Tlp> default_tlp;
  /// CSV column mapping: "value=1,type=2,tlp=3" (1-based columns) or constants such as
  /// "type=domain" for a one-column list; see csv_to_stix.
  std::string csv_mapping;
  /// When set, values listed on one of these warninglists are skipped (and counted in skipped).
  const WarninglistSet* warninglists = nullptr;
};

/// The STIX objects a conversion produced, the problems it met, and what it left out on purpose.
struct ConvertedIntel {
  std::vector<nlohmann::json> objects;
  /// One entry per input item that could not be converted; the other items are kept.
  std::vector<std::string> errors;
  /// Items left out on purpose: deleted MISP attributes, values on a warninglist.
  std::size_t skipped = 0;
};

/// Converts one MISP event export (`{"Event": {...}}`, or the bare event object) into a report
/// for the event, an identity for its creator organisation (Orgc), indicators for to_ids
/// attributes, observed-data with their observables for the others, and TLP markings from
/// tlp:* tags. Unknown attribute types are reported per attribute as
/// "attribute <uuid> type '<t>': <reason>"; a document that is not a MISP event is an error.
Result<ConvertedIntel> misp_event_to_stix(std::string_view json, const IntelImportOptions& options);

/// Converts every event of a MISP feed directory (manifest.json listing <uuid>.json event files).
/// A missing or broken event file is an error entry ("event <uuid>: <reason>"); a missing or
/// broken manifest is an error of the whole call.
Result<ConvertedIntel> misp_feed_to_stix(const std::filesystem::path& feed_dir, const IntelImportOptions& options);

/// Converts a CSV file or a plain list, one indicator per line, under options.csv_mapping.
/// Bad lines are reported as "line N: column 'x': <reason>"; a bad mapping is an error of the call.
Result<ConvertedIntel> csv_to_stix(std::string_view text, const IntelImportOptions& options);

}  // namespace khien
