// JsonFlattener: adds every leaf of a parsed JSON object to an event under its dotted path.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
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
/// A decoder that keeps the raw JSON record with the event may call keep_only_originals(): leaves
/// of original fields are then slots only when the decoder reads them itself, when they lie under
/// a prefix it names, or when they are registered in WantedOriginals (fields Sigma rules and
/// correlations read). Leaves of the originals its mapping table reads are collected in staged()
/// for FieldMapper::apply instead; all others are left in the raw record (no string copy, no
/// slot), where original_values() and archive search read them by their dotted path.
///
/// Not thread-safe: keeps the tree and a reusable path buffer, so the hot path does not allocate.
class JsonFlattener {
 public:
  void flatten(simdjson::dom::object root, Event& event);
  /// The same over an On-Demand object, in one forward pass that reads every value (so a
  /// document is checked as far as the DOM parse checks it: atoms, numbers, escapes, commas).
  /// Strings without escapes become views into the parsed text, which must be the event's raw
  /// record (kept in its arena). Returns the first error; the event is then partly filled.
  /// `escapes` false promises that the record holds no backslash (padded_copy() finds out), so no
  /// string is searched for escapes.
  simdjson::error_code flatten(simdjson::ondemand::object root, Event& event, bool escapes = true);
  void set_schema_names(bool take);
  /// Keeps as slots only the originals in `read`, those whose path starts with one of `prefixes`,
  /// and the registered ones; stages those in `mapped` (see above).
  void keep_only_originals(const std::vector<FieldId>& read, const std::vector<FieldId>& mapped,
                           std::vector<std::string> prefixes);
  /// Leaves of mapped originals from the last flatten(), in record order (strings in the arena).
  std::span<const Event::Slot> staged() const { return staged_; }

  /// Bounds of the key tree (a record with more distinct keys still flattens, just slower).
  static constexpr std::uint32_t kMaxNodes = 1u << 15;
  static constexpr std::uint32_t kMaxChildren = 64;

 private:
  static constexpr std::uint32_t kNoNode = 0xffffffffu;
  /// What a leaf under a path becomes, decided once per path.
  /// Raw: an original left in the raw record; Staged: an original only the mapper reads
  /// (keep_only_originals).
  enum class LeafKind : std::uint8_t { Unknown, Original, Schema, Drop, Raw, Staged };
  struct Node {
    std::string key;
    FieldId id = 0;
    LeafKind kind = LeafKind::Unknown;
    std::uint32_t hint = 0;  // index in children of the key expected next
    bool plain = true;       // key without '"' or '\\': comparable with a key's raw JSON text
    std::vector<std::uint32_t> children;
    // A plain key of up to 16 bytes as two words, zero past its end, and the masks of its bytes:
    // compared with the raw text in four word operations instead of a memcmp call per key.
    std::uint64_t words[2] = {0, 0};
    std::uint64_t masks[2] = {0, 0};
    /// Whether the raw JSON text of a key (after its opening quote, inside a document padded as
    /// simdjson pads it) is this plain key.
    bool raw_key_is(const char* raw) const {
      const std::size_t n = key.size();
      if (n > 16) return raw[n] == '"' && std::memcmp(raw, key.data(), n) == 0;
      // Sixteen bytes may be read: the document has simdjson's padding after its end.
      std::uint64_t a, b;
      std::memcpy(&a, raw, 8);
      std::memcpy(&b, raw + 8, 8);
      return (((a ^ words[0]) & masks[0]) | ((b ^ words[1]) & masks[1])) == 0 && raw[n] == '"';
    }
  };

  void begin_record();
  void walk(simdjson::dom::element value, std::uint32_t node, Event& event);
  simdjson::error_code walk(simdjson::ondemand::value& value, std::uint32_t node, Event& event);
  simdjson::error_code walk_object(simdjson::ondemand::object& object, std::uint32_t node, Event& event);
  std::uint32_t child(std::uint32_t parent, std::string_view key);
  void add_leaf(const Value& value, std::uint32_t node, Event& event);
  LeafKind classify(FieldId id, std::string_view path) const;
  LeafKind node_kind(std::uint32_t node);
  LeafKind original_kind(FieldId id, std::string_view path) const;
  const std::string& path();

  std::vector<Node> nodes_;
  std::vector<std::string_view> keys_;  // keys from the root to the current value
  std::string path_;
  bool schema_names_ = true;
  bool only_kept_originals_ = false;
  bool escapes_ = true;  // whether the record being walked may hold escaped strings
  enum class Use : std::uint8_t { None, Read, Mapped };
  std::vector<Use> uses_;  // by field id: how the decoder uses an original
  std::vector<Event::Slot> staged_;
  std::vector<std::string> kept_prefixes_;
  std::uint64_t wanted_generation_ = 0;  // WantedOriginals' generation the Raw kinds were decided under
};

/// The scalar in `element` as a Value (strings copied into `arena`); nullopt for null, objects
/// and arrays.
std::optional<Value> scalar_value(simdjson::dom::element element, Arena& arena);

}  // namespace khien
