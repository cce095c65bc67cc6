// FieldMapper: a decoder's table of {original dotted path → schema field}, applied to a flattened event.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/event.h"

namespace khien {

/// How a value is transformed on its way to the schema field.
enum class MapAs : std::uint8_t {
  Value,     ///< converted to the schema type as it is
  Lower,     ///< text lower-cased (protocol names, hex hashes)
  Basename,  ///< last component of a Windows or POSIX path (process names)
  Upper,     ///< text upper-cased (DNS record types, HTTP methods)
};

/// One row of a mapping table.
struct FieldMapping {
  std::string_view original;  ///< dotted path of the original field
  FieldId target;             ///< schema field
  MapAs as = MapAs::Value;
};

/// Copies `value` into schema field `target` (appending: fields may repeat), converting to the
/// schema type. Returns false when the value does not convert (a bad IP, a word for a port).
bool put_value(Event& event, FieldId target, const Value& value, MapAs as = MapAs::Value);

/// Copies every value of original field `original` into `target` unless `target` is already set.
/// Returns true if something was set.
bool map_field(Event& event, FieldId original, FieldId target, MapAs as = MapAs::Value);

/// A mapping table with its original paths interned once, at construction.
/// Rows are applied in order and the first row that sets a schema field wins, so a table lists
/// the preferred source of a field first. Immutable after construction; one per decoder.
class FieldMapper {
 public:
  /// `prefix` is prepended to every original path ("Event.EventData.").
  explicit FieldMapper(std::span<const FieldMapping> table, std::string_view prefix = {});
  void apply(Event& event) const { apply(event, {}); }
  /// The same, with the values of some originals in `staged` instead of in the event's slots
  /// (JsonFlattener::staged(): an original is either staged or in the slots, never both).
  void apply(Event& event, std::span<const Event::Slot> staged) const;
  /// The original fields the table reads (which a decoder leaving originals in the raw record
  /// must still keep as slots).
  std::vector<FieldId> originals() const;

 private:
  struct Row {
    FieldId original;
    FieldId target;
    MapAs as;
  };
  std::vector<Row> rows_;
  // By original field id: the first row (+1) reading that field, 0 for none; rows reading the
  // same field are chained through next_row_ (+1). Field ids are small and dense, so a slot's
  // rows are found with one load.
  std::vector<std::uint32_t> first_row_;
  std::vector<std::uint32_t> next_row_;
};

}  // namespace khien
