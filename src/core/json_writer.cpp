// JSON writing tuned for the archive path: one pass into a per-thread scratch buffer, one append.
#include "core/json_writer.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>

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

// The n (1..7) bytes at p as a word, the bytes past n set to a letter, which needs no escaping:
// most values are short ("tcp", "allowed", a host name's tail), and testing them a byte at a time
// cost more than writing them.
inline std::uint64_t short_word(const unsigned char* p, std::size_t n) {
  std::uint64_t w;
  if (n >= 4) {
    std::uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    w = lo | (std::uint64_t{hi} << (8 * (n - 4)));
  } else {
    w = std::uint64_t{p[0]} | (std::uint64_t{p[n >> 1]} << (8 * (n >> 1))) | (std::uint64_t{p[n - 1]} << (8 * (n - 1)));
  }
  return w | (0x6161616161616161ULL << (8 * n));
}

// Copies the n (1..7) bytes at p with two overlapping stores, or three single bytes.
inline void copy_short(char* out, const unsigned char* p, std::size_t n) {
  if (n >= 4) {
    std::memcpy(out, p, 4);
    std::memcpy(out + n - 4, p + n - 4, 4);
  } else {
    out[0] = static_cast<char>(p[0]);
    out[n >> 1] = static_cast<char>(p[n >> 1]);
    out[n - 1] = static_cast<char>(p[n - 1]);
  }
}

// `,"name":` for every schema field in a block of fixed size, so that writing a key is one copy
// of a constant length (three vector moves) rather than a call to memcpy for each of the ~40 keys
// of a line. Every name fits (schema.cpp checks it); the writer leaves room for a block past the
// line's end (kKeyBlock in the bound).
constexpr std::size_t kKeyBlock = 48;
static_assert(kMaxSchemaNameLength + 4 <= kKeyBlock, "a key is the name, its quotes, a comma and a colon");
struct SchemaKey {
  char text[kKeyBlock];
  std::uint8_t size;
};

const std::array<SchemaKey, field::schema_end>& schema_keys() {
  static const std::array<SchemaKey, field::schema_end> keys = [] {
    std::array<SchemaKey, field::schema_end> out{};
    for (const auto& f : schema_fields()) {
      SchemaKey& key = out[f.id];
      char* p = key.text;
      *p++ = ',';
      *p++ = '"';
      std::memcpy(p, f.name.data(), f.name.size());  // needs no escaping (schema.cpp)
      p += f.name.size();
      *p++ = '"';
      *p++ = ':';
      key.size = static_cast<std::uint8_t>(p - key.text);
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

namespace {

// Writers into a buffer the caller sized with the matching bound: no capacity check per byte or
// per piece, which the archive line (~40 keys and values per event) paid for on every append.

// Every byte may become a six-byte escape (\u00XX, or \ufffd for a byte that is not UTF-8).
constexpr std::size_t string_bound(std::size_t size) { return 6 * size + 2; }
// Numbers, booleans, addresses (46 bytes at most) and timestamps, quotes included.
constexpr std::size_t kScalarBound = 66;

std::size_t value_bound(const Value& v) {
  return v.type == FieldType::String ? string_bound(v.s.size()) : kScalarBound;
}

char* write_json_string(char* out, std::string_view text) {
  *out++ = '"';
  auto* p = reinterpret_cast<const unsigned char*>(text.data());
  auto* end = p + text.size();
  while (p < end) {
    // Most text needs no escaping: copy it eight bytes at a time.
    while (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      if (!plain_ascii8(word)) break;
      std::memcpy(out, p, 8);
      out += 8;
      p += 8;
    }
    if (p == end) break;
    if (const auto left = static_cast<std::size_t>(end - p); left < 8 && plain_ascii8(short_word(p, left))) {
      copy_short(out, p, left);
      out += left;
      break;
    }
    const unsigned char c = *p;
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      *out++ = static_cast<char>(c);
      ++p;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence(p, end);
      if (n > 0) {
        std::memcpy(out, p, n);
        out += n;
        p += n;
      } else {
        std::memcpy(out, "\\ufffd", 6);
        out += 6;
        ++p;
      }
      continue;
    }
    *out++ = '\\';
    switch (c) {
      case '"': *out++ = '"'; break;
      case '\\': *out++ = '\\'; break;
      case '\n': *out++ = 'n'; break;
      case '\r': *out++ = 'r'; break;
      case '\t': *out++ = 't'; break;
      default: {
        const char esc[5] = {'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        std::memcpy(out, esc, 5);
        out += 5;
      }
    }
    ++p;
  }
  *out++ = '"';
  return out;
}

char* write_json_value(char* out, const Value& v) {
  switch (v.type) {
    case FieldType::String: return write_json_string(out, v.s);
    case FieldType::Int: return std::to_chars(out, out + kScalarBound, v.i).ptr;
    case FieldType::Float:
      if (!std::isfinite(v.f)) {
        std::memcpy(out, "null", 4);
        return out + 4;
      }
      return std::to_chars(out, out + kScalarBound, v.f).ptr;
    case FieldType::Bool:
      if (v.b) {
        std::memcpy(out, "true", 4);
        return out + 4;
      }
      std::memcpy(out, "false", 5);
      return out + 5;
    case FieldType::Ip:
      *out++ = '"';
      out += v.ip.format(out);
      *out++ = '"';
      return out;
    case FieldType::Timestamp:
      *out++ = '"';
      out += format_rfc3339(v.t, out, 6);
      *out++ = '"';
      return out;
  }
  return out;
}

// Runs `write` on a buffer of `bound` bytes and appends what it wrote to `out`. The buffer is a
// scratch area per thread: sizing `out` to the bound first would zero-fill it, which costs more
// than the writing saves. Bounds past the scratch's limit (a huge text record) go through `out`.
template <typename Write>
void append_bounded(std::string& out, std::size_t bound, Write&& write) {
  constexpr std::size_t kScratchLimit = std::size_t{1} << 20;
  if (bound > kScratchLimit) {
    const std::size_t at = out.size();
    out.resize(at + bound);
    char* end = write(out.data() + at);
    out.resize(static_cast<std::size_t>(end - out.data()));
    return;
  }
  thread_local std::unique_ptr<char[]> scratch;
  thread_local std::size_t capacity = 0;
  if (capacity < bound) {
    capacity = std::max(bound, std::size_t{16} << 10);
    scratch = std::make_unique_for_overwrite<char[]>(capacity);
  }
  char* end = write(scratch.get());
  out.append(scratch.get(), static_cast<std::size_t>(end - scratch.get()));
}

// A ByteBuffer takes the writing in place.
template <typename Write>
void append_bounded(ByteBuffer& out, std::size_t bound, Write&& write) {
  out.advance(write(out.tail(bound)));
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  append_bounded(out, string_bound(text.size()), [&](char* p) { return write_json_string(p, text); });
}

void append_json_value(std::string& out, const Value& v) {
  append_bounded(out, value_bound(v), [&](char* p) { return write_json_value(p, v); });
}

namespace {

// Writes the values of the field of slot `s` (an array when the field repeats after it).
char* write_field(char* out, const Event::Slot* s, const Event::Slot* end, bool repeats) {
  if (!repeats) return write_json_value(out, s->value);
  *out++ = '[';
  out = write_json_value(out, s->value);
  for (const Event::Slot* q = s + 1; q != end; ++q) {
    if (q->field != s->field) continue;
    *out++ = ',';
    out = write_json_value(out, q->value);
  }
  *out++ = ']';
  return out;
}

char* write_key(char* out, const std::array<SchemaKey, field::schema_end>& keys, FieldId field, bool& first) {
  if (field < field::schema_end) {
    const SchemaKey& key = keys[field];
    if (!first) [[likely]] {
      // The whole block: the bytes past the key are overwritten by what follows it.
      std::memcpy(out, key.text, kKeyBlock);
      return out + key.size;
    }
    // The line's first key, without its leading comma.
    first = false;
    std::memcpy(out, key.text + 1, key.size - 1u);
    return out + (key.size - 1u);
  }
  if (!first) *out++ = ',';
  first = false;
  out = write_json_string(out, field_name(field));
  *out++ = ':';
  return out;
}

}  // namespace

namespace {

template <typename Out>
void append_event_json_to(Out& out, const Event& event) {
  const bool write_originals = event.raw_kind() != RawKind::Json;
  const Event::Slot* begin = event.begin();
  const Event::Slot* end = event.end();
  auto& dict = FieldDictionary::instance();
  const auto& keys = schema_keys();
  // How often each schema field occurs and whether it was written, so a field is written at its
  // first slot without scanning the slots around it; and how many bytes the line may take, so it
  // is written without a capacity check per piece.
  std::array<std::uint8_t, field::schema_end> count{};
  std::array<bool, field::schema_end> written{};
  // The bound takes each slot at its widest (a scalar's bound, a key block, a comma or bracket
  // on each side) plus six bytes per byte of text: one pass that reads little of each slot.
  std::size_t bound = 2 + kKeyBlock;  // the braces, and a key block written whole past the end
  std::size_t text_bytes = 0;
  for (const Event::Slot* s = begin; s != end; ++s) {
    const FieldId f = s->field;
    if (s->value.type == FieldType::String) text_bytes += s->value.s.size();
    if (dict.is_schema(f)) {
      count[f] = static_cast<std::uint8_t>(count[f] + (count[f] < 2));
    } else if (write_originals) {
      bound += string_bound(field_name(f).size()) + 2;
    }
  }
  bound += static_cast<std::size_t>(end - begin) * (kScalarBound + 4 + kKeyBlock) + 6 * text_bytes;
  if (event.raw_kind() == RawKind::Json) bound += 7 + event.raw().size();
  else if (event.raw_kind() == RawKind::Text) bound += 7 + string_bound(event.raw().size());
  append_bounded(out, bound, [&](char* p) {
    *p++ = '{';
    bool first = true;
    for (const Event::Slot* s = begin; s != end; ++s) {
      if (dict.is_schema(s->field)) {
        if (written[s->field]) continue;
        written[s->field] = true;
        p = write_key(p, keys, s->field, first);
        p = write_field(p, s, end, count[s->field] > 1);
        continue;
      }
      if (!write_originals) continue;
      bool seen = false;
      for (const Event::Slot* q = begin; q != s && !seen; ++q) seen = q->field == s->field;
      if (seen) continue;
      const Event::Slot* more = s + 1;
      while (more != end && more->field != s->field) ++more;
      p = write_key(p, keys, s->field, first);
      p = write_field(p, s, end, more != end);
    }
    if (event.raw_kind() != RawKind::None) {
      if (!first) *p++ = ',';
      std::memcpy(p, "\"raw\":", 6);
      p += 6;
      if (event.raw_kind() == RawKind::Json) {
        if (!event.raw().empty()) std::memcpy(p, event.raw().data(), event.raw().size());
        p += event.raw().size();
      } else {
        p = write_json_string(p, event.raw());
      }
    }
    *p++ = '}';
    return p;
  });
}

}  // namespace

void append_event_json(std::string& out, const Event& event) { append_event_json_to(out, event); }
void append_event_json(ByteBuffer& out, const Event& event) { append_event_json_to(out, event); }

}  // namespace khien
