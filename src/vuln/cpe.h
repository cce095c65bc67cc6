// CPE 2.3 names (NISTIR 7695): well-formed names parsed from formatted strings and URIs, bound back to
// both, and compared per NISTIR 7696 (superset, subset, equal, disjoint).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.h"

namespace khien {

/// The eleven attributes of a well-formed CPE name, in binding order.
enum class CpeAttribute : unsigned char {
  part, vendor, product, version, update, edition, language, sw_edition, target_sw, target_hw, other
};
inline constexpr std::size_t kCpeAttributeCount = 11;
/// The attribute's name as the specification writes it ("sw_edition").
std::string_view cpe_attribute_name(CpeAttribute a);

/// One attribute value: the logical values ANY and NA, or a string. Strings are kept in the WFN form
/// of NISTIR 7695 §5.3.2: lower case, every character other than a letter, digit or `_` quoted by a
/// backslash, and unquoted `*` (any run) or `?` (one character) wildcards only at the start or end.
struct CpeValue {
  enum class Kind : unsigned char { any, na, string };
  Kind kind = Kind::any;
  std::string wfn;

  bool is_any() const { return kind == Kind::any; }
  bool is_na() const { return kind == Kind::na; }
  bool is_string() const { return kind == Kind::string; }
  /// True when the string holds an unquoted `*` or `?`.
  bool has_wildcards() const;
  /// The string with quoting removed (`2\.14\.1` → `2.14.1`); wildcards stay as `*` and `?`.
  std::string text() const;
  bool operator==(const CpeValue&) const = default;

  static CpeValue any() { return {}; }
  static CpeValue na() { return {Kind::na, {}}; }
  /// A literal value (no wildcards) from plain text: `2.14.1`.
  static CpeValue literal(std::string_view text);
};

/// Relation of a source attribute to a target attribute (NISTIR 7696 Table 6-2).
enum class CpeRelation : unsigned char { equal, superset, subset, disjoint, undefined };
std::string_view cpe_relation_name(CpeRelation r);

/// A well-formed CPE name.
class Cpe {
 public:
  Cpe() = default;

  /// Parses a formatted string (`cpe:2.3:...`) or a URI (`cpe:/...`), chosen by the prefix.
  static Result<Cpe> parse(std::string_view text);
  /// Parses a formatted string binding: `cpe:2.3:` and exactly eleven `:`-separated attributes,
  /// `*` = ANY, `-` = NA, `\` quoting, `*`/`?` wildcards only at the start or end of a value.
  static Result<Cpe> parse_formatted(std::string_view text);
  /// Parses a URI binding: `cpe:/` and up to seven attributes (missing ones are ANY, empty = ANY,
  /// `-` = NA), percent-encoding (`%01` = `?`, `%02` = `*`), and an edition packed as
  /// `~edition~sw_edition~target_sw~target_hw~other`.
  static Result<Cpe> parse_uri(std::string_view text);

  /// The formatted string binding (`cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*`).
  std::string to_formatted() const;
  /// The URI binding (`cpe:/a:apache:log4j:2.14.1`), with the edition packed when an extended
  /// attribute is set and trailing ANY attributes left out.
  std::string to_uri() const;

  const CpeValue& get(CpeAttribute a) const { return values_[static_cast<std::size_t>(a)]; }
  void set(CpeAttribute a, CpeValue v) { values_[static_cast<std::size_t>(a)] = std::move(v); }
  const CpeValue& part() const { return get(CpeAttribute::part); }
  const CpeValue& vendor() const { return get(CpeAttribute::vendor); }
  const CpeValue& product() const { return get(CpeAttribute::product); }
  const CpeValue& version() const { return get(CpeAttribute::version); }
  const CpeValue& update() const { return get(CpeAttribute::update); }

  bool operator==(const Cpe&) const = default;

 private:
  std::array<CpeValue, kCpeAttributeCount> values_{};
};

/// NISTIR 7696 attribute comparison of `source` (the pattern, e.g. an NVD criteria) to `target`.
CpeRelation compare_cpe_values(const CpeValue& source, const CpeValue& target);

/// Per-attribute relations and the name relation of NISTIR 7696 §6.2: DISJOINT if any attribute is
/// disjoint; EQUAL if all are equal; SUPERSET (SUBSET) if all are superset (subset) or equal;
/// UNDEFINED otherwise (mixed superset and subset, or a target holding wildcards).
struct CpeComparison {
  std::array<CpeRelation, kCpeAttributeCount> attributes{};
  CpeRelation name = CpeRelation::equal;
};
CpeComparison compare_cpes(const Cpe& source, const Cpe& target);

}  // namespace khien
