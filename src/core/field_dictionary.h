// Interns field names (schema and original dotted paths) to small integer ids shared by all threads.
#pragma once

#include <deque>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/schema.h"

namespace khien {

/// Process-wide dictionary of field names. Thread-safe: lookups take a shared lock, and each
/// thread keeps a private cache in front of it so the hot path seldom touches the lock.
/// Ids are never reused or removed; names stay valid for the life of the process.
class FieldDictionary {
 public:
  static FieldDictionary& instance();

  /// The id of `name`, creating it if new.
  FieldId intern(std::string_view name);
  /// The id of `name` if it exists, else field::none.
  FieldId find(std::string_view name) const;
  /// The name of `id` (empty for unknown ids).
  std::string_view name(FieldId id) const;
  /// Schema type for schema fields; String for original fields.
  FieldType type(FieldId id) const;
  bool is_schema(FieldId id) const { return id > field::none && id < field::schema_end; }
  std::size_t size() const;
  /// Distinct field names kept; later new names all map to "khien.overflow_field".
  static constexpr std::size_t kMaxFields = 1u << 20;

 private:
  FieldDictionary();
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  mutable std::shared_mutex mutex_;
  std::deque<std::string> names_;  // deque: stable addresses for string_views handed out
  std::vector<FieldType> types_;
  std::unordered_map<std::string, FieldId, Hash, std::equal_to<>> ids_;
};

/// Shorthand for FieldDictionary::instance().intern(name), with a per-thread cache.
FieldId intern_field(std::string_view name);
std::string_view field_name(FieldId id);

}  // namespace khien
