// Tests of one event value outside Vectorscan: case-folded equality, wildcard globs, positions
// (fieldref), numbers, and the text form of typed values.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/text.h"
#include "detect/sigma_pattern.h"
#include "detect/sigma_rule.h"

namespace khien {

/// `c` lower-cased unless `cased`.
inline char fold(char c, bool cased) { return cased ? c : ascii_lower(c); }
/// A pattern of literal pieces joined by `*` (no `?`), matched by finding each piece in turn.
struct StarGlob {
  std::vector<std::string> pieces;  // lower case unless cased
  bool open_start = false, open_end = false, cased = false;
  /// The glob of `parts` when they are only literals and stars (and hold a literal).
  static std::optional<StarGlob> of(const std::vector<PatternPart>& parts, bool cased);
  /// Whether `text` matches: the leftmost place of each piece after the previous one is the best.
  bool matches(std::string_view text) const;
};
/// Whether `text` matches the wildcard parts from `pi` on (for the few patterns evaluated outside
/// Vectorscan: empty and all-star ones).
bool glob_match(const std::vector<PatternPart>& parts, std::size_t pi, std::string_view text, bool cased, int budget = 10000);
/// Whether `want` sits in `value` at `pos`.
bool position_match(std::string_view value, std::string_view want, SigmaPosition pos, bool cased);
/// Text of a value for string matching: numbers in decimal, addresses canonical, times RFC 3339
/// (written into `buf` when not a string).
std::string_view text_of(const Value& v, char* buf, std::size_t cap);
/// The number a value holds (strings in decimal or Windows' 0x hex), if any.
std::optional<double> number_of(const Value& v);

}  // namespace khien
