// Flattening a simdjson DOM into original fields of an event.
#include "decode/json_flattener.h"

#include <cstdint>
#include <limits>

#include "core/field_dictionary.h"
#include "decode/field_mapper.h"

namespace khien {

std::optional<Value> scalar_value(simdjson::dom::element element, Arena& arena) {
  using T = simdjson::dom::element_type;
  switch (element.type()) {
    case T::STRING: return Value::of_string(arena.copy(element.get_string().value_unsafe()));
    case T::INT64: return Value::of_int(element.get_int64().value_unsafe());
    case T::UINT64: {
      std::uint64_t u = element.get_uint64().value_unsafe();
      // Past INT64_MAX the magnitude matters more than the last digits.
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return Value::of_float(static_cast<double>(u));
      return Value::of_int(static_cast<std::int64_t>(u));
    }
    case T::DOUBLE: return Value::of_float(element.get_double().value_unsafe());
    case T::BOOL: return Value::of_bool(element.get_bool().value_unsafe());
    default: return std::nullopt;
  }
}

void JsonFlattener::flatten(simdjson::dom::object root, Event& event) {
  path_.clear();
  for (auto kv : root) {
    path_.assign(kv.key);
    walk(kv.value, event, 1);
  }
  path_.clear();
}

void JsonFlattener::add_leaf(const Value& value, Event& event) {
  FieldId id = intern_field(path_);
  if (!FieldDictionary::instance().is_schema(id)) {
    event.add(id, value);
    return;
  }
  if (!schema_names_ || id == field::time || (id >= field::khien_soc && id <= field::khien_seq)) return;
  put_value(event, id, value);
}

void JsonFlattener::walk(simdjson::dom::element value, Event& event, int depth) {
  using T = simdjson::dom::element_type;
  switch (value.type()) {
    case T::OBJECT: {
      simdjson::dom::object object = value.get_object().value_unsafe();
      for (auto kv : object) {
        const std::size_t mark = path_.size();
        path_.push_back('.');
        path_.append(kv.key);
        walk(kv.value, event, depth + 1);
        path_.resize(mark);
      }
      return;
    }
    case T::ARRAY: {
      simdjson::dom::array array = value.get_array().value_unsafe();
      for (auto child : array) walk(child, event, depth + 1);
      return;
    }
    case T::NULL_VALUE: return;
    default: {
      auto v = scalar_value(value, event.arena());
      if (v) add_leaf(*v, event);
    }
  }
}

}  // namespace khien
