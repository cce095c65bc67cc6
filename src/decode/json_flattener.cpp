// Flattening a simdjson DOM into original fields of an event.
#include "decode/json_flattener.h"

#include <cstdint>
#include <limits>

#include "core/field_dictionary.h"
#include "core/wanted_originals.h"
#include "decode/field_mapper.h"

namespace khien {

namespace {

// Fills `v` from a scalar element (strings copied into `arena`); false for null, objects, arrays.
bool scalar_into(simdjson::dom::element element, Arena& arena, Value& v) {
  using T = simdjson::dom::element_type;
  switch (element.type()) {
    case T::STRING:
      v.type = FieldType::String;
      v.s = arena.copy(element.get_string().value_unsafe());
      return true;
    case T::INT64: v.type = FieldType::Int; v.i = element.get_int64().value_unsafe(); return true;
    case T::UINT64: {
      std::uint64_t u = element.get_uint64().value_unsafe();
      // Past INT64_MAX the magnitude matters more than the last digits.
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        v.type = FieldType::Float;
        v.f = static_cast<double>(u);
      } else {
        v.type = FieldType::Int;
        v.i = static_cast<std::int64_t>(u);
      }
      return true;
    }
    case T::DOUBLE: v.type = FieldType::Float; v.f = element.get_double().value_unsafe(); return true;
    case T::BOOL: v.type = FieldType::Bool; v.b = element.get_bool().value_unsafe(); return true;
    default: return false;
  }
}

}  // namespace

std::optional<Value> scalar_value(simdjson::dom::element element, Arena& arena) {
  Value v;
  if (!scalar_into(element, arena, v)) return std::nullopt;
  return v;
}

void JsonFlattener::set_schema_names(bool take) {
  if (take == schema_names_) return;
  schema_names_ = take;
  for (auto& n : nodes_) n.kind = LeafKind::Unknown;  // decided again under the new rule
}

void JsonFlattener::keep_only_originals(const std::vector<FieldId>& read, const std::vector<FieldId>& mapped,
                                        std::vector<std::string> prefixes) {
  only_kept_originals_ = true;
  uses_.clear();
  auto mark = [this](FieldId id, Use use) {
    if (id >= uses_.size()) uses_.resize(id + 1, Use::None);
    if (uses_[id] != Use::Read) uses_[id] = use;
  };
  for (FieldId id : mapped) mark(id, Use::Mapped);
  for (FieldId id : read) mark(id, Use::Read);
  kept_prefixes_ = std::move(prefixes);
  for (auto& n : nodes_) n.kind = LeafKind::Unknown;
}

void JsonFlattener::flatten(simdjson::dom::object root, Event& event) {
  if (nodes_.empty()) nodes_.emplace_back();
  staged_.clear();
  if (only_kept_originals_) {
    // A rule set registered new originals since the last record: decide the paths not kept as
    // slots again.
    const std::uint64_t generation = WantedOriginals::instance().generation();
    if (generation != wanted_generation_) {
      wanted_generation_ = generation;
      for (auto& n : nodes_)
        if (n.kind == LeafKind::Raw || n.kind == LeafKind::Staged) n.kind = LeafKind::Unknown;
    }
  }
  keys_.clear();
  for (auto kv : root) {
    keys_.push_back(kv.key);
    walk(kv.value, child(0, kv.key), event);
    keys_.pop_back();
  }
}

std::uint32_t JsonFlattener::child(std::uint32_t parent, std::string_view key) {
  if (parent == kNoNode) return kNoNode;
  Node& p = nodes_[parent];
  const std::uint32_t count = static_cast<std::uint32_t>(p.children.size());
  // Records of one shape list their keys in the same order: try the one that came next last time.
  if (p.hint < count && nodes_[p.children[p.hint]].key == key) return p.children[p.hint++];
  for (std::uint32_t i = 0; i < count; ++i) {
    if (nodes_[p.children[i]].key == key) {
      p.hint = i + 1;
      return p.children[i];
    }
  }
  if (count >= kMaxChildren || nodes_.size() >= kMaxNodes) return kNoNode;
  const auto id = static_cast<std::uint32_t>(nodes_.size());
  nodes_[parent].children.push_back(id);
  nodes_[parent].hint = count + 1;
  nodes_.emplace_back().key.assign(key);  // may move nodes_: `p` is not used after this
  return id;
}

const std::string& JsonFlattener::path() {
  path_.clear();
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (i > 0) path_.push_back('.');
    path_.append(keys_[i]);
  }
  return path_;
}

JsonFlattener::LeafKind JsonFlattener::original_kind(FieldId id, std::string_view path) const {
  if (!only_kept_originals_) return LeafKind::Original;
  const Use use = id < uses_.size() ? uses_[id] : Use::None;
  if (use == Use::Read || WantedOriginals::instance().wants(id)) return LeafKind::Original;
  for (const auto& prefix : kept_prefixes_)
    if (path.starts_with(prefix)) return LeafKind::Original;
  return use == Use::Mapped ? LeafKind::Staged : LeafKind::Raw;
}

JsonFlattener::LeafKind JsonFlattener::classify(FieldId id, std::string_view path) const {
  if (!FieldDictionary::instance().is_schema(id)) return original_kind(id, path);
  if (!schema_names_ || id == field::time || (id >= field::khien_soc && id <= field::khien_seq)) return LeafKind::Drop;
  return LeafKind::Schema;
}

JsonFlattener::LeafKind JsonFlattener::node_kind(std::uint32_t node) {
  Node& n = nodes_[node];
  if (n.kind == LeafKind::Unknown) {
    const std::string& p = path();
    n.id = intern_field(p);
    n.kind = classify(n.id, p);
  }
  return n.kind;
}

void JsonFlattener::add_leaf(const Value& value, std::uint32_t node, Event& event) {
  FieldId id;
  LeafKind kind;
  if (node == kNoNode) {
    const std::string& p = path();
    id = intern_field(p);
    kind = classify(id, p);
  } else {
    kind = node_kind(node);
    id = nodes_[node].id;
  }
  if (kind == LeafKind::Original) event.add(id, value);
  else if (kind == LeafKind::Staged) staged_.push_back({id, value});
  else if (kind == LeafKind::Schema) put_value(event, id, value);
}

void JsonFlattener::walk(simdjson::dom::element value, std::uint32_t node, Event& event) {
  using T = simdjson::dom::element_type;
  switch (value.type()) {
    case T::OBJECT: {
      simdjson::dom::object object = value.get_object().value_unsafe();
      for (auto kv : object) {
        keys_.push_back(kv.key);
        walk(kv.value, child(node, kv.key), event);
        keys_.pop_back();
      }
      return;
    }
    case T::ARRAY: {
      simdjson::dom::array array = value.get_array().value_unsafe();
      for (auto child_value : array) walk(child_value, node, event);
      return;
    }
    case T::NULL_VALUE: return;
    default: {
      // A leaf left in the raw record or dropped costs no copy and no slot.
      if (node != kNoNode) {
        const LeafKind kind = node_kind(node);
        if (kind == LeafKind::Raw || kind == LeafKind::Drop) return;
        if (kind == LeafKind::Staged) {
          // Built in its staged slot: copying a value just written with narrow stores stalls.
          Event::Slot& slot = staged_.emplace_back();
          slot.field = nodes_[node].id;
          if (!scalar_into(value, event.arena(), slot.value)) staged_.pop_back();
          return;
        }
      }
      // Built in place rather than through scalar_value's optional: one copy less per leaf.
      Value v;
      if (scalar_into(value, event.arena(), v)) add_leaf(v, node, event);
    }
  }
}

}  // namespace khien
