// Applying mapping tables: type conversion from original JSON values to schema field types.
#include "decode/field_mapper.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/field_dictionary.h"
#include "core/text.h"
#include "decode/json_record.h"

namespace khien {

namespace {

std::string_view transform(Event& event, std::string_view text, MapAs as) {
  switch (as) {
    case MapAs::Lower: {
      // Most values are lower case already (hashes, protocols): that is found eight bytes a step,
      // and then nothing is copied.
      std::size_t i = 0;
      for (; i + 8 <= text.size(); i += 8) {
        std::uint64_t x = 0;
        std::memcpy(&x, text.data() + i, 8);
        if (ascii_lower8(x) != x) break;
      }
      while (i < text.size() && ascii_lower(text[i]) == text[i]) ++i;
      if (i == text.size()) return text;
      char* out = static_cast<char*>(event.arena().allocate(text.size(), 1));
      ascii_lower_to(text, out);
      return {out, text.size()};
    }
    case MapAs::Upper: {
      auto is_lower = [](char c) { return c >= 'a' && c <= 'z'; };
      if (std::none_of(text.begin(), text.end(), is_lower)) return text;
      char* out = static_cast<char*>(event.arena().allocate(text.size(), 1));
      for (std::size_t i = 0; i < text.size(); ++i)
        out[i] = is_lower(text[i]) ? static_cast<char>(text[i] - 'a' + 'A') : text[i];
      return {out, text.size()};
    }
    case MapAs::Basename: {
      auto slash = text.find_last_of("\\/");
      return slash == std::string_view::npos ? text : text.substr(slash + 1);
    }
    case MapAs::Value: break;
  }
  return text;
}

}  // namespace

bool put_value(Event& event, FieldId target, const Value& value, MapAs as) {
  const FieldType type = field_value_type(target);
  switch (type) {
    case FieldType::String: {
      std::string_view text = value.type == FieldType::String ? value.s : value_text(event, value);
      text = transform(event, text, as);
      if (text.empty()) return false;
      // Original strings already live in the arena (the flattener copied them).
      event.add(target, Value::of_string(text));
      return true;
    }
    case FieldType::Int: {
      std::int64_t v = 0;
      if (value.type == FieldType::Float && value.f != std::floor(value.f)) return false;
      if (!value_int(value, v)) return false;
      const bool port = target == field::src_endpoint_port || target == field::dst_endpoint_port || target == field::url_port;
      if (port && (v < 0 || v > 65535)) return false;
      event.add(target, Value::of_int(v));
      return true;
    }
    case FieldType::Float:
      if (value.type == FieldType::Float) { event.add(target, value); return true; }
      if (value.type == FieldType::Int) { event.add(target, Value::of_float(static_cast<double>(value.i))); return true; }
      if (value.type == FieldType::String) {
        double v = 0;
        auto [end, ec] = std::from_chars(value.s.data(), value.s.data() + value.s.size(), v);
        if (ec != std::errc() || end != value.s.data() + value.s.size()) return false;
        event.add(target, Value::of_float(v));
        return true;
      }
      return false;
    case FieldType::Bool:
      if (value.type == FieldType::Bool) { event.add(target, value); return true; }
      return false;
    case FieldType::Ip: {
      if (value.type != FieldType::String) return false;
      auto ip = IpAddress::parse(value.s);
      if (!ip) return false;
      event.add(target, Value::of_ip(*ip));
      return true;
    }
    case FieldType::Timestamp: {
      if (value.type != FieldType::String) return false;
      auto t = parse_time_any(value.s);
      if (!t) return false;
      event.add(target, Value::of_time(*t));
      return true;
    }
  }
  return false;
}

bool map_field(Event& event, FieldId original, FieldId target, MapAs as) {
  if (original == field::none || event.has(target)) return false;
  bool any = false;
  // Index-based: put_value may grow (and move) the slot array.
  const std::uint32_t n = event.size();
  for (std::uint32_t i = 0; i < n; ++i) {
    if (event.begin()[i].field != original) continue;
    Value v = event.begin()[i].value;
    any |= put_value(event, target, v, as);
  }
  return any;
}

FieldMapper::FieldMapper(std::span<const FieldMapping> table, std::string_view prefix) {
  rows_.reserve(table.size());
  std::string path;
  for (const auto& row : table) {
    path.assign(prefix);
    path.append(row.original);
    rows_.push_back({intern_field(path), row.target, row.as});
  }
  next_row_.assign(rows_.size(), 0);
  for (std::size_t i = rows_.size(); i-- > 0;) {
    FieldId f = rows_[i].original;
    if (first_row_.size() <= f) first_row_.resize(f + 1, 0);
    next_row_[i] = first_row_[f];
    first_row_[f] = static_cast<std::uint32_t>(i + 1);
  }
}

std::vector<FieldId> FieldMapper::originals() const {
  std::vector<FieldId> out;
  out.reserve(rows_.size());
  for (const Row& r : rows_) out.push_back(r.original);
  return out;
}

void FieldMapper::apply(Event& event, std::span<const Event::Slot> staged) const {
  // One pass over the event and the staged values finds, for each row whose original field is
  // present, where its first value is and whether there are more. Rows then apply in table order
  // (the first source of a field wins); a single value maps straight from where it is, several go
  // through map_field or the staged scan.
  constexpr std::uint32_t kMany = 0xffffffffu;
  constexpr std::uint32_t kStaged = 0x80000000u;  // position in `staged` rather than in the slots
  thread_local std::vector<std::uint32_t> slot_of;  // per row: position + 1 (| kStaged), kMany, or 0 (absent)
  slot_of.assign(rows_.size(), 0);
  bool any = false;
  const std::size_t known = first_row_.size();
  auto note = [&](FieldId f, std::uint32_t at) {
    if (f >= known) return;
    for (std::uint32_t r = first_row_[f]; r != 0; r = next_row_[r - 1]) {
      slot_of[r - 1] = slot_of[r - 1] == 0 ? at : kMany;
      any = true;
    }
  };
  const std::uint32_t n = event.size();
  for (std::uint32_t i = 0; i < n; ++i) note(event.begin()[i].field, i + 1);
  for (std::uint32_t i = 0; i < staged.size(); ++i) note(staged[i].field, (i + 1) | kStaged);
  if (!any) return;
  auto& dict = FieldDictionary::instance();
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    const std::uint32_t at = slot_of[r];
    if (at == 0) continue;
    const Row& row = rows_[r];
    // A schema-named original may gain values from earlier rows: scan for them as map_field does.
    if (at == kMany || dict.is_schema(row.original)) {
      if (map_field(event, row.original, row.target, row.as) || event.has(row.target)) continue;
      for (const auto& slot : staged)
        if (slot.field == row.original) put_value(event, row.target, slot.value, row.as);
      continue;
    }
    if (event.has(row.target)) continue;
    // A copy: put_value may move the slots.
    Value v = (at & kStaged) != 0 ? staged[(at & ~kStaged) - 1].value : event.begin()[at - 1].value;
    put_value(event, row.target, v, row.as);
  }
}

}  // namespace khien
