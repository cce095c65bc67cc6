// JSON writing tuned for the archive path: one pass, no allocation beyond the output buffer.
#include "core/json_writer.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#include "core/field_dictionary.h"

namespace khien {

namespace {

// Length of the valid UTF-8 sequence starting at p (0 if invalid).
std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end) {
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  std::size_t n;
  std::uint32_t cp;
  if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
  else return 0;
  if (static_cast<std::size_t>(end - p) < n) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  // Reject overlong forms, surrogates and values past U+10FFFF.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

constexpr char kHex[] = "0123456789abcdef";

// True when none of the eight bytes of `w` needs attention in a JSON string: no control
// character, quote, backslash or non-ASCII byte (the classic "has byte less than / equal to"
// word tricks, exact as a yes/no answer).
inline bool plain_ascii8(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const std::uint64_t below_space = (w - kOnes * 0x20) & ~w;
  const std::uint64_t q = w ^ (kOnes * '"');
  const std::uint64_t quote = (q - kOnes) & ~q;
  const std::uint64_t b = w ^ (kOnes * '\\');
  const std::uint64_t backslash = (b - kOnes) & ~b;
  return ((below_space | quote | backslash | w) & kHigh) == 0;
}

// `,"name":` for every schema field, so writing a key is one append.
const std::array<std::string, field::schema_end>& schema_keys() {
  static const std::array<std::string, field::schema_end> keys = [] {
    std::array<std::string, field::schema_end> out;
    for (const auto& f : schema_fields()) {
      std::string& k = out[f.id];
      k.push_back(',');
      append_json_string(k, f.name);
      k.push_back(':');
    }
    return out;
  }();
  return keys;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  auto* p = reinterpret_cast<const unsigned char*>(text.data());
  auto* end = p + text.size();
  while (p < end) {
    if (*p < 0x80) { ++p; continue; }
    std::size_t n = utf8_sequence(p, end);
    if (n == 0) return false;
    p += n;
  }
  return true;
}

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  auto* p = reinterpret_cast<const unsigned char*>(text.data());
  auto* end = p + text.size();
  const unsigned char* run = p;
  auto flush = [&](const unsigned char* upto) {
    out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(upto - run));
  };
  while (p < end) {
    // Most text needs no escaping: skip it eight bytes at a time.
    while (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      if (!plain_ascii8(word)) break;
      p += 8;
    }
    if (p == end) break;
    unsigned char c = *p;
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) { ++p; continue; }
    if (c >= 0x80) {
      std::size_t n = utf8_sequence(p, end);
      if (n > 0) { p += n; continue; }
      flush(p);
      out.append("\\ufffd");
      run = ++p;
      continue;
    }
    flush(p);
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(esc, 6);
      }
    }
    run = ++p;
  }
  flush(p);
  out.push_back('"');
}

void append_json_value(std::string& out, const Value& v) {
  char buf[64];
  switch (v.type) {
    case FieldType::String: append_json_string(out, v.s); return;
    case FieldType::Int: {
      auto r = std::to_chars(buf, buf + sizeof(buf), v.i);
      out.append(buf, r.ptr);
      return;
    }
    case FieldType::Float: {
      if (!std::isfinite(v.f)) { out.append("null"); return; }
      auto r = std::to_chars(buf, buf + sizeof(buf), v.f);
      out.append(buf, r.ptr);
      return;
    }
    case FieldType::Bool: out.append(v.b ? "true" : "false"); return;
    case FieldType::Ip: {
      out.push_back('"');
      out.append(buf, v.ip.format(buf));
      out.push_back('"');
      return;
    }
    case FieldType::Timestamp: {
      out.push_back('"');
      out.append(buf, format_rfc3339(v.t, buf, 6));
      out.push_back('"');
      return;
    }
  }
}

namespace {

// Writes the values of the field of slot `s` (an array when the field repeats after it).
void append_field(std::string& out, const Event::Slot* s, const Event::Slot* end, bool repeats) {
  if (!repeats) {
    append_json_value(out, s->value);
    return;
  }
  out.push_back('[');
  append_json_value(out, s->value);
  for (const Event::Slot* q = s + 1; q != end; ++q) {
    if (q->field != s->field) continue;
    out.push_back(',');
    append_json_value(out, q->value);
  }
  out.push_back(']');
}

void append_key(std::string& out, FieldId field, bool& first) {
  if (field < field::schema_end) {
    const std::string& key = schema_keys()[field];
    out.append(key, first ? 1 : 0);
    first = false;
    return;
  }
  if (!first) out.push_back(',');
  first = false;
  append_json_string(out, field_name(field));
  out.push_back(':');
}

}  // namespace

void append_event_json(std::string& out, const Event& event) {
  out.push_back('{');
  bool first = true;
  const bool write_originals = event.raw_kind() != RawKind::Json;
  const Event::Slot* begin = event.begin();
  const Event::Slot* end = event.end();
  auto& dict = FieldDictionary::instance();
  // How often each schema field occurs and whether it was written, so a field is written at its
  // first slot without scanning the slots around it.
  std::array<std::uint8_t, field::schema_end> count{};
  std::array<bool, field::schema_end> written{};
  for (const Event::Slot* s = begin; s != end; ++s)
    if (dict.is_schema(s->field) && count[s->field] < 2) ++count[s->field];
  for (const Event::Slot* s = begin; s != end; ++s) {
    if (dict.is_schema(s->field)) {
      if (written[s->field]) continue;
      written[s->field] = true;
      append_key(out, s->field, first);
      append_field(out, s, end, count[s->field] > 1);
      continue;
    }
    if (!write_originals) continue;
    bool seen = false;
    for (const Event::Slot* q = begin; q != s && !seen; ++q) seen = q->field == s->field;
    if (seen) continue;
    const Event::Slot* more = s + 1;
    while (more != end && more->field != s->field) ++more;
    append_key(out, s->field, first);
    append_field(out, s, end, more != end);
  }
  if (event.raw_kind() != RawKind::None) {
    if (!first) out.push_back(',');
    out.append("\"raw\":");
    if (event.raw_kind() == RawKind::Json) out.append(event.raw());
    else append_json_string(out, event.raw());
  }
  out.push_back('}');
}

}  // namespace khien
