// Original fields read back from the raw JSON record.
#include "decode/original_values.h"

#include <simdjson.h>

#include "core/field_dictionary.h"
#include "decode/json_flattener.h"

namespace khien {

namespace {

// Adds the leaves under `element` whose remaining path is `rest` ("" once the whole path matched).
// A key may itself hold dots, so every key that is a whole prefix of `rest` is followed.
void collect(simdjson::dom::element element, std::string_view rest, Arena& arena, std::vector<Value>& out) {
  using T = simdjson::dom::element_type;
  switch (element.type()) {
    case T::ARRAY: {
      const simdjson::dom::array array = element.get_array().value_unsafe();
      for (auto item : array) collect(item, rest, arena, out);
      return;
    }
    case T::OBJECT: {
      if (rest.empty()) return;
      const simdjson::dom::object object = element.get_object().value_unsafe();
      for (auto kv : object) {
        const std::string_view key = kv.key;
        if (!rest.starts_with(key)) continue;
        if (rest.size() == key.size()) collect(kv.value, {}, arena, out);
        else if (rest[key.size()] == '.') collect(kv.value, rest.substr(key.size() + 1), arena, out);
      }
      return;
    }
    default:
      if (!rest.empty()) return;
      if (auto v = scalar_value(element, arena)) out.push_back(*v);
  }
}

}  // namespace

std::vector<Value> original_values(Event& event, std::string_view path) {
  std::vector<Value> out;
  const FieldId id = FieldDictionary::instance().find(path);
  if (id != field::none)
    for (const auto& slot : event)
      if (slot.field == id) out.push_back(slot.value);
  if (!out.empty() || event.raw_kind() != RawKind::Json || path.empty()) return out;
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(event.raw().data(), event.raw().size(), true).get(root)) return out;
  collect(root, path, event.arena(), out);
  return out;
}

}  // namespace khien
