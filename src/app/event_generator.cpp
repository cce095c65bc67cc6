// Synthetic member-SOC traffic: what happened (a DNS query, a logon, an IDS alert) drawn at random or from a
// scenario, then written in the SOC's own format (OCSF, ECS, EVE, Zeek, Wazuh, Windows, CEF, LEEF).
#include "app/event_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

#include "app/simulated_activity.h"
#include "app/simulated_text.h"
#include "core/json_writer.h"

namespace khien {

// The generator is written in the simulator's vocabulary (Rand, Format, the activity records, render()).
using namespace sim;

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
