// The parsed form of a STIX 2.1 pattern (OASIS STIX 2.1 section 9): observation expressions,
// comparison expressions, object paths, constants and qualifiers.
#pragma once

#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "core/time.h"

namespace khien {

/// The kind of a pattern constant.
enum class ConstantKind : std::uint8_t { String, Int, Float, Bool, Timestamp, Hex, Binary };

/// A constant of the pattern. `text` is the decoded string for strings, and the literal body
/// (between the quotes) for timestamps, hex and binary; `bytes` holds the decoded bytes of hex
/// and binary constants.
struct PatternConstant {
  ConstantKind kind = ConstantKind::String;
  std::string text;
  std::string bytes;
  std::int64_t i = 0;
  double f = 0.0;
  bool b = false;
  TimeNs t = 0;
  std::uint32_t position = 0;  ///< 1-based offset of the literal in the pattern text
};

/// One step of an object path after the object type: a property name, a list index, or `[*]`.
struct PathStep {
  enum class Kind : std::uint8_t { Property, Index, AnyIndex };
  Kind kind = Kind::Property;
  std::string name;        ///< property name (Kind::Property)
  std::int64_t index = 0;  ///< list index (Kind::Index)
};

/// An object path such as `file:hashes.'SHA-256'` or `network-traffic:src_ref.value`.
struct ObjectPath {
  std::string object_type;
  std::vector<PathStep> steps;  ///< never empty: the first is always a property

  /// The path as STIX writes it, quoting property names that are not plain identifiers.
  std::string to_string() const;
  /// The path with object type and plain dotted steps ("file:hashes.SHA-256", "x:list[*].a").
  std::string dotted() const;

 private:
  std::string written(bool quote_names) const;
};

/// Comparison operators of section 9.6 (EXISTS takes no constant).
enum class ComparisonOp : std::uint8_t {
  Equal,
  NotEqual,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  In,
  Like,
  Matches,
  IsSubset,
  IsSuperset,
  Exists
};

/// The operator's keyword or symbol as the pattern spells it.
const char* comparison_op_text(ComparisonOp op);

/// A comparison expression: one comparison, or an n-ary AND / OR of comparison expressions.
struct ComparisonExpr {
  enum class Kind : std::uint8_t { Comparison, And, Or };
  Kind kind = Kind::Comparison;
  // Kind::Comparison
  ObjectPath path;
  ComparisonOp op = ComparisonOp::Equal;
  bool negated = false;                     ///< `NOT` before the operator
  std::vector<PatternConstant> values;      ///< one constant, the IN set, or none for EXISTS
  std::shared_ptr<const std::regex> regex;  ///< compiled MATCHES expression
  // Kind::And / Kind::Or
  std::vector<ComparisonExpr> children;
  std::uint32_t position = 0;  ///< 1-based offset where the expression starts
};

/// A qualifier that restricts the observations an observation expression may match.
struct Qualifier {
  enum class Kind : std::uint8_t { Within, Repeats, StartStop };
  Kind kind = Kind::Within;
  double seconds = 0.0;    ///< WITHIN n SECONDS
  std::int64_t times = 0;  ///< REPEATS n TIMES
  PatternConstant start;   ///< START t'...'
  PatternConstant stop;    ///< STOP t'...'
  std::uint32_t position = 0;
};

/// An observation expression: `[comparison]`, or an n-ary AND / OR / FOLLOWEDBY of observation
/// expressions, each possibly qualified.
struct ObservationExpr {
  enum class Kind : std::uint8_t { Observation, And, Or, FollowedBy };
  Kind kind = Kind::Observation;
  ComparisonExpr comparison;              ///< Kind::Observation
  std::vector<ObservationExpr> children;  ///< And / Or / FollowedBy, in pattern order
  std::vector<Qualifier> qualifiers;      ///< applied in the order written
  std::uint32_t position = 0;
};

/// A whole parsed pattern.
struct PatternAst {
  ObservationExpr root;

  /// Canonical text of the pattern: parsing it again gives the same AST.
  std::string to_string() const;
};

/// Canonical text of one comparison expression / constant (used in messages and by to_string).
std::string comparison_to_string(const ComparisonExpr& expr);
std::string constant_to_string(const PatternConstant& value);

}  // namespace khien
