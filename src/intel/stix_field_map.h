// Where each STIX object path is found in a khien event: the documented table that the pattern
// evaluator (and the docs) use to map `domain-name:value` to query.hostname, url.hostname, ...
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/schema.h"
#include "intel/pattern_ast.h"

namespace khien {

/// How values of a mapped field compare with pattern constants.
enum class StixValueKind : std::uint8_t {
  Plain,   ///< byte-exact, as STIX specifies
  Domain,  ///< case-insensitive, trailing dot ignored
  Hash,    ///< case-insensitive hex
  Email,   ///< case-insensitive; display names and lists ("Ann <a@x.vn>, b@y.vn") split into addresses
};

/// One row of the table.
struct StixFieldMapping {
  std::string_view stix_path;  ///< canonical path: hash names canonical, list indexes as [*]
  StixValueKind kind;
  FieldId fields[4];  ///< khien fields holding the value (field::none terminates)
};

/// The mapping table, in documentation order.
std::span<const StixFieldMapping> stix_field_mappings();

/// The canonical form of a path for the table: `file:hashes.'SHA-256'` -> "file:hashes.SHA256",
/// `email-message:to_refs[0].value` -> "email-message:to_refs[*].value" (event fields are
/// multi-valued and keep no list positions, so any index means any value).
std::string canonical_stix_path(const ObjectPath& path);

/// The row for `path`, or nullptr when khien has no field for it.
const StixFieldMapping* find_stix_field_mapping(const ObjectPath& path);

/// The table as Markdown (for docs and `khien intel fields`).
std::string stix_field_map_markdown();

}  // namespace khien
