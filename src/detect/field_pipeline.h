// FieldPipeline: YAML field-mapping pipelines that tie a Sigma logsource to event conditions and
// Sigma field names to khien event fields (pySigma processing pipelines, reduced to what we need).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/schema.h"
#include "detect/sigma_rule.h"

namespace khien {

/// One way a logsource shows up in khien's events: conditions an event must meet, and how
/// Sigma field names turn into event field names for events meeting them.
struct LogsourceVariant {
  std::string name;  ///< for messages ("sysmon_process_creation")
  /// Each condition: a field (a Sigma field name, resolved like the rule's fields) and the values
  /// it may have (case-insensitive; "*" = present).
  struct Condition {
    std::string field;
    std::vector<std::string> values;
  };
  std::vector<Condition> conditions;
  /// Candidate event field names of a Sigma field, in order; every candidate present is tested.
  std::vector<std::string> resolve(std::string_view sigma_field) const;

  // Resolution data (from the pipeline file and the logsource entry).
  std::vector<std::pair<std::string, std::vector<std::string>>> renames;  ///< entry-level
  std::vector<std::pair<std::string, std::vector<std::string>>> fields;   ///< file-level
  std::vector<std::string> prefixes;                                      ///< file-level
  /// Stable text identifying conditions + mapping, for grouping rules that share a variant.
  std::string key;
};

/// The loaded pipelines: logsource entries from one or more YAML files.
/// Immutable after loading; safe to share between threads.
class FieldPipeline {
 public:
  /// Loads a pipeline YAML text (`file` names it in errors).
  Status load_text(std::string_view text, std::string_view file);
  /// Loads every *.yaml / *.yml file in `dir`.
  Status load_dir(const std::string& dir);
  /// The pipelines shipped in data/pipelines/ under `source_dir`.
  static Result<FieldPipeline> load_default(const std::string& source_dir);

  /// Variants of `ls`: the entries whose match keys all equal the rule's logsource, keeping only
  /// the most specific ones. Empty when khien has no mapping for the logsource.
  std::vector<const LogsourceVariant*> variants(const SigmaLogsource& ls) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string product, category, service;  ///< empty = any
    LogsourceVariant variant;
  };
  std::vector<Entry> entries_;
};

}  // namespace khien
