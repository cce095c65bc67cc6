// The one selection rule behind every bulk export (DNS RPZ, plain blocklists, STIX bundles): which
// stored indicators may leave the platform for ISPs and partners, and what they match.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "intel/observable_extractor.h"
#include "intel/tlp.h"
#include "store/stix_store.h"

namespace khien {

/// Filters of an export. The defaults are those of an ISP feed (see docs/EXPORTS.md).
struct ExportFilter {
  /// Most restricted TLP level exported. GREEN by default: ISPs and partners are a community,
  /// and GREEN is the level meant for sharing within one. RED is refused (never exported in bulk).
  Tlp max_tlp = Tlp::green;
  /// Lowest STIX `confidence` (0..100) exported. With a value above 0, indicators that state no
  /// confidence are left out: an unknown confidence does not meet a stated minimum.
  int min_confidence = 0;
  /// Only indicators whose newest of `modified` and `valid_from` lies within this many days of
  /// `now_us`; 0 means no age limit. Stale indicators block reassigned names and addresses.
  int max_age_days = 180;
  std::int64_t now_us = 0;  ///< the export's "now" (microseconds since the epoch)
};

/// Checks the filter: max_tlp below RED, confidence 0..100, age 0..36500 days.
Status check_export_filter(const ExportFilter& filter);

/// Builds a filter from request-style text parameters (empty text keeps the default):
/// max_tlp ("green", "TLP:AMBER", ...), min_confidence, max_age_days. Errors name the parameter.
Result<ExportFilter> parse_export_filter(std::string_view max_tlp, std::string_view min_confidence,
                                         std::string_view max_age_days, std::int64_t now_us);

/// "max_tlp=green min_confidence=0 max_age_days=180", for file headers and logs.
std::string describe_export_filter(const ExportFilter& filter);

/// One indicator that passed the filter.
struct SelectedIndicator {
  StixRecord record;        ///< the latest version, with its JSON
  nlohmann::json object;    ///< the parsed JSON
  Tlp tlp = Tlp::red;
  std::optional<int> confidence;
  /// What the pattern matches, when it is a STIX pattern simple enough for the line-rate matcher
  /// (see extract_observables); empty otherwise, with `not_matchable` saying why.
  std::vector<Observable> observables;
  std::string not_matchable;
};

/// The outcome of a selection, with the reasons indicators were left out (for headers and logs).
struct ExportSelection {
  std::vector<SelectedIndicator> indicators;  ///< ordered by id
  std::size_t considered = 0;                 ///< active indicators looked at
  std::size_t skipped_tlp = 0, skipped_confidence = 0, skipped_age = 0, skipped_revoked = 0;
  std::size_t not_matchable = 0;  ///< selected, but their pattern yields no observables
};

/// Selects the active indicators (latest version, not revoked, inside valid_from..valid_until at
/// `filter.now_us`) that pass `filter`. Threading: whatever the store allows (any thread).
Result<ExportSelection> select_for_export(StixStore& store, const ExportFilter& filter);

/// A domain as DNS exports write it: lower case, no trailing dot, labels of letters, digits, '-'
/// and '_' (1..63 bytes, not starting or ending with '-'), at least two labels, 253 bytes at most,
/// and not all-numeric in its last label (an IPv4 address is not a domain). The error says why.
Result<std::string> check_export_domain(std::string_view domain);

}  // namespace khien
