// The common schema as a table: each normalized field's id, dotted name, type and description.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace khien {

/// Interned field identifier. Schema fields have fixed small ids; original fields get ids on first use.
using FieldId = std::uint32_t;

enum class FieldType : std::uint8_t { String, Int, Float, Bool, Ip, Timestamp };

std::string_view field_type_name(FieldType type);

/// Fixed ids of the schema fields, in table order starting at 1 (0 is "no field").
namespace field {
enum : FieldId {
  none = 0,
#define KHIEN_FIELD(ident, name, type, desc) ident,
#include "core/schema_fields.def"
#undef KHIEN_FIELD
  schema_end
};
}  // namespace field

struct SchemaField {
  FieldId id;
  std::string_view name;
  FieldType type;
  std::string_view description;
};

/// The longest schema field name: plain ASCII that JSON writes unescaped (checked at compile time).
inline constexpr std::size_t kMaxSchemaNameLength = 44;

/// Every schema field, ordered by id.
std::span<const SchemaField> schema_fields();

/// The schema as a Markdown table (the body of docs/SCHEMA.md).
std::string schema_markdown();

}  // namespace khien
