// The search query language over archived events: field:value terms with AND, OR, NOT and parentheses.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/error.h"

namespace khien {

/// A compiled query. Grammar (case-insensitive operators):
///   query  := or
///   or     := and ("OR" and)*
///   and    := unary (["AND"] unary)*        -- juxtaposition means AND
///   unary  := "NOT" unary | "-" unary | "(" or ")" | term
///   term   := FIELD ":" VALUE | FIELD ":" ("<"|"<="|">"|">=") NUMBER | WORD
///   VALUE  := bare word or "quoted string"; `*` and `?` are wildcards (`?` one character); a
///             CIDR (10.0.0.0/8) matches addresses inside it; matching ignores case in ASCII,
///             Latin (every Vietnamese letter), Greek and Cyrillic (core/case_fold.h).
/// FIELD is a schema name (`src_endpoint.ip`) or an original dotted path (`alert.signature`,
/// looked up inside the original record). A bare WORD matches an event when some value of it
/// (a field's or the original record's, unescaped) contains the word, or, with wildcards, when
/// some whole value matches the pattern; field names are not searched.
class EventQuery {
 public:
  /// Compiles `text`; errors say where and why ("position 12: expected ')'").
  static Result<EventQuery> parse(std::string_view text);
  EventQuery();
  ~EventQuery();
  EventQuery(EventQuery&&) noexcept;
  EventQuery& operator=(EventQuery&&) noexcept;

  bool empty() const;
  /// Evaluates against one archived event line (already parsed) and its text.
  bool matches(simdjson::dom::element event, std::string_view line) const;

  struct Node;

 private:
  std::unique_ptr<Node> root_;
};

}  // namespace khien
