// Required literals: byte strings of which at least one occurs in every value a pattern or regex
// matches, so a cheap multi-literal scan decides when the full (costly) pattern has to run.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "detect/sigma_pattern.h"

namespace khien {

/// Shortest literal accepted as a prefilter: shorter ones occur in nearly every value.
inline constexpr std::size_t kMinRequiredLiteral = 3;

/// True when the pattern is one literal with at most a star at either end (contains,
/// startswith, endswith, equals): a literal matcher handles it directly.
bool is_plain_literal(const SigmaPattern& p);

/// The pattern with each windash choice spelled out, one pattern per combination; the pattern
/// itself when it has no choice or when there would be more than `limit` combinations.
std::vector<SigmaPattern> expand_choices(const SigmaPattern& p, std::size_t limit = 32);

/// A literal every match of `p` contains (its longest literal part), or empty when it has none of
/// at least kMinRequiredLiteral bytes. Case follows the pattern's case (caseless unless `cased`).
std::string required_literal(const SigmaPattern& p);

/// Lower-case ASCII literals of which every match of `regex` contains at least one (from RE2's
/// prefilter analysis; a minimal such set, its shorter literals dropped first), or empty when
/// there is no such set (the regex must always run). Regexes with non-ASCII text, or that RE2
/// does not parse, have none: their required text could differ between RE2's reading and
/// Vectorscan's byte-wise one.
std::vector<std::string> regex_required_literals(const std::string& regex, bool caseless, bool multiline, bool dotall);

}  // namespace khien
