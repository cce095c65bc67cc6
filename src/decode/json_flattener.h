// JsonFlattener: adds every leaf of a parsed JSON object to an event under its dotted path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
/// The paths seen are kept as a tree of keys with their interned ids, and each object remembers
/// the order its keys came in last time, so a stream of records of the same shape resolves a key
/// with one comparison instead of hashing its whole dotted path. The tree is bounded (nodes and
/// children per node); keys past the bound are interned by path as before.
///
/// Not thread-safe: keeps the tree and a reusable path buffer, so the hot path does not allocate.
class JsonFlattener {
 public:
  void flatten(simdjson::dom::object root, Event& event);
  void set_schema_names(bool take);

  /// Bounds of the key tree (a record with more distinct keys still flattens, just slower).
  static constexpr std::uint32_t kMaxNodes = 1u << 15;
  static constexpr std::uint32_t kMaxChildren = 64;

 private:
  static constexpr std::uint32_t kNoNode = 0xffffffffu;
  /// What a leaf under a path becomes, decided once per path.
  enum class LeafKind : std::uint8_t { Unknown, Original, Schema, Drop };
  struct Node {
    std::string key;
    FieldId id = 0;
    LeafKind kind = LeafKind::Unknown;
    std::uint32_t hint = 0;  // index in children of the key expected next
    std::vector<std::uint32_t> children;
  };

  void walk(simdjson::dom::element value, std::uint32_t node, Event& event);
  std::uint32_t child(std::uint32_t parent, std::string_view key);
  void add_leaf(const Value& value, std::uint32_t node, Event& event);
  LeafKind classify(FieldId id) const;
  const std::string& path();

  std::vector<Node> nodes_;
  std::vector<std::string_view> keys_;  // keys from the root to the current value
  std::string path_;
  bool schema_names_ = true;
};

/// The scalar in `element` as a Value (strings copied into `arena`); nullopt for null, objects
/// and arrays.
std::optional<Value> scalar_value(simdjson::dom::element element, Arena& arena);

}  // namespace khien
