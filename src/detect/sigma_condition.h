// The Sigma condition grammar: and, or, not, parentheses, `N of pattern*`, `all of them`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace khien {

/// A parsed condition over the search identifiers of one detection, resolved to their indexes.
struct ConditionNode {
  enum class Kind : unsigned char { And, Or, Not, Selection, AtLeast, True, False };
  Kind kind = Kind::False;
  std::size_t selection = 0;  ///< Selection: index into the detection's identifiers
  std::size_t count = 0;      ///< AtLeast: how many children must hold
  std::vector<ConditionNode> children;
};

/// Deepest nesting of parentheses / `not` accepted (guards the recursive parser and evaluator).
inline constexpr int kMaxConditionDepth = 64;

/// Parses `text` against the identifier `names`. Operators are case-insensitive; identifiers are
/// not. `them` means every identifier not starting with `_`. Fails with a reason naming the token
/// (unknown identifier, pattern matching nothing, unbalanced parentheses, legacy `|` aggregation).
Result<ConditionNode> parse_condition(std::string_view text, const std::vector<std::string>& names);

/// Whether `name` matches the identifier pattern `pattern` (`*` any run, `?` one character).
bool identifier_matches(std::string_view pattern, std::string_view name);

}  // namespace khien
