// Event storage: slots grow inside the arena (old slots are left for the arena's reset).
#include "core/event.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <new>

#include "core/field_dictionary.h"

namespace khien {

void Event::grow(std::uint32_t capacity) {
  static_assert(sizeof(Value) == 32 && sizeof(Slot) == 40, "a slot is five 8-byte words");
  auto* grown = static_cast<Slot*>(arena_->allocate(sizeof(Slot) * capacity, alignof(Slot)));
  if (size_ > 0) std::memcpy(static_cast<void*>(grown), slots_, sizeof(Slot) * size_);
  slots_ = grown;
  capacity_ = capacity;
}

// Copies `slots` past the last slot (growing as needed) without counting them yet.
Event::Slot* Event::copy_past_end(std::span<const Slot> slots) {
  const auto n = static_cast<std::uint32_t>(slots.size());
  if (size_ + n > capacity_) grow(std::max({size_ + n, capacity_ * 2, kFirstSlots}));
  Slot* first = slots_ + size_;
  if (n != 0) std::memcpy(static_cast<void*>(first), slots.data(), sizeof(Slot) * n);
  return first;
}

Event::Slot* Event::append(std::span<const Slot> slots) {
  Slot* first = copy_past_end(slots);
  for (std::uint32_t k = 0; k < slots.size(); ++k, ++size_) index_slot(slots[k].field, size_);
  return first;
}

Event::Slot* Event::append(std::span<const Slot> slots, std::span<const FirstSlot> firsts) {
  Slot* first = copy_past_end(slots);
  for (const FirstSlot& f : firsts) index_slot(f.field, size_ + f.offset);
  size_ += static_cast<std::uint32_t>(slots.size());
  return first;
}

void Event::truncate(std::uint32_t size) {
  if (size >= size_) return;
  size_ = size;
  // The index holds each schema field's first slot + 1: one at or past `size` had no earlier slot.
  for (std::uint16_t& first : index_)
    if (first > size) first = 0;
}

void Event::reindex() {
  index_.fill(0);
  for (std::uint32_t i = 0; i < size_ && i < 0xffff; ++i) index_slot(slots_[i].field, i);
}

void Event::set_original(FieldId field, const Value& value) {
  for (std::uint32_t i = 0; i < size_; ++i) {
    if (slots_[i].field == field) {
      slots_[i].value = Value();
      assign(slots_[i].value, value);
      return;
    }
  }
  add(field, value);
}

void Event::remove(FieldId field) {
  std::uint32_t out = 0;
  for (std::uint32_t i = 0; i < size_; ++i)
    if (slots_[i].field != field) slots_[out++] = slots_[i];
  size_ = out;
  reindex();
}

const Value* Event::get(FieldId field) const {
  if (field < field::schema_end) return index_[field] ? &slots_[index_[field] - 1].value : nullptr;
  for (std::uint32_t i = 0; i < size_; ++i)
    if (slots_[i].field == field) return &slots_[i].value;
  return nullptr;
}

std::string_view Event::get_string(FieldId field) const {
  const Value* v = get(field);
  return v && v->type == FieldType::String ? v->s : std::string_view();
}

bool Event::set_text_as_schema(FieldId field, std::string_view text) {
  const FieldType type = field_value_type(field);
  switch (type) {
    case FieldType::String:
      if (text.empty()) return false;
      set_string(field, text);
      return true;
    case FieldType::Int: {
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size()) return false;
      set_int(field, v);
      return true;
    }
    case FieldType::Float: {
      double v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size()) return false;
      set(field, Value::of_float(v));
      return true;
    }
    case FieldType::Bool:
      if (text == "true" || text == "1") { set(field, Value::of_bool(true)); return true; }
      if (text == "false" || text == "0") { set(field, Value::of_bool(false)); return true; }
      return false;
    case FieldType::Ip: {
      auto ip = IpAddress::parse(text);
      if (!ip) return false;
      set_ip(field, *ip);
      return true;
    }
    case FieldType::Timestamp: {
      auto t = parse_time_any(text);
      if (!t) return false;
      set_time(field, *t);
      return true;
    }
  }
  return false;
}

}  // namespace khien
