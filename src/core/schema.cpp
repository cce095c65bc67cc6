// Schema table built from schema_fields.def.
#include "core/schema.h"

#include <array>

#include <fmt/format.h>

namespace khien {

std::string_view field_type_name(FieldType type) {
  switch (type) {
    case FieldType::String: return "string";
    case FieldType::Int: return "int";
    case FieldType::Float: return "float";
    case FieldType::Bool: return "bool";
    case FieldType::Ip: return "ip";
    case FieldType::Timestamp: return "timestamp";
  }
  return "?";
}

namespace {
constexpr std::array kSchema{
#define KHIEN_FIELD(ident, name, type, desc) SchemaField{field::ident, name, FieldType::type, desc},
#include "core/schema_fields.def"
#undef KHIEN_FIELD
};
}  // namespace

// Every name is plain text short enough for the archive line's fixed key blocks (json_writer.cpp).
constexpr bool names_fit() {
  for (const auto& f : kSchema) {
    if (f.name.size() > kMaxSchemaNameLength) return false;
    for (char c : f.name)
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}
static_assert(names_fit(), "a schema field name is longer than kMaxSchemaNameLength or needs escaping in JSON");

std::span<const SchemaField> schema_fields() { return kSchema; }

std::string schema_markdown() {
  std::string out = "| field | type | meaning |\n|---|---|---|\n";
  for (const auto& f : kSchema) out += fmt::format("| `{}` | {} | {} |\n", f.name, field_type_name(f.type), f.description);
  return out;
}

}  // namespace khien
