// The simulator's writing tools: seeded randomness, invented addresses, each format's time style, and the JSON,
// CEF and LEEF line builders the renderers write records with.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.h"
#include "core/json_writer.h"
#include "core/time.h"

namespace khien::sim {

// ---------------------------------------------------------------------------------------------------------
// Randomness: our own mapping of the 64-bit stream to ranges, because the std distributions differ between
// standard libraries and a seed must give the same traffic everywhere.

struct Rand {
  std::mt19937_64& g;
  std::uint64_t bits() { return g(); }
  double unit() { return static_cast<double>(g() >> 11) * (1.0 / 9007199254740992.0); }
  std::size_t below(std::size_t n) { return n <= 1 ? 0 : static_cast<std::size_t>(g() % n); }
  std::int64_t range(std::int64_t lo, std::int64_t hi) {  // inclusive
    return lo + static_cast<std::int64_t>(below(static_cast<std::size_t>(hi - lo + 1)));
  }
  bool chance(double p) { return unit() < p; }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }
  template <typename T, std::size_t N>
  const T& pick(const T (&v)[N]) {
    return v[below(N)];
  }
  int ephemeral_port() { return static_cast<int>(range(49152, 65535)); }
  std::string hex(std::size_t digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(digits, '0');
    for (char& c : out) c = kHex[g() & 15];
    return out;
  }
};

std::uint64_t fnv1a(std::string_view s);

// A stable invented hash for a benign file: the same image always shows the same hashes.
std::string stable_hex(std::string_view seed, std::size_t digits);

// ---------------------------------------------------------------------------------------------------------
// Addresses.

IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);

IpAddress random_in(const IpPrefix& p, Rand& r);

struct Site {
  std::string_view domain;
  std::uint8_t a, b, c, d;
  bool gov_or_news;
};

// Popular destinations seen from Vietnamese offices; addresses are plausible for the operator, not looked up.
inline constexpr Site kSites[] = {
    {"www.google.com", 142, 250, 199, 68, false},
    {"www.google.com.vn", 142, 250, 66, 99, false},
    {"www.youtube.com", 142, 250, 204, 46, false},
    {"fonts.googleapis.com", 142, 250, 197, 74, false},
    {"mail.google.com", 142, 251, 12, 17, false},
    {"www.facebook.com", 157, 240, 199, 35, false},
    {"chat.zalo.me", 49, 213, 78, 35, false},
    {"zalo.me", 49, 213, 81, 21, false},
    {"login.microsoftonline.com", 20, 190, 151, 7, false},
    {"outlook.office365.com", 52, 98, 207, 66, false},
    {"www.office.com", 13, 107, 6, 156, false},
    {"ctldl.windowsupdate.com", 93, 184, 221, 240, false},
    {"settings-win.data.microsoft.com", 20, 42, 73, 29, false},
    {"github.com", 20, 205, 243, 166, false},
    {"cdn.jsdelivr.net", 104, 16, 85, 20, false},
    {"shopee.vn", 143, 92, 88, 1, false},
    {"vnexpress.net", 111, 65, 250, 2, true},
    {"dantri.com.vn", 113, 20, 114, 38, true},
    {"tuoitre.vn", 113, 20, 97, 12, true},
    {"thanhnien.vn", 113, 20, 96, 61, true},
    {"vietnamnet.vn", 123, 30, 136, 20, true},
    {"baochinhphu.vn", 123, 30, 185, 11, true},
    {"chinhphu.vn", 123, 30, 185, 10, true},
    {"dichvucong.gov.vn", 123, 30, 183, 6, true},
    {"thuvienphapluat.vn", 103, 57, 221, 9, true},
    {"vbpl.vn", 123, 30, 186, 40, true},
};

inline constexpr std::string_view kNewsPaths[] = {"/",
                                                  "/thoi-su",
                                                  "/kinh-te/tin-tuc-trong-ngay.htm",
                                                  "/van-ban/chinh-sach-moi.htm",
                                                  "/phap-luat",
                                                  "/the-gioi",
                                                  "/tra-cuu-ho-so",
                                                  "/tin-tuc/thong-bao-lich-nghi-le.htm",
                                                  "/rss/tin-moi-nhat.rss",
                                                  "/static/css/main.min.css"};

inline constexpr std::string_view kBrowserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 "
    "Edg/124.0.2478.51",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
    "Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile "
    "Safari/537.36",
};

inline constexpr std::string_view kUsers[] = {"nguyen.van.an", "tran.thi.binh", "le.hoang.nam",    "pham.minh.duc",
                                              "hoang.thu.ha",  "vu.quoc.bao",   "dang.thanh.tung", "bui.thi.lan",
                                              "do.van.hieu",   "ngo.minh.chau", "phan.thi.mai",    "truong.van.long"};

// First octets of plausible internet background (home broadband, hosting, cloud) outside the registry's ranges.
inline constexpr std::uint8_t kInternetFirstOctets[] = {31,  37,  45,  62,  77,  89,  91,  103, 109,
                                                        115, 117, 122, 139, 141, 146, 159, 167, 176,
                                                        178, 185, 193, 194, 195, 212, 213, 217};

IpAddress internet_address(Rand& r);

// Where phishing and malware servers sit when a scenario names none: invented hosting addresses.
IpAddress hosting_address(std::string_view host);

// ---------------------------------------------------------------------------------------------------------
// Time in each format's own style.

std::string iso_with_offset(TimeNs t, int digits);  // Suricata / Wazuh: "...+0000"

std::string windows_time(TimeNs t, int digits);  // NXLog EventTime / Sysmon UtcTime: "YYYY-MM-DD HH:MM:SS[.mmm]"

std::string zeek_time(TimeNs t);

std::string leef_time(TimeNs t);  // "MMM dd yyyy HH:mm:ss" (with devTimeFormat saying so)

std::int64_t epoch_ms(TimeNs t);

// ---------------------------------------------------------------------------------------------------------
// Writers.

// Builds one JSON object on one line; nesting is tracked so close() knows which bracket to write.
class JsonLine {
 public:
  JsonLine() { open_with('{', '}'); }
  JsonLine& str(std::string_view k, std::string_view v) {
    key(k);
    append_json_string(out_, v);
    return *this;
  }
  JsonLine& num(std::string_view k, std::int64_t v) {
    key(k);
    out_ += std::to_string(v);
    return *this;
  }
  JsonLine& real(std::string_view k, double v, int decimals) {
    key(k);
    out_ += fmt::format("{:.{}f}", v, decimals);
    return *this;
  }
  JsonLine& literal(std::string_view k, std::string_view json) {
    key(k);
    out_ += json;
    return *this;
  }
  JsonLine& boolean(std::string_view k, bool v) { return literal(k, v ? "true" : "false"); }
  JsonLine& obj(std::string_view k) {
    key(k);
    open_with('{', '}');
    return *this;
  }
  JsonLine& arr(std::string_view k) {
    key(k);
    open_with('[', ']');
    return *this;
  }
  JsonLine& strs(std::string_view k, std::initializer_list<std::string_view> items) {
    arr(k);
    for (auto i : items) item(i);
    return close();
  }
  JsonLine& strs(std::string_view k, const std::vector<std::string>& items) {
    arr(k);
    for (const auto& i : items) item(i);
    return close();
  }
  JsonLine& item(std::string_view v) {
    comma();
    append_json_string(out_, v);
    return *this;
  }
  JsonLine& item_obj() {
    comma();
    open_with('{', '}');
    return *this;
  }
  JsonLine& close() {
    out_.push_back(closers_.back());
    closers_.pop_back();
    first_.pop_back();
    return *this;
  }
  std::string done() {
    while (!closers_.empty()) close();
    return std::move(out_);
  }

 private:
  void open_with(char open, char closer) {
    out_.push_back(open);
    closers_.push_back(closer);
    first_.push_back(true);
  }
  void comma() {
    if (!first_.back()) out_.push_back(',');
    first_.back() = false;
  }
  void key(std::string_view k) {
    comma();
    append_json_string(out_, k);
    out_.push_back(':');
  }
  std::string out_;
  std::string closers_;
  std::vector<bool> first_;
};

// CEF: '|' and '\' escaped in the header, '=' and '\' in extension values, no line breaks anywhere.
std::string cef_header(std::string_view s);

class CefLine {
 public:
  CefLine(std::string_view vendor, std::string_view product, std::string_view version, std::string_view event_class,
          std::string_view name, int severity) {
    out_ = fmt::format("CEF:0|{}|{}|{}|{}|{}|{}|", cef_header(vendor), cef_header(product), cef_header(version),
                       cef_header(event_class), cef_header(name), severity);
  }
  CefLine& kv(std::string_view k, std::string_view v) {
    if (v.empty()) return *this;
    if (!first_) out_.push_back(' ');
    first_ = false;
    out_ += k;
    out_.push_back('=');
    for (char c : v) {
      if (c == '=' || c == '\\') out_.push_back('\\');
      if (c == '\n' || c == '\r') {
        out_ += "\\n";
        continue;
      }
      out_.push_back(c);
    }
    return *this;
  }
  CefLine& kv(std::string_view k, std::int64_t v) { return kv(k, std::to_string(v)); }
  std::string done() { return std::move(out_); }

 private:
  std::string out_;
  bool first_ = true;
};

// LEEF 1.0 with tab-separated attributes (values never hold a tab: they are cleaned here).
class LeefLine {
 public:
  LeefLine(std::string_view vendor, std::string_view product, std::string_view version, std::string_view event_id) {
    out_ = fmt::format("LEEF:1.0|{}|{}|{}|{}|", clean(vendor, '|'), clean(product, '|'), clean(version, '|'),
                       clean(event_id, '|'));
  }
  LeefLine& kv(std::string_view k, std::string_view v) {
    if (v.empty()) return *this;
    if (!first_) out_.push_back('\t');
    first_ = false;
    out_ += k;
    out_.push_back('=');
    out_ += clean(v, '\t');
    return *this;
  }
  LeefLine& kv(std::string_view k, std::int64_t v) { return kv(k, std::to_string(v)); }
  std::string done() { return std::move(out_); }

 private:
  static std::string clean(std::string_view v, char banned) {
    std::string out(v);
    for (char& c : out)
      if (c == banned || c == '\t' || c == '\n' || c == '\r') c = ' ';
    return out;
  }
  std::string out_;
  bool first_ = true;
};

// ---------------------------------------------------------------------------------------------------------
// What happened, before it is written in a format.

enum class Format { ocsf, ecs, eve, zeek, wazuh, winlog, cef, leef };
inline constexpr std::string_view kFormatNames[] = {"ocsf", "ecs", "eve", "zeek", "wazuh", "winlog", "cef", "leef"};

std::optional<Format> format_of(std::string_view name);

}  // namespace khien::sim
