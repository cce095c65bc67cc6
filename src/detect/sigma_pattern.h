// SigmaPattern: a Sigma string value as literal bytes, wildcards and alternatives, with the
// value-modifier transformations (windash, base64, utf16) and its translation to a regex.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace khien {

/// One piece of a pattern: literal bytes, `*` (any run), `?` (one character), or a choice
/// between literal alternatives (what windash produces for one dash).
struct PatternPart {
  enum class Kind : std::uint8_t { Literal, Star, One, Choice };
  Kind kind = Kind::Literal;
  std::string text;                 ///< Literal bytes
  std::vector<std::string> choices; ///< Choice alternatives
};

/// A Sigma string value after wildcard parsing. Matching is whole-value unless the ends are
/// stars (contains / startswith / endswith add them).
class SigmaPattern {
 public:
  /// Parses Sigma wildcard syntax: `*` and `?` are wildcards, `\*`, `\?` and `\\` are the literal
  /// characters, and any other backslash is a literal backslash.
  static SigmaPattern parse(std::string_view text);
  /// A pattern of the literal `text` (no wildcard parsing).
  static SigmaPattern literal(std::string_view text);
  /// A pattern of these parts (adjacent literals merged, runs of stars collapsed).
  static SigmaPattern from_parts(const std::vector<PatternPart>& parts);

  const std::vector<PatternPart>& parts() const { return parts_; }
  bool has_wildcards() const;
  /// True when every part is a star (the pattern matches any value, including the empty one).
  bool matches_anything() const;
  /// True when the pattern is the empty string.
  bool empty() const { return parts_.empty(); }

  void add_leading_star();
  void add_trailing_star();
  /// windash: each dash or slash that starts a command-line flag may be any of - / and the
  /// Unicode dashes (en dash, em dash, horizontal bar).
  void windash();
  /// Re-encodes literal text as UTF-16 (little or big endian, optionally with a byte order mark).
  Status utf16(bool little_endian, bool bom);
  /// The base64 of the literal value (fails on wildcards).
  Result<SigmaPattern> base64() const;
  /// The three base64offset variants of the literal value (fails on wildcards).
  Result<std::vector<SigmaPattern>> base64offset() const;
  /// The literal bytes (only meaningful when has_wildcards() is false).
  std::string literal_text() const;

  /// A Vectorscan/RE2-compatible regex: anchored at the ends that are not stars, literal bytes
  /// escaped as \xHH, `*` as `.*`, `?` as `.`. Use with dot-all semantics.
  std::string to_regex() const;
  /// Canonical text for de-duplication of identical patterns.
  std::string key() const;

 private:
  std::vector<PatternPart> parts_;
  void push_literal(std::string_view bytes);
};

}  // namespace khien
