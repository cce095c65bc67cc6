// Parser of the STIX 2.1 patterning language (OASIS STIX 2.1 section 9) into a PatternAst,
// with errors that name the 1-based position and what was expected there.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/error.h"
#include "intel/pattern_ast.h"

namespace khien {

/// Parses STIX patterns. Stateless; safe to call from any thread.
///
/// Accepted beyond the strict grammar, because feeds write them: property names with hyphens
/// unquoted (`file:hashes.SHA-256`), leading zeros in integers, and a leading `(?i)` in MATCHES
/// expressions (case-insensitive). MATCHES expressions are compiled with std::regex (ECMAScript
/// syntax, the common subset of PCRE that IOC feeds use); an expression it rejects is a parse error.
class StixPatternParser {
 public:
  /// Bounds that keep a hostile pattern from exhausting stack, memory or time.
  struct Limits {
    std::size_t max_bytes = 1u << 20;    ///< pattern text
    int max_depth = 64;                  ///< nested brackets and parentheses
    std::size_t max_regex_bytes = 1024;  ///< one MATCHES expression
    std::size_t max_set_size = 100000;   ///< constants in one IN set
  };

  /// Parses `text`; on failure the message reads "position N: expected ']', found 'AND'".
  static Result<PatternAst> parse(std::string_view text, const Limits& limits);
  static Result<PatternAst> parse(std::string_view text) { return parse(text, Limits{}); }
};

/// Shorthand for StixPatternParser::parse(text).
inline Result<PatternAst> parse_stix_pattern(std::string_view text) {
  return StixPatternParser::parse(text);
}

}  // namespace khien
