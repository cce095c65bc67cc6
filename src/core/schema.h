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

namespace detail {
// Index 0 is `field::none`; a table the compiler sees, so the hot path takes a type with one load.
inline constexpr FieldType kSchemaTypes[] = {
    FieldType::String,
#define KHIEN_FIELD(ident, name, type, desc) FieldType::type,
#include "core/schema_fields.def"
#undef KHIEN_FIELD
};
static_assert(sizeof(kSchemaTypes) / sizeof(kSchemaTypes[0]) == field::schema_end);
// Index 0 is `field::none`.
inline constexpr bool kPipelineFields[] = {
    false,
#define KHIEN_FIELD(ident, name, type, desc) std::string_view(name).starts_with("khien."),
#include "core/schema_fields.def"
#undef KHIEN_FIELD
};
}  // namespace detail

/// Whether `id` is one of the `khien.*` fields khien itself sets (delivery, attribution): a
/// record's own value for one is never taken.
constexpr bool is_pipeline_field(FieldId id) {
  return id > field::none && id < field::schema_end && detail::kPipelineFields[id];
}

/// The type a value of `id` takes: its schema type, or String for an original field (whose
/// values keep the types they came with; String is what text converts to).
constexpr FieldType field_value_type(FieldId id) {
  return id > field::none && id < field::schema_end ? detail::kSchemaTypes[id] : FieldType::String;
}

/// The schema as a Markdown table (the body of docs/SCHEMA.md).
std::string schema_markdown();

}  // namespace khien
