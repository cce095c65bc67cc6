// JSON writing tuned for the archive path: one pass, no allocation beyond the output buffer.
#include "core/json_writer.h"

#include <charconv>
#include <cmath>

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

void append_event_json(std::string& out, const Event& event) {
  out.push_back('{');
  bool first = true;
  const bool write_originals = event.raw_kind() != RawKind::Json;
  const Event::Slot* begin = event.begin();
  const Event::Slot* end = event.end();
  auto& dict = FieldDictionary::instance();
  for (const Event::Slot* s = begin; s != end; ++s) {
    if (!dict.is_schema(s->field) && !write_originals) continue;
    bool seen = false;
    for (const Event::Slot* q = begin; q != s && !seen; ++q) seen = q->field == s->field;
    if (seen) continue;
    const Event::Slot* more = s + 1;
    while (more != end && more->field != s->field) ++more;
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, field_name(s->field));
    out.push_back(':');
    if (more == end) {
      append_json_value(out, s->value);
      continue;
    }
    out.push_back('[');
    append_json_value(out, s->value);
    for (const Event::Slot* q = more; q != end; ++q) {
      if (q->field != s->field) continue;
      out.push_back(',');
      append_json_value(out, q->value);
    }
    out.push_back(']');
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
