// IntelDetector and the matcher build: catalog facts, alerts per indicator kind, not-evaluated
// patterns, warninglists, sightings, and the hot swap (a reload that does not swap fails here).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/intel_detector.h"
#include "app/intel_service.h"
#include "core/arena.h"
#include "core/schema.h"
#include "intel/warninglist.h"

namespace khien {
namespace {

using json = nlohmann::json;

std::string uuid_id(const char* type, int n) {
  return fmt::format("{}--{:08x}-0000-4000-8000-000000000000", type, n);
}

StixRecord indicator(int n, const std::string& pattern, json extra = json::object(), std::string tlp = "green",
                     std::string source = "test-feed") {
  StixRecord r;
  r.id = uuid_id("indicator", n);
  r.type = "indicator";
  r.tlp = std::move(tlp);
  r.source = std::move(source);
  json o{{"type", "indicator"},       {"spec_version", "2.1"},      {"id", r.id},
         {"created", "2026-01-01T00:00:00.000Z"}, {"modified", "2026-01-01T00:00:00.000Z"},
         {"pattern_type", "stix"},    {"pattern", pattern},         {"valid_from", "2026-01-01T00:00:00Z"}};
  for (auto& [k, v] : extra.items()) o[k] = v;
  r.json = o.dump();
  return r;
}

struct Fixture {
  Arena arena;
  std::vector<Alert> run(IntelDetector& d, const std::function<void(Event&)>& fill) {
    arena.reset();
    Event e(arena);
    fill(e);
    std::vector<Alert> out;
    d.detect(e, out);
    return out;
  }
};

std::vector<StixRecord> sample() {
  return {
      indicator(1, "[domain-name:value = 'evil.vn']", {{"name", "Evil domain"}, {"confidence", 95}, {"indicator_types", {"malicious-activity"}}}),
      indicator(2, "[ipv4-addr:value = '203.0.113.0/24']", {{"name", "C2 range"}, {"confidence", 40}}, "amber", "cert-ngan-hang"),
      indicator(3, "[url:value = 'http://bad.example.vn/payload.exe']", {{"name", "Payload URL"}}),
      indicator(4, "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']", {{"confidence", 10}}),
      indicator(5, "[email-addr:value = 'phish@evil-mail.vn']", {{"name", "Phisher"}}),
      indicator(6, "[process:name = 'x.exe'] FOLLOWEDBY [process:name = 'y.exe']", {{"name", "Sequence"}}),
      indicator(7, "alert tcp any any -> any any (msg:\"x\";)", {{"pattern_type", "snort"}}),
      indicator(8, "[domain-name:value = 'a.vn' OR ipv4-addr:value = '198.51.100.7']", {{"name", "Two observables"}}),
  };
}

TEST(AppIntelCatalog, RoundTripAndCompact) {
  IndicatorCatalog c;
  auto a = c.add("indicator--a", "Name A", "src1", Tlp::red, 80, "x\ny");
  c.add_observable(ObservableKind::Domain, "evil.vn");
  c.add_observable(ObservableKind::Ip, "10.0.0.0/8");
  auto b = c.add("indicator--b", "", "src1", Tlp::clear, -1, "");
  auto d = c.add("indicator--c", "C", "src2", Tlp::green, 500, "");
  EXPECT_EQ(a, 0u);
  EXPECT_EQ(b, 1u);
  EXPECT_EQ(d, 2u);
  auto va = c.at(a);
  EXPECT_EQ(va.stix_id, "indicator--a");
  EXPECT_EQ(va.name, "Name A");
  EXPECT_EQ(va.source, "src1");
  EXPECT_EQ(va.tags, "x\ny");
  EXPECT_EQ(va.observables, "devil.vn\ni10.0.0.0/8\n");
  EXPECT_EQ(va.tlp, Tlp::red);
  EXPECT_EQ(va.confidence, 80);
  EXPECT_EQ(c.at(b).observables, "");
  EXPECT_EQ(c.at(b).confidence, -1);
  EXPECT_EQ(c.at(d).source, "src2");
  EXPECT_EQ(c.at(d).confidence, -1);  // out of range is "none"
  EXPECT_LT(c.memory_bytes(), 1024u);
}

TEST(AppIntelBuild, CompilesSimplePatternsAndReportsTheRest) {
  auto built = build_intel_matcher(sample(), nullptr);
  const auto& r = built.report;
  EXPECT_EQ(r.indicators, 8u);
  EXPECT_EQ(r.compiled, 6u);
  EXPECT_EQ(r.observables, 7u);
  ASSERT_EQ(r.not_evaluated.size(), 2u);
  EXPECT_EQ(r.not_evaluated[0].first, uuid_id("indicator", 6));
  EXPECT_NE(r.not_evaluated[0].second.find("FOLLOWEDBY"), std::string::npos) << r.not_evaluated[0].second;
  EXPECT_EQ(r.not_evaluated[1].first, uuid_id("indicator", 7));
  EXPECT_NE(r.not_evaluated[1].second.find("snort"), std::string::npos);
  EXPECT_EQ(built.catalog->size(), 6u);
  EXPECT_GT(r.memory_bytes, 0u);
}

TEST(AppIntelDetector, AlertsPerKindWithIndicatorFacts) {
  MatcherHolder holder;
  auto built = build_intel_matcher(sample(), nullptr);
  publish_intel(holder, built.matcher, built.catalog);
  SightingCounter sightings;
  IntelDetector d(holder, &sightings);
  Fixture f;

  auto dns = f.run(d, [](Event& e) {
    e.set_string(field::query_hostname, "a.b.Evil.VN");
    e.set_string(field::khien_org, "bo-tai-chinh");
    e.set_time(field::time, 1'000);
  });
  ASSERT_EQ(dns.size(), 1u);
  EXPECT_EQ(dns[0].kind, "ioc");
  EXPECT_EQ(dns[0].rule_id, uuid_id("indicator", 1));
  EXPECT_EQ(dns[0].title, "Evil domain");
  EXPECT_EQ(dns[0].matched, "evil.vn");
  EXPECT_EQ(dns[0].matched_field, "query.hostname");
  EXPECT_EQ(dns[0].tlp, "green");
  EXPECT_EQ(dns[0].source, "test-feed");
  EXPECT_EQ(dns[0].severity_id, 5);
  EXPECT_EQ(dns[0].level, "critical");
  EXPECT_EQ(dns[0].tags, std::vector<std::string>{"malicious-activity"});

  auto conn = f.run(d, [](Event& e) {
    e.set_ip(field::src_endpoint_ip, *IpAddress::parse("10.1.1.1"));
    e.set_ip(field::dst_endpoint_ip, *IpAddress::parse("203.0.113.77"));
    e.set_string(field::khien_org, "bo-tai-chinh");
    e.set_time(field::time, 2'000);
  });
  ASSERT_EQ(conn.size(), 1u);
  EXPECT_EQ(conn[0].rule_id, uuid_id("indicator", 2));
  EXPECT_EQ(conn[0].matched, "203.0.113.0/24");
  EXPECT_EQ(conn[0].matched_field, "dst_endpoint.ip");
  EXPECT_EQ(conn[0].tlp, "amber");
  EXPECT_EQ(conn[0].source, "cert-ngan-hang");
  EXPECT_EQ(conn[0].severity_id, 3);

  auto url = f.run(d, [](Event& e) { e.set_string(field::url_url_string, "HTTP://bad.example.vn:80/payload.exe"); });
  ASSERT_EQ(url.size(), 1u);
  EXPECT_EQ(url[0].rule_id, uuid_id("indicator", 3));
  EXPECT_EQ(url[0].title, "Payload URL");
  EXPECT_EQ(url[0].severity_id, 3);  // no confidence

  auto hash = f.run(d, [](Event& e) {
    e.set_string(field::file_hashes_sha256, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
  });
  ASSERT_EQ(hash.size(), 1u);
  EXPECT_EQ(hash[0].rule_id, uuid_id("indicator", 4));
  EXPECT_EQ(hash[0].severity_id, 2);
  // No name: the pattern is the title.
  EXPECT_NE(hash[0].title.find("file:hashes"), std::string::npos);

  auto mail = f.run(d, [](Event& e) { e.set_string(field::email_from, "Phisher <PHISH@evil-mail.vn>"); });
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0].matched, "phish@evil-mail.vn");

  // An indicator with two observables names the one that matched.
  auto two = f.run(d, [](Event& e) { e.set_ip(field::src_endpoint_ip, *IpAddress::parse("198.51.100.7")); });
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0].matched, "198.51.100.7");
  two = f.run(d, [](Event& e) { e.set_string(field::dst_endpoint_hostname, "www.a.vn"); });
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0].matched, "a.vn");

  EXPECT_TRUE(f.run(d, [](Event& e) {
                 e.set_string(field::query_hostname, "evil.vn.example.com");
                 e.set_ip(field::dst_endpoint_ip, *IpAddress::parse("203.0.114.1"));
               }).empty());

  // One alert per indicator and event, even when it matches through two fields.
  auto both = f.run(d, [](Event& e) {
    e.set_ip(field::src_endpoint_ip, *IpAddress::parse("203.0.113.1"));
    e.set_ip(field::dst_endpoint_ip, *IpAddress::parse("203.0.113.2"));
  });
  EXPECT_EQ(both.size(), 1u);

  auto rows = sightings.drain();
  std::map<std::string, SightingRow> by_id;
  for (auto& r : rows) by_id[r.indicator_id + "|" + r.org] = r;
  ASSERT_TRUE(by_id.count(uuid_id("indicator", 1) + "|bo-tai-chinh"));
  EXPECT_EQ(by_id[uuid_id("indicator", 1) + "|bo-tai-chinh"].count, 1u);
  EXPECT_EQ(by_id[uuid_id("indicator", 1) + "|bo-tai-chinh"].first_seen, 1'000);
  EXPECT_EQ(by_id[uuid_id("indicator", 2) + "|bo-tai-chinh"].last_seen, 2'000);
  EXPECT_EQ(by_id[uuid_id("indicator", 2) + "|"].count, 1u);  // the event without an organisation
  EXPECT_TRUE(sightings.drain().empty());
}

TEST(AppIntelDetector, EmptyHolderRaisesNothing) {
  MatcherHolder holder;
  IntelDetector d(holder);
  Fixture f;
  EXPECT_TRUE(f.run(d, [](Event& e) { e.set_string(field::query_hostname, "evil.vn"); }).empty());
}

// The detector instance lives across reloads (one per worker, created at start): it must see each
// newly published matcher on the next event, and never the old indicators again.
TEST(AppIntelDetector, ReloadSwapsTheMatcherUnderALiveDetector) {
  MatcherHolder holder;
  IntelDetector d(holder);
  Fixture f;
  auto v1 = build_intel_matcher({indicator(1, "[domain-name:value = 'old.vn']", {{"name", "Old"}})}, nullptr);
  auto version1 = publish_intel(holder, v1.matcher, v1.catalog);
  auto old_hit = [](Event& e) { e.set_string(field::query_hostname, "x.old.vn"); };
  auto new_hit = [](Event& e) { e.set_string(field::query_hostname, "x.new.vn"); };
  ASSERT_EQ(f.run(d, old_hit).size(), 1u);
  ASSERT_TRUE(f.run(d, new_hit).empty());

  auto v2 = build_intel_matcher({indicator(2, "[domain-name:value = 'new.vn']", {{"name", "New"}})}, nullptr);
  auto version2 = publish_intel(holder, v2.matcher, v2.catalog);
  EXPECT_GT(version2, version1);
  EXPECT_TRUE(f.run(d, old_hit).empty());
  auto alerts = f.run(d, new_hit);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule_id, uuid_id("indicator", 2));
  EXPECT_EQ(alerts[0].title, "New");
  // The catalog travels with its matcher: ids of v2 are never read from v1's catalog.
  EXPECT_EQ(catalog_of(holder.get()), v2.catalog.get());
}

// The pipeline hands the detector its whole batch first (begin_batch): the events are looked up
// together, against the matcher current at that moment, and each detect() reports its own event's
// hits. A matcher published in the middle of the batch applies from the next batch on (a detector
// that looked events up one at a time would see it on the next event).
TEST(AppIntelDetector, BatchIsLookedUpAtOnceAgainstOneMatcher) {
  MatcherHolder holder;
  IntelDetector d(holder);
  auto v1 = build_intel_matcher({indicator(1, "[domain-name:value = 'old.vn']", {{"name", "Old"}}),
                                 indicator(2, "[ipv4-addr:value = '203.0.113.0/24']", {{"name", "Range"}})},
                                nullptr);
  publish_intel(holder, v1.matcher, v1.catalog);
  Arena arena;
  std::vector<Event> events(4, Event(arena));
  events[0].set_string(field::query_hostname, "x.old.vn");
  events[1].set_string(field::query_hostname, "x.new.vn");
  events[2].set_ip(field::dst_endpoint_ip, *IpAddress::parse("203.0.113.9"));
  events[2].set_string(field::tls_sni, "old.vn");
  events[3].set_string(field::query_hostname, "clean.vn");
  std::vector<const Event*> batch;
  for (const auto& e : events) batch.push_back(&e);
  d.begin_batch(batch);

  auto v2 = build_intel_matcher({indicator(3, "[domain-name:value = 'new.vn']", {{"name", "New"}})}, nullptr);
  publish_intel(holder, v2.matcher, v2.catalog);
  std::vector<std::vector<Alert>> alerts(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) d.detect(events[i], alerts[i]);
  ASSERT_EQ(alerts[0].size(), 1u);
  EXPECT_EQ(alerts[0][0].rule_id, uuid_id("indicator", 1));
  EXPECT_EQ(alerts[0][0].title, "Old");  // read from the catalog published with the batch's matcher
  EXPECT_TRUE(alerts[1].empty());
  ASSERT_EQ(alerts[2].size(), 2u);
  EXPECT_EQ(alerts[2][0].rule_id, uuid_id("indicator", 2));
  EXPECT_EQ(alerts[2][0].matched, "203.0.113.0/24");
  EXPECT_EQ(alerts[2][0].matched_field, "dst_endpoint.ip");
  EXPECT_EQ(alerts[2][1].rule_id, uuid_id("indicator", 1));
  EXPECT_TRUE(alerts[3].empty());

  // The next batch, and an event outside any batch, see the new matcher.
  d.begin_batch(std::span<const Event* const>(batch.data(), 2));
  std::vector<Alert> first, second, alone;
  d.detect(events[0], first);
  d.detect(events[1], second);
  EXPECT_TRUE(first.empty());
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].rule_id, uuid_id("indicator", 3));
  d.detect(events[1], alone);
  ASSERT_EQ(alone.size(), 1u);
  EXPECT_EQ(alone[0].title, "New");
}

// Workers keep matching while reloads publish new matchers: no event is lost to a pause and the
// old matcher with its catalog stays valid until the last worker drops it (ASan checks the rest).
TEST(AppIntelDetector, ConcurrentReloadsNeverPauseOrTearAlerts) {
  MatcherHolder holder;
  auto first = build_intel_matcher({indicator(1, "[domain-name:value = 'evil.vn']", {{"name", "A"}})}, nullptr);
  publish_intel(holder, first.matcher, first.catalog);
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> events{0}, hits{0}, torn{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([&] {
      IntelDetector d(holder);
      Fixture f;
      while (!stop) {
        auto alerts = f.run(d, [](Event& e) { e.set_string(field::query_hostname, "evil.vn"); });
        ++events;
        for (const auto& a : alerts) {
          ++hits;
          // Every version names its indicator "A" or "B" after its id's last digit.
          bool ok = (a.rule_id == uuid_id("indicator", 1) && a.title == "A") || (a.rule_id == uuid_id("indicator", 2) && a.title == "B");
          if (!ok) ++torn;
        }
      }
    });
  }
  for (int i = 0; i < 50; ++i) {
    int n = i % 2 ? 1 : 2;
    std::vector<StixRecord> records{indicator(n, "[domain-name:value = 'evil.vn']", {{"name", n == 1 ? "A" : "B"}}),
                                    indicator(10 + i, fmt::format("[domain-name:value = 'filler{}.vn']", i))};
    auto b = build_intel_matcher(records, nullptr);
    publish_intel(holder, b.matcher, b.catalog);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  stop = true;
  for (auto& t : workers) t.join();
  EXPECT_GT(events.load(), 0u);
  EXPECT_EQ(hits.load(), events.load());  // every event hit, across every swap
  EXPECT_EQ(torn.load(), 0u);
}

TEST(AppIntelBuild, WarninglistedObservablesAreLeftOut) {
  WarninglistSet lists;
  auto st = lists.add_list_json(
      R"({"name": "Public resolvers", "version": 1, "description": "test", "type": "cidr",
          "list": ["8.8.8.8/32"], "matching_attributes": ["ip-dst", "ip-src"]})",
      "resolvers");
  ASSERT_TRUE(st) << st.error().message;
  auto built = build_intel_matcher({indicator(1, "[ipv4-addr:value = '8.8.8.8']"),
                                    indicator(2, "[ipv4-addr:value = '8.8.8.8' OR ipv4-addr:value = '192.0.2.1']"),
                                    indicator(3, "[domain-name:value = 'evil.vn']")},
                                   &lists);
  EXPECT_EQ(built.report.warninglisted, 2u);
  EXPECT_EQ(built.report.compiled, 2u);  // indicator 1 has nothing left
  EXPECT_EQ(built.report.observables, 2u);
  MatcherHolder holder;
  publish_intel(holder, built.matcher, built.catalog);
  IntelDetector d(holder);
  Fixture f;
  EXPECT_TRUE(f.run(d, [](Event& e) { e.set_ip(field::dst_endpoint_ip, *IpAddress::parse("8.8.8.8")); }).empty());
  EXPECT_EQ(f.run(d, [](Event& e) { e.set_ip(field::dst_endpoint_ip, *IpAddress::parse("192.0.2.1")); }).size(), 1u);
}

TEST(AppIntelSeverity, ConfidenceScale) {
  EXPECT_EQ(severity_for_confidence(-1), 3);
  EXPECT_EQ(severity_for_confidence(0), 2);
  EXPECT_EQ(severity_for_confidence(29), 2);
  EXPECT_EQ(severity_for_confidence(30), 3);
  EXPECT_EQ(severity_for_confidence(70), 4);
  EXPECT_EQ(severity_for_confidence(89), 4);
  EXPECT_EQ(severity_for_confidence(90), 5);
  EXPECT_EQ(severity_for_confidence(100), 5);
}

}  // namespace
}  // namespace khien
