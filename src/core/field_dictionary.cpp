// Field dictionary implementation.
#include "core/field_dictionary.h"

namespace khien {

FieldDictionary& FieldDictionary::instance() {
  static FieldDictionary dictionary;
  return dictionary;
}

FieldDictionary::FieldDictionary() {
  names_.emplace_back();
  types_.push_back(FieldType::String);
  for (const auto& f : schema_fields()) {
    names_.emplace_back(f.name);
    types_.push_back(f.type);
    ids_.emplace(std::string(f.name), f.id);
  }
}

FieldId FieldDictionary::find(std::string_view name) const {
  std::shared_lock lock(mutex_);
  auto it = ids_.find(name);
  return it == ids_.end() ? field::none : it->second;
}

FieldId FieldDictionary::intern(std::string_view name) {
  if (FieldId id = find(name); id != field::none) return id;
  std::unique_lock lock(mutex_);
  auto it = ids_.find(name);
  if (it != ids_.end()) return it->second;
  // Field names come from senders; a hostile one could invent them without end. Past the cap,
  // new names share one field (their values stay in the raw record).
  if (names_.size() >= kMaxFields) {
    auto overflow = ids_.find(std::string_view("khien.overflow_field"));
    if (overflow != ids_.end()) return overflow->second;
    name = "khien.overflow_field";
  }
  auto id = static_cast<FieldId>(names_.size());
  names_.emplace_back(name);
  types_.push_back(FieldType::String);
  ids_.emplace(names_.back(), id);
  return id;
}

std::string_view FieldDictionary::name(FieldId id) const {
  std::shared_lock lock(mutex_);
  return id < names_.size() ? std::string_view(names_[id]) : std::string_view();
}

FieldType FieldDictionary::type(FieldId id) const {
  std::shared_lock lock(mutex_);
  return id < types_.size() ? types_[id] : FieldType::String;
}

std::size_t FieldDictionary::size() const {
  std::shared_lock lock(mutex_);
  return names_.size();
}

namespace {
struct ThreadCache {
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, FieldId, Hash, std::equal_to<>> ids;
  std::vector<std::string_view> names;
};
thread_local ThreadCache tl_cache;
}  // namespace

FieldId intern_field(std::string_view name) {
  auto& cache = tl_cache.ids;
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  FieldId id = FieldDictionary::instance().intern(name);
  // Bounded: a sender inventing endless field names must not grow every thread's cache forever.
  if (cache.size() < 65536) cache.emplace(std::string(name), id);
  return id;
}

std::string_view field_name(FieldId id) {
  auto& names = tl_cache.names;
  if (id < names.size() && !names[id].empty()) return names[id];
  std::string_view name = FieldDictionary::instance().name(id);
  if (id < 65536) {
    if (names.size() <= id) names.resize(id + 1);
    names[id] = name;
  }
  return name;
}

}  // namespace khien
