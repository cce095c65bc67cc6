// The event: a flat record of interned field ids to typed values, backed by a batch arena.
#pragma once

#include <array>
#include <cstdint>
#include <new>
#include <span>
#include <string_view>

#include "core/arena.h"
#include "core/ip_address.h"
#include "core/schema.h"
#include "core/time.h"

namespace khien {

/// A typed field value. Strings are views into the event's arena (or into the batch input
/// buffer, which lives as long as the batch). Only the member that `type` names holds a value:
/// read `s` only for FieldType::String and `ip` only for FieldType::Ip.
struct Value {
  FieldType type = FieldType::String;
  // One union keeps a value at 32 bytes (a slot at 40): an event's ~60 slots are written to
  // memory the batch has not touched since the arena's last reset, and the bytes written per
  // event are what the decoder waits on.
  union {
    std::int64_t i;
    double f;
    bool b;
    TimeNs t;
    std::string_view s;  // FieldType::String
    IpAddress ip;        // FieldType::Ip
  };

  // Zeroes the whole union: an empty string, 0, false, and an all-zero address.
  Value() : ip() {}
  static Value of_string(std::string_view v) { Value x; x.type = FieldType::String; x.s = v; return x; }
  static Value of_int(std::int64_t v) { Value x; x.type = FieldType::Int; x.i = v; return x; }
  static Value of_float(double v) { Value x; x.type = FieldType::Float; x.f = v; return x; }
  static Value of_bool(bool v) { Value x; x.type = FieldType::Bool; x.b = v; return x; }
  static Value of_time(TimeNs v) { Value x; x.type = FieldType::Timestamp; x.t = v; return x; }
  static Value of_ip(const IpAddress& v) { Value x; x.type = FieldType::Ip; x.ip = v; return x; }
};

/// How the original record is kept with the event.
enum class RawKind : std::uint8_t { None, Json, Text };

/// One event. Fields may repeat (multi-valued fields such as answers or ATT&CK ids).
/// Not thread-safe; an event lives in one worker's batch and dies with its arena.
class Event {
 public:
  struct Slot {
    FieldId field;
    Value value;
  };

  explicit Event(Arena& arena) : arena_(&arena) { index_.fill(0); }

  /// Copies `from` into `to` member by member: only the member the type names is read, with the
  /// width it was written with. A value is usually built a moment before it is stored, and a
  /// wider load than those stores (the union copied as words, or a view's two words as one)
  /// stalls on store forwarding; inline, the compiler keeps a value just built in registers.
  static void assign(Value& to, const Value& from) {
    to.type = from.type;
    switch (from.type) {
      case FieldType::String: to.s = from.s; break;
      case FieldType::Int: to.i = from.i; break;
      case FieldType::Float: to.f = from.f; break;
      case FieldType::Bool: to.b = from.b; break;
      case FieldType::Ip: to.ip = from.ip; break;
      case FieldType::Timestamp: to.t = from.t; break;
    }
  }
  /// Appends a value (the field may already have values: multi-valued).
  void add(FieldId field, const Value& value) { assign(emplace(field), value); }
  /// Appends a slot for `field` and returns its value, zeroed (an empty string), to be filled
  /// member by member. Decoders that write straight into the slot never copy a Value they have
  /// just built, a copy that stalls on store forwarding (narrow stores, then wide loads).
  Value& emplace(FieldId field) {
    if (size_ == capacity_) [[unlikely]] grow(size_ == 0 ? kFirstSlots : capacity_ * 2);
    index_slot(field, size_);
    Slot* slot = &slots_[size_++];
    slot->field = field;
    return *new (&slot->value) Value();
  }
  /// Appends copies of `slots`, in order (their strings must outlive the event, as any value's).
  /// Returns the first slot appended, for a decoder to write values into (before any other change).
  Slot* append(std::span<const Slot> slots);
  /// A schema field of a run of slots and the offset of its first slot in the run.
  struct FirstSlot {
    FieldId field;
    std::uint32_t offset;
  };
  /// append() for a run appended again and again, its schema fields' first slots found once
  /// (`firsts`, in any order) rather than looked for among all its slots each time.
  Slot* append(std::span<const Slot> slots, std::span<const FirstSlot> firsts);
  /// Drops every slot from `size` on (a decoder undoing what it began).
  void truncate(std::uint32_t size);
  /// Makes room for `slots` fields in all, so that decoders which know a record's field count
  /// (binary flow records) take slots sized to it rather than the default first block.
  void reserve(std::uint32_t slots) {
    if (slots > capacity_) grow(slots);
  }
  /// Replaces the first value of `field`, or appends it.
  void set(FieldId field, const Value& value) {
    if (field >= field::schema_end) return set_original(field, value);
    if (index_[field] == 0) return add(field, value);
    Value& slot = slots_[index_[field] - 1].value;
    slot = Value();  // no bytes of the value it replaces left behind the new member
    assign(slot, value);
  }
  void set_string(FieldId field, std::string_view v) { set(field, Value::of_string(arena_->copy(v))); }
  void set_int(FieldId field, std::int64_t v) { set(field, Value::of_int(v)); }
  void set_time(FieldId field, TimeNs v) { set(field, Value::of_time(v)); }
  void set_ip(FieldId field, const IpAddress& v) { set(field, Value::of_ip(v)); }
  /// Sets a schema field from text, converting to the field's schema type. Returns false
  /// (and sets nothing) when the text does not convert (e.g. a bad IP for src_endpoint.ip).
  bool set_text_as_schema(FieldId field, std::string_view text);
  void remove(FieldId field);

  /// First value of `field`, or nullptr.
  const Value* get(FieldId field) const;
  std::string_view get_string(FieldId field) const;
  bool has(FieldId field) const { return get(field) != nullptr; }

  const Slot* begin() const { return slots_; }
  const Slot* end() const { return slots_ + size_; }
  std::uint32_t size() const { return size_; }

  void set_raw(std::string_view raw, RawKind kind) { raw_ = raw; raw_kind_ = kind; }
  std::string_view raw() const { return raw_; }
  RawKind raw_kind() const { return raw_kind_; }

  Arena& arena() { return *arena_; }
  void clear() {
    // An emptied event takes fresh slots: its old ones may belong to an arena reset since.
    slots_ = nullptr;
    size_ = capacity_ = 0;
    raw_ = {};
    raw_kind_ = RawKind::None;
    index_.fill(0);
  }

 private:
  // Decoded JSON records carry 40-70 fields (originals and schema): the first block fits most.
  static constexpr std::uint32_t kFirstSlots = 64;
  void grow(std::uint32_t capacity);
  // set() of a field outside the schema, whose first slot is not indexed.
  void set_original(FieldId field, const Value& value);
  Slot* copy_past_end(std::span<const Slot> slots);
  void reindex();
  // Records slot `at` as the first of `field` when it is a schema field seen for the first time.
  void index_slot(FieldId field, std::uint32_t at) {
    if (field < field::schema_end && index_[field] == 0 && at < 0xffff) index_[field] = static_cast<std::uint16_t>(at + 1);
  }
  // First slot (+1) of each schema field, so lookups of normalized fields take one load.
  std::array<std::uint16_t, field::schema_end> index_;
  Arena* arena_;
  Slot* slots_ = nullptr;
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = 0;
  std::string_view raw_;
  RawKind raw_kind_ = RawKind::None;
};

}  // namespace khien
