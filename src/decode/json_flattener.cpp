// Flattening a simdjson DOM into original fields of an event.
#include "decode/json_flattener.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>

#include "core/field_dictionary.h"
#include "core/wanted_originals.h"
#include "decode/field_mapper.h"

namespace khien {

namespace {

void set_unsigned(Value& v, std::uint64_t u) {
  // Past INT64_MAX the magnitude matters more than the last digits.
  if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    v.type = FieldType::Float;
    v.f = static_cast<double>(u);
  } else {
    v.type = FieldType::Int;
    v.i = static_cast<std::int64_t>(u);
  }
}

// Fills `v` from a scalar element (strings copied into `arena`); false for null, objects, arrays.
bool scalar_into(simdjson::dom::element element, Arena& arena, Value& v) {
  using T = simdjson::dom::element_type;
  switch (element.type()) {
    case T::STRING:
      v.type = FieldType::String;
      v.s = arena.copy(element.get_string().value_unsafe());
      return true;
    case T::INT64: v.type = FieldType::Int; v.i = element.get_int64().value_unsafe(); return true;
    case T::UINT64: set_unsigned(v, element.get_uint64().value_unsafe()); return true;
    case T::DOUBLE: v.type = FieldType::Float; v.f = element.get_double().value_unsafe(); return true;
    case T::BOOL: v.type = FieldType::Bool; v.b = element.get_bool().value_unsafe(); return true;
    default: return false;
  }
}

// A string value's text: a view into the parsed text when it has no escapes, else unescaped by
// simdjson (which checks the escapes) and, with an arena, copied into it (the unescaped text lives
// in the parser's buffer only until the next record).
simdjson::error_code string_of(simdjson::ondemand::value& value, Arena* arena, bool escapes, std::string_view& out) {
  // The token is the string with its quotes and the blanks up to the next token.
  const std::string_view token = value.raw_json_token();
  std::size_t end = token.size();
  while (end > 1 && token[end - 1] != '"') --end;
  if (end < 2) return simdjson::STRING_ERROR;
  const std::string_view body = token.substr(1, end - 2);
  if (!escapes || std::memchr(body.data(), '\\', body.size()) == nullptr) {
    out = body;
    return simdjson::SUCCESS;
  }
  std::string_view unescaped;
  if (auto err = value.get_string().get(unescaped); err) return err;
  out = arena != nullptr ? arena->copy(unescaped) : unescaped;
  return simdjson::SUCCESS;
}

// Fills `v` from an On-Demand scalar of type `type` (not null), as scalar_into does from the DOM.
// Without an arena the value is only checked (escaped strings are not copied). `escapes` is false
// when the record holds no backslash: its strings are then taken as they are, unsearched.
simdjson::error_code scalar_into(simdjson::ondemand::value& value, simdjson::ondemand::json_type type, Arena* arena,
                                 bool escapes, Value& v) {
  using T = simdjson::ondemand::json_type;
  switch (type) {
    case T::string: v.type = FieldType::String; return string_of(value, arena, escapes, v.s);
    case T::number: {
      simdjson::ondemand::number n;
      if (auto err = value.get_number().get(n); err) return err;
      switch (n.get_number_type()) {
        case simdjson::ondemand::number_type::signed_integer: v.type = FieldType::Int; v.i = n.get_int64(); break;
        case simdjson::ondemand::number_type::unsigned_integer: set_unsigned(v, n.get_uint64()); break;
        default: v.type = FieldType::Float; v.f = n.get_double(); break;
      }
      return simdjson::SUCCESS;
    }
    case T::boolean: {
      bool b = false;
      if (auto err = value.get_bool().get(b); err) return err;
      v.type = FieldType::Bool;
      v.b = b;
      return simdjson::SUCCESS;
    }
    default: return simdjson::INCORRECT_TYPE;
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

void JsonFlattener::begin_record() {
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
}

void JsonFlattener::flatten(simdjson::dom::object root, Event& event) {
  begin_record();
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
  // Records of one shape list their keys in the same order: try the one that came next last time
  // (the first again after the last).
  if (p.hint >= count) p.hint = 0;
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
  Node& added = nodes_.emplace_back();  // may move nodes_: `p` is not used after this
  added.key.assign(key);
  added.plain = key.find_first_of("\"\\") == std::string_view::npos;
  if (added.plain && key.size() <= 16) {
    char bytes[16] = {};
    std::memcpy(bytes, key.data(), key.size());
    std::memcpy(added.words, bytes, 16);
    std::memset(bytes, 0, 16);
    std::memset(bytes, 0xff, key.size());
    std::memcpy(added.masks, bytes, 16);
  }
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
  if (!schema_names_ || id == field::time || is_pipeline_field(id)) return LeafKind::Drop;
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

simdjson::error_code JsonFlattener::flatten(simdjson::ondemand::object root, Event& event, bool escapes) {
  begin_record();
  escapes_ = escapes;
  return walk_object(root, 0, event);
}

simdjson::error_code JsonFlattener::walk_object(simdjson::ondemand::object& object, std::uint32_t node, Event& event) {
  for (auto item : object) {
    // Used in place: a copy of what simdjson has just written stalls on store forwarding.
    if (auto err = item.error(); err) return err;
    simdjson::ondemand::field& kv = item.value_unsafe();
    // The key expected next is compared with the key's raw text, so a key without escapes is
    // neither unescaped nor copied; any other key is resolved as in the DOM walk.
    std::uint32_t id = kNoNode;
    std::string_view key;
    bool known = false;
    if (node != kNoNode) {
      Node& p = nodes_[node];
      // Past the last key, the next record of the shape starts again at the first.
      if (p.hint >= p.children.size()) p.hint = 0;
      if (p.hint < p.children.size()) {
        const Node& c = nodes_[p.children[p.hint]];
        if (c.plain && c.raw_key_is(kv.key().raw())) {
          id = p.children[p.hint];
          p.hint++;
          key = std::string_view(kv.key().raw(), c.key.size());  // in the text: stays put as nodes_ grows
          known = true;
        }
      }
    }
    if (!known) {
      if (auto err = kv.unescaped_key().get(key); err) return err;
      id = child(node, key);
    }
    keys_.push_back(key);
    const simdjson::error_code err = walk(kv.value(), id, event);
    keys_.pop_back();
    if (err) return err;
  }
  return simdjson::SUCCESS;
}

simdjson::error_code JsonFlattener::walk(simdjson::ondemand::value& value, std::uint32_t node, Event& event) {
  using T = simdjson::ondemand::json_type;
  T type;
  if (auto err = value.type().get(type); err) return err;
  switch (type) {
    case T::object: {
      simdjson::ondemand::object object;
      if (auto err = value.get_object().get(object); err) return err;
      return walk_object(object, node, event);
    }
    case T::array: {
      simdjson::ondemand::array array;
      if (auto err = value.get_array().get(array); err) return err;
      for (auto item : array) {
        if (auto err = item.error(); err) return err;
        if (auto err = walk(item.value_unsafe(), node, event); err) return err;
      }
      return simdjson::SUCCESS;
    }
    case T::null: {
      bool is_null = false;
      if (auto err = value.is_null().get(is_null); err) return err;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
    default: break;
  }
  if (node != kNoNode) {
    const LeafKind kind = node_kind(node);
    if (kind == LeafKind::Raw || kind == LeafKind::Drop) {
      // Not kept, but read all the same: the DOM parse would reject a bad value here.
      Value unused;
      return scalar_into(value, type, nullptr, escapes_, unused);
    }
    if (kind == LeafKind::Staged) {
      Event::Slot& slot = staged_.emplace_back();
      slot.field = nodes_[node].id;
      return scalar_into(value, type, &event.arena(), escapes_, slot.value);
    }
  }
  Value v;
  if (auto err = scalar_into(value, type, &event.arena(), escapes_, v); err) return err;
  add_leaf(v, node, event);
  return simdjson::SUCCESS;
}

}  // namespace khien
