// Parsing a JSON record into the DOM and the small mapping steps every JSON decoder shares.
#include "decode/json_record.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/field_dictionary.h"
#include "core/json_writer.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace khien {

namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view element_kind(simdjson::dom::element_type type) {
  switch (type) {
    case simdjson::dom::element_type::ARRAY: return "an array";
    case simdjson::dom::element_type::STRING: return "a string";
    case simdjson::dom::element_type::BOOL: return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE: return "null";
    case simdjson::dom::element_type::OBJECT: return "an object";
    default: return "a number";
  }
}

struct ClassInfo {
  std::int64_t uid;
  std::int64_t category;
  std::string_view name;
};

constexpr ClassInfo kClasses[] = {
    {0, 0, "Base Event"},
    {1001, 1, "File System Activity"},
    {1005, 1, "Module Activity"},
    {1006, 1, "Scheduled Job Activity"},
    {1007, 1, "Process Activity"},
    {2004, 2, "Detection Finding"},
    {3002, 3, "Authentication"},
    {4001, 4, "Network Activity"},
    {4002, 4, "HTTP Activity"},
    {4003, 4, "DNS Activity"},
    {4010, 4, "Network File Activity"},
    // Classes of the OCSF Windows extension (uid 201): registry keys and values, category System.
    {201001, 1, "Registry Key Activity"},
    {201002, 1, "Registry Value Activity"},
};

}  // namespace

std::size_t json_error_offset(std::string_view s) {
  // An iterative syntax check (no recursion, so deep nesting cannot exhaust the stack).
  std::vector<char> stack;
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto skip = [&] { while (i < n && is_ws(s[i])) ++i; };
  auto scan_string = [&]() -> bool {  // at '"'; leaves i after the closing quote
    ++i;
    while (i < n) {
      auto c = static_cast<unsigned char>(s[i]);
      if (c == '"') { ++i; return true; }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (i + 1 >= n) { i = n; return false; }
        char e = s[i + 1];
        if (e == 'u') {
          for (std::size_t k = 2; k < 6; ++k)
            if (i + k >= n || !std::isxdigit(static_cast<unsigned char>(s[i + k]))) { i += k; return false; }
          i += 6;
        } else if (std::strchr("\"\\/bfnrt", e) && e != '\0') {
          i += 2;
        } else {
          ++i;
          return false;
        }
        continue;
      }
      if (c >= 0x80) {
        std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0 || i + len > n || !is_valid_utf8(s.substr(i, len))) return false;
        i += len;
        continue;
      }
      ++i;
    }
    return false;
  };
  auto scan_number = [&]() -> bool {
    if (s[i] == '-') ++i;
    if (i >= n || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    if (s[i] == '0') ++i;
    else while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i < n && s[i] == '.') {
      ++i;
      if (i >= n || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
      while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
      if (i >= n || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
      while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    }
    return true;
  };
  // expect_value: a value must come next; otherwise a ',' or a closing bracket (or the end).
  bool expect_value = true;
  skip();
  while (true) {
    if (expect_value) {
      skip();
      if (i >= n) return i;
      char c = s[i];
      if (c == '{' || c == '[') {
        stack.push_back(c);
        ++i;
        skip();
        if (i < n && s[i] == (c == '{' ? '}' : ']')) {
          stack.pop_back();
          ++i;
          expect_value = false;
          continue;
        }
        if (c == '{') {
          if (i >= n || s[i] != '"' || !scan_string()) return i;
          skip();
          if (i >= n || s[i] != ':') return i;
          ++i;
        }
        continue;
      }
      if (c == '"') {
        if (!scan_string()) return i;
      } else if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
        if (!scan_number()) return i;
      } else if (s.substr(i, 4) == "true" || s.substr(i, 4) == "null") {
        i += 4;
      } else if (s.substr(i, 5) == "false") {
        i += 5;
      } else {
        return i;
      }
      expect_value = false;
      continue;
    }
    skip();
    if (stack.empty()) return i < n ? i : std::string_view::npos;
    if (i >= n) return i;
    char top = stack.back();
    if (s[i] == ',') {
      ++i;
      if (top == '{') {
        skip();
        if (i >= n || s[i] != '"' || !scan_string()) return i;
        skip();
        if (i >= n || s[i] != ':') return i;
        ++i;
      }
      expect_value = true;
      continue;
    }
    if (s[i] == (top == '{' ? '}' : ']')) {
      stack.pop_back();
      ++i;
      continue;
    }
    return i;
  }
}

const char* padded_copy(std::string_view record, Arena& arena, bool* backslash) {
  // A one-line record is kept as it is: copied once into the arena with simdjson's padding
  // after it, so the parser reads the kept copy instead of copying the record again.
  char* copy = static_cast<char*>(arena.allocate(record.size() + simdjson::SIMDJSON_PADDING, 1));
  std::memcpy(copy, record.data(), record.size());
  std::memset(copy + record.size(), 0, simdjson::SIMDJSON_PADDING);
#if defined(__SSE2__)
  // One pass over the copy, sixteen bytes a step (the zero padding matches none of the three
  // bytes), finds line breaks and backslashes together.
  const __m128i newline = _mm_set1_epi8('\n');
  const __m128i carriage = _mm_set1_epi8('\r');
  const __m128i slash = _mm_set1_epi8('\\');
  __m128i breaks = _mm_setzero_si128();
  __m128i slashes = _mm_setzero_si128();
  static_assert(simdjson::SIMDJSON_PADDING >= 16);
  for (std::size_t i = 0; i < record.size(); i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(copy + i));
    breaks = _mm_or_si128(breaks, _mm_or_si128(_mm_cmpeq_epi8(bytes, newline), _mm_cmpeq_epi8(bytes, carriage)));
    slashes = _mm_or_si128(slashes, _mm_cmpeq_epi8(bytes, slash));
  }
  if (_mm_movemask_epi8(breaks) != 0) return nullptr;  // the arena's bytes go back with the batch
  if (backslash != nullptr) *backslash = _mm_movemask_epi8(slashes) != 0;
#else
  if (std::memchr(copy, '\n', record.size()) != nullptr || std::memchr(copy, '\r', record.size()) != nullptr)
    return nullptr;
  if (backslash != nullptr) *backslash = std::memchr(copy, '\\', record.size()) != nullptr;
#endif
  return copy;
}

Result<simdjson::dom::object> parse_json_record(simdjson::dom::parser& parser, std::string_view record,
                                                Event& event) {
  std::size_t first = 0;
  while (first < record.size() && is_ws(record[first])) ++first;
  if (first == record.size()) return fail("empty record");
  Arena& arena = event.arena();
  const char* copy = padded_copy(record, arena);
  const bool one_line = copy != nullptr;
  const char* text = one_line ? copy : record.data();
  simdjson::dom::element root;
  if (auto err = parser.parse(text, record.size(), !one_line).get(root); err) {
    std::size_t at = json_error_offset(record);
    std::string message = "invalid JSON";
    if (at != std::string_view::npos) message += " at byte " + std::to_string(at);
    message += ": ";
    message += simdjson::error_message(err);
    return fail(std::move(message));
  }
  if (root.type() != simdjson::dom::element_type::OBJECT)
    return fail("record is " + std::string(element_kind(root.type())) + ", expected a JSON object");
  if (!one_line) {
    // Pretty-printed documents (evtx dumps) are kept as one line so the archive stays NDJSON.
    char* out = static_cast<char*>(arena.allocate(record.size(), 1));
    std::size_t len = 0;
    if (simdjson::minify(record.data(), record.size(), out, len) != simdjson::SUCCESS)
      return fail("invalid JSON: could not minify the record");
    event.set_raw(std::string_view(out, len), RawKind::Json);
  } else {
    event.set_raw(std::string_view(text, record.size()), RawKind::Json);
  }
  return root.get_object().value_unsafe();
}

std::string_view ocsf_class_name(std::int64_t class_uid) {
  for (const auto& c : kClasses)
    if (c.uid == class_uid) return c.name;
  return {};
}

void set_class(Event& event, std::int64_t class_uid, std::int64_t activity_id, std::string_view activity_name) {
  if (event.has(field::class_uid)) return;
  std::int64_t category = class_uid < 10000 ? class_uid / 1000 : 0;
  std::string_view name;
  for (const auto& c : kClasses) {
    if (c.uid == class_uid) {
      category = c.category;
      name = c.name;
      break;
    }
  }
  event.set_int(field::class_uid, class_uid);
  if (!name.empty()) event.set(field::class_name, Value::of_string(name));
  event.set_int(field::category_uid, category);
  event.set_int(field::activity_id, activity_id);
  if (!activity_name.empty()) event.set(field::activity_name, Value::of_string(activity_name));
  event.set_int(field::type_uid, class_uid * 100 + activity_id);
}

std::string_view value_text(Event& event, const Value& value) {
  char buf[64];
  switch (value.type) {
    case FieldType::String: return value.s;
    case FieldType::Int: {
      auto r = std::to_chars(buf, buf + sizeof(buf), value.i);
      return event.arena().copy(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
    }
    case FieldType::Bool: return value.b ? "true" : "false";
    default: {
      std::string out;
      append_json_value(out, value);
      if (value.type == FieldType::Ip || value.type == FieldType::Timestamp) out = out.substr(1, out.size() - 2);
      return event.arena().copy(out);
    }
  }
}

bool value_int(const Value& value, std::int64_t& out) {
  switch (value.type) {
    case FieldType::Int: out = value.i; return true;
    case FieldType::Float:
      if (!std::isfinite(value.f) || std::fabs(value.f) >= 9.2e18) return false;
      out = static_cast<std::int64_t>(value.f);
      return true;
    case FieldType::String: {
      std::string_view t = value.s;
      int base = 10;
      if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        t.remove_prefix(2);
        base = 16;
      }
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v, base);
      if (ec != std::errc() || end != t.data() + t.size() || t.empty()) return false;
      out = v;
      return true;
    }
    default: return false;
  }
}

Status set_time_from(Event& event, FieldId original, std::string_view name, EpochUnit unit) {
  return set_time_from_value(event, event.get(original), name, unit);
}

Status set_time_from_value(Event& event, const Value* v, std::string_view name, EpochUnit unit) {
  if (v == nullptr) return {};
  std::optional<TimeNs> t;
  const double scale = unit == EpochUnit::Seconds ? 1e9 : 1e6;
  switch (v->type) {
    case FieldType::String: t = parse_time_any(v->s); break;
    case FieldType::Int:
      if (std::fabs(static_cast<double>(v->i) * scale) < 9.2e18)
        t = unit == EpochUnit::Seconds ? v->i * 1000000000LL : v->i * 1000000LL;
      break;
    case FieldType::Float:
      if (std::isfinite(v->f) && std::fabs(v->f * scale) < 9.2e18)
        t = static_cast<TimeNs>(std::llround(v->f * scale));
      break;
    default: break;
  }
  if (!t) {
    std::string text = std::string(value_text(event, *v));
    return fail("field '" + std::string(name) + "': not a valid time: \"" + text + "\"");
  }
  event.set_time(field::time, *t);
  return {};
}

void set_product(Event& event, std::string_view product, std::string_view vendor) {
  if (!event.has(field::metadata_product_name)) event.set(field::metadata_product_name, Value::of_string(product));
  if (!event.has(field::metadata_product_vendor_name))
    event.set(field::metadata_product_vendor_name, Value::of_string(vendor));
}

}  // namespace khien
