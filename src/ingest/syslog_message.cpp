// Syslog header parsing: one forward pass over the line, views into it, no allocation except for
// structured-data lists and escaped SD values.
#include "ingest/syslog_message.h"

#include <string>

#include "fmt/format.h"

namespace khien {

const SyslogSdParam* SyslogMessage::find_param(std::string_view sd_id, std::string_view name) const {
  for (const auto& e : structured_data) {
    if (e.id != sd_id) continue;
    for (const auto& p : e.params)
      if (p.name == name) return &p;
  }
  return nullptr;
}

namespace {

constexpr TimeNs kSecond = 1000000000LL;
constexpr TimeNs kDay = 86400 * kSecond;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_print_ascii(char c) { return c >= 33 && c <= 126; }  // RFC 5424 PRINTUSASCII

// Month number 1..12 of a three-letter English abbreviation ("Jan"), 0 if none. Case-insensitive
// because some devices send "JAN".
int month_from_abbrev(std::string_view s) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  if (s.size() < 3) return 0;
  char low[3];
  for (int i = 0; i < 3; ++i) low[i] = static_cast<char>(s[static_cast<std::size_t>(i)] | 0x20);
  for (int m = 0; m < 12; ++m)
    if (std::string_view(low, 3) == kMonths[m]) return m + 1;
  return 0;
}

// Reads exactly `n` digits at s[pos].
bool read_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!is_digit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

class Parser {
 public:
  // `out` is null for the payload-only pass, which validates the same grammar but keeps nothing.
  Parser(std::string_view line, TimeNs received, SyslogMessage* out, std::int64_t local_offset_seconds = 0)
      : s_(line), received_(received), local_offset_(local_offset_seconds * kSecond), out_(out) {}

  // Returns false with error_ set; on success msg_start_ is where MSG begins.
  bool parse() {
    std::size_t pos = 0;
    if (!parse_pri(pos)) return false;
    // RFC 5424 starts with VERSION: a non-zero digit then SP. A digit run followed by ':' is a
    // Cisco sequence number, one followed by '-' an ISO date: both RFC 3164 style.
    if (has_pri_ && pos < s_.size() && s_[pos] >= '1' && s_[pos] <= '9') {
      std::size_t end = pos;
      while (end < s_.size() && is_digit(s_[end]) && end - pos < 4) ++end;
      std::size_t run = end - pos;
      if (run <= 3 && (end == s_.size() || s_[end] == ' ')) {
        if (s_.substr(pos, run) == "1") return parse_5424(pos + 1);
        // A version we do not know: only call it RFC 5424 when a 5424 TIMESTAMP follows.
        std::size_t t = end + 1;
        if (end == s_.size() || (t < s_.size() && (s_[t] == '-' || (t + 4 < s_.size() && s_[t + 4] == '-')))) {
          return error_at("RFC 5424", pos, fmt::format("unsupported VERSION {} (only 1 is defined)", s_.substr(pos, run)));
        }
      } else if (s_.substr(pos, run) == "1" && end < s_.size() && s_[end] != ':' && s_[end] != '.' &&
                 !is_digit(s_[end])) {
        return error_at("RFC 5424", end, "expected SP after VERSION");
      }
    }
    return parse_3164(pos);
  }

  const std::string& error() const { return error_; }
  std::size_t msg_start() const { return msg_start_; }

 private:
  bool error_at(std::string_view layout, std::size_t pos, std::string_view reason) {
    error_ = fmt::format("{}: byte {}: {}", layout, pos, reason);
    return false;
  }

  bool parse_pri(std::size_t& pos) {
    if (s_.empty() || s_[0] != '<') return true;  // RFC 3164 §4.3.3: treat as user.notice
    std::size_t i = 1;
    int value = 0;
    while (i < s_.size() && is_digit(s_[i]) && i <= 3) value = value * 10 + (s_[i++] - '0');
    if (i == 1) return error_at("syslog", 1, "expected PRI digits after '<'");
    if (i >= s_.size() || s_[i] != '>') {
      if (i < s_.size() && is_digit(s_[i])) return error_at("syslog", i, "PRI has more than 3 digits");
      return error_at("syslog", i, "PRI not closed by '>'");
    }
    if (value > 191) return error_at("syslog", 1, fmt::format("PRI {} out of range 0..191", value));
    has_pri_ = true;
    if (out_) {
      out_->has_pri = true;
      out_->facility = value / 8;
      out_->severity = value % 8;
    }
    pos = i + 1;
    return true;
  }

  // One RFC 5424 header field: PRINTUSASCII up to SP; "-" is NILVALUE (empty view).
  bool header_field(std::size_t& pos, std::string_view name, std::string_view& value) {
    if (pos >= s_.size() || s_[pos] == ' ')
      return error_at("RFC 5424", pos, fmt::format("expected {}", name));
    std::size_t end = pos;
    while (end < s_.size() && s_[end] != ' ') {
      if (!is_print_ascii(s_[end]))
        return error_at("RFC 5424", end, fmt::format("{} contains a byte outside printable US-ASCII", name));
      ++end;
    }
    if (end == s_.size()) return error_at("RFC 5424", end, fmt::format("expected SP after {}", name));
    std::string_view token = s_.substr(pos, end - pos);
    value = token == "-" ? std::string_view() : token;
    pos = end + 1;
    return true;
  }

  bool parse_5424(std::size_t pos) {
    if (out_) out_->format = SyslogFormat::Rfc5424;
    if (pos >= s_.size() || s_[pos] != ' ') return error_at("RFC 5424", pos, "expected SP after VERSION");
    ++pos;
    std::string_view ts, host, app, procid, msgid;
    std::size_t ts_pos = pos;
    if (!header_field(pos, "TIMESTAMP", ts)) return false;
    std::optional<TimeNs> time;
    if (!ts.empty()) {
      time = parse_iso8601(ts);
      if (!time) return error_at("RFC 5424", ts_pos, fmt::format("TIMESTAMP '{}' is not an RFC 3339 time", ts));
    }
    if (!header_field(pos, "HOSTNAME", host) || !header_field(pos, "APP-NAME", app) ||
        !header_field(pos, "PROCID", procid) || !header_field(pos, "MSGID", msgid))
      return false;
    if (out_) {
      out_->timestamp = time;
      out_->hostname = host;
      out_->app_name = app;
      out_->procid = procid;
      out_->msgid = msgid;
    }
    if (pos >= s_.size()) return error_at("RFC 5424", pos, "expected STRUCTURED-DATA ('-' or '[')");
    if (s_[pos] == '-') {
      ++pos;
    } else if (s_[pos] == '[') {
      while (pos < s_.size() && s_[pos] == '[')
        if (!parse_sd_element(pos)) return false;
    } else {
      return error_at("RFC 5424", pos, "expected STRUCTURED-DATA ('-' or '[')");
    }
    if (pos < s_.size()) {
      if (s_[pos] != ' ') return error_at("RFC 5424", pos, "expected SP before MSG");
      ++pos;
      if (s_.substr(pos, 3) == "\xEF\xBB\xBF") pos += 3;
    }
    msg_start_ = pos;
    return true;
  }

  // SD-NAME: 1*32 PRINTUSASCII except '=', SP, ']' and '"'. Longer names are accepted: the limit
  // protects nothing here and some senders exceed it.
  std::size_t sd_name_end(std::size_t pos) const {
    while (pos < s_.size()) {
      char c = s_[pos];
      if (!is_print_ascii(c) || c == '=' || c == ']' || c == '"') break;
      ++pos;
    }
    return pos;
  }

  bool parse_sd_element(std::size_t& pos) {
    std::size_t open = pos++;
    std::size_t end = sd_name_end(pos);
    if (end == pos) return error_at("RFC 5424", pos, "expected SD-ID after '['");
    SyslogSdElement* element = nullptr;
    if (out_) {
      out_->structured_data.push_back(SyslogSdElement{s_.substr(pos, end - pos), {}});
      element = &out_->structured_data.back();
    }
    pos = end;
    while (true) {
      if (pos >= s_.size())
        return error_at("RFC 5424", pos, fmt::format("structured-data element opened at byte {} is not closed by ']'", open));
      if (s_[pos] == ']') {
        ++pos;
        return true;
      }
      if (s_[pos] != ' ') return error_at("RFC 5424", pos, "expected SP or ']' after SD-ID or SD-PARAM");
      ++pos;
      std::size_t name_end = sd_name_end(pos);
      if (name_end == pos) return error_at("RFC 5424", pos, "expected PARAM-NAME");
      std::string_view name = s_.substr(pos, name_end - pos);
      pos = name_end;
      if (pos >= s_.size() || s_[pos] != '=') return error_at("RFC 5424", pos, "expected '=' after PARAM-NAME");
      if (++pos >= s_.size() || s_[pos] != '"') return error_at("RFC 5424", pos, "expected '\"' to open PARAM-VALUE");
      std::size_t value_start = ++pos;
      bool escaped = false;
      while (pos < s_.size() && s_[pos] != '"') {
        if (s_[pos] == '\\' && pos + 1 < s_.size()) {
          escaped = true;
          ++pos;
        }
        ++pos;
      }
      if (pos >= s_.size())
        return error_at("RFC 5424", value_start - 1, fmt::format("PARAM-VALUE of '{}' is not closed by '\"'", name));
      std::string_view raw = s_.substr(value_start, pos - value_start);
      ++pos;
      if (element) element->params.push_back(SyslogSdParam{name, escaped ? unescape(raw) : raw});
    }
  }

  // RFC 5424 §6.3.3: only \" \\ and \] are escapes; a backslash before anything else is kept.
  std::string_view unescape(std::string_view raw) {
    if (!out_->unescaped) out_->unescaped = std::make_unique<char[]>(s_.size());
    char* begin = out_->unescaped.get() + unescaped_used_;
    char* w = begin;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (c == '\\' && i + 1 < raw.size() && (raw[i + 1] == '"' || raw[i + 1] == '\\' || raw[i + 1] == ']')) c = raw[++i];
      *w++ = c;
    }
    unescaped_used_ += static_cast<std::size_t>(w - begin);
    return std::string_view(begin, static_cast<std::size_t>(w - begin));
  }

  // "Mmm dd hh:mm:ss" (day space-padded or not), optionally with a year before the time and a
  // fraction after the seconds. On success sets `end` past it and `time`.
  bool bsd_timestamp(std::size_t pos, std::size_t& end, TimeNs& time) const {
    int month = month_from_abbrev(s_.substr(pos, 3));
    if (month == 0 || pos + 3 >= s_.size() || s_[pos + 3] != ' ') return false;
    std::size_t p = pos + 4;
    if (p < s_.size() && s_[p] == ' ') ++p;
    int day = 0;
    if (read_digits(s_, p, 2, day)) p += 2;
    else if (read_digits(s_, p, 1, day)) p += 1;
    else return false;
    if (p >= s_.size() || s_[p] != ' ') return false;
    ++p;
    int year = -1;
    if (read_digits(s_, p, 4, year) && p + 4 < s_.size() && s_[p + 4] == ' ') p += 5;
    else year = -1;
    int hh, mm, ss;
    if (!read_digits(s_, p, 2, hh) || p + 2 >= s_.size() || s_[p + 2] != ':' || !read_digits(s_, p + 3, 2, mm) ||
        p + 5 >= s_.size() || s_[p + 5] != ':' || !read_digits(s_, p + 6, 2, ss))
      return false;
    p += 8;
    if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return false;
    TimeNs frac = 0;
    if (p + 1 < s_.size() && s_[p] == '.' && is_digit(s_[p + 1])) {
      ++p;
      TimeNs scale = 100000000;
      while (p < s_.size() && is_digit(s_[p])) {
        frac += (s_[p] - '0') * scale;
        scale /= 10;
        ++p;
      }
    }
    auto make = [&](std::int64_t y) {
      // The sender's clock reads local time; the configured offset turns it into UTC.
      return (days_from_civil(y, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 + hh * 3600 +
              mm * 60 + ss) * kSecond + frac - local_offset_;
    };
    if (year >= 0) {
      time = make(year);
    } else {
      std::int64_t ry;
      unsigned rm, rd;
      TimeNs secs = received_ >= 0 ? received_ / kSecond : (received_ - kSecond + 1) / kSecond;
      civil_from_days(secs >= 0 ? secs / 86400 : (secs - 86399) / 86400, ry, rm, rd);
      time = make(ry);
      if (time > received_ + kDay) time = make(ry - 1);
    }
    end = p;
    return true;
  }

  bool parse_3164(std::size_t pos) {
    if (out_) out_->format = SyslogFormat::Rfc3164;
    bool cisco = false;
    // Cisco IOS: "<189>52: *Mar  1 18:46:11.123: %SYS-5-CONFIG_I: ..." (a sequence number first).
    {
      std::size_t p = pos;
      while (p < s_.size() && is_digit(s_[p]) && p - pos < 12) ++p;
      if (p > pos && p + 1 < s_.size() && s_[p] == ':' && s_[p + 1] == ' ') {
        cisco = true;
        pos = p + 2;
        while (pos < s_.size() && s_[pos] == ' ') ++pos;
      }
    }
    std::string_view cisco_host;
    std::optional<TimeNs> time;
    for (int attempt = 0; attempt < 2; ++attempt) {
      std::size_t p = pos;
      if (cisco && p < s_.size() && (s_[p] == '*' || s_[p] == '.')) ++p;  // clock not synchronised markers
      TimeNs t = 0;
      std::size_t end = 0;
      if (bsd_timestamp(p, end, t)) {
        time = t;
        pos = end;
        if (cisco) {
          // Optional zone name ("UTC") then the ':' that ends a Cisco timestamp.
          std::size_t q = pos;
          if (q < s_.size() && s_[q] == ' ') {
            std::size_t z = q + 1;
            while (z < s_.size() && ((s_[z] >= 'A' && s_[z] <= 'Z') || (s_[z] >= 'a' && s_[z] <= 'z')) && z - q <= 6) ++z;
            if (z > q + 1 && z < s_.size() && s_[z] == ':') pos = z;
          }
          if (pos < s_.size() && s_[pos] == ':') ++pos;
        }
        break;
      }
      if (p + 4 < s_.size() && is_digit(s_[p]) && s_[p + 4] == '-') {
        std::size_t e = s_.find(' ', p);
        if (e == std::string_view::npos) e = s_.size();
        std::string_view token = s_.substr(p, e - p);
        if (cisco && !token.empty() && token.back() == ':') token.remove_suffix(1);
        time = parse_iso8601(token);
        if (!time) return error_at("RFC 3164", p, fmt::format("timestamp '{}' is not an RFC 3339 time", token));
        pos = e;
        break;
      }
      // Cisco with "logging origin-id": "<189>52: router1: *Mar  1 ...".
      if (cisco && attempt == 0) {
        std::size_t e = s_.find(' ', pos);
        if (e != std::string_view::npos && e > pos + 1 && s_[e - 1] == ':') {
          cisco_host = s_.substr(pos, e - 1 - pos);
          pos = e + 1;
          continue;
        }
      }
      break;
    }
    if (!time && !cisco_host.empty()) {
      // That was not a host before a timestamp after all: rewind so it is read as the tag.
      pos = static_cast<std::size_t>(cisco_host.data() - s_.data());
      cisco_host = {};
    }
    while (pos < s_.size() && s_[pos] == ' ') ++pos;
    std::string_view host = cisco_host;
    if (time && !cisco) {
      // A host name is a token without '[' that does not end with ':' (which would make it the
      // TAG of a sender that omits the host) and that is followed by more text.
      std::size_t e = s_.find(' ', pos);
      if (e != std::string_view::npos && e > pos) {
        std::string_view token = s_.substr(pos, e - pos);
        if (token.back() != ':' && token.find('[') == std::string_view::npos) {
          host = token;
          pos = e + 1;
          while (pos < s_.size() && s_[pos] == ' ') ++pos;
        }
      }
    }
    // TAG[pid]: or TAG: followed by SP or the end; anything else leaves the whole rest as MSG.
    std::string_view tag, pid;
    {
      std::size_t p = pos;
      while (p < s_.size() && s_[p] != '[' && s_[p] != ':' && s_[p] != ' ' && p - pos < 128) ++p;
      std::size_t tag_end = p;
      std::string_view maybe_pid;
      if (p < s_.size() && s_[p] == '[') {
        std::size_t close = s_.find(']', p);
        if (close != std::string_view::npos && close - p <= 64) {
          maybe_pid = s_.substr(p + 1, close - p - 1);
          p = close + 1;
        }
      }
      if (tag_end > pos && p < s_.size() && s_[p] == ':' && (p + 1 == s_.size() || s_[p + 1] == ' ')) {
        tag = s_.substr(pos, tag_end - pos);
        pid = maybe_pid;
        pos = p + 1;
        if (pos < s_.size()) ++pos;
      }
    }
    if (out_) {
      out_->timestamp = time;
      out_->hostname = host;
      out_->app_name = tag;
      out_->procid = pid;
    }
    msg_start_ = pos;
    return true;
  }

  std::string_view s_;
  TimeNs received_;
  TimeNs local_offset_;  // of RFC 3164 timestamps (which carry no zone), in nanoseconds
  SyslogMessage* out_;
  bool has_pri_ = false;
  std::size_t msg_start_ = 0;
  std::size_t unescaped_used_ = 0;
  std::string error_;
};

std::string_view trim_trailer(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == '\0')) line.remove_suffix(1);
  return line;
}

}  // namespace

Result<SyslogMessage> parse_syslog(std::string_view line, TimeNs received, std::int64_t local_offset_seconds) {
  line = trim_trailer(line);
  SyslogMessage message;
  Parser parser(line, received, &message, local_offset_seconds);
  if (!parser.parse()) return fail(parser.error());
  message.msg = line.substr(parser.msg_start());
  return message;
}

std::string_view syslog_payload(std::string_view line) {
  line = trim_trailer(line);
  Parser parser(line, 0, nullptr);
  if (!parser.parse()) return line;
  return line.substr(parser.msg_start());
}

}  // namespace khien
