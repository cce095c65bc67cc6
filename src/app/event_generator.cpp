// Synthetic member-SOC traffic: what happened (a DNS query, a logon, an IDS alert) drawn at random or from a
// scenario, then written in the SOC's own format (OCSF, ECS, EVE, Zeek, Wazuh, Windows, CEF, LEEF).
#include "app/event_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

#include "core/json_writer.h"

namespace khien {

namespace {

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

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// A stable invented hash for a benign file: the same image always shows the same hashes.
std::string stable_hex(std::string_view seed, std::size_t digits) {
  std::mt19937_64 g(fnv1a(seed));
  Rand r{g};
  return r.hex(digits);
}

// ---------------------------------------------------------------------------------------------------------
// Addresses.

IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return IpAddress::from_v4((std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d);
}

IpAddress random_in(const IpPrefix& p, Rand& r) {
  IpAddress a = p.address;
  if (a.v4) {
    const int host_bits = 32 - std::clamp(p.bits, 0, 32);
    const std::uint32_t mask = host_bits >= 32 ? 0xffffffffu : ((1u << host_bits) - 1);
    std::uint32_t host = static_cast<std::uint32_t>(r.bits()) & mask;
    if (host_bits >= 2) {
      // Not the network or broadcast address, and not .0/.255 in any case.
      if (host == 0) host = 1;
      if (host == mask) host = mask - 1;
      std::uint32_t addr = (a.v4_host_order() & ~mask) | host;
      if ((addr & 0xff) == 0 && (mask & 0xff) == 0xff) addr |= 1;
      if ((addr & 0xff) == 0xff && (mask & 0xff) == 0xff) addr &= ~1u;
      return IpAddress::from_v4(addr);
    }
    return IpAddress::from_v4((a.v4_host_order() & ~mask) | host);
  }
  const int bits = std::clamp(p.bits, 0, 128);
  for (int i = bits; i < 128; ++i) {
    const int byte = i / 8, bit = 7 - i % 8;
    a.bytes[byte] = static_cast<std::uint8_t>((a.bytes[byte] & ~(1 << bit)) | ((r.bits() & 1) << bit));
  }
  if (bits < 120) a.bytes[15] |= 1;
  return a;
}

struct Site {
  std::string_view domain;
  std::uint8_t a, b, c, d;
  bool gov_or_news;
};

// Popular destinations seen from Vietnamese offices; addresses are plausible for the operator, not looked up.
constexpr Site kSites[] = {
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

constexpr std::string_view kNewsPaths[] = {"/",
                                           "/thoi-su",
                                           "/kinh-te/tin-tuc-trong-ngay.htm",
                                           "/van-ban/chinh-sach-moi.htm",
                                           "/phap-luat",
                                           "/the-gioi",
                                           "/tra-cuu-ho-so",
                                           "/tin-tuc/thong-bao-lich-nghi-le.htm",
                                           "/rss/tin-moi-nhat.rss",
                                           "/static/css/main.min.css"};

constexpr std::string_view kBrowserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 "
    "Edg/124.0.2478.51",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
    "Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile "
    "Safari/537.36",
};

constexpr std::string_view kUsers[] = {"nguyen.van.an", "tran.thi.binh", "le.hoang.nam",    "pham.minh.duc",
                                       "hoang.thu.ha",  "vu.quoc.bao",   "dang.thanh.tung", "bui.thi.lan",
                                       "do.van.hieu",   "ngo.minh.chau", "phan.thi.mai",    "truong.van.long"};

// First octets of plausible internet background (home broadband, hosting, cloud) outside the registry's ranges.
constexpr std::uint8_t kInternetFirstOctets[] = {31,  37,  45,  62,  77,  89,  91,  103, 109, 115, 117, 122, 139,
                                                 141, 146, 159, 167, 176, 178, 185, 193, 194, 195, 212, 213, 217};

IpAddress internet_address(Rand& r) {
  return v4(r.pick(kInternetFirstOctets), static_cast<std::uint8_t>(r.range(1, 254)),
            static_cast<std::uint8_t>(r.range(0, 255)), static_cast<std::uint8_t>(r.range(1, 254)));
}

// Where phishing and malware servers sit when a scenario names none: invented hosting addresses.
IpAddress hosting_address(std::string_view host) {
  std::uint64_t h = fnv1a(host);
  constexpr std::uint8_t kFirst[] = {45, 91, 103, 185, 193};
  return v4(kFirst[h % 5], static_cast<std::uint8_t>(1 + (h >> 8) % 250), static_cast<std::uint8_t>((h >> 16) % 256),
            static_cast<std::uint8_t>(2 + (h >> 24) % 250));
}

// ---------------------------------------------------------------------------------------------------------
// Time in each format's own style.

std::string iso_with_offset(TimeNs t, int digits) {  // Suricata / Wazuh: "...+0000"
  std::string s = format_rfc3339(t, digits);
  s.pop_back();
  return s + "+0000";
}

std::string windows_time(TimeNs t, int digits) {  // NXLog EventTime / Sysmon UtcTime: "YYYY-MM-DD HH:MM:SS[.mmm]"
  std::string s = format_rfc3339(t, digits);
  s.pop_back();
  s[10] = ' ';
  return s;
}

std::string zeek_time(TimeNs t) {
  const std::int64_t us = t / 1000;
  return fmt::format("{}.{:06}", us / 1000000, us % 1000000);
}

std::string leef_time(TimeNs t) {  // "MMM dd yyyy HH:mm:ss" (with devTimeFormat saying so)
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string s = format_rfc3339(t, 0);  // YYYY-MM-DDTHH:MM:SSZ
  const int month = (s[5] - '0') * 10 + (s[6] - '0');
  return fmt::format("{} {} {} {}", kMonths[std::clamp(month, 1, 12) - 1], s.substr(8, 2), s.substr(0, 4),
                     s.substr(11, 8));
}

std::int64_t epoch_ms(TimeNs t) {
  return t / 1000000;
}

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
std::string cef_header(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '\\') out.push_back('\\');
    out.push_back(c == '\n' || c == '\r' ? ' ' : c);
  }
  return out;
}

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
constexpr std::string_view kFormatNames[] = {"ocsf", "ecs", "eve", "zeek", "wazuh", "winlog", "cef", "leef"};

std::optional<Format> format_of(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kFormatNames); ++i)
    if (kFormatNames[i] == name) return static_cast<Format>(i);
  return std::nullopt;
}

enum class Kind { Dns, Http, Tls, Conn, Proc, Logon, File, Alert, HostCheck };

struct Dns {
  IpAddress client, server;
  int sport = 0;
  std::string qname, qtype = "A", rcode = "NOERROR", host, image, user;
  std::vector<std::string> answers;
};

struct Http {
  IpAddress client, server;
  int sport = 0, dport = 80;
  std::string host, method = "GET", target = "/", agent, referrer, content_type = "text/html";
  int status = 200;
  std::int64_t request_bytes = 0, response_bytes = 0;
  bool blocked = false;
  bool inbound = false;  // toward one of the organisation's servers (an attack) rather than out to the web
  std::string cve;       // set when the request is a known exploit
};

struct Tls {
  IpAddress client, server;
  int sport = 0, dport = 443;
  std::string sni, version = "TLS 1.3", subject, issuer;
};

struct Conn {
  IpAddress src, dst;
  int sport = 0, dport = 0;
  std::string proto = "tcp", app;
  std::int64_t bytes_out = 0, bytes_in = 0, packets_out = 0, packets_in = 0;
  double duration_s = 0;
  bool allowed = true;
  bool inbound = false;
  std::string host, image, user;  // the Windows process behind an outbound connection, and its user
};

struct Proc {
  std::string host, user, image, cmd, parent_image, parent_cmd;
  IpAddress host_ip;
  std::int64_t pid = 0, ppid = 0;
  std::string sha256, md5, sha1;
  bool suspicious = false;
};

struct Logon {
  std::string host, user, domain, process = "C:\\Windows\\System32\\lsass.exe";
  IpAddress src, host_ip;
  bool success = true, ssh = false;
  int logon_type = 2;
  int sport = 0;
};

struct FileSeen {
  IpAddress server, client;
  int sport = 80, dport = 0;
  std::string name, path, sha256, md5, mime = "application/x-dosexec", http_host, url_target, host, user;
  std::int64_t size = 0;
  IpAddress host_ip;
  bool malicious = false;
};

struct Alert {
  IpAddress src, dst;
  int sport = 0, dport = 0;
  std::string proto = "tcp", app, signature, category, cve, http_host, url_target, agent, method = "GET";
  std::int64_t sid = 0;
  int severity = 3;  // Suricata scale: 1 high .. 3 low
  bool blocked = false;
  bool scan = false;
};

struct HostCheck {
  std::string host, rule_id, description, full_log, location, path;
  std::vector<std::string> groups;
  int level = 3;
  IpAddress host_ip;
  bool syscheck = false;
};

struct Ids {  // per-record identifiers drawn once so every format can use them
  std::uint64_t flow_id = 0;
  std::string zeek_uid, zeek_fuid;
  std::uint64_t record = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------------

struct EventGenerator::SocProfile {
  std::string code;      // upper-case initials of the organisation id: host names and the Windows domain
  std::string domain;    // DNS domain of the organisation
  std::uint8_t net = 0;  // 10.<net>.x.y is the organisation's office network
  std::vector<IpPrefix> public_v4, public_any;
  std::uint64_t records = 0;
  std::string sensor;
};

struct EventGenerator::Campaign {
  std::vector<std::size_t> targets;
  std::uint64_t emitted = 0;
  std::uint64_t total = 0;
};

namespace {

struct Context {
  TimeNs now;
  const SimulatedSoc& soc;
  std::uint64_t record;
  std::string_view code, domain, sensor;
  Format format;
  Ids ids;
};

std::string host_name(std::string_view code, std::string_view prefix, std::int64_t n) {
  return fmt::format("{}-{}-{:03}", prefix, code, n);
}

std::string url_of(std::string_view scheme, std::string_view host, std::string_view target) {
  return fmt::format("{}://{}{}", scheme, host, target);
}

std::string basename_of(std::string_view path) {
  std::size_t p = path.find_last_of("\\/");
  return std::string(p == std::string_view::npos ? path : path.substr(p + 1));
}

std::string guid(std::string_view seed) {
  const std::string h = stable_hex(seed, 32);
  return fmt::format("{{{}-{}-{}-{}-{}}}", h.substr(0, 8), h.substr(8, 4), h.substr(12, 4), h.substr(16, 4),
                     h.substr(20));
}

std::string zeek_version(std::string_view tls) {
  return tls == "TLS 1.2" ? "TLSv12" : "TLSv13";
}

std::string sysmon_hashes(std::string_view sha1, std::string_view md5, std::string_view sha256, std::string_view seed) {
  std::string out;
  if (!sha1.empty()) out += fmt::format("SHA1={},", sha1);
  if (!md5.empty()) out += fmt::format("MD5={},", md5);
  out += fmt::format("SHA256={},IMPHASH={}", sha256, stable_hex(fmt::format("imp:{}", seed), 32));
  // Sysmon prints the digests in upper-case hex.
  for (char& c : out)
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 32);
  return out;
}

// Common beginnings of each JSON format.
JsonLine ocsf_base(const Context& c, int class_uid, int activity_id, int severity_id, std::string_view product,
                   std::string_view vendor) {
  JsonLine j;
  j.num("time", epoch_ms(c.now))
      .num("class_uid", class_uid)
      .num("activity_id", activity_id)
      .num("severity_id", severity_id)
      .obj("metadata")
      .str("version", "1.1.0")
      .str("uid", fmt::format("{}-{}", c.soc.id, c.record))
      .obj("product")
      .str("name", product)
      .str("vendor_name", vendor)
      .close()
      .close();
  return j;
}

void ocsf_endpoints(JsonLine& j, const IpAddress& src, int sport, const IpAddress& dst, int dport,
                    std::string_view proto, std::string_view direction = {}) {
  j.obj("src_endpoint").str("ip", src.to_string());
  if (sport > 0) j.num("port", sport);
  j.close().obj("dst_endpoint").str("ip", dst.to_string());
  if (dport > 0) j.num("port", dport);
  j.close().obj("connection_info").str("protocol_name", proto);
  if (!direction.empty()) j.str("direction", direction);
  j.close();
}

struct EcsEvent {
  std::initializer_list<std::string_view> categories, types;
  std::string_view dataset, agent, kind = "event", action = {}, outcome = {}, code = {};
  int severity = 0;
};

JsonLine ecs_base(const Context& c, const EcsEvent& e) {
  JsonLine j;
  j.str("@timestamp", format_rfc3339(c.now, 3)).obj("ecs").str("version", "8.11.0").close();
  j.obj("event").str("kind", e.kind).strs("category", e.categories).strs("type", e.types).str("dataset", e.dataset);
  if (!e.action.empty()) j.str("action", e.action);
  if (!e.outcome.empty()) j.str("outcome", e.outcome);
  if (!e.code.empty()) j.str("code", e.code);
  if (e.severity > 0) j.num("severity", e.severity);
  j.str("id", fmt::format("{:x}", c.ids.flow_id)).close();
  j.obj("agent").str("type", e.agent).str("version", "8.11.0").close();
  j.obj("observer").str("hostname", c.sensor).close();
  return j;
}

void ecs_endpoints(JsonLine& j, const IpAddress& src, int sport, const IpAddress& dst, int dport) {
  j.obj("source").str("ip", src.to_string());
  if (sport > 0) j.num("port", sport);
  j.close().obj("destination").str("ip", dst.to_string());
  if (dport > 0) j.num("port", dport);
  j.close();
}

JsonLine eve_base(const Context& c, std::string_view event_type, const IpAddress& src, int sport, const IpAddress& dst,
                  int dport, std::string_view proto) {
  JsonLine j;
  j.str("timestamp", iso_with_offset(c.now, 6))
      .num("flow_id", static_cast<std::int64_t>(c.ids.flow_id))
      .str("in_iface", "ens192")
      .str("event_type", event_type)
      .str("src_ip", src.to_string());
  if (sport > 0) j.num("src_port", sport);
  j.str("dest_ip", dst.to_string());
  if (dport > 0) j.num("dest_port", dport);
  std::string p = proto == "udp" ? "UDP" : proto == "icmp" ? "ICMP" : "TCP";
  j.str("proto", p).str("host", c.sensor);
  return j;
}

JsonLine zeek_base(const Context& c, std::string_view path, const IpAddress& src, int sport, const IpAddress& dst,
                   int dport) {
  JsonLine j;
  j.str("_path", path)
      .str("_system_name", c.sensor)
      .literal("ts", zeek_time(c.now))
      .str("uid", c.ids.zeek_uid)
      .str("id.orig_h", src.to_string())
      .num("id.orig_p", sport)
      .str("id.resp_h", dst.to_string())
      .num("id.resp_p", dport);
  return j;
}

JsonLine wazuh_base(const Context& c, std::string_view rule_id, int level, std::string_view description,
                    const std::vector<std::string>& groups, std::string_view agent_name, const IpAddress& agent_ip) {
  JsonLine j;
  j.str("timestamp", iso_with_offset(c.now, 3));
  j.obj("rule")
      .num("level", level)
      .str("description", description)
      .str("id", rule_id)
      .num("firedtimes", static_cast<std::int64_t>(1 + c.record % 40))
      .boolean("mail", level >= 12)
      .strs("groups", groups)
      .close();
  j.obj("agent")
      .str("id", fmt::format("{:03}", 1 + fnv1a(agent_name) % 400))
      .str("name", agent_name)
      .str("ip", agent_ip.to_string())
      .close();
  j.obj("manager").str("name", fmt::format("wazuh-manager.{}", c.domain)).close();
  j.str("id", fmt::format("{}.{}", c.now / 1000000000, c.record));
  return j;
}

JsonLine winlog_base(const Context& c, int event_id, bool sysmon, std::string_view host, std::string_view event_type) {
  JsonLine j;
  j.str("EventTime", windows_time(c.now, 0)).str("Hostname", fmt::format("{}.{}", host, c.domain));
  j.str("EventType", event_type).num("SeverityValue", 2).str("Severity", "INFO").num("EventID", event_id);
  if (sysmon) {
    j.str("SourceName", "Microsoft-Windows-Sysmon")
        .str("ProviderGuid", "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}")
        .str("Channel", "Microsoft-Windows-Sysmon/Operational")
        .num("Level", 4);
  } else {
    j.str("SourceName", "Microsoft-Windows-Security-Auditing")
        .str("ProviderGuid", "{54849625-5478-4994-A5BA-3E3B0328C30D}")
        .str("Channel", "Security");
  }
  j.num("RecordNumber", static_cast<std::int64_t>(c.record)).num("ProcessID", sysmon ? 3124 : 788);
  return j;
}

std::string fortigate_class(std::string_view kind) {
  // FortiGate log ids, by log type.
  if (kind == "traffic") return "0000000013";
  if (kind == "webfilter") return "0317013312";
  if (kind == "ips") return "0419016384";
  if (kind == "virus") return "0211008192";
  return "0100032001";
}

CefLine cef_base(const Context& c, std::string_view kind, std::string_view name, int severity) {
  CefLine l("Fortinet", "FortiGate", "7.2.8", fortigate_class(kind), name, severity);
  l.kv("rt", epoch_ms(c.now)).kv("deviceExternalId", fmt::format("FG1K0F{}", c.code)).kv("dvchost", c.sensor);
  return l;
}

LeefLine leef_base(const Context& c, std::string_view event_id, std::string_view category) {
  LeefLine l("Palo Alto Networks", "PAN-OS Syslog Integration", "11.0.3", event_id);
  l.kv("devTime", leef_time(c.now)).kv("devTimeFormat", "MMM dd yyyy HH:mm:ss").kv("cat", category);
  return l;
}

// --- DNS ---

std::string render(const Context& c, const Dns& d) {
  const std::string answer = d.answers.empty() ? std::string() : d.answers.front();
  switch (c.format) {
    case Format::ocsf: {
      JsonLine j = ocsf_base(c, 4003, 1, 1, "Zeek", "Zeek");
      ocsf_endpoints(j, d.client, d.sport, d.server, 53, "udp");
      j.obj("query").str("hostname", d.qname).str("type", d.qtype).close();
      j.arr("answers");
      for (const auto& a : d.answers) j.item_obj().str("rdata", a).str("type", d.qtype).num("ttl", 300).close();
      j.close().str("rcode", d.rcode);
      return j.done();
    }
    case Format::ecs: {
      JsonLine j = ecs_base(c, {{"network"}, {"protocol"}, "network_traffic.dns", "packetbeat"});
      ecs_endpoints(j, d.client, d.sport, d.server, 53);
      j.obj("network").str("transport", "udp").str("protocol", "dns").str("direction", "internal").close();
      j.obj("dns").str("type", "answer").obj("question").str("name", d.qname).str("type", d.qtype).close();
      j.str("response_code", d.rcode).arr("answers");
      for (const auto& a : d.answers) j.item_obj().str("name", d.qname).str("type", d.qtype).str("data", a).close();
      j.close().close();
      return j.done();
    }
    case Format::eve: {
      JsonLine j = eve_base(c, "dns", d.client, d.sport, d.server, 53, "udp");
      if (c.ids.record % 2 == 0 || d.answers.empty()) {
        j.obj("dns").str("type", "query").num("id", static_cast<std::int64_t>(c.ids.flow_id % 65536));
        j.str("rrname", d.qname).str("rrtype", d.qtype).num("tx_id", 0).close();
      } else {
        j.obj("dns")
            .num("version", 2)
            .str("type", "answer")
            .num("id", static_cast<std::int64_t>(c.ids.flow_id % 65536));
        j.str("flags", "8180").boolean("qr", true).boolean("rd", true).boolean("ra", true);
        j.str("rrname", d.qname).str("rrtype", d.qtype).str("rcode", d.rcode).arr("answers");
        for (const auto& a : d.answers)
          j.item_obj().str("rrname", d.qname).str("rrtype", d.qtype).num("ttl", 300).str("rdata", a).close();
        j.close().close();
      }
      return j.done();
    }
    case Format::zeek: {
      JsonLine j = zeek_base(c, "dns", d.client, d.sport, d.server, 53);
      j.str("proto", "udp").num("trans_id", static_cast<std::int64_t>(c.ids.flow_id % 65536)).real("rtt", 0.0125, 6);
      j.str("query", d.qname).num("qclass", 1).str("qclass_name", "C_INTERNET");
      j.num("qtype", d.qtype == "AAAA" ? 28 : 1).str("qtype_name", d.qtype);
      j.num("rcode", d.rcode == "NOERROR" ? 0 : 3).str("rcode_name", d.rcode);
      j.boolean("AA", false).boolean("TC", false).boolean("RD", true).boolean("RA", true).num("Z", 0);
      j.arr("answers");
      for (const auto& a : d.answers) j.item(a);
      j.close().boolean("rejected", false);
      return j.done();
    }
    case Format::winlog: {
      JsonLine j = winlog_base(c, 22, true, d.host, "INFO");
      j.str("UtcTime", windows_time(c.now, 3))
          .str("ProcessGuid", guid(fmt::format("{}{}", d.host, d.image)))
          .num("ProcessId", static_cast<std::int64_t>(2000 + fnv1a(d.image) % 9000))
          .str("QueryName", d.qname)
          .str("QueryStatus", "0")
          .str("QueryResults", answer.empty() ? "-" : fmt::format("::ffff:{};", answer))
          .str("Image", d.image)
          .str("User", fmt::format("{}\\{}", c.code, d.user));
      return j.done();
    }
    default:
      return {};
  }
}

// --- HTTP ---

std::string render(const Context& c, const Http& h) {
  const std::string scheme = h.dport == 443 ? "https" : "http";
  const std::string url = url_of(scheme, h.host, h.target);
  switch (c.format) {
    case Format::ocsf: {
      static constexpr std::string_view kMethods[] = {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"};
      int activity = 99;
      for (std::size_t i = 0; i < std::size(kMethods); ++i)
        if (kMethods[i] == h.method) activity = static_cast<int>(i) + 1;
      JsonLine j = ocsf_base(c, 4002, activity, h.cve.empty() ? 1 : 3, "Zeek", "Zeek");
      ocsf_endpoints(j, h.client, h.sport, h.server, h.dport, "tcp");
      std::size_t q = h.target.find('?');
      j.obj("url")
          .str("url_string", url)
          .str("scheme", scheme)
          .str("hostname", h.host)
          .str("path", h.target.substr(0, q));
      if (q != std::string::npos) j.str("query_string", h.target.substr(q + 1));
      j.num("port", h.dport).close();
      j.obj("http_request").str("http_method", h.method).str("user_agent", h.agent);
      if (!h.referrer.empty()) j.str("referrer", h.referrer);
      j.close().obj("http_response").num("code", h.status).close();
      j.obj("traffic").num("bytes_out", h.request_bytes).num("bytes_in", h.response_bytes).close();
      return j.done();
    }
    case Format::ecs: {
      JsonLine j = ecs_base(c, {{"network", "web"}, {"access", "protocol"}, "network_traffic.http", "packetbeat"});
      ecs_endpoints(j, h.client, h.sport, h.server, h.dport);
      j.obj("network")
          .str("transport", "tcp")
          .str("protocol", "http")
          .str("direction", h.inbound ? "ingress" : "egress")
          .close();
      std::size_t q = h.target.find('?');
      j.obj("url").str("full", url).str("domain", h.host).str("path", h.target.substr(0, q));
      if (q != std::string::npos) j.str("query", h.target.substr(q + 1));
      j.str("scheme", scheme).close();
      j.obj("http").obj("request").str("method", h.method);
      if (!h.referrer.empty()) j.str("referrer", h.referrer);
      j.close().obj("response").num("status_code", h.status).close().close();
      j.obj("user_agent").str("original", h.agent).close();
      return j.done();
    }
    case Format::eve: {
      JsonLine j = eve_base(c, "http", h.client, h.sport, h.server, h.dport, "tcp");
      j.num("tx_id", 0).obj("http").str("hostname", h.host).str("url", h.target).str("http_user_agent", h.agent);
      j.str("http_content_type", h.content_type).str("http_method", h.method).str("protocol", "HTTP/1.1");
      j.num("status", h.status).num("length", h.response_bytes);
      if (!h.referrer.empty()) j.str("http_refer", h.referrer);
      j.close();
      return j.done();
    }
    case Format::zeek: {
      JsonLine j = zeek_base(c, "http", h.client, h.sport, h.server, h.dport);
      j.num("trans_depth", 1).str("method", h.method).str("host", h.host).str("uri", h.target).str("version", "1.1");
      j.str("user_agent", h.agent).num("request_body_len", 0).num("response_body_len", h.response_bytes);
      j.num("status_code", h.status)
          .str("status_msg", h.status == 200   ? "OK"
                             : h.status == 404 ? "Not Found"
                                               : "Bad Request");
      if (!h.referrer.empty()) j.str("referrer", h.referrer);
      j.strs("tags", {}).strs("resp_mime_types", {h.content_type});
      return j.done();
    }
    case Format::wazuh: {
      // A web server (inbound) or the proxy (outbound) access log, as Wazuh alerts on it.
      const std::string line =
          fmt::format("{} - - [{}] \"{} {} HTTP/1.1\" {} {} \"-\" \"{}\"", h.client.to_string(), windows_time(c.now, 0),
                      h.method, h.inbound ? h.target : url, h.status, h.response_bytes, h.agent);
      std::string agent =
          h.inbound ? host_name(c.code, "web", 1 + static_cast<int>(fnv1a(h.host) % 4)) : host_name(c.code, "proxy", 1);
      JsonLine j = h.inbound ? (h.cve.empty() ? wazuh_base(c, "31101", 5, "Web server 400 error code.",
                                                           {"web", "accesslog", "attack"}, agent, h.server)
                                              : wazuh_base(c, "31104", 6, "Common web attack.",
                                                           {"web", "accesslog", "attack"}, agent, h.server))
                             : wazuh_base(c, "35002", 3, "Squid: Accessed URL.", {"squid"}, agent, h.client);
      j.str("full_log", line);
      j.obj("decoder").str("name", h.inbound ? "web-accesslog" : "squid-accesslog").close();
      j.obj("data").str("srcip", h.client.to_string()).str("protocol", h.method).str("url", h.inbound ? h.target : url);
      j.str("id", std::to_string(h.status)).close();
      j.str("location", h.inbound ? "/var/log/nginx/access.log" : "/var/log/squid/access.log");
      return j.done();
    }
    case Format::cef: {
      CefLine l = cef_base(c, "webfilter", h.blocked ? "utm:webfilter blocked" : "utm:webfilter passthrough",
                           h.blocked ? 5 : 3);
      l.kv("src", h.client.to_string()).kv("spt", h.sport).kv("dst", h.server.to_string()).kv("dpt", h.dport);
      l.kv("proto", "6").kv("app", scheme == "https" ? "HTTPS" : "HTTP").kv("dhost", h.host).kv("request", url);
      l.kv("requestMethod", h.method).kv("requestClientApplication", h.agent);
      l.kv("act", h.blocked ? "blocked" : "passthrough").kv("cat", h.blocked ? "Phishing" : "News and Media");
      return l.done();
    }
    case Format::leef: {
      LeefLine l = leef_base(c, h.blocked ? "url-block" : "url", "URL");
      l.kv("src", h.client.to_string()).kv("dst", h.server.to_string()).kv("srcPort", h.sport).kv("dstPort", h.dport);
      l.kv("proto", "tcp").kv("url", url).kv("action", h.blocked ? "block-url" : "alert").kv("UserAgent", h.agent);
      l.kv("Method", h.method).kv("sev", h.blocked ? 4 : 1);
      return l.done();
    }
    default:
      return {};
  }
}

// --- TLS ---

std::string render(const Context& c, const Tls& t) {
  switch (c.format) {
    case Format::ocsf: {
      JsonLine j = ocsf_base(c, 4001, 6, 1, "Zeek", "Zeek");
      ocsf_endpoints(j, t.client, t.sport, t.server, t.dport, "tcp");
      j.str("app_name", "tls").obj("tls").str("sni", t.sni).str("version", t.version);
      j.obj("certificate").str("subject", t.subject).str("issuer", t.issuer).close().close();
      return j.done();
    }
    case Format::ecs: {
      JsonLine j = ecs_base(c, {{"network"}, {"connection", "protocol"}, "network_traffic.tls", "packetbeat"});
      ecs_endpoints(j, t.client, t.sport, t.server, t.dport);
      j.obj("network").str("transport", "tcp").str("protocol", "tls").str("direction", "egress").close();
      j.obj("tls").str("version", t.version.substr(4)).str("version_protocol", "tls");
      j.obj("client").str("server_name", t.sni).close();
      j.obj("server").str("subject", t.subject).str("issuer", t.issuer).close().close();
      return j.done();
    }
    case Format::eve: {
      JsonLine j = eve_base(c, "tls", t.client, t.sport, t.server, t.dport, "tcp");
      j.obj("tls").str("subject", t.subject).str("issuerdn", t.issuer).str("sni", t.sni).str("version", t.version);
      j.str("fingerprint", stable_hex(t.sni, 40)).obj("ja3").str("hash", stable_hex("ja3:chrome", 32)).close().close();
      return j.done();
    }
    case Format::zeek: {
      JsonLine j = zeek_base(c, "ssl", t.client, t.sport, t.server, t.dport);
      j.str("version", zeek_version(t.version)).str("cipher", "TLS_AES_128_GCM_SHA256").str("curve", "x25519");
      j.str("server_name", t.sni).boolean("resumed", false).boolean("established", true);
      j.str("ja3", stable_hex("ja3:chrome", 32));
      return j.done();
    }
    default:
      return {};
  }
}

// --- Connections (flows, firewall decisions) ---

std::string render(const Context& c, const Conn& n) {
  const bool tcp = n.proto == "tcp";
  switch (c.format) {
    case Format::ocsf: {
      JsonLine j =
          ocsf_base(c, 4001, 6, n.allowed ? 1 : 2, n.allowed ? "Zeek" : "FortiGate", n.allowed ? "Zeek" : "Fortinet");
      ocsf_endpoints(j, n.src, n.sport, n.dst, n.dport, n.proto, n.inbound ? "inbound" : "outbound");
      if (!n.app.empty()) j.str("app_name", n.app);
      j.str("action", n.allowed ? "Allowed" : "Denied").str("disposition", n.allowed ? "Allowed" : "Blocked");
      j.obj("traffic").num("bytes_out", n.bytes_out).num("bytes_in", n.bytes_in).num("packets_out", n.packets_out);
      j.num("packets_in", n.packets_in).close().num("duration", std::llround(n.duration_s * 1000));
      return j.done();
    }
    case Format::ecs: {
      JsonLine j = ecs_base(c, {{"network"},
                                {n.allowed ? "connection" : "denied", n.allowed ? "end" : "connection"},
                                n.allowed ? "network_traffic.flow" : "panw.panos",
                                n.allowed ? "packetbeat" : "filebeat",
                                "event",
                                n.allowed ? "network_flow" : "flow_dropped",
                                n.allowed ? "success" : "failure"});
      j.obj("source").str("ip", n.src.to_string()).num("port", n.sport).num("bytes", n.bytes_out);
      j.num("packets", n.packets_out).close();
      j.obj("destination").str("ip", n.dst.to_string()).num("port", n.dport).num("bytes", n.bytes_in);
      j.num("packets", n.packets_in).close();
      j.obj("network").str("transport", n.proto).str("direction", n.inbound ? "ingress" : "egress");
      if (!n.app.empty()) j.str("protocol", n.app);
      j.num("bytes", n.bytes_in + n.bytes_out).num("packets", n.packets_in + n.packets_out).close();
      return j.done();
    }
    case Format::eve: {
      JsonLine j = eve_base(c, "flow", n.src, n.sport, n.dst, n.dport, n.proto);
      if (!n.app.empty()) j.str("app_proto", n.app);
      j.obj("flow").num("pkts_toserver", n.packets_out).num("pkts_toclient", n.packets_in);
      j.num("bytes_toserver", n.bytes_out).num("bytes_toclient", n.bytes_in);
      j.str("start", iso_with_offset(c.now - static_cast<TimeNs>(n.duration_s * 1e9), 6))
          .str("end", iso_with_offset(c.now, 6));
      j.num("age", std::llround(n.duration_s)).str("state", n.packets_in == 0 ? "new" : tcp ? "closed" : "established");
      j.str("reason", "timeout").boolean("alerted", false).close();
      return j.done();
    }
    case Format::zeek: {
      JsonLine j = zeek_base(c, "conn", n.src, n.sport, n.dst, n.dport);
      j.str("proto", n.proto);
      if (!n.app.empty()) j.str("service", n.app);
      if (n.packets_in > 0) {
        j.real("duration", n.duration_s, 6).num("orig_bytes", n.bytes_out).num("resp_bytes", n.bytes_in);
        j.str("conn_state", "SF").boolean("local_orig", !n.inbound).boolean("local_resp", n.inbound);
        j.num("missed_bytes", 0).str("history", tcp ? "ShADadFf" : "Dd");
      } else {
        j.str("conn_state", n.allowed ? "S0" : "REJ")
            .boolean("local_orig", !n.inbound)
            .boolean("local_resp", n.inbound);
        j.num("missed_bytes", 0).str("history", n.allowed ? "S" : "Sr");
      }
      j.num("orig_pkts", n.packets_out).num("orig_ip_bytes", n.bytes_out + 40 * n.packets_out);
      j.num("resp_pkts", n.packets_in).num("resp_ip_bytes", n.bytes_in + 40 * n.packets_in);
      return j.done();
    }
    case Format::wazuh: {
      // Wazuh sees firewall drops (iptables on a Linux server) rather than every flow.
      std::string agent = host_name(c.code, "srv", 1 + static_cast<int>(fnv1a(n.dst.to_string()) % 8));
      JsonLine j = wazuh_base(c, "4101", 5, "Firewall drop event.", {"firewall", "firewall_drop"}, agent, n.dst);
      j.str("full_log",
            fmt::format("kernel: [UFW BLOCK] IN=ens160 OUT= SRC={} DST={} PROTO={} SPT={} DPT={} WINDOW=1024 SYN",
                        n.src.to_string(), n.dst.to_string(), tcp ? "TCP" : "UDP", n.sport, n.dport));
      j.obj("decoder").str("name", "iptables").close();
      j.obj("data")
          .str("srcip", n.src.to_string())
          .str("dstip", n.dst.to_string())
          .str("srcport", std::to_string(n.sport));
      j.str("dstport", std::to_string(n.dport)).str("protocol", tcp ? "TCP" : "UDP").str("action", "DROP").close();
      j.str("location", "/var/log/kern.log");
      return j.done();
    }
    case Format::winlog: {
      JsonLine j = winlog_base(c, 3, true, n.host, "INFO");
      j.str("UtcTime", windows_time(c.now, 3))
          .num("ProcessId", static_cast<std::int64_t>(2000 + fnv1a(n.image) % 9000));
      j.str("Image", n.image).str("User", fmt::format("{}\\{}", c.code, n.user)).str("Protocol", n.proto);
      j.boolean("Initiated", true).boolean("SourceIsIpv6", false).str("SourceIp", n.src.to_string());
      j.str("SourceHostname", fmt::format("{}.{}", n.host, c.domain)).num("SourcePort", n.sport);
      j.boolean("DestinationIsIpv6", false).str("DestinationIp", n.dst.to_string()).num("DestinationPort", n.dport);
      return j.done();
    }
    case Format::cef: {
      CefLine l =
          cef_base(c, "traffic", n.allowed ? "traffic:forward accept" : "traffic:forward deny", n.allowed ? 3 : 5);
      l.kv("src", n.src.to_string()).kv("spt", n.sport).kv("dst", n.dst.to_string()).kv("dpt", n.dport);
      l.kv("proto", tcp ? "6" : "17").kv("deviceDirection", n.inbound ? "0" : "1");
      if (!n.app.empty()) l.kv("app", n.app);
      l.kv("act", n.allowed ? "accept" : "deny").kv("in", n.bytes_out).kv("out", n.bytes_in);
      l.kv("cs1Label", "policyid").kv("cs1", n.allowed ? "12" : "1");
      return l.done();
    }
    case Format::leef: {
      LeefLine l = leef_base(c, n.allowed ? "allow" : "deny", "TRAFFIC");
      l.kv("src", n.src.to_string()).kv("dst", n.dst.to_string()).kv("srcPort", n.sport).kv("dstPort", n.dport);
      l.kv("proto", n.proto).kv("action", n.allowed ? "allow" : "deny").kv("srcBytes", n.bytes_out);
      l.kv("dstBytes", n.bytes_in).kv("srcPackets", n.packets_out).kv("dstPackets", n.packets_in);
      l.kv("RuleName", n.allowed ? "allow-outbound-web" : "deny-inbound-default");
      if (!n.app.empty()) l.kv("Application", n.app);
      return l.done();
    }
  }
  return {};
}

// --- Process creation ---

std::string render(const Context& c, const Proc& p) {
  switch (c.format) {
    case Format::ocsf: {
      JsonLine j = ocsf_base(c, 1007, 1, p.suspicious ? 3 : 1, "Sysmon", "Microsoft");
      j.obj("device").str("hostname", p.host).str("ip", p.host_ip.to_string()).close();
      j.obj("process").num("pid", p.pid).str("name", basename_of(p.image)).str("cmd_line", p.cmd);
      j.obj("file").str("path", p.image).close().obj("user").str("name", p.user).close().close();
      j.obj("actor").obj("process").num("pid", p.ppid).str("name", basename_of(p.parent_image));
      j.str("cmd_line", p.parent_cmd).obj("file").str("path", p.parent_image).close().close();
      j.obj("user").str("name", p.user).str("domain", c.code).close().close();
      j.obj("file").str("name", basename_of(p.image)).str("path", p.image).obj("hashes").str("sha256", p.sha256);
      if (!p.md5.empty()) j.str("md5", p.md5);
      if (!p.sha1.empty()) j.str("sha1", p.sha1);
      j.close().close();
      return j.done();
    }
    case Format::ecs: {
      JsonLine j = ecs_base(c, {{"process"}, {"start"}, "endpoint.events.process", "endpoint"});
      j.obj("host")
          .str("hostname", p.host)
          .strs("ip", {p.host_ip.to_string()})
          .obj("os")
          .str("name", "Windows 10")
          .close()
          .close();
      j.obj("user").str("name", p.user).str("domain", c.code).close();
      j.obj("process").num("pid", p.pid).str("name", basename_of(p.image)).str("executable", p.image);
      j.str("command_line", p.cmd).obj("hash").str("sha256", p.sha256);
      if (!p.md5.empty()) j.str("md5", p.md5);
      if (!p.sha1.empty()) j.str("sha1", p.sha1);
      j.close().obj("parent").num("pid", p.ppid).str("executable", p.parent_image).str("command_line", p.parent_cmd);
      j.close().close();
      return j.done();
    }
    case Format::winlog: {
      JsonLine j = winlog_base(c, 1, true, p.host, "INFO");
      const std::string image = basename_of(p.image);
      j.str("UtcTime", windows_time(c.now, 3))
          .str("ProcessGuid", guid(fmt::format("{}{}{}", p.host, p.pid, c.record)))
          .num("ProcessId", p.pid)
          .str("Image", p.image)
          .str("OriginalFileName", image)
          .str("CommandLine", p.cmd)
          .str("CurrentDirectory", fmt::format("C:\\Users\\{}\\", p.user))
          .str("User", fmt::format("{}\\{}", c.code, p.user))
          .str("LogonId", fmt::format("0x{}", stable_hex(p.user, 6)))
          .str("IntegrityLevel", "Medium")
          .str("Hashes", sysmon_hashes(p.sha1, p.md5, p.sha256, p.image))
          .num("ParentProcessId", p.ppid)
          .str("ParentImage", p.parent_image)
          .str("ParentCommandLine", p.parent_cmd)
          .str("ParentUser", fmt::format("{}\\{}", c.code, p.user));
      return j.done();
    }
    default:
      return {};
  }
}

// --- Logons ---

std::string render(const Context& c, const Logon& l) {
  switch (c.format) {
    case Format::ocsf: {
      JsonLine j = ocsf_base(c, 3002, 1, l.success ? 1 : 3, "Windows", "Microsoft");
      j.str("status", l.success ? "Success" : "Failure").obj("actor").obj("user").str("name", l.user);
      j.str("domain", l.domain).close().close();
      j.obj("src_endpoint").str("ip", l.src.to_string()).close();
      j.obj("device").str("hostname", l.host).str("ip", l.host_ip.to_string()).close();
      j.num("logon_type_id", l.logon_type).str("auth_protocol", "Kerberos");
      return j.done();
    }
    case Format::ecs: {
      JsonLine j = ecs_base(c, {{"authentication"},
                                {"start"},
                                "system.security",
                                "winlogbeat",
                                "event",
                                l.success ? "logged-in" : "logon-failed",
                                l.success ? "success" : "failure",
                                l.success ? "4624" : "4625"});
      j.obj("user").str("name", l.user).str("domain", l.domain).close();
      j.obj("source").str("ip", l.src.to_string()).close();
      j.obj("host").str("hostname", l.host).strs("ip", {l.host_ip.to_string()}).close();
      j.obj("winlog").str("channel", "Security").num("event_id", l.success ? 4624 : 4625);
      j.str("provider_name", "Microsoft-Windows-Security-Auditing")
          .num("record_id", static_cast<std::int64_t>(c.record));
      j.obj("event_data").str("TargetUserName", l.user).str("TargetDomainName", l.domain);
      j.str("LogonType", std::to_string(l.logon_type)).str("IpAddress", l.src.to_string()).close().close();
      return j.done();
    }
    case Format::wazuh: {
      if (l.ssh) {
        const std::string log = l.success ? fmt::format("sshd[{}]: Accepted publickey for {} from {} port {} ssh2",
                                                        1000 + c.record % 30000, l.user, l.src.to_string(), l.sport)
                                          : fmt::format("sshd[{}]: Invalid user {} from {} port {}",
                                                        1000 + c.record % 30000, l.user, l.src.to_string(), l.sport);
        JsonLine j = l.success
                         ? wazuh_base(c, "5715", 3, "sshd: authentication success.",
                                      {"syslog", "sshd", "authentication_success"}, l.host, l.host_ip)
                         : wazuh_base(c, "5710", 5, "sshd: Attempt to login using a non-existent user",
                                      {"syslog", "sshd", "authentication_failed", "invalid_login"}, l.host, l.host_ip);
        j.str("full_log", fmt::format("{} {} {}", leef_time(c.now).substr(0, 6), l.host, log));
        j.obj("predecoder").str("program_name", "sshd").str("hostname", l.host).close();
        j.obj("decoder").str("parent", "sshd").str("name", "sshd").close();
        j.obj("data").str("srcip", l.src.to_string()).str("srcport", std::to_string(l.sport));
        j.str(l.success ? "dstuser" : "srcuser", l.user).close();
        j.str("location", "/var/log/auth.log");
        return j.done();
      }
      JsonLine j = l.success ? wazuh_base(c, "60106", 3, "Windows Logon Success",
                                          {"windows", "windows_security", "authentication_success"}, l.host, l.host_ip)
                             : wazuh_base(c, "60122", 5, "Logon Failure - Unknown user or bad password",
                                          {"windows", "windows_security", "authentication_failed"}, l.host, l.host_ip);
      j.obj("decoder").str("name", "windows_eventchannel").close();
      j.obj("data").obj("win").obj("system").str("providerName", "Microsoft-Windows-Security-Auditing");
      j.str("eventID", l.success ? "4624" : "4625")
          .str("channel", "Security")
          .str("eventRecordID", std::to_string(c.record));
      j.str("computer", fmt::format("{}.{}", l.host, c.domain)).close();
      j.obj("eventdata").str("targetUserName", l.user).str("targetDomainName", l.domain);
      j.str("logonType", std::to_string(l.logon_type)).str("ipAddress", l.src.to_string()).close().close().close();
      j.str("location", "EventChannel");
      return j.done();
    }
    case Format::winlog: {
      JsonLine j =
          winlog_base(c, l.success ? 4624 : 4625, false, l.host, l.success ? "AUDIT_SUCCESS" : "AUDIT_FAILURE");
      j.num("Task", 12544).str("Category", "Logon").str("SubjectUserSid", "S-1-5-18");
      j.str("SubjectUserName", fmt::format("{}$", l.host)).str("SubjectDomainName", l.domain);
      j.str("TargetUserName", l.user).str("TargetDomainName", l.domain).num("LogonType", l.logon_type);
      j.str("LogonProcessName", l.logon_type == 3 ? "NtLmSsp" : "User32").str("AuthenticationPackageName", "Negotiate");
      j.str("WorkstationName", l.host).str("ProcessId", "0x30c").str("ProcessName", l.process);
      j.str("IpAddress", l.src.to_string()).str("IpPort", std::to_string(l.sport));
      if (!l.success) j.str("Status", "0xc000006d").str("SubStatus", "0xc000006a").str("FailureReason", "%%2313");
      return j.done();
    }
    case Format::cef: {
      CefLine x =
          cef_base(c, "event", l.success ? "event:vpn tunnel-up" : "event:vpn ssl-login-fail", l.success ? 2 : 4);
      x.kv("src", l.src.to_string())
          .kv("suser", l.user)
          .kv("sntdom", l.domain)
          .kv("act", l.success ? "tunnel-up" : "ssl-login-fail");
      x.kv("outcome", l.success ? "success" : "failure").kv("cat", "vpn");
      return x.done();
    }
    case Format::leef: {
      LeefLine x = leef_base(c, l.success ? "globalprotect-login" : "globalprotect-login-fail", "GLOBALPROTECT");
      x.kv("src", l.src.to_string())
          .kv("usrName", l.user)
          .kv("domain", l.domain)
          .kv("action", l.success ? "allow" : "deny");
      x.kv("sev", l.success ? 1 : 3);
      return x.done();
    }
    default:
      return {};
  }
}

// --- Files seen (network transfers, integrity monitoring) ---

std::string render(const Context& c, const FileSeen& f) {
  switch (c.format) {
    case Format::ocsf: {
      JsonLine j = ocsf_base(c, 1001, 1, f.malicious ? 3 : 1, "Sysmon", "Microsoft");
      j.obj("device").str("hostname", f.host).str("ip", f.host_ip.to_string()).close();
      j.obj("actor").obj("user").str("name", f.user).close().close();
      j.obj("file").str("name", f.name).str("path", f.path).num("size", f.size).obj("hashes").str("sha256", f.sha256);
      if (!f.md5.empty()) j.str("md5", f.md5);
      j.close().close();
      return j.done();
    }
    case Format::ecs: {
      JsonLine j = ecs_base(c, {{"file"}, {"creation"}, "endpoint.events.file", "endpoint"});
      j.obj("host").str("hostname", f.host).strs("ip", {f.host_ip.to_string()}).close();
      j.obj("user").str("name", f.user).close();
      j.obj("file").str("path", f.path).str("name", f.name).num("size", f.size).obj("hash").str("sha256", f.sha256);
      if (!f.md5.empty()) j.str("md5", f.md5);
      j.close().close();
      return j.done();
    }
    case Format::eve: {
      JsonLine j = eve_base(c, "fileinfo", f.server, f.sport, f.client, f.dport, "tcp");
      j.str("app_proto", "http").obj("http").str("hostname", f.http_host).str("url", f.url_target);
      j.str("http_user_agent", kBrowserAgents[0]).str("http_content_type", f.mime).str("http_method", "GET");
      j.str("protocol", "HTTP/1.1").num("status", 200).num("length", f.size).close();
      j.obj("fileinfo").str("filename", f.url_target.substr(0, f.url_target.find('?')));
      j.str("magic", f.mime == "application/pdf" ? "PDF document, version 1.7"
                                                 : "PE32+ executable (GUI) x86-64, for MS Windows");
      j.boolean("gaps", false).str("state", "CLOSED").str("sha256", f.sha256);
      if (!f.md5.empty()) j.str("md5", f.md5);
      j.boolean("stored", false).num("size", f.size).num("tx_id", 0).close();
      return j.done();
    }
    case Format::zeek: {
      JsonLine j;
      j.str("_path", "files")
          .str("_system_name", c.sensor)
          .literal("ts", zeek_time(c.now))
          .str("fuid", c.ids.zeek_fuid);
      j.strs("tx_hosts", {f.server.to_string()}).strs("rx_hosts", {f.client.to_string()});
      j.strs("conn_uids", {c.ids.zeek_uid}).str("source", "HTTP").num("depth", 0);
      j.strs("analyzers", {"MD5", "SHA256", "PE"}).str("mime_type", f.mime).str("filename", f.name);
      j.real("duration", 0.215, 6).boolean("is_orig", false).num("seen_bytes", f.size).num("total_bytes", f.size);
      j.num("missing_bytes", 0).num("overflow_bytes", 0).boolean("timedout", false);
      if (!f.md5.empty()) j.str("md5", f.md5);
      j.str("sha256", f.sha256);
      return j.done();
    }
    case Format::wazuh: {
      JsonLine j =
          f.malicious
              ? wazuh_base(c, "554", 5, "File added to the system.",
                           {"ossec", "syscheck", "syscheck_entry_added", "syscheck_file"}, f.host, f.host_ip)
              : wazuh_base(c, "550", 7, "Integrity checksum changed.",
                           {"ossec", "syscheck", "syscheck_entry_modified", "syscheck_file"}, f.host, f.host_ip);
      j.str("full_log", fmt::format("File '{}' {}", f.path, f.malicious ? "added" : "modified"));
      j.obj("syscheck").str("path", f.path).str("mode", "realtime").str("size_after", std::to_string(f.size));
      j.str("uname_after", f.user).str("md5_after", f.md5.empty() ? stable_hex(f.sha256, 32) : f.md5);
      j.str("sha1_after", stable_hex(fmt::format("sha1:{}", f.sha256), 40)).str("sha256_after", f.sha256);
      j.str("event", f.malicious ? "added" : "modified").close();
      j.obj("decoder").str("name", "syscheck_new_entry").close().str("location", "syscheck");
      return j.done();
    }
    case Format::cef: {
      CefLine l = cef_base(c, "virus", "utm:virus analytics", f.malicious ? 6 : 3);
      l.kv("src", f.server.to_string()).kv("spt", f.sport).kv("dst", f.client.to_string()).kv("dpt", f.dport);
      l.kv("proto", "6").kv("request", url_of("http", f.http_host, f.url_target)).kv("fname", f.name);
      l.kv("fsize", f.size).kv("fileHash", f.sha256).kv("act", "monitored").kv("cat", "Sandbox submission");
      l.kv("cs1Label", "analyticssubmit").kv("cs1", "true");
      return l.done();
    }
    default:
      return {};
  }
}

// --- IDS alerts ---

std::string render(const Context& c, const Alert& a) {
  const std::string url =
      a.url_target.empty() ? std::string() : url_of(a.dport == 443 ? "https" : "http", a.http_host, a.url_target);
  switch (c.format) {
    case Format::ocsf: {
      const int sev = a.severity == 1 ? 4 : a.severity == 2 ? 3 : 2;
      JsonLine j = ocsf_base(c, 2004, 1, sev, "Suricata", "OISF");
      ocsf_endpoints(j, a.src, a.sport, a.dst, a.dport, a.proto);
      j.obj("finding_info").str("title", a.signature).str("uid", std::to_string(a.sid)).strs("types", {a.category});
      j.obj("analytic").str("name", "Suricata").close().close();
      j.str("action", a.blocked ? "Denied" : "Allowed");
      if (!url.empty()) {
        j.obj("url").str("url_string", url).str("hostname", a.http_host).close();
        j.obj("http_request").str("http_method", a.method).str("user_agent", a.agent).close();
      }
      if (!a.cve.empty()) j.arr("vulnerabilities").item_obj().obj("cve").str("uid", a.cve).close().close().close();
      return j.done();
    }
    case Format::ecs: {
      JsonLine j = ecs_base(c, {{"network", "intrusion_detection"},
                                {a.blocked ? "denied" : "allowed"},
                                "suricata.eve",
                                "filebeat",
                                "alert",
                                "alert",
                                {},
                                {},
                                a.severity});
      ecs_endpoints(j, a.src, a.sport, a.dst, a.dport);
      j.obj("network").str("transport", a.proto).close();
      j.obj("rule").str("name", a.signature).str("id", std::to_string(a.sid)).str("category", a.category).close();
      if (!url.empty()) {
        j.obj("url").str("original", a.url_target).str("domain", a.http_host).str("full", url).close();
        j.obj("user_agent").str("original", a.agent).close();
        j.obj("http").obj("request").str("method", a.method).close().close();
      }
      if (!a.cve.empty()) j.obj("vulnerability").str("id", a.cve).obj("scanner").str("vendor", "OISF").close().close();
      return j.done();
    }
    case Format::eve: {
      JsonLine j = eve_base(c, "alert", a.src, a.sport, a.dst, a.dport, a.proto);
      if (!a.app.empty()) j.str("app_proto", a.app);
      j.obj("alert")
          .str("action", a.blocked ? "blocked" : "allowed")
          .num("gid", 1)
          .num("signature_id", a.sid)
          .num("rev", 3);
      j.str("signature", a.signature).str("category", a.category).num("severity", a.severity);
      j.obj("metadata");
      if (!a.cve.empty()) j.strs("cve", {a.cve});
      j.strs("signature_severity", {a.severity == 1 ? "Major" : a.severity == 2 ? "Minor" : "Informational"});
      j.strs("updated_at", {"2024_03_12"}).close().close();
      if (!url.empty()) {
        j.obj("http").str("hostname", a.http_host).str("url", a.url_target).str("http_user_agent", a.agent);
        j.str("http_method", a.method).str("protocol", "HTTP/1.1").num("status", 404).num("length", 162).close();
      }
      return j.done();
    }
    case Format::zeek: {
      JsonLine j = zeek_base(c, "notice", a.src, a.sport, a.dst, a.dport);
      j.str("proto", a.proto);
      if (a.scan) {
        j.str("note", "Scan::Port_Scan")
            .str("msg", fmt::format("{} scanned at least 15 unique ports of host {} in 0m4s", a.src.to_string(),
                                    a.dst.to_string()));
      } else if (!a.cve.empty()) {
        j.str("note", "Exploit::Attempt").str("msg", a.signature).str("sub", a.url_target);
      } else {
        j.str("note", "SSL::Invalid_Server_Cert")
            .str("msg", "SSL certificate validation failed with (unable to get local issuer certificate)");
        j.str("sub", fmt::format("CN={}", a.http_host));
      }
      j.str("src", a.src.to_string()).str("dst", a.dst.to_string()).num("p", a.dport);
      j.strs("actions", {"Notice::ACTION_LOG"}).real("suppress_for", 3600.0, 1);
      return j.done();
    }
    case Format::wazuh: {
      std::string agent = host_name(c.code, "web", 1 + static_cast<int>(fnv1a(a.http_host) % 4));
      JsonLine j = wazuh_base(c, a.cve.empty() ? "86601" : "100210", a.cve.empty() ? 3 : 12, a.signature,
                              {"ids", "suricata"}, agent, a.dst);
      j.str("full_log",
            fmt::format("{} {} -> {}:{} {}", a.signature, a.src.to_string(), a.dst.to_string(), a.dport, a.url_target));
      j.obj("decoder").str("name", "json").close();
      j.obj("data").str("src_ip", a.src.to_string()).str("dest_ip", a.dst.to_string());
      j.str("srcip", a.src.to_string()).str("dstip", a.dst.to_string()).str("dstport", std::to_string(a.dport));
      if (!url.empty()) j.str("url", url);
      j.obj("alert")
          .str("signature", a.signature)
          .str("signature_id", std::to_string(a.sid))
          .str("category", a.category);
      if (!a.cve.empty()) j.obj("metadata").strs("cve", {a.cve}).close();
      j.close().close().str("location", "/var/log/suricata/eve.json");
      return j.done();
    }
    case Format::cef: {
      CefLine l = cef_base(c, "ips", a.signature, a.severity == 1 ? 9 : a.severity == 2 ? 6 : 3);
      l.kv("src", a.src.to_string()).kv("spt", a.sport).kv("dst", a.dst.to_string()).kv("dpt", a.dport);
      l.kv("proto", a.proto == "udp" ? "17" : "6").kv("act", a.blocked ? "dropped" : "detected").kv("cat", a.category);
      if (!url.empty()) l.kv("request", url).kv("requestMethod", a.method).kv("requestClientApplication", a.agent);
      l.kv("externalId", std::to_string(a.sid));
      if (!a.cve.empty()) l.kv("cs2Label", "cve").kv("cs2", a.cve);
      l.kv("msg", a.signature);
      return l.done();
    }
    case Format::leef: {
      LeefLine l = leef_base(c, "threat", "THREAT");
      l.kv("src", a.src.to_string()).kv("dst", a.dst.to_string()).kv("srcPort", a.sport).kv("dstPort", a.dport);
      l.kv("proto", a.proto).kv("action", a.blocked ? "reset-both" : "alert").kv("msg", a.signature);
      l.kv("ThreatID", std::to_string(a.sid)).kv("sev", a.severity == 1 ? 8 : a.severity == 2 ? 5 : 2);
      if (!url.empty()) l.kv("url", url).kv("UserAgent", a.agent);
      if (!a.cve.empty()) l.kv("CVE", a.cve);
      return l.done();
    }
    default:
      return {};
  }
}

// --- Wazuh host checks (rootcheck, package installs) ---

std::string render(const Context& c, const HostCheck& h) {
  JsonLine j = wazuh_base(c, h.rule_id, h.level, h.description, h.groups, h.host, h.host_ip);
  j.str("full_log", h.full_log)
      .obj("decoder")
      .str("name", h.syscheck ? "syscheck_integrity_changed" : "rootcheck")
      .close();
  if (h.syscheck) {
    // The file changes now and then (a configuration push), not on every scan.
    j.obj("syscheck").str("path", h.path).str("mode", "scheduled");
    j.str("sha256_after", stable_hex(fmt::format("{}{}", h.path, c.record / 50), 64));
    j.str("md5_after", stable_hex(fmt::format("md5{}{}", h.path, c.record / 50), 32)).str("event", "modified").close();
  }
  j.str("location", h.location);
  return j.done();
}

// Which kinds of event each format can carry, with how often each shows up in background noise.
struct Mix {
  Kind kind;
  int weight;
};

const std::vector<Mix>& background_mix(Format f) {
  static const std::vector<Mix> kMixes[] = {
      /* ocsf */ {{Kind::Conn, 35},
                  {Kind::Dns, 25},
                  {Kind::Http, 15},
                  {Kind::Tls, 10},
                  {Kind::Logon, 8},
                  {Kind::Proc, 5},
                  {Kind::Alert, 2}},
      /* ecs */
      {{Kind::Dns, 20},
       {Kind::Conn, 20},
       {Kind::Proc, 20},
       {Kind::Logon, 15},
       {Kind::Http, 12},
       {Kind::Tls, 10},
       {Kind::Alert, 3}},
      /* eve */
      {{Kind::Conn, 35}, {Kind::Dns, 25}, {Kind::Tls, 17}, {Kind::Http, 15}, {Kind::File, 3}, {Kind::Alert, 5}},
      /* zeek */
      {{Kind::Conn, 40}, {Kind::Dns, 28}, {Kind::Tls, 17}, {Kind::Http, 10}, {Kind::File, 4}, {Kind::Alert, 1}},
      /* wazuh */
      {{Kind::Logon, 45}, {Kind::HostCheck, 25}, {Kind::Conn, 12}, {Kind::Http, 10}, {Kind::File, 6}, {Kind::Alert, 2}},
      /* winlog */ {{Kind::Proc, 35}, {Kind::Logon, 30}, {Kind::Dns, 20}, {Kind::Conn, 15}},
      /* cef */ {{Kind::Conn, 70}, {Kind::Http, 20}, {Kind::Logon, 5}, {Kind::Alert, 5}},
      /* leef */ {{Kind::Conn, 70}, {Kind::Http, 20}, {Kind::Logon, 5}, {Kind::Alert, 5}},
  };
  return kMixes[static_cast<std::size_t>(f)];
}

// Which kinds carry a scenario's indicators in schema fields, per format (empty: the format cannot).
std::vector<Kind> scenario_kinds(std::string_view scenario_kind, Format f) {
  if (scenario_kind == "phishing-domains") {
    switch (f) {
      case Format::ocsf:
      case Format::ecs:
        return {Kind::Dns, Kind::Http};
      case Format::eve:
      case Format::zeek:
        return {Kind::Dns, Kind::Http, Kind::Tls};
      case Format::winlog:
        return {Kind::Dns};
      case Format::wazuh:
      case Format::cef:
      case Format::leef:
        return {Kind::Http};
    }
  } else if (scenario_kind == "malware-hash") {
    switch (f) {
      case Format::ocsf:
      case Format::ecs:
        return {Kind::Proc, Kind::File};
      case Format::winlog:
        return {Kind::Proc};
      case Format::eve:
      case Format::zeek:
      case Format::wazuh:
      case Format::cef:
        return {Kind::File};
      case Format::leef:
        return {};  // LEEF has no predefined hash attribute
    }
  } else if (scenario_kind == "scanning") {
    switch (f) {
      case Format::eve:
      case Format::zeek:
        return {Kind::Conn, Kind::Conn, Kind::Alert};
      case Format::winlog:
        return {};  // Sysmon logs connections a host opens, not probes it refuses
      default:
        return {Kind::Conn};
    }
  } else if (scenario_kind == "cve-exploitation") {
    if (f == Format::winlog) return {};  // web server requests do not reach the Windows event log
    return {Kind::Http, Kind::Alert};
  }
  return {};
}

bool has_indicators(const Scenario& s) {
  if (s.kind == "phishing-domains") return !s.domains.empty() || !s.urls.empty();
  if (s.kind == "malware-hash")
    return !s.sha256.empty() && (s.md5.empty() || s.md5.size() == s.sha256.size()) &&
           (s.file_names.empty() || s.file_names.size() == s.sha256.size());
  if (s.kind == "scanning") return !s.attacker_ips.empty() && !s.ports.empty();
  if (s.kind == "cve-exploitation") return !s.cves.empty() && !s.attacker_ips.empty();
  return false;
}

double org_type_weight(std::string_view type) {
  // Relative event volume: operators and the national centre see the most traffic, small agencies the least.
  if (type == "isp") return 4.0;
  if (type == "national-centre") return 3.0;
  if (type == "ministry") return 2.0;
  if (type == "enterprise") return 1.6;
  if (type == "sector-cert") return 1.0;
  if (type == "province") return 1.0;
  return 0.8;
}

std::string initials(std::string_view id) {
  if (id.find('-') == std::string_view::npos && !id.empty() && id.size() <= 8) {  // "pvn" → "PVN"
    std::string out(id);
    for (char& c : out)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    return out;
  }
  std::string out;
  bool start = true;
  for (char c : id) {
    if (c == '-') {
      start = true;
      continue;
    }
    if (start && out.size() < 6) out.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c));
    start = false;
  }
  return out.empty() ? std::string("ORG") : out;
}

std::string host_of_url(std::string_view url) {
  std::size_t p = url.find("://");
  if (p != std::string_view::npos) url.remove_prefix(p + 3);
  return std::string(url.substr(0, url.find_first_of("/?#:")));
}

std::string target_of_url(std::string_view url) {
  std::size_t p = url.find("://");
  if (p != std::string_view::npos) url.remove_prefix(p + 3);
  std::size_t slash = url.find_first_of("/?#");
  if (slash == std::string_view::npos) return "/";
  std::string t(url.substr(slash));
  if (t.front() != '/') t.insert(t.begin(), '/');
  return t;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------

EventGenerator::~EventGenerator() = default;
EventGenerator::EventGenerator(EventGenerator&&) noexcept = default;
EventGenerator& EventGenerator::operator=(EventGenerator&&) noexcept = default;

EventGenerator::EventGenerator(std::vector<SimulatedSoc> socs, std::vector<Scenario> scenarios, std::uint64_t seed)
    : socs_(std::move(socs)), scenarios_(std::move(scenarios)), rng_(seed) {
  Rand r{rng_};
  profiles_.resize(socs_.size());
  double total = 0;
  for (std::size_t i = 0; i < socs_.size(); ++i) {
    const SimulatedSoc& s = socs_[i];
    SocProfile& p = profiles_[i];
    p.code = initials(s.org.empty() ? s.id : s.org);
    p.domain = s.org_domains.empty() ? fmt::format("{}.vn", s.org.empty() ? s.id : s.org) : s.org_domains.front();
    p.net = static_cast<std::uint8_t>(1 + fnv1a(s.id) % 250);
    for (const auto& range : s.org_ranges) {
      p.public_any.push_back(range);
      if (range.address.v4) p.public_v4.push_back(range);
    }
    p.sensor = fmt::format("sensor-01.{}", p.domain);
    // Volume differs between members of the same type too: a log-normal spread around the type's level.
    const double u1 = std::max(r.unit(), 1e-12), u2 = r.unit();
    const double normal = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    total += org_type_weight(s.org_type) * std::exp(0.5 * normal);
    cumulative_weights_.push_back(total);
  }
  campaigns_.resize(scenarios_.size());
  for (std::size_t k = 0; k < scenarios_.size(); ++k) {
    const Scenario& sc = scenarios_[k];
    if (!has_indicators(sc)) continue;  // parse_scenarios rejects these; a hand-built one simply stays silent
    auto allowed = [](const std::vector<std::string>& list, const std::string& value) {
      return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
    };
    // One SOC per organisation: the scenario's breadth is counted in organisations.
    std::map<std::string, std::vector<std::size_t>> by_org;
    std::vector<std::string> org_order;
    for (std::size_t i = 0; i < socs_.size(); ++i) {
      const SimulatedSoc& s = socs_[i];
      if (!allowed(sc.target_sectors, s.sector) || !allowed(sc.target_provinces, s.province) ||
          !allowed(sc.target_org_types, s.org_type) || !allowed(sc.target_orgs, s.org))
        continue;
      bool capable = false;
      for (const auto& name : s.formats)
        if (auto f = format_of(name); f && !scenario_kinds(sc.kind, *f).empty()) capable = true;
      if (!capable) continue;
      auto& list = by_org[s.org];
      if (list.empty()) org_order.push_back(s.org);
      list.push_back(i);
    }
    for (std::size_t i = org_order.size(); i > 1; --i) std::swap(org_order[i - 1], org_order[r.below(i)]);
    if (org_order.size() > sc.max_targets) org_order.resize(sc.max_targets);
    Campaign& c = campaigns_[k];
    for (const auto& org : org_order) c.targets.push_back(r.pick(by_org[org]));
    c.total = static_cast<std::uint64_t>(std::max(1.0, std::round(sc.duration_s * sc.events_per_second)));
  }
}

const std::vector<std::size_t>& EventGenerator::scenario_targets(std::size_t index) const {
  return campaigns_.at(index).targets;
}

std::vector<SimulatedSoc> EventGenerator::socs_from_registry(const RegistryData& registry, std::size_t limit) {
  std::vector<SimulatedSoc> out;
  for (const auto& soc : registry.socs) {
    if (limit != 0 && out.size() >= limit) break;
    SimulatedSoc s;
    s.id = soc.id;
    s.org = soc.org;
    s.transport = std::string(to_string(soc.transport));
    for (auto f : soc.formats) s.formats.emplace_back(to_string(f));
    if (const Organisation* org = registry.find_organisation(soc.org)) {
      s.sector = org->sector;
      s.province = org->province;
      s.org_ranges = org->ip_ranges;
      s.org_type = std::string(to_string(org->type));
      s.org_domains = org->domains;
    }
    out.push_back(std::move(s));
  }
  return out;
}

GeneratedRecord EventGenerator::next(TimeNs now, double elapsed_s) {
  // The scenario furthest behind its schedule goes first; with none behind, background noise.
  std::size_t best = campaigns_.size();
  double best_lag = 0;
  for (std::size_t k = 0; k < campaigns_.size(); ++k) {
    const Scenario& s = scenarios_[k];
    const Campaign& c = campaigns_[k];
    if (c.targets.empty() || elapsed_s < s.start_after_s || elapsed_s >= s.start_after_s + s.duration_s) continue;
    const double due =
        std::min(static_cast<double>(c.total), std::floor((elapsed_s - s.start_after_s) * s.events_per_second) + 1);
    const double lag = due - static_cast<double>(c.emitted);
    if (lag > best_lag) {
      best_lag = lag;
      best = k;
    }
  }
  if (best < campaigns_.size()) return scenario_event(best, now);
  return background(now);
}

namespace {

// What the background of one SOC looks like: a few fixed hosts and the public services they use.
struct Office {
  const SimulatedSoc& soc;
  std::string_view code;
  std::uint8_t net;
  const std::vector<IpPrefix>& public_v4;
  const std::vector<IpPrefix>& public_any;

  IpAddress workstation(std::int64_t n) const {
    return v4(10, net, static_cast<std::uint8_t>(10 + n % 40), static_cast<std::uint8_t>(20 + n % 200));
  }
  IpAddress resolver() const { return v4(10, net, 0, 53); }
  IpAddress public_server(Rand& r) const {
    if (!public_v4.empty()) return random_in(r.pick(public_v4), r);
    if (!public_any.empty()) return random_in(r.pick(public_any), r);
    return v4(10, net, 1, static_cast<std::uint8_t>(r.range(2, 250)));
  }
  // The address a workstation leaves through: the organisation's NAT pool when it has public space.
  IpAddress egress(Rand& r, const IpAddress& internal) const {
    if (public_v4.empty()) return internal;
    return public_v4.front().bits >= 31 ? public_v4.front().address : random_in(public_v4.front(), r);
  }
};

struct Image {
  std::string_view path, cmd, parent, parent_cmd;
};

constexpr Image kImages[] = {
    {"C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE", "C:\\Windows\\System32\\userinit.exe",
     "C:\\Windows\\system32\\userinit.exe"},
    {"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
     "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer --lang=vi",
     "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
     "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\""},
    {"C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule",
     "C:\\Windows\\System32\\services.exe", "C:\\Windows\\system32\\services.exe"},
    {"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
     "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE\" /n "
     "\"C:\\Users\\Public\\Documents\\bao-cao-thang.docx\"",
     "C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE"},
    {"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
     "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\"", "C:\\Windows\\explorer.exe",
     "C:\\Windows\\Explorer.EXE"},
    {"C:\\Users\\Public\\Zalo\\Zalo.exe", "\"C:\\Users\\Public\\Zalo\\Zalo.exe\"", "C:\\Windows\\explorer.exe",
     "C:\\Windows\\Explorer.EXE"},
    {"C:\\Windows\\System32\\taskhostw.exe", "taskhostw.exe", "C:\\Windows\\System32\\svchost.exe",
     "C:\\Windows\\system32\\svchost.exe -k netsvcs -p"},
};

struct Signature {
  std::int64_t sid;
  std::string_view name, category;
};

constexpr Signature kBenignSignatures[] = {
    {2013028, "ET POLICY curl User-Agent Outbound", "Attempted Information Leak"},
    {2033966, "ET INFO Observed DNS Query to .cloud TLD", "Potentially Bad Traffic"},
    {2016149, "ET INFO Session Traversal Utilities for NAT (STUN Binding Request)", "Attempted User Privilege Gain"},
    {2027695, "ET POLICY Observed Cloudflare DNS over HTTPS Domain (cloudflare-dns .com in TLS SNI)", "Misc activity"},
    {2014702, "ET POLICY Windows Update P2P Activity", "Potential Corporate Privacy Violation"},
    {2025275, "ET INFO Windows OS Submitting USB Metadata to Microsoft", "Misc activity"},
};

Ids draw_ids(Rand& r, std::uint64_t record) {
  static constexpr char kB62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  Ids ids;
  ids.flow_id = r.bits() & 0x7ffffffffffffULL;
  ids.zeek_uid = "C";
  ids.zeek_fuid = "F";
  for (int i = 0; i < 17; ++i) ids.zeek_uid.push_back(kB62[r.below(62)]);
  for (int i = 0; i < 17; ++i) ids.zeek_fuid.push_back(kB62[r.below(62)]);
  ids.record = record;
  return ids;
}

// Picks a site; gov/news ones for plain web browsing.
const Site& pick_site(Rand& r, bool news) {
  std::vector<const Site*> matching;
  for (const auto& s : kSites)
    if (!news || s.gov_or_news) matching.push_back(&s);
  return *matching[r.below(matching.size())];
}

std::string background_line(Kind kind, const Context& c, const Office& o, Rand& r) {
  const std::int64_t n = r.range(1, 250);
  const IpAddress ws = o.workstation(n);
  const std::string pc = host_name(c.code, "PC", n);
  const std::string user = std::string(kUsers[static_cast<std::size_t>(n) % std::size(kUsers)]);
  switch (kind) {
    case Kind::Dns: {
      const Site& s = pick_site(r, r.chance(0.3));
      Dns d;
      d.client = ws;
      d.server = o.resolver();
      d.sport = r.ephemeral_port();
      d.qname = std::string(s.domain);
      d.qtype = r.chance(0.15) ? "AAAA" : "A";
      if (d.qtype == "A") d.answers.push_back(v4(s.a, s.b, s.c, s.d).to_string());
      d.host = pc;
      d.user = user;
      d.image = std::string(r.chance(0.7) ? kImages[1].path : kImages[4].path);
      return render(c, d);
    }
    case Kind::Http: {
      if (c.format == Format::wazuh) {  // a web server of the organisation answering a stray request
        Http h;
        h.inbound = true;
        h.client = internet_address(r);
        h.server = o.public_server(r);
        h.sport = r.ephemeral_port();
        h.dport = 443;
        h.host = fmt::format("www.{}", c.domain);
        static constexpr std::string_view kMissing[] = {"/favicon.ico", "/wp-login.php", "/robots.txt",
                                                        "/.well-known/security.txt"};
        h.target = std::string(r.pick(kMissing));
        h.status = 404;
        h.agent = std::string(r.pick(kBrowserAgents));
        h.response_bytes = 162;
        return render(c, h);
      }
      const Site& s = pick_site(r, true);
      Http h;
      h.client = c.format == Format::cef || c.format == Format::leef ? ws : o.egress(r, ws);
      h.server = v4(s.a, s.b, s.c, s.d);
      h.sport = r.ephemeral_port();
      h.dport = r.chance(0.8) ? 443 : 80;
      h.host = std::string(s.domain);
      h.target = std::string(r.pick(kNewsPaths));
      h.agent = std::string(r.pick(kBrowserAgents));
      h.request_bytes = r.range(400, 1400);
      h.response_bytes = r.range(2000, 250000);
      if (h.target.ends_with(".css")) h.content_type = "text/css";
      return render(c, h);
    }
    case Kind::Tls: {
      const Site& s = pick_site(r, false);
      Tls t;
      t.client = ws;
      t.server = v4(s.a, s.b, s.c, s.d);
      t.sport = r.ephemeral_port();
      t.sni = std::string(s.domain);
      t.version = r.chance(0.8) ? "TLS 1.3" : "TLS 1.2";
      t.subject = fmt::format("CN={}", s.domain);
      t.issuer = s.gov_or_news ? "C=US, O=Let's Encrypt, CN=R3" : "C=US, O=Google Trust Services, CN=WR2";
      return render(c, t);
    }
    case Kind::Conn: {
      Conn n2;
      n2.host = pc;
      n2.user = user;
      n2.image = std::string(kImages[1].path);
      // Most flows are users going out; some are internet background radiation refused at the edge.
      const bool inbound_probe = c.format != Format::winlog && (c.format == Format::wazuh || r.chance(0.2));
      if (inbound_probe) {
        static constexpr int kProbed[] = {22, 23, 445, 3389, 8080, 5900};
        n2.src = internet_address(r);
        n2.dst = o.public_server(r);
        n2.sport = r.ephemeral_port();
        n2.dport = r.pick(kProbed);
        n2.allowed = false;
        n2.inbound = true;
        n2.packets_out = 1;
        n2.bytes_out = 60;
        return render(c, n2);
      }
      const Site& s = pick_site(r, false);
      const bool dns = r.chance(0.15);
      n2.src = ws;
      n2.dst = dns ? v4(8, 8, 8, 8) : v4(s.a, s.b, s.c, s.d);
      n2.sport = r.ephemeral_port();
      n2.dport = dns ? 53 : r.chance(0.85) ? 443 : 80;
      n2.proto = dns ? "udp" : "tcp";
      n2.app = dns ? "dns" : n2.dport == 443 ? "tls" : "http";
      n2.packets_out = r.range(1, 40);
      n2.packets_in = r.range(1, 60);
      n2.bytes_out = n2.packets_out * r.range(60, 600);
      n2.bytes_in = n2.packets_in * r.range(60, 1400);
      n2.duration_s = static_cast<double>(r.range(1, 120000)) / 1000.0;
      return render(c, n2);
    }
    case Kind::Proc: {
      const Image& img = kImages[r.below(std::size(kImages))];
      Proc p;
      p.host = pc;
      p.user = user;
      p.host_ip = ws;
      p.image = std::string(img.path);
      p.cmd = std::string(img.cmd);
      p.parent_image = std::string(img.parent);
      p.parent_cmd = std::string(img.parent_cmd);
      p.pid = r.range(1000, 30000);
      p.ppid = r.range(500, 9000);
      p.sha256 = stable_hex(img.path, 64);
      p.md5 = stable_hex(fmt::format("md5{}", img.path), 32);
      p.sha1 = stable_hex(fmt::format("sha1{}", img.path), 40);
      return render(c, p);
    }
    case Kind::Logon: {
      Logon l;
      l.user = user;
      l.domain = std::string(c.code);
      l.host = pc;
      l.host_ip = ws;
      l.src = o.workstation(r.range(1, 250));
      l.sport = r.ephemeral_port();
      l.logon_type = r.chance(0.6) ? 3 : 2;
      if (c.format == Format::wazuh && r.chance(0.5)) {
        l.ssh = true;
        l.host = host_name(c.code, "srv", r.range(1, 8));
        l.host_ip = o.public_server(r);
        // Internet-facing SSH sees a trickle of guessing; admins log in from the office.
        l.success = !r.chance(0.3);
        static constexpr std::string_view kGuessed[] = {"admin", "test", "oracle", "ubuntu", "user", "postgres"};
        if (l.success)
          l.user = "sysadmin";
        else {
          l.user = std::string(r.pick(kGuessed));
          l.src = internet_address(r);
        }
        return render(c, l);
      }
      if (c.format == Format::cef || c.format == Format::leef) l.src = internet_address(r);  // VPN logins from home
      l.success = !r.chance(0.05);
      return render(c, l);
    }
    case Kind::File: {
      const Site& s = pick_site(r, true);
      FileSeen f;
      f.server = v4(s.a, s.b, s.c, s.d);
      f.client = ws;
      f.dport = r.ephemeral_port();
      f.http_host = std::string(s.domain);
      f.name = fmt::format("cong-van-{}.pdf", r.range(100, 9999));
      f.url_target = fmt::format("/uploads/{}", f.name);
      f.path =
          c.format == Format::wazuh ? "/etc/resolv.conf" : fmt::format("C:\\Users\\{}\\Downloads\\{}", user, f.name);
      f.mime = "application/pdf";
      f.size = c.format == Format::wazuh ? r.range(120, 400) : r.range(40000, 900000);
      f.sha256 = stable_hex(f.name, 64);
      f.md5 = stable_hex(fmt::format("md5{}", f.name), 32);
      f.host = c.format == Format::wazuh ? host_name(c.code, "srv", r.range(1, 8)) : pc;
      f.host_ip = c.format == Format::wazuh ? o.public_server(r) : ws;
      f.user = c.format == Format::wazuh ? "root" : user;
      if (c.format == Format::wazuh) f.name = "resolv.conf";
      return render(c, f);
    }
    case Kind::Alert: {
      const Signature& sig = kBenignSignatures[r.below(std::size(kBenignSignatures))];
      const Site& s = pick_site(r, false);
      Alert a;
      a.src = ws;
      a.dst = v4(s.a, s.b, s.c, s.d);
      a.sport = r.ephemeral_port();
      a.dport = 443;
      a.signature = std::string(sig.name);
      a.category = std::string(sig.category);
      a.sid = sig.sid;
      a.severity = 3;
      a.http_host = std::string(s.domain);
      a.app = "tls";
      return render(c, a);
    }
    case Kind::HostCheck: {
      struct Check {
        std::string_view rule, description, log, location;
        int level;
        bool syscheck;
        std::string_view path;
        std::initializer_list<std::string_view> groups;
      };
      static const Check kChecks[] = {
          {"510",
           "Host-based anomaly detection event (rootcheck).",
           "File '/tmp/.X11-unix' is owned by root and has written permissions to anyone.",
           "rootcheck",
           7,
           false,
           "",
           {"ossec", "rootcheck"}},
          {"533",
           "Listened ports status (netstat) changed (new port opened or closed).",
           "ossec: output: 'netstat listening ports':\ntcp 0.0.0.0:22 0.0.0.0:* 1021/sshd",
           "netstat listening ports",
           7,
           false,
           "",
           {"ossec"}},
          {"5501",
           "PAM: Login session opened.",
           "pam_unix(sudo:session): session opened for user root by sysadmin(uid=1000)",
           "/var/log/auth.log",
           3,
           false,
           "",
           {"pam", "syslog", "authentication_success"}},
          {"2902",
           "New dpkg (Debian Package) installed.",
           "status installed openssl:amd64 3.0.13-1~deb12u1",
           "/var/log/dpkg.log",
           7,
           false,
           "",
           {"syslog", "dpkg", "config_changed"}},
          {"550",
           "Integrity checksum changed.",
           "File '/etc/hosts' modified",
           "syscheck",
           7,
           true,
           "/etc/hosts",
           {"ossec", "syscheck", "syscheck_entry_modified", "syscheck_file"}},
      };
      const Check& k = kChecks[r.below(std::size(kChecks))];
      HostCheck h;
      h.host = host_name(c.code, "srv", r.range(1, 8));
      h.host_ip = o.public_server(r);
      h.rule_id = std::string(k.rule);
      h.description = std::string(k.description);
      h.full_log = std::string(k.log);
      h.location = std::string(k.location);
      h.level = k.level;
      h.syscheck = k.syscheck;
      h.path = std::string(k.path);
      for (auto g : k.groups) h.groups.emplace_back(g);
      return render(c, h);
    }
  }
  return {};
}

constexpr std::string_view kPhishingPaths[] = {"/dang-nhap", "/xac-thuc-tai-khoan", "/tra-cuu/hoa-don",
                                               "/cap-nhat-thong-tin", "/login.php?session=expired"};

std::string scenario_line(const Scenario& s, Kind kind, const Context& c, const Office& o, Rand& r) {
  const std::int64_t n = r.range(1, 250);
  const IpAddress ws = o.workstation(n);
  const std::string pc = host_name(c.code, "PC", n);
  const std::string user = std::string(kUsers[static_cast<std::size_t>(n) % std::size(kUsers)]);
  auto attacker = [&]() {
    auto prefix = IpPrefix::parse(r.pick(s.attacker_ips));
    return prefix ? random_in(*prefix, r) : internet_address(r);
  };

  if (s.kind == "phishing-domains") {
    // A URL from the list, or a lure path on one of the domains.
    std::string host, target;
    if (!s.urls.empty() && (s.domains.empty() || r.chance(0.5))) {
      const std::string& url = r.pick(s.urls);
      host = host_of_url(url);
      target = target_of_url(url);
    } else {
      host = r.pick(s.domains);
      target = std::string(r.pick(kPhishingPaths));
    }
    const IpAddress server = s.attacker_ips.empty() ? hosting_address(host) : attacker();
    if (kind == Kind::Dns) {
      Dns d;
      d.client = ws;
      d.server = o.resolver();
      d.sport = r.ephemeral_port();
      d.qname = host;
      d.answers.push_back(server.to_string());
      d.host = pc;
      d.user = user;
      d.image = std::string(kImages[r.chance(0.5) ? 1 : 4].path);
      return render(c, d);
    }
    if (kind == Kind::Tls) {
      Tls t;
      t.client = ws;
      t.server = server;
      t.sport = r.ephemeral_port();
      t.sni = host;
      t.subject = fmt::format("CN={}", host);
      t.issuer = "C=US, O=Let's Encrypt, CN=R11";
      return render(c, t);
    }
    Http h;
    h.client = c.format == Format::cef || c.format == Format::leef || c.format == Format::wazuh ? ws : o.egress(r, ws);
    h.server = server;
    h.sport = r.ephemeral_port();
    h.dport = 80;  // the lure links are plain http: the sensors see the full URL
    h.host = host;
    h.target = target;
    h.agent = std::string(r.pick(kBrowserAgents));
    h.request_bytes = r.range(400, 900);
    h.response_bytes = r.range(3000, 40000);
    h.referrer = r.chance(0.5) ? "https://mail.google.com/" : "";
    h.blocked = c.format == Format::cef && r.chance(0.3);
    return render(c, h);
  }

  if (s.kind == "malware-hash") {
    const std::size_t i = r.below(s.sha256.size());
    const std::string name =
        s.file_names.empty() ? fmt::format("update-{}.exe", s.sha256[i].substr(0, 6)) : s.file_names[i];
    const std::string md5 = s.md5.empty() ? std::string() : s.md5[i];
    if (kind == Kind::Proc) {
      Proc p;
      p.host = pc;
      p.user = user;
      p.host_ip = ws;
      p.image = fmt::format("C:\\Users\\{}\\AppData\\Local\\Temp\\{}", user, name);
      p.cmd = fmt::format("\"{}\" --quiet", p.image);
      p.parent_image = r.chance(0.5) ? std::string(kImages[0].path) : std::string(kImages[4].path);
      p.parent_cmd = p.parent_image;
      p.pid = r.range(1000, 30000);
      p.ppid = r.range(500, 9000);
      p.sha256 = s.sha256[i];
      p.md5 = md5;
      p.suspicious = true;
      return render(c, p);
    }
    FileSeen f;
    std::string host = "cdn-capnhat-phanmem.top", target = fmt::format("/files/{}", name);
    if (!s.urls.empty()) {
      const std::string& url = r.pick(s.urls);
      host = host_of_url(url);
      target = target_of_url(url);
    }
    f.server = hosting_address(host);
    f.client = ws;
    f.dport = r.ephemeral_port();
    f.http_host = host;
    f.url_target = target;
    f.name = name;
    f.size = 180000 + static_cast<std::int64_t>(fnv1a(s.sha256[i]) % 3000000);
    f.sha256 = s.sha256[i];
    f.md5 = md5;
    f.malicious = true;
    f.user = user;
    f.host = pc;
    f.host_ip = ws;
    f.path = fmt::format("C:\\Users\\{}\\Downloads\\{}", user, name);
    return render(c, f);
  }

  if (s.kind == "scanning") {
    const IpAddress src = attacker();
    const IpAddress dst = o.public_server(r);
    const int port = r.pick(s.ports);
    static constexpr int kUdp[] = {53, 69, 123, 161, 500, 1900, 5060};
    const bool udp = std::find(std::begin(kUdp), std::end(kUdp), port) != std::end(kUdp);
    if (kind == Kind::Alert) {
      Alert a;
      a.src = src;
      a.dst = dst;
      a.sport = r.ephemeral_port();
      a.dport = port;
      a.proto = udp ? "udp" : "tcp";
      a.scan = true;
      a.blocked = false;
      a.severity = 2;
      static constexpr Signature kScans[] = {
          {2001219, "ET SCAN Potential SSH Scan", "Attempted Information Leak"},
          {2002910, "ET SCAN Potential VNC Scan 5800-5820", "Attempted Information Leak"},
          {2010935, "ET SCAN Suspicious inbound to MSSQL port 1433", "Potentially Bad Traffic"},
          {2010937, "ET SCAN Suspicious inbound to mySQL port 3306", "Potentially Bad Traffic"},
          {2402000, "ET DROP Dshield Block Listed Source", "Misc Attack"},
      };
      const Signature& sig = port == 22 ? kScans[0] : port == 1433 ? kScans[2] : port == 3306 ? kScans[3] : kScans[4];
      a.signature = std::string(sig.name);
      a.category = std::string(sig.category);
      a.sid = sig.sid;
      return render(c, a);
    }
    Conn n2;
    n2.src = src;
    n2.dst = dst;
    n2.sport = r.ephemeral_port();
    n2.dport = port;
    n2.proto = udp ? "udp" : "tcp";
    n2.allowed = false;
    n2.inbound = true;
    n2.packets_out = 1;
    n2.bytes_out = udp ? 78 : 60;
    return render(c, n2);
  }

  // cve-exploitation: a request carrying the exploit to a public web server, and the IDS alert on it.
  const std::string cve = r.pick(s.cves);
  const IpAddress src = attacker();
  const IpAddress dst = o.public_server(r);
  const int port = s.ports.empty() ? (r.chance(0.6) ? 443 : 80) : r.pick(s.ports);
  const std::string target = s.paths.empty() ? "/" : r.pick(s.paths);
  const std::string agent =
      s.user_agents.empty() ? std::string("Mozilla/5.0 (compatible; Nmap Scripting Engine)") : r.pick(s.user_agents);
  const std::string host = r.chance(0.5) ? fmt::format("www.{}", c.domain) : dst.to_string();
  if (kind == Kind::Alert) {
    Alert a;
    a.src = src;
    a.dst = dst;
    a.sport = r.ephemeral_port();
    a.dport = port;
    a.app = "http";
    a.cve = cve;
    a.severity = 1;
    a.blocked = c.format == Format::cef && r.chance(0.4);
    a.signature = fmt::format("ET EXPLOIT Possible {} exploitation attempt (inbound)", cve);
    a.category = "Attempted Administrator Privilege Gain";
    a.sid = 2034000 + static_cast<std::int64_t>(fnv1a(cve) % 5000);
    a.http_host = host;
    a.url_target = target;
    a.agent = agent;
    return render(c, a);
  }
  Http h;
  h.inbound = true;
  h.client = src;
  h.server = dst;
  h.sport = r.ephemeral_port();
  h.dport = port;
  h.host = host;
  h.target = target;
  h.agent = agent;
  h.status = r.chance(0.7) ? 400 : 404;
  h.request_bytes = r.range(300, 900);
  h.response_bytes = 162;
  h.cve = cve;
  return render(c, h);
}

}  // namespace

GeneratedRecord EventGenerator::background(TimeNs now) {
  Rand r{rng_};
  GeneratedRecord rec;
  rec.format = "ocsf";
  if (socs_.empty()) {
    rec.soc_index = 0;
    return rec;
  }
  const double x = r.unit() * cumulative_weights_.back();
  rec.soc_index = std::min<std::size_t>(
      static_cast<std::size_t>(std::upper_bound(cumulative_weights_.begin(), cumulative_weights_.end(), x) -
                               cumulative_weights_.begin()),
      socs_.size() - 1);
  const SimulatedSoc& soc = socs_[rec.soc_index];
  SocProfile& p = profiles_[rec.soc_index];
  std::optional<Format> format;
  if (!soc.formats.empty()) {
    rec.format = r.pick(soc.formats);
    format = format_of(rec.format);
  }
  if (!format) {
    format = Format::ocsf;  // a SOC without a known format still shows up, in the platform's own schema
    rec.format = "ocsf";
  }
  const auto& mix = background_mix(*format);
  int total = 0;
  for (const auto& m : mix) total += m.weight;
  int roll = static_cast<int>(r.below(static_cast<std::size_t>(total)));
  Kind kind = mix.front().kind;
  for (const auto& m : mix) {
    if (roll < m.weight) {
      kind = m.kind;
      break;
    }
    roll -= m.weight;
  }
  const std::uint64_t record = ++p.records;
  Context c{now, soc, record, p.code, p.domain, p.sensor, *format, draw_ids(r, record)};
  Office o{soc, p.code, p.net, p.public_v4, p.public_any};
  rec.line = background_line(kind, c, o, r);
  return rec;
}

GeneratedRecord EventGenerator::scenario_event(std::size_t index, TimeNs now) {
  Rand r{rng_};
  Campaign& campaign = campaigns_[index];
  const Scenario& s = scenarios_[index];
  const std::uint64_t i = campaign.emitted++;
  GeneratedRecord rec;
  rec.scenario = s.id;
  rec.soc_index = i < campaign.targets.size() ? campaign.targets[i] : r.pick(campaign.targets);
  const SimulatedSoc& soc = socs_[rec.soc_index];
  SocProfile& p = profiles_[rec.soc_index];
  std::vector<Format> usable;
  for (const auto& name : soc.formats)
    if (auto f = format_of(name); f && !scenario_kinds(s.kind, *f).empty()) usable.push_back(*f);
  const Format format = r.pick(usable);  // targets were chosen so that at least one format fits
  rec.format = std::string(kFormatNames[static_cast<std::size_t>(format)]);
  const Kind kind = r.pick(scenario_kinds(s.kind, format));
  const std::uint64_t record = ++p.records;
  Context c{now, soc, record, p.code, p.domain, p.sensor, format, draw_ids(r, record)};
  Office o{soc, p.code, p.net, p.public_v4, p.public_any};
  rec.line = scenario_line(s, kind, c, o, r);
  return rec;
}

}  // namespace khien
