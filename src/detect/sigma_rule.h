// Sigma documents (detection rules, correlation rules, filters) and their YAML parser.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/yaml_guard.h"
#include "core/ip_address.h"
#include "core/time.h"
#include "detect/sigma_condition.h"
#include "detect/sigma_pattern.h"

namespace khien {

/// How one value of a detection item is tested against a field value.
enum class SigmaMatchKind : std::uint8_t {
  Pattern,   ///< string pattern(s) with wildcards (contains/startswith/endswith/equals, encodings)
  Regex,     ///< `re`
  Cidr,      ///< `cidr`
  Compare,   ///< `lt`, `lte`, `gt`, `gte`
  Exists,    ///< `exists`
  FieldRef,  ///< `fieldref`: compared with another field of the same event
  Null,      ///< `null`: the field is absent or empty
};

enum class SigmaCompare : std::uint8_t { Lt, Lte, Gt, Gte };
/// Where a string must sit in the field value (also used by fieldref).
enum class SigmaPosition : std::uint8_t { Equals, Contains, StartsWith, EndsWith };

/// One value of a detection item after its modifiers were applied.
struct SigmaValue {
  SigmaMatchKind kind = SigmaMatchKind::Pattern;
  std::vector<SigmaPattern> patterns;  ///< Pattern: alternatives, any may match
  bool cased = false;                  ///< Pattern: case-sensitive (`cased`)
  std::string regex;                   ///< Regex
  bool re_i = false, re_m = false, re_s = false;
  std::vector<IpPrefix> prefixes;      ///< Cidr
  SigmaCompare compare = SigmaCompare::Lt;
  double number = 0;                   ///< Compare
  bool exists = true;                  ///< Exists
  std::string ref_field;               ///< FieldRef
  SigmaPosition position = SigmaPosition::Equals;
  std::string missing_placeholder;     ///< expand: a placeholder with no configured values
};

/// `field|modifiers: values` (field empty for keywords, which search every field).
struct SigmaItem {
  std::string field;
  bool all = false;  ///< `all`: every value must match (otherwise any)
  std::vector<SigmaValue> values;
  int line = 0;
};

/// A search identifier: OR over alternatives, each an AND over items.
struct SigmaSelection {
  std::string name;
  std::vector<std::vector<SigmaItem>> alternatives;
  int line = 0;
};

/// The detection section (or the body of a filter).
struct SigmaDetection {
  std::vector<SigmaSelection> selections;
  ConditionNode condition;
};

struct SigmaLogsource {
  std::string product, category, service;  ///< lower case, empty when absent
};

/// The correlation section of a correlation rule.
struct SigmaCorrelation {
  enum class Type : std::uint8_t { EventCount, ValueCount, Temporal, TemporalOrdered };
  Type type = Type::EventCount;
  std::vector<std::string> rules;  ///< ids or names of rules / correlations
  std::vector<std::string> group_by;
  TimeNs timespan = 0;
  std::optional<std::int64_t> gt, gte, lt, lte, eq;
  std::string field;  ///< value_count: the field whose distinct values are counted
  /// alias name -> (rule name or id -> field name)
  std::map<std::string, std::map<std::string, std::string>> aliases;
  bool generate = false;
  /// Whether `count` satisfies the condition (temporal without a condition: all rules seen).
  bool holds(std::int64_t count, std::int64_t rule_count) const;
};

enum class SigmaKind : std::uint8_t { Detection, Correlation, Filter };

/// One parsed Sigma document.
struct SigmaRule {
  SigmaKind kind = SigmaKind::Detection;
  std::string file;
  int line = 0;  ///< first line of the document (1-based)
  std::string title, id, name, status, level, description;
  std::vector<std::pair<std::string, std::string>> related;  ///< (id, type)
  std::vector<std::string> tags, fields, falsepositives;
  SigmaLogsource logsource;
  SigmaDetection detection;           ///< Detection and Filter
  std::vector<std::string> filter_rules;  ///< Filter: ids or names of the rules it applies to
  SigmaCorrelation correlation;       ///< Correlation
  std::set<std::string> modifiers;    ///< every modifier chain used, e.g. "contains|all"
};

/// A rule document that failed to load: where and why.
struct SigmaLoadError {
  std::string file;
  int line = 0;  ///< 1-based; 0 when unknown
  std::string reason;
};

/// Values of placeholders for the `expand` modifier (`%name%` -> values).
using SigmaPlaceholders = std::map<std::string, std::vector<std::string>>;

/// Parses every YAML document of `text` (named `file` in messages). Each good document is
/// appended to `rules`; each bad one adds an error and the others still load.
void parse_sigma_text(std::string_view text, std::string_view file, std::vector<SigmaRule>& rules,
                      std::vector<SigmaLoadError>& errors, const SigmaPlaceholders& placeholders = {});

/// Parses a timespan such as `90s`, `5m`, `1h`, `2d`, `1w`.
std::optional<TimeNs> parse_sigma_timespan(std::string_view text);

}  // namespace khien
