// JsonFlattener: adds every leaf of a parsed JSON object to an event under its dotted path.
#pragma once

#include <optional>
#include <string>

#include <simdjson.h>

#include "core/event.h"

namespace khien {

/// Walks a DOM object and adds each scalar leaf as an original field named by its dotted path
/// (`alert.signature`, `Event.EventData.Image`). Arrays keep the path of the array (no index), so
/// arrays of scalars become repeated values and arrays of objects flatten under the same names.
/// Strings are copied into the event's arena; nulls are skipped.
///
/// A path that is itself a schema field name (OCSF records, some ECS names) is stored converted to
/// the schema type, or dropped when it does not convert; `time` and the pipeline-owned `khien.*`
/// fields are never taken from the record (decoders read the time themselves). A format whose
/// names only happen to look like schema names (Zeek's `duration` in seconds, `rcode` as a number)
/// turns that off with set_schema_names(false): such leaves are then left in the raw record only.
///
/// Not thread-safe: keeps a reusable path buffer, so the hot path does not allocate.
class JsonFlattener {
 public:
  void flatten(simdjson::dom::object root, Event& event);
  void set_schema_names(bool take) { schema_names_ = take; }

 private:
  void walk(simdjson::dom::element value, Event& event, int depth);
  void add_leaf(const Value& value, Event& event);

  std::string path_;
  bool schema_names_ = true;
};

/// The scalar in `element` as a Value (strings copied into `arena`); nullopt for null, objects
/// and arrays.
std::optional<Value> scalar_value(simdjson::dom::element element, Arena& arena);

}  // namespace khien
