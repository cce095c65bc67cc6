// CEF/LEEF shared parsing: extension splitting, vendor time formats, severity and class mapping.
#include "decode/key_value.h"

#include <array>
#include <cstdint>

#include "core/schema.h"
#include "core/text.h"

namespace khien {

namespace {

constexpr TimeNs kSecond = 1000000000LL;
constexpr TimeNs kDay = 86400 * kSecond;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// CEF keys are letters and digits; vendors add '_', '.', '-' and "[]" (ArcSight "ad." keys).
bool is_key_char(char c) { return is_digit(c) || is_alpha(c) || c == '_' || c == '.' || c == '-' || c == '[' || c == ']'; }

// Length of a `key=` starting at text[i] (the key length), 0 if there is none.
std::size_t key_at(std::string_view text, std::size_t i) {
  std::size_t k = i;
  while (k < text.size() && is_key_char(text[k])) ++k;
  return k > i && k < text.size() && text[k] == '=' ? k - i : 0;
}

std::string_view unescape_cef_value(std::string_view raw, Arena& arena) {
  auto* out = static_cast<char*>(arena.allocate(raw.size(), 1));
  std::size_t w = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\' && i + 1 < raw.size()) {
      char n = raw[i + 1];
      if (n == '=' || n == '\\' || n == '|') { c = n; ++i; }
      else if (n == 'n') { c = '\n'; ++i; }
      else if (n == 'r') { c = '\r'; ++i; }
    }
    out[w++] = c;
  }
  return std::string_view(out, w);
}

std::int64_t year_of(TimeNs t) {
  TimeNs secs = t >= 0 ? t / kSecond : (t - kSecond + 1) / kSecond;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(secs >= 0 ? secs / 86400 : (secs - 86399) / 86400, y, m, d);
  return y;
}

int month_from_name(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                              "jul", "aug", "sep", "oct", "nov", "dec"};
  if (s.size() < 3) return 0;
  for (std::size_t m = 0; m < kMonths.size(); ++m)
    if (ascii_iequals(s.substr(0, 3), kMonths[m])) return static_cast<int>(m) + 1;
  return 0;
}

// Reads between `min` and `max` digits at text[p].
bool read_number(std::string_view text, std::size_t& p, std::size_t min, std::size_t max, std::int64_t& out) {
  std::size_t start = p;
  std::int64_t v = 0;
  while (p < text.size() && is_digit(text[p]) && p - start < max) v = v * 10 + (text[p++] - '0');
  if (p - start < min) return false;
  out = v;
  return true;
}

// A zone at text[p]: Z, +hh[:mm], +hhmm, or a name (UTC/GMT/UT optionally followed by an offset;
// other names are skipped and read as UTC). Sets the offset east of UTC in seconds.
bool read_zone(std::string_view text, std::size_t& p, std::int64_t& offset) {
  offset = 0;
  if (p >= text.size()) return false;
  if (text[p] == 'Z' && (p + 1 == text.size() || !is_alpha(text[p + 1]))) {
    ++p;
    return true;
  }
  if (is_alpha(text[p])) {
    std::size_t start = p;
    while (p < text.size() && is_alpha(text[p])) ++p;
    std::string_view name = text.substr(start, p - start);
    if (!(ascii_iequals(name, "UTC") || ascii_iequals(name, "GMT") || ascii_iequals(name, "UT"))) return true;
    if (p >= text.size() || (text[p] != '+' && text[p] != '-')) return true;
  }
  if (text[p] != '+' && text[p] != '-') return false;
  int sign = text[p] == '-' ? -1 : 1;
  ++p;
  std::int64_t hh = 0, mm = 0;
  if (!read_number(text, p, 1, 2, hh)) return false;
  if (p < text.size() && text[p] == ':') ++p;
  if (p < text.size() && is_digit(text[p]) && !read_number(text, p, 2, 2, mm)) return false;
  if (hh > 18 || mm > 59) return false;
  offset = sign * (hh * 3600 + mm * 60);
  return true;
}

}  // namespace

std::size_t find_header_tag(std::string_view record, std::string_view tag) {
  for (std::size_t pos = record.find(tag); pos != std::string_view::npos; pos = record.find(tag, pos + 1))
    if (pos == 0 || record[pos - 1] == ' ') return pos;
  return std::string_view::npos;
}

void parse_cef_extension(std::string_view text, Arena& arena, std::vector<KeyValue>& out) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    while (i < n && text[i] == ' ') ++i;
    if (i >= n) break;
    std::size_t key_len = key_at(text, i);
    if (key_len == 0) {
      // Not a key here: skip this word (lenient with senders that put stray text in the extension).
      while (i < n && text[i] != ' ') ++i;
      continue;
    }
    std::string_view key = text.substr(i, key_len);
    std::size_t v = i + key_len + 1;
    std::size_t j = v;
    bool escaped = false;
    while (j < n) {
      if (text[j] == '\\' && j + 1 < n) {
        escaped = true;
        j += 2;
        continue;
      }
      if (text[j] == ' ') {
        std::size_t m = j;
        while (m < n && text[m] == ' ') ++m;
        if (key_at(text, m) > 0) break;
        j = m;
        continue;
      }
      ++j;
    }
    std::string_view value = text.substr(v, j - v);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    out.push_back(KeyValue{key, escaped ? unescape_cef_value(value, arena) : value});
    i = j;
  }
}

void parse_delimited_pairs(std::string_view text, char delimiter, std::vector<KeyValue>& out) {
  std::size_t i = 0;
  while (i <= text.size()) {
    std::size_t end = text.find(delimiter, i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view piece = text.substr(i, end - i);
    std::size_t eq = piece.find('=');
    if (eq != std::string_view::npos) {
      std::string_view key = trim(piece.substr(0, eq));
      if (!key.empty()) out.push_back(KeyValue{key, piece.substr(eq + 1)});
    }
    i = end + 1;
  }
}

std::optional<TimeNs> parse_java_time(std::string_view text, std::string_view pattern, TimeNs now) {
  text = trim(text);
  std::int64_t year = -1, month = -1, day = 1, hour = 0, minute = 0, second = 0, frac_ns = 0, offset = 0;
  bool have_ampm = false, pm = false;
  std::size_t i = 0, p = 0;
  while (i < pattern.size()) {
    char c = pattern[i];
    if (c == '\'') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {
        if (p >= text.size() || text[p] != '\'') return std::nullopt;
        ++p;
        i += 2;
        continue;
      }
      std::size_t j = i + 1;
      for (; j < pattern.size() && pattern[j] != '\''; ++j, ++p)
        if (p >= text.size() || text[p] != pattern[j]) return std::nullopt;
      i = j + 1;
      continue;
    }
    if (!is_alpha(c)) {
      if (c == ' ') {
        // One space in the pattern matches a run of spaces ("Nov  2" padded days).
        if (p >= text.size() || text[p] != ' ') return std::nullopt;
        while (p < text.size() && text[p] == ' ') ++p;
      } else {
        if (p >= text.size() || text[p] != c) return std::nullopt;
        ++p;
      }
      ++i;
      continue;
    }
    std::size_t count = 1;
    while (i + count < pattern.size() && pattern[i + count] == c) ++count;
    i += count;
    std::int64_t v = 0;
    switch (c) {
      case 'y':
        if (count == 2) {
          if (!read_number(text, p, 2, 2, v)) return std::nullopt;
          year = 2000 + v;
        } else {
          if (!read_number(text, p, 1, 4, v)) return std::nullopt;
          year = v;
        }
        break;
      case 'M':
        if (count >= 3) {
          month = month_from_name(text.substr(p));
          if (month == 0) return std::nullopt;
          while (p < text.size() && is_alpha(text[p])) ++p;  // "Nov" or "November"
        } else if (!read_number(text, p, 1, 2, month)) {
          return std::nullopt;
        }
        break;
      case 'd': if (!read_number(text, p, 1, 2, day)) return std::nullopt; break;
      case 'H':
      case 'k':
      case 'h':
      case 'K': if (!read_number(text, p, 1, 2, hour)) return std::nullopt; break;
      case 'm': if (!read_number(text, p, 1, 2, minute)) return std::nullopt; break;
      case 's': if (!read_number(text, p, 1, 2, second)) return std::nullopt; break;
      case 'S': {
        // Read as a decimal fraction: what "SSS" and "SSSSSS" senders mean.
        std::size_t start = p;
        std::int64_t scale = 100000000;
        frac_ns = 0;
        while (p < text.size() && is_digit(text[p])) {
          if (p - start < 9) {
            frac_ns += (text[p] - '0') * scale;
            scale /= 10;
          }
          ++p;
        }
        if (p == start) return std::nullopt;
        break;
      }
      case 'a':
        if (p + 2 > text.size()) return std::nullopt;
        if (ascii_iequals(text.substr(p, 2), "AM")) pm = false;
        else if (ascii_iequals(text.substr(p, 2), "PM")) pm = true;
        else return std::nullopt;
        have_ampm = true;
        p += 2;
        break;
      case 'E': {
        std::size_t start = p;
        while (p < text.size() && is_alpha(text[p])) ++p;
        if (p == start) return std::nullopt;
        break;
      }
      case 'Z':
      case 'X':
      case 'x':
      case 'z':
        if (!read_zone(text, p, offset)) return std::nullopt;
        break;
      default: return std::nullopt;
    }
  }
  if (p != text.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  if (have_ampm) {
    if (hour > 12) return std::nullopt;
    hour = hour % 12 + (pm ? 12 : 0);
  }
  auto make = [&](std::int64_t y) {
    return (days_from_civil(y, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 + hour * 3600 +
            minute * 60 + second - offset) * kSecond + frac_ns;
  };
  if (year >= 0) return make(year);
  std::int64_t y = year_of(now);
  TimeNs t = make(y);
  return t > now + kDay ? make(y - 1) : t;
}

std::optional<TimeNs> parse_device_time(std::string_view text, TimeNs now) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && is_digit(c);
  if (all_digits) {
    if (text.size() > 16) return std::nullopt;
    std::int64_t v = 0;
    for (char c : text) v = v * 10 + (c - '0');
    // CEF defines milliseconds; some senders send seconds, which have at most 10 digits until 2286.
    return text.size() <= 10 ? v * kSecond : v * 1000000LL;
  }
  if (text.size() >= 10 && is_digit(text[0]) && text[4] == '-') return parse_iso8601(text);
  static constexpr std::string_view kPatterns[] = {
      "MMM dd yyyy HH:mm:ss.SSS zzz", "MMM dd yyyy HH:mm:ss.SSS", "MMM dd yyyy HH:mm:ss zzz", "MMM dd yyyy HH:mm:ss",
      "MMM dd HH:mm:ss.SSS zzz",      "MMM dd HH:mm:ss.SSS",      "MMM dd HH:mm:ss zzz",      "MMM dd HH:mm:ss",
  };
  for (std::string_view pattern : kPatterns)
    if (auto t = parse_java_time(text, pattern, now)) return t;
  return std::nullopt;
}

int severity_id_from_scale(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.size() <= 2 && is_digit(text[0]) && (text.size() == 1 || is_digit(text[1]))) {
    int v = text.size() == 1 ? text[0] - '0' : (text[0] - '0') * 10 + (text[1] - '0');
    if (v <= 3) return 2;
    if (v <= 6) return 3;
    if (v <= 8) return 4;
    if (v <= 10) return 5;
    return 0;
  }
  if (ascii_iequals(text, "low")) return 2;
  if (ascii_iequals(text, "medium")) return 3;
  if (ascii_iequals(text, "high")) return 4;
  if (ascii_iequals(text, "very-high") || ascii_iequals(text, "very high") || ascii_iequals(text, "critical")) return 5;
  return 0;
}

void set_protocol_name(Event& event, std::string_view text) {
  text = trim(text);
  if (text.empty()) return;
  static constexpr struct {
    std::string_view number;
    std::string_view name;
  } kNumbers[] = {{"1", "icmp"}, {"2", "igmp"}, {"6", "tcp"}, {"17", "udp"}, {"47", "gre"},
                  {"50", "esp"}, {"51", "ah"},  {"58", "ipv6-icmp"}, {"132", "sctp"}};
  for (const auto& e : kNumbers) {
    if (e.number == text) {
      event.set(field::connection_info_protocol_name, Value::of_string(e.name));
      return;
    }
  }
  auto* out = static_cast<char*>(event.arena().allocate(text.size(), 1));
  for (std::size_t i = 0; i < text.size(); ++i) out[i] = ascii_lower(text[i]);
  event.set(field::connection_info_protocol_name, Value::of_string(std::string_view(out, text.size())));
}

bool set_port(Event& event, FieldId field, std::string_view text) {
  text = trim(text);
  if (text.empty() || text.size() > 5) return false;
  std::int64_t v = 0;
  for (char c : text) {
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  if (v > 65535) return false;
  event.set_int(field, v);
  return true;
}

bool set_file_hash(Event& event, std::string_view text) {
  text = trim(text);
  FieldId id;
  switch (text.size()) {
    case 32: id = field::file_hashes_md5; break;
    case 40: id = field::file_hashes_sha1; break;
    case 64: id = field::file_hashes_sha256; break;
    case 128: id = field::file_hashes_sha512; break;
    default: return false;
  }
  for (char c : text)
    if (!is_digit(c) && !((ascii_lower(c) >= 'a' && ascii_lower(c) <= 'f'))) return false;
  auto* out = static_cast<char*>(event.arena().allocate(text.size(), 1));
  for (std::size_t i = 0; i < text.size(); ++i) out[i] = ascii_lower(text[i]);
  event.set(id, Value::of_string(std::string_view(out, text.size())));
  return true;
}

void set_finding_class(Event& event, int severity_id, std::string_view category, std::string_view title) {
  // CEF and LEEF carry every kind of record (traffic, authentication, alerts), with no field
  // that says "this is an alert". A record is a Detection Finding (2004) when its sender rated it
  // high or critical, or when its category or title names a threat; else it stays a Base Event
  // (0), keeping every mapped field, so nothing a rule needs is lost either way.
  static constexpr std::string_view kThreatWords[] = {"attack",   "malware", "intrusion", "virus",  "exploit",
                                                      "threat",   "trojan",  "ransom",    "botnet", "phish",
                                                      "backdoor", "spyware", "worm",      "c&c",    "command and control"};
  bool detection = severity_id >= 4;
  for (std::string_view text : {category, title}) {
    for (std::size_t i = 0; !detection && i < text.size(); ++i) {
      for (std::string_view w : kThreatWords) {
        if (text.size() - i >= w.size() && ascii_iequals(text.substr(i, w.size()), w)) {
          detection = true;
          break;
        }
      }
    }
  }
  if (detection) {
    event.set_int(field::class_uid, 2004);
    event.set(field::class_name, Value::of_string("Detection Finding"));
    event.set_int(field::category_uid, 2);
    event.set_int(field::activity_id, 1);
    event.set(field::activity_name, Value::of_string("Create"));
    event.set_int(field::type_uid, 200401);
  } else {
    event.set_int(field::class_uid, 0);
    event.set(field::class_name, Value::of_string("Base Event"));
    event.set_int(field::category_uid, 0);
  }
}

void append_field_label(std::string& out, std::string_view label) {
  label = trim(label);
  for (char c : label) out.push_back(is_key_char(c) && c != '[' && c != ']' ? c : '_');
}

}  // namespace khien
