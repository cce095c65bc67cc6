// Time parsing and formatting without locale or time-zone database access (hot path safe).
#include "core/time.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace khien {

TimeNs now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool in_time_range(std::int64_t seconds) { return seconds >= kMinTimeSeconds && seconds < kEndTimeSeconds; }

bool leap_year(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

std::optional<TimeNs> parse_iso8601(std::string_view s) {
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-' ||
      !digits(s, 8, 2, day))
    return std::nullopt;
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kMonthDays[month - 1] + (month == 2 && leap_year(year)))
    return std::nullopt;
  std::size_t pos = 10;
  std::int64_t frac_ns = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    ++pos;
    if (!digits(s, pos, 2, hour) || pos + 2 >= s.size() || s[pos + 2] != ':' || !digits(s, pos + 3, 2, minute))
      return std::nullopt;
    pos += 5;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, second)) return std::nullopt;
      pos += 3;
    }
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      std::int64_t scale = 100000000;
      std::size_t start = pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (scale > 0) {
          frac_ns += (s[pos] - '0') * scale;
          scale /= 10;
        }
        ++pos;
      }
      if (pos == start) return std::nullopt;
    }
  }
  std::int64_t offset_s = 0;
  if (pos < s.size()) {
    char c = s[pos];
    if (c == 'Z' || c == 'z') {
      ++pos;
    } else if (c == '+' || c == '-') {
      int oh, om = 0;
      if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
      std::size_t p = pos + 3;
      if (p < s.size() && s[p] == ':') ++p;
      if (p < s.size()) {
        if (!digits(s, p, 2, om)) return std::nullopt;
        p += 2;
      }
      offset_s = (oh * 3600 + om * 60) * (c == '+' ? 1 : -1);
      pos = p;
    } else {
      return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  if (!in_time_range(secs)) return std::nullopt;
  return secs * 1000000000LL + frac_ns;
}

std::optional<std::int64_t> parse_utc_offset(std::string_view s) {
  if (s == "Z" || s == "z") return 0;
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return std::nullopt;
  int h = 0, m = 0;
  if (!digits(s, 1, 2, h) || !digits(s, 4, 2, m) || m > 59 || h * 60 + m > 14 * 60) return std::nullopt;
  const std::int64_t seconds = h * 3600 + m * 60;
  return s[0] == '-' ? -seconds : seconds;
}

std::string format_utc_offset(std::int64_t seconds) {
  const std::int64_t a = seconds < 0 ? -seconds : seconds;
  char out[7] = {seconds < 0 ? '-' : '+', static_cast<char>('0' + a / 36000), static_cast<char>('0' + a / 3600 % 10), ':',
                 static_cast<char>('0' + a % 3600 / 600), static_cast<char>('0' + a % 600 / 60), 0};
  return out;
}

std::optional<TimeNs> parse_epoch_seconds(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool neg = s[0] == '-';
  std::size_t pos = neg ? 1 : 0;
  std::int64_t secs = 0;
  std::size_t start = pos;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    if (pos - start > 12) return std::nullopt;
    secs = secs * 10 + (s[pos] - '0');
    ++pos;
  }
  if (pos == start) return std::nullopt;
  std::int64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::int64_t scale = 100000000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
  }
  if (pos != s.size()) return std::nullopt;
  // At most 13 digits were read, so `secs` itself cannot have wrapped.
  if (!in_time_range(neg ? -secs : secs)) return std::nullopt;
  std::int64_t ns = secs * 1000000000LL + frac;
  return neg ? -ns : ns;
}

std::optional<TimeNs> parse_time_any(std::string_view s) {
  if (s.size() >= 10 && s[4] == '-') return parse_iso8601(s);
  bool all_digits = !s.empty();
  for (char c : s) all_digits = all_digits && c >= '0' && c <= '9';
  if (all_digits && s.size() == 13) {
    std::int64_t ms = 0;
    std::from_chars(s.data(), s.data() + s.size(), ms);
    if (!in_time_range(ms / 1000)) return std::nullopt;
    return ms * 1000000LL;
  }
  if (all_digits && s.size() == 16) {
    std::int64_t us = 0;
    std::from_chars(s.data(), s.data() + s.size(), us);
    if (!in_time_range(us / 1000000)) return std::nullopt;
    return us * 1000LL;
  }
  return parse_epoch_seconds(s);
}

namespace {

// The "YYYY-MM-DDTHH:MM:SS" of recent seconds, per thread. Every archived event writes two
// timestamps (its time and khien.received), and a stream's times fall into few seconds, so the
// calendar arithmetic runs once per second of time rather than per value. Slots are picked by the
// second's low bits, so an event's time and its reception time rarely evict each other.
struct SecondText {
  std::int64_t second = INT64_MIN;
  char text[19];
};
thread_local std::array<SecondText, 4> recent_seconds;

// Years outside 0..9999 and unusual precisions, through snprintf; `secs` and `ns` split the time.
std::size_t format_rfc3339_wide(std::int64_t secs, std::int64_t ns, char* out, int frac_digits) {
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  std::int64_t sod = secs - days * 86400;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  int n = std::snprintf(out, 40, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(y), m, d,
                        static_cast<long long>(sod / 3600), static_cast<long long>(sod / 60 % 60),
                        static_cast<long long>(sod % 60));
  if (frac_digits > 0) {
    std::int64_t div = 1;
    for (int i = frac_digits; i < 9; ++i) div *= 10;
    n += std::snprintf(out + n, 16, ".%0*lld", frac_digits, static_cast<long long>(ns / div));
  }
  out[n++] = 'Z';
  out[n] = '\0';
  return static_cast<std::size_t>(n);
}

}  // namespace

std::size_t format_rfc3339(TimeNs t, char* out, int frac_digits) {
  std::int64_t secs = t >= 0 ? t / 1000000000LL : (t - 999999999LL) / 1000000000LL;
  std::int64_t ns = t - secs * 1000000000LL;
  if (frac_digits >= 0 && frac_digits <= 9) {
    SecondText& cached = recent_seconds[static_cast<std::uint64_t>(secs) & 3];
    if (cached.second != secs) {
      std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
      std::int64_t y;
      unsigned m, d;
      civil_from_days(days, y, m, d);
      if (y < 0 || y > 9999) return format_rfc3339_wide(secs, ns, out, frac_digits);
      // By hand: this runs for every archived event, where snprintf showed up.
      const std::int64_t sod = secs - days * 86400;
      auto put2 = [](char* p, unsigned v) { p[0] = static_cast<char>('0' + v / 10); p[1] = static_cast<char>('0' + v % 10); };
      const auto year = static_cast<unsigned>(y);
      char* text = cached.text;
      put2(text, year / 100);
      put2(text + 2, year % 100);
      text[4] = '-';
      put2(text + 5, m);
      text[7] = '-';
      put2(text + 8, d);
      text[10] = 'T';
      put2(text + 11, static_cast<unsigned>(sod / 3600));
      text[13] = ':';
      put2(text + 14, static_cast<unsigned>(sod / 60 % 60));
      text[16] = ':';
      put2(text + 17, static_cast<unsigned>(sod % 60));
      cached.second = secs;
    }
    std::memcpy(out, cached.text, 19);
    std::size_t n = 19;
    if (frac_digits > 0) {
      out[n++] = '.';
      auto frac = static_cast<std::uint64_t>(ns);
      for (int i = frac_digits; i < 9; ++i) frac /= 10;
      for (int i = frac_digits - 1; i >= 0; --i) {
        out[n + static_cast<std::size_t>(i)] = static_cast<char>('0' + frac % 10);
        frac /= 10;
      }
      n += static_cast<std::size_t>(frac_digits);
    }
    out[n++] = 'Z';
    out[n] = '\0';
    return n;
  }
  return format_rfc3339_wide(secs, ns, out, frac_digits);
}

std::string format_rfc3339(TimeNs t, int frac_digits) {
  char buf[48];
  return std::string(buf, format_rfc3339(t, buf, frac_digits));
}

std::string hour_bucket(TimeNs t) {
  char buf[48];
  format_rfc3339(t, buf, 0);
  // "YYYY-MM-DDTHH..." → "YYYYMMDDHH"
  return std::string{buf[0], buf[1], buf[2], buf[3], buf[5], buf[6], buf[8], buf[9], buf[11], buf[12]};
}

}  // namespace khien
