// The library side of `khien rules check` and `khien rules test`: loading rule files and
// directories, counting what loaded, listing what failed, and matching rules over events.
#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/event.h"
#include "detect/field_pipeline.h"
#include "detect/rule_set.h"
#include "detect/sigma_rule.h"

namespace khien {

/// Every document of the rule files found under `paths` (files, or directories searched
/// recursively for *.yml / *.yaml), and every document that failed with file, line and reason.
struct LoadedRules {
  std::vector<SigmaRule> rules;
  std::vector<SigmaLoadError> errors;
  std::size_t files = 0;
};

/// Loads rules; a bad file or document never stops the others. Files are read in sorted order.
LoadedRules load_rules(const std::vector<std::string>& paths, const SigmaPlaceholders& placeholders = {});

/// What `khien rules check` prints.
struct RulesCheckReport {
  std::size_t files = 0;
  std::size_t documents = 0;  ///< documents parsed (good + bad)
  std::size_t loaded = 0;     ///< documents that parsed
  std::map<std::string, std::size_t> by_kind, by_status, by_product, by_modifier;
  std::vector<SigmaLoadError> failures;  ///< parse failures: file, line, reason
  std::vector<SkippedRule> unsupported;  ///< parsed, but cannot run on khien's events
  std::size_t compiled = 0;              ///< rules that compiled into the rule set
  std::string compile_error;             ///< set when the rule set could not be built at all
  /// Exit status for the CLI: true when no document failed to parse or compile.
  bool ok() const { return failures.empty() && compile_error.empty(); }
  /// Human-readable report: counts, then one line per failure `file:line: reason`.
  std::string to_text() const;
};

/// Parses every rule under `paths`; with a pipeline also compiles them and lists the rules
/// that cannot run (no logsource mapping, missing placeholder values).
RulesCheckReport check_rules(const std::vector<std::string>& paths, const FieldPipeline* pipeline = nullptr,
                             const SigmaPlaceholders& placeholders = {});

/// One rule matching one event.
struct RuleTestMatch {
  std::size_t rule = 0;   ///< index in the RuleSet
  std::size_t event = 0;  ///< index of the event in the input
};

/// Matches every rule over `events` in order.
std::vector<RuleTestMatch> rules_test(const RuleSet& rules, std::span<const Event> events);

/// The matches as NDJSON lines `{"rule_id":..,"rule":..,"event":INDEX}` (rule = the title).
std::string rules_test_ndjson(const RuleSet& rules, const std::vector<RuleTestMatch>& matches);

}  // namespace khien
