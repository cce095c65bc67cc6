// Evaluates a parsed STIX pattern against one khien event, for patterns that the line-rate matcher
// does not compile (LIKE, MATCHES, ranges, AND of comparisons, ...). Object paths map to event fields
// through the table in stix_field_map.h.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "core/event.h"
#include "intel/pattern_ast.h"

namespace khien {

/// Whether `evaluate` can decide the pattern on one event: true for one observation expression or an
/// OR of them, without qualifiers. Otherwise the reason ("uses FOLLOWEDBY", "uses WITHIN", ...):
/// such patterns need several events in a time window.
Status check_single_event(const PatternAst& ast);

/// True when `event` satisfies the pattern. Threading: the AST is only read, so many threads may
/// evaluate one AST at once. Semantics:
///  - a comparison is true when some value of some mapped field satisfies it; a path with no mapped
///    field or an event without the field makes it false, with or without NOT;
///  - NOT negates the operator: true when the field exists and no value satisfies the operator;
///  - `=` / `!=` / IN on an address field with a CIDR constant test containment; ISSUBSET tests
///    that the event address lies in the constant's network, ISSUPERSET the reverse;
///  - LIKE: `%` any run, `_` one character (UTF-8 aware); MATCHES: search with std::regex,
///    false for values longer than 4096 bytes (bounded time and stack);
///  - domain, hash and e-mail fields compare case-insensitively (see StixValueKind);
///  - patterns for which check_single_event fails evaluate to false.
bool evaluate(const PatternAst& ast, const Event& event);

/// Object paths of the pattern that no event field maps to (comparisons on them are never true).
std::vector<std::string> unmapped_paths(const PatternAst& ast);

/// SQL LIKE matching of `text` against `pattern` (`%`, `_`), case-insensitive for ASCII if asked.
bool like_match(std::string_view text, std::string_view pattern, bool ignore_case = false);

}  // namespace khien
