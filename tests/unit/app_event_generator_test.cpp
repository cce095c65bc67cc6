// Tests of the simulator's event generator and the scenario loader: determinism, every record decodable by
// its format's decoder, scenario indicators and breadth, and scenario YAML errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/event_generator.h"
#include "app/scenario.h"
#include "core/event.h"
#include "core/field_dictionary.h"
#include "decode/decoder.h"
#include "store/registry_data.h"

namespace khien {
namespace {

const TimeNs kStart = *parse_iso8601("2026-11-22T03:00:00Z");

std::map<std::string, std::string> read_scenario_dir() {
  std::map<std::string, std::string> out;
  for (const auto& e :
       std::filesystem::directory_iterator(std::filesystem::path(KHIEN_SOURCE_DIR) / "data/scenarios")) {
    if (e.path().extension() != ".yaml") continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    out[e.path().filename().string()] = ss.str();
  }
  return out;
}

std::vector<Scenario> shipped_scenarios() {
  static const std::map<std::string, std::string> texts = read_scenario_dir();
  std::map<std::string, std::string_view> files(texts.begin(), texts.end());
  auto parsed = parse_scenarios(files);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? *parsed : std::vector<Scenario>{};
}

const RegistryData& registry() {
  static const RegistryData data = [] {
    auto r = load_registry_yaml(std::filesystem::path(KHIEN_SOURCE_DIR) / "data/registry");
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : RegistryData{};
  }();
  return data;
}

// Decodes records with one decoder per format, keeping the last event for inspection.
class Decoders {
 public:
  Status decode(const GeneratedRecord& rec) {
    auto it = decoders_.find(rec.format);
    if (it == decoders_.end()) {
      auto d = make_decoder(rec.format);
      if (!d) return tl::unexpected(d.error());
      it = decoders_.emplace(rec.format, std::move(*d)).first;
    }
    arena_.reset();
    event_.clear();
    return it->second->decode(rec.line, event_);
  }
  const Event& event() const { return event_; }

 private:
  std::map<std::string, std::unique_ptr<Decoder>> decoders_;
  Arena arena_;
  Event event_{arena_};
};

std::vector<SimulatedSoc> one_soc_per_format() {
  std::vector<SimulatedSoc> socs;
  for (std::string_view f : {"ocsf", "ecs", "eve", "zeek", "wazuh", "winlog", "cef", "leef"}) {
    SimulatedSoc s;
    s.id = "soc-test-" + std::string(f);
    s.org = "org-" + std::string(f);
    s.sector = "nang-luong";
    s.province = "ha-noi";
    s.transport = "http";
    s.org_type = "enterprise";
    s.formats = {std::string(f)};
    s.org_ranges = {*IpPrefix::parse("198.51.100.0/24"), *IpPrefix::parse("2001:db8:10::/48")};
    s.org_domains = {std::string(f) + ".example.vn"};
    socs.push_back(s);
  }
  return socs;
}

TEST(EventGenerator, SameSeedSameRecords) {
  auto socs = EventGenerator::socs_from_registry(registry(), 0);
  ASSERT_EQ(socs.size(), registry().socs.size());
  EventGenerator a(socs, shipped_scenarios(), 42), b(socs, shipped_scenarios(), 42), c(socs, shipped_scenarios(), 43);
  int differ = 0;
  for (int i = 0; i < 3000; ++i) {
    const double elapsed = i * 0.02;
    const TimeNs now = kStart + static_cast<TimeNs>(elapsed * 1e9);
    GeneratedRecord x = a.next(now, elapsed), y = b.next(now, elapsed), z = c.next(now, elapsed);
    ASSERT_EQ(x.soc_index, y.soc_index) << i;
    ASSERT_EQ(x.format, y.format) << i;
    ASSERT_EQ(x.line, y.line) << i;
    ASSERT_EQ(x.scenario, y.scenario) << i;
    if (x.line != z.line) ++differ;
  }
  EXPECT_GT(differ, 2900) << "another seed should give other traffic";
}

TEST(EventGenerator, SocsFromRegistryCarryTheOrganisation) {
  auto socs = EventGenerator::socs_from_registry(registry(), 5);
  ASSERT_EQ(socs.size(), 5u);
  for (const auto& s : socs) {
    const Organisation* org = registry().find_organisation(s.org);
    ASSERT_NE(org, nullptr) << s.org;
    EXPECT_EQ(s.province, org->province);
    EXPECT_EQ(s.sector, org->sector);
    EXPECT_FALSE(s.formats.empty());
    EXPECT_FALSE(s.org_ranges.empty());
    EXPECT_FALSE(s.org_type.empty());
    EXPECT_TRUE(s.transport == "http" || s.transport == "syslog-udp" || s.transport == "syslog-tcp") << s.transport;
  }
}

// Background and scenario records of every format, through the real decoders.
TEST(EventGenerator, EveryFormatDecodes) {
  std::vector<Scenario> scenarios = shipped_scenarios();
  for (auto& s : scenarios) {  // everything at once, from the first second
    s.start_after_s = 0;
    s.target_sectors.clear();
    s.target_provinces.clear();
    s.target_org_types.clear();
    s.events_per_second = 20;
  }
  EventGenerator gen(one_soc_per_format(), scenarios, 7);
  Decoders decoders;
  std::map<std::string, int> per_format, scenario_per_format;
  std::set<std::pair<std::string, std::int64_t>> classes;
  for (int i = 0; i < 16000; ++i) {
    const double elapsed = i * 0.01;
    const TimeNs now = kStart + static_cast<TimeNs>(elapsed * 1e9);
    GeneratedRecord rec = gen.next(now, elapsed);
    ASSERT_EQ(rec.line.find('\n'), std::string::npos) << rec.line;
    Status st = decoders.decode(rec);
    ASSERT_TRUE(st) << rec.format << ": " << st.error().message << "\n" << rec.line;
    const Event& e = decoders.event();
    const Value* t = e.get(field::time);
    ASSERT_NE(t, nullptr) << rec.format << " record without a time: " << rec.line;
    // Formats keep different precision: milliseconds (OCSF, ECS, CEF, Wazuh), seconds (LEEF, NXLog).
    EXPECT_LE(std::llabs(t->t - now), 1000000000LL) << rec.format << ": " << rec.line;
    EXPECT_TRUE(e.has(field::class_uid)) << rec.format << ": " << rec.line;
    if (const Value* cls = e.get(field::class_uid)) classes.emplace(rec.format, cls->i);
    ++per_format[rec.format];
    if (!rec.scenario.empty()) ++scenario_per_format[rec.format];
  }
  for (std::string_view f : {"ocsf", "ecs", "eve", "zeek", "wazuh", "winlog", "cef", "leef"}) {
    EXPECT_GE(per_format[std::string(f)], 1000) << f;
    if (f != "winlog") {
      EXPECT_GE(scenario_per_format[std::string(f)], 100) << f;
    }
  }
  // Background covers several kinds of activity per format, not one repeated shape.
  std::map<std::string, int> kinds;
  for (const auto& [format, cls] : classes) ++kinds[format];
  EXPECT_GE(kinds["ocsf"], 5);
  EXPECT_GE(kinds["ecs"], 5);
  EXPECT_GE(kinds["eve"], 4);
  EXPECT_GE(kinds["winlog"], 4);
}

TEST(EventGenerator, BackgroundLooksBenign) {
  EventGenerator gen(EventGenerator::socs_from_registry(registry(), 0), {}, 3);
  Decoders decoders;
  std::map<std::string, int> counts;
  int alerts = 0, high = 0, total = 0;
  for (int i = 0; i < 20000; ++i) {
    GeneratedRecord rec = gen.next(kStart + i * 1000000LL, i * 0.001);
    ASSERT_TRUE(rec.scenario.empty());
    ASSERT_TRUE(decoders.decode(rec)) << rec.line;
    const Event& e = decoders.event();
    ++counts[gen.socs()[rec.soc_index].org_type];
    ++total;
    if (const Value* cls = e.get(field::class_uid); cls && cls->i == 2004) ++alerts;
    if (const Value* sev = e.get(field::severity_id); sev && sev->i >= 4) ++high;
  }
  // Weighted choice: ISPs (8 SOCs) send more than the 9 small agencies.
  EXPECT_GT(counts["isp"], counts["agency"]);
  EXPECT_GT(counts["province"], 0);
  // Wazuh records are all alerts; beyond those, alerts are rare and none is high severity.
  EXPECT_LT(alerts, total / 5);
  EXPECT_EQ(high, 0);
}

bool inside(const std::vector<IpPrefix>& ranges, const IpAddress& ip) {
  return std::any_of(ranges.begin(), ranges.end(), [&](const IpPrefix& p) { return p.contains(ip); });
}

std::vector<IpPrefix> prefixes(const std::vector<std::string>& texts) {
  std::vector<IpPrefix> out;
  for (const auto& t : texts) out.push_back(*IpPrefix::parse(t));
  return out;
}

std::string host_of(std::string url) {
  url = url.substr(url.find("://") + 3);
  return url.substr(0, url.find_first_of("/?:"));
}

struct Seen {
  std::set<std::string> orgs, sectors, provinces;
  int records = 0;
};

// The shipped scenarios against the shipped registry: indicators in schema fields, breadth as documented.
TEST(EventGenerator, ShippedScenariosReachTheirBreadth) {
  const std::vector<Scenario> scenarios = shipped_scenarios();
  ASSERT_EQ(scenarios.size(), 4u);
  auto socs = EventGenerator::socs_from_registry(registry(), 0);
  EventGenerator gen(socs, scenarios, 2026);
  Decoders decoders;
  std::map<std::string, Seen> seen;
  std::map<std::string, const Scenario*> by_id;
  for (const auto& s : scenarios) by_id[s.id] = &s;
  int background = 0;
  std::map<std::string, int> cve_alerts;  // format → records naming the CVE
  // One simulated minute at 400 records per second.
  for (int i = 0; i < 24000; ++i) {
    const double elapsed = i / 400.0;
    GeneratedRecord rec = gen.next(kStart + static_cast<TimeNs>(elapsed * 1e9), elapsed);
    ASSERT_TRUE(decoders.decode(rec)) << rec.line;
    if (rec.scenario.empty()) {
      ++background;
      continue;
    }
    const Scenario& s = *by_id.at(rec.scenario);
    const SimulatedSoc& soc = socs[rec.soc_index];
    Seen& v = seen[s.id];
    ++v.records;
    v.orgs.insert(soc.org);
    if (!soc.sector.empty()) v.sectors.insert(soc.sector);
    v.provinces.insert(soc.province);
    const Event& e = decoders.event();
    // Every scenario record carries its indicator in a schema field.
    if (s.kind == "phishing-domains") {
      std::set<std::string> hosts(s.domains.begin(), s.domains.end());
      for (const auto& u : s.urls) hosts.insert(host_of(u));
      bool hit =
          hosts.count(std::string(e.get_string(field::query_hostname))) ||
          hosts.count(std::string(e.get_string(field::url_hostname))) ||
          hosts.count(std::string(e.get_string(field::tls_sni))) ||
          (e.has(field::url_url_string) && hosts.count(host_of(std::string(e.get_string(field::url_url_string)))));
      EXPECT_TRUE(hit) << rec.format << ": " << rec.line;
    } else if (s.kind == "malware-hash") {
      std::string sha = std::string(e.get_string(field::file_hashes_sha256));
      EXPECT_NE(std::find(s.sha256.begin(), s.sha256.end(), sha), s.sha256.end()) << rec.format << ": " << rec.line;
    } else if (s.kind == "scanning") {
      const Value* src = e.get(field::src_endpoint_ip);
      const Value* dst = e.get(field::dst_endpoint_ip);
      ASSERT_TRUE(src && src->type == FieldType::Ip && dst && dst->type == FieldType::Ip) << rec.line;
      EXPECT_TRUE(inside(prefixes(s.attacker_ips), src->ip)) << rec.line;
      EXPECT_TRUE(inside(soc.org_ranges, dst->ip)) << "scans hit the organisation's own addresses: " << rec.line;
      if (const Value* port = e.get(field::dst_endpoint_port); port && port->type == FieldType::Int) {
        EXPECT_NE(std::find(s.ports.begin(), s.ports.end(), port->i), s.ports.end()) << rec.line;
      }
    } else {
      const Value* src = e.get(field::src_endpoint_ip);
      ASSERT_TRUE(src && src->type == FieldType::Ip) << rec.line;
      EXPECT_TRUE(inside(prefixes(s.attacker_ips), src->ip)) << rec.line;
      // The exploit path or user agent in the URL / user-agent fields, or the CVE named by an alert.
      const std::string fields = std::string(e.get_string(field::url_url_string)) + " " +
                                 std::string(e.get_string(field::url_path)) + "?" +
                                 std::string(e.get_string(field::url_query_string)) + " " +
                                 std::string(e.get_string(field::http_request_user_agent));
      bool carries_exploit = false;
      for (const auto& p : s.paths) carries_exploit = carries_exploit || fields.find(p) != std::string::npos;
      for (const auto& ua : s.user_agents) carries_exploit = carries_exploit || fields.find(ua) != std::string::npos;
      const bool names_cve = e.raw().find(s.cves.front()) != std::string_view::npos;
      EXPECT_TRUE(carries_exploit || names_cve) << rec.format << ": " << rec.line;
      if (names_cve) ++cve_alerts[rec.format];
    }
  }
  EXPECT_GT(background, 20000);
  // The breadth each YAML header promises, reached within the minute.
  EXPECT_EQ(seen["phishing-dichvucong"].orgs.size(), 17u);
  EXPECT_GE(seen["phishing-dichvucong"].sectors.size(), 10u);
  EXPECT_EQ(seen["ransomware-energy"].orgs.size(), 12u);
  EXPECT_EQ(seen["ransomware-energy"].sectors, std::set<std::string>{"nang-luong"});
  EXPECT_EQ(seen["botnet-scanning"].orgs.size(), 30u);
  EXPECT_EQ(seen["botnet-scanning"].provinces.size(), 30u);
  EXPECT_EQ(seen["log4shell-exploitation"].orgs.size(), 24u);
  EXPECT_GE(seen["log4shell-exploitation"].sectors.size(), 4u);
  EXPECT_GT(cve_alerts["eve"], 0) << "Suricata alerts name the CVE";
  for (std::size_t k = 0; k < scenarios.size(); ++k) {
    EXPECT_EQ(gen.scenario_targets(k).size(), seen[scenarios[k].id].orgs.size()) << scenarios[k].id;
    // Rate: about events_per_second over the time the scenario was active in this minute.
    const double active = std::max(0.0, 60.0 - scenarios[k].start_after_s);
    EXPECT_NEAR(seen[scenarios[k].id].records, active * scenarios[k].events_per_second,
                2 + active * scenarios[k].events_per_second * 0.02)
        << scenarios[k].id;
  }
}

TEST(EventGenerator, ScenarioWindowAndFilters) {
  Scenario s;
  s.id = "scan-test";
  s.title = "test";
  s.kind = "scanning";
  s.start_after_s = 10;
  s.duration_s = 5;
  s.events_per_second = 10;
  s.target_provinces = {"ha-noi"};
  s.target_org_types = {"ministry"};
  s.max_targets = 4;
  s.attacker_ips = {"203.0.113.0/24"};
  s.ports = {22};
  auto socs = EventGenerator::socs_from_registry(registry(), 0);
  EventGenerator gen(socs, {s}, 9);
  ASSERT_EQ(gen.scenario_targets(0).size(), 4u);
  for (std::size_t i : gen.scenario_targets(0)) {
    EXPECT_EQ(socs[i].province, "ha-noi");
    EXPECT_EQ(socs[i].org_type, "ministry");
  }
  int before = 0, during = 0, after = 0;
  for (int i = 0; i < 3000; ++i) {
    const double elapsed = i * 0.01;
    GeneratedRecord rec = gen.next(kStart + static_cast<TimeNs>(elapsed * 1e9), elapsed);
    if (rec.scenario.empty()) continue;
    (elapsed < 10 ? before : elapsed < 15 ? during : after)++;
  }
  EXPECT_EQ(before, 0);
  EXPECT_EQ(during, 50);
  EXPECT_EQ(after, 0);
}

// ---------------------------------------------------------------------------------------------------------
// parse_scenarios

Result<std::vector<Scenario>> parse_one(std::string_view name, std::string_view text) {
  return parse_scenarios({{std::string(name), text}});
}

constexpr std::string_view kValid =
    "id: scan-a\n"
    "title: A scan\n"
    "kind: scanning\n"
    "duration_s: 30\n"
    "events_per_second: 2.5\n"
    "target_org_types: [province]\n"
    "max_targets: 3\n"
    "attacker_ips: [203.0.113.0/24, 198.51.100.7]\n"
    "ports: [22, 3389]\n";

TEST(ParseScenarios, ReadsEveryField) {
  auto r = parse_one("a.yaml", kValid);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  const Scenario& s = r->front();
  EXPECT_EQ(s.id, "scan-a");
  EXPECT_EQ(s.kind, "scanning");
  EXPECT_DOUBLE_EQ(s.duration_s, 30);
  EXPECT_DOUBLE_EQ(s.events_per_second, 2.5);
  EXPECT_DOUBLE_EQ(s.start_after_s, 0);
  EXPECT_EQ(s.max_targets, 3u);
  EXPECT_EQ(s.target_org_types, std::vector<std::string>{"province"});
  EXPECT_EQ(s.attacker_ips.size(), 2u);
  EXPECT_EQ(s.ports, (std::vector<int>{22, 3389}));
}

TEST(ParseScenarios, ListFileAndShippedFiles) {
  auto r = parse_one("many.yaml",
                     "scenarios:\n"
                     "  - {id: one, title: One, kind: phishing-domains, domains: [a-b.example]}\n"
                     "  - {id: two, title: Two, kind: malware-hash, sha256: [" +
                         std::string(64, 'A') + "]}\n");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[1].sha256.front(), std::string(64, 'a')) << "hashes are lower-cased";
  auto shipped = shipped_scenarios();
  std::set<std::string> kinds;
  for (const auto& s : shipped) kinds.insert(s.kind);
  EXPECT_EQ(kinds.size(), 4u);
}

TEST(ParseScenarios, UnknownKeyNamesFileAndLine) {
  auto r = parse_one("x.yaml", std::string(kValid) + "colour: red\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("x.yaml:10: colour: unknown key"), std::string::npos) << r.error().message;
}

TEST(ParseScenarios, BadTypesNameFileAndLine) {
  auto r = parse_one("bad.yaml",
                     "id: scan-a\n"
                     "title: A scan\n"
                     "kind: scanning\n"
                     "duration_s: soon\n"
                     "max_targets: [1]\n"
                     "attacker_ips: {a: 1}\n"
                     "ports: [22, 70000, x]\n");
  ASSERT_FALSE(r);
  const std::string& m = r.error().message;
  EXPECT_NE(m.find("bad.yaml:4: duration_s: expected a number, got 'soon'"), std::string::npos) << m;
  EXPECT_NE(m.find("bad.yaml:5: max_targets: expected text, not a list or mapping"), std::string::npos) << m;
  EXPECT_NE(m.find("bad.yaml:6: attacker_ips: expected a list, not a mapping"), std::string::npos) << m;
  EXPECT_NE(m.find("bad.yaml:7: ports[1]: a port is between 1 and 65535"), std::string::npos) << m;
  EXPECT_NE(m.find("bad.yaml:7: ports[2]: expected a whole number, got 'x'"), std::string::npos) << m;
}

TEST(ParseScenarios, IndicatorsAndKindsAreChecked) {
  auto bad_hash = parse_one("h.yaml", "id: m\ntitle: M\nkind: malware-hash\nsha256: [abc]\n");
  ASSERT_FALSE(bad_hash);
  EXPECT_NE(bad_hash.error().message.find("h.yaml:4: sha256[0]: 'abc' is not 64 hex digits"), std::string::npos)
      << bad_hash.error().message;

  auto wrong_kind = parse_one("k.yaml", "id: m\ntitle: M\nkind: ddos\n");
  ASSERT_FALSE(wrong_kind);
  EXPECT_NE(wrong_kind.error().message.find("k.yaml:3: kind: 'ddos' is not a kind"), std::string::npos);

  auto foreign = parse_one("f.yaml", std::string(kValid) + "sha256: [" + std::string(64, 'a') + "]\n");
  ASSERT_FALSE(foreign);
  EXPECT_NE(foreign.error().message.find("f.yaml:10: sha256: not used by kind 'scanning'"), std::string::npos)
      << foreign.error().message;

  auto missing = parse_one("n.yaml", "id: p\ntitle: P\nkind: phishing-domains\n");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("n.yaml:1: domains: a phishing-domains scenario needs domains or urls"),
            std::string::npos)
      << missing.error().message;

  auto no_id = parse_one("i.yaml", "title: P\nkind: scanning\nattacker_ips: [192.0.2.1]\nports: [22]\n");
  ASSERT_FALSE(no_id);
  EXPECT_NE(no_id.error().message.find("i.yaml:1: id: missing (required)"), std::string::npos);

  auto bad_ip = parse_one("ip.yaml", "id: s\ntitle: S\nkind: scanning\nattacker_ips: [300.1.1.1]\nports: [22]\n");
  ASSERT_FALSE(bad_ip);
  EXPECT_NE(bad_ip.error().message.find("ip.yaml:4: attacker_ips[0]: '300.1.1.1' is not an IP address"),
            std::string::npos);
}

TEST(ParseScenarios, DuplicateIdsAcrossFilesAndBrokenYaml) {
  auto dup = parse_scenarios({{"a.yaml", kValid}, {"b.yaml", kValid}});
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message.find("b.yaml:1: id: 'scan-a' is already used by a scenario in a.yaml"),
            std::string::npos)
      << dup.error().message;

  auto broken = parse_one("y.yaml", "id: a\ntitle: [unclosed\n");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().message.rfind("y.yaml:", 0), 0u) << broken.error().message;
  EXPECT_NE(broken.error().message.find("invalid YAML"), std::string::npos);

  auto empty = parse_one("e.yaml", "");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("e.yaml:1:"), std::string::npos);
}

}  // namespace
}  // namespace khien
