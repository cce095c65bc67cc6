// Campaign detector: sightings extracted from alerts, thresholds per kind, one warning per
// campaign updated by later sightings, expiry, severity, and bounded keyed state.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "correlate/campaign_detector.h"

namespace khien {
namespace {

constexpr TimeNs kSec = 1'000'000'000;
constexpr TimeNs kT0 = 1'760'000'000LL * kSec;

Alert alert(const std::string& kind, const std::string& rule, const std::string& org, const std::string& sector,
            const std::string& event_json, TimeNs t, std::uint64_t seq) {
  Alert a;
  a.kind = kind;
  a.rule_id = rule;
  a.severity_id = 4;
  a.org = org;
  a.sector = sector;
  a.province = "p-" + org;
  a.event_json = event_json;
  a.time = t;
  a.event_seq = seq;
  return a;
}

TEST(Sightings, ExtractsEveryKindAndSkipsMembers) {
  CampaignContext ctx;
  ctx.member_ranges.push_back(*IpPrefix::parse("14.160.0.0/16"));
  ctx.member_domains.push_back("evn.com.vn");
  Alert a = alert("sigma", "rule-1", "evn", "nang-luong",
                  R"({"src_endpoint.ip":"45.135.232.17","dst_endpoint.ip":"14.160.1.2","src_endpoint.autonomous_system.number":209588,)"
                  R"("url.hostname":"www.evn.com.vn","query.hostname":"Evil-Domain.top.","file.hashes.sha256":"ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",)"
                  R"("alert.signature":"ET EXPLOIT Possible CVE-2021-44228 exploitation"})",
                  kT0, 1);
  a.tags = {"cve.2021-45046"};
  auto s = extract_sightings(a, ctx, 3);
  std::vector<Sighting> want{{CampaignKind::cve, "CVE-2021-45046"},
                             {CampaignKind::cve, "CVE-2021-44228"},
                             {CampaignKind::hash, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"},
                             {CampaignKind::domain, "evil-domain.top"},
                             {CampaignKind::ip, "45.135.232.0/24"},
                             {CampaignKind::asn, "AS209588"},
                             {CampaignKind::sigma, "rule-1"}};
  EXPECT_EQ(s, want);
  a.severity_id = 2;  // below the Sigma floor
  a.event_json = R"({"src_endpoint.ip":"192.168.1.1","dst_endpoint.ip":"10.0.0.1"})";
  a.tags.clear();
  EXPECT_TRUE(extract_sightings(a, ctx, 3).empty());
  // A domain reported only as the destination's host name or inside a full URL is the same sighting.
  a.severity_id = 3;
  a.event_json = R"({"dst_endpoint.hostname":"VNeID-CapNhat.xyz"})";
  EXPECT_EQ(extract_sightings(a, ctx, 3), (std::vector<Sighting>{{CampaignKind::domain, "vneid-capnhat.xyz"}, {CampaignKind::sigma, "rule-1"}}));
  a.event_json = R"({"url.url_string":"http://user@dichvucong-gov-vn.top:8080/dang-nhap?ref=x"})";
  EXPECT_EQ(extract_sightings(a, ctx, 3), (std::vector<Sighting>{{CampaignKind::domain, "dichvucong-gov-vn.top"}, {CampaignKind::sigma, "rule-1"}}));
  a.event_json = R"({"url.url_string":"https://www.evn.com.vn/login"})";  // a member's own site is no campaign key
  EXPECT_EQ(extract_sightings(a, ctx, 3), (std::vector<Sighting>{{CampaignKind::sigma, "rule-1"}}));
  Alert ioc = alert("ioc", "indicator--1", "evn", "nang-luong", "", kT0, 2);
  EXPECT_EQ(extract_sightings(ioc, ctx, 3), (std::vector<Sighting>{{CampaignKind::indicator, "indicator--1"}}));
}

TEST(Campaign, ThreeOrganisationsRaiseOneWarningThatLaterSightingsUpdate) {
  CampaignDetector d;
  const std::string ev = R"({"query.hostname":"dichvucong-gov-vn.top"})";
  std::vector<Alert> batch{alert("ioc", "ind-1", "a", "s1", ev, kT0, 1), alert("ioc", "ind-1", "a", "s1", ev, kT0 + kSec, 2),
                           alert("ioc", "ind-1", "b", "s1", ev, kT0 + 2 * kSec, 3)};
  EXPECT_TRUE(d.observe(batch).empty());  // two organisations: below threshold
  auto changed = d.observe({alert("ioc", "ind-1", "c", "s2", ev, kT0 + 3 * kSec, 4)});
  ASSERT_EQ(changed.size(), 1u);
  const Warning* w = d.find(changed[0]);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->kind, CampaignKind::indicator);
  EXPECT_EQ(w->key, "ind-1");
  EXPECT_EQ(w->orgs.size(), 3u);
  EXPECT_EQ(w->sectors, (std::set<std::string>{"s1", "s2"}));
  EXPECT_EQ(w->first_seen, kT0);
  EXPECT_EQ(w->last_seen, kT0 + 3 * kSec);
  // The domain key crossed on the same alert and joined the warning instead of opening another.
  ASSERT_EQ(w->keys.size(), 2u);
  EXPECT_EQ(w->keys[1].kind, CampaignKind::domain);
  // Handed out at once, settling: the watch floor sees it on the alert that raised it.
  auto first = d.take_changes();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].version, 1u);
  EXPECT_FALSE(first[0].settled);
  EXPECT_EQ(first[0].pending_evidence.size(), 3u);  // a, b and c
  d.expire(kT0 + 3 * kSec + d.options().settle - 1);
  EXPECT_TRUE(d.take_changes().empty());
  d.expire(kT0 + 3 * kSec + d.options().settle);
  auto settled = d.take_changes();
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_TRUE(settled[0].settled);
  EXPECT_EQ(settled[0].version, 2u);
  EXPECT_TRUE(settled[0].pending_evidence.empty());
  // A later sighting at a fourth organisation through the domain alone updates the same warning.
  changed = d.observe({alert("sigma", "other-rule", "d", "s3", ev, kT0 + 60 * kSec, 5)});
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0], w->id);
  EXPECT_EQ(w->orgs.size(), 4u);
  EXPECT_EQ(w->alert_count, 2u);  // the founding alert and this one
  EXPECT_EQ(d.active().size(), 1u);
  // An update is handed out at once.
  auto update = d.take_changes();
  ASSERT_EQ(update.size(), 1u);
  EXPECT_EQ(update[0].version, 3u);
}

TEST(Campaign, SectorsThresholdAndPerKindConfiguration) {
  CampaignOptions o;
  o[CampaignKind::hash].min_orgs = 10;
  o[CampaignKind::hash].min_sectors = 2;
  o[CampaignKind::ip].enabled = false;
  CampaignDetector d(o);
  auto ev = [](int i) {
    return fmt::format(R"({{"file.hashes.md5":"a8ff606eb0ecc1be9f51f7f7c0fa6316","src_endpoint.ip":"45.135.232.{}"}})", i);
  };
  EXPECT_TRUE(d.observe({alert("sigma", "r", "a", "energy", ev(1), kT0, 1), alert("sigma", "r", "b", "energy", ev(2), kT0, 2),
                         alert("sigma", "r", "c", "energy", ev(3), kT0, 3)})
                  .empty());
  auto changed = d.observe({alert("sigma", "r", "d", "banking", ev(4), kT0, 4)});
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(d.find(changed[0])->kind, CampaignKind::hash);
  EXPECT_EQ(d.find(changed[0])->orgs.size(), 4u);  // every organisation of the window, with two sectors
}

TEST(Campaign, SightingsOutsideTheWindowDoNotAddUp) {
  CampaignOptions o;
  o[CampaignKind::domain].window = 600 * kSec;
  CampaignDetector d(o);
  const std::string ev = R"({"tls.sni":"vneid-capnhat.xyz"})";
  d.observe({alert("x", "r", "a", "s1", ev, kT0, 1), alert("x", "r", "b", "s2", ev, kT0 + 400 * kSec, 2)});
  EXPECT_TRUE(d.observe({alert("x", "r", "c", "s3", ev, kT0 + 700 * kSec, 3)}).empty());  // a is 700 s old
  EXPECT_EQ(d.observe({alert("x", "r", "d", "s4", ev, kT0 + 701 * kSec, 4)}).size(), 1u);  // b, c, d
}

TEST(Campaign, QuietWarningBecomesInactiveAndANewSightingOpensANewOne) {
  CampaignOptions o;
  o[CampaignKind::cve].window = 600 * kSec;
  CampaignDetector d(o);
  auto ev = R"({"vulnerabilities.cve.uid":"CVE-2021-44228"})";
  std::vector<Alert> batch;
  for (int i = 0; i < 3; ++i) batch.push_back(alert("x", "r", fmt::format("o{}", i), "s", ev, kT0 + i * kSec, static_cast<std::uint64_t>(i)));
  auto ids = d.observe(batch);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(d.take_changes().size(), 1u);  // raised
  d.expire(kT0 + 60 * kSec);
  EXPECT_EQ(d.take_changes().size(), 1u);  // settled
  d.expire(kT0 + 300 * kSec);
  EXPECT_TRUE(d.take_changes().empty());
  d.expire(kT0 + 700 * kSec);
  auto gone = d.take_changes();
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_FALSE(gone[0].active);
  EXPECT_TRUE(d.active().empty());
  batch.clear();
  for (int i = 0; i < 3; ++i) batch.push_back(alert("x", "r", fmt::format("o{}", i), "s", ev, kT0 + 800 * kSec + i * kSec, static_cast<std::uint64_t>(10 + i)));
  auto again = d.observe(batch);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0], ids[0]);
}

TEST(Campaign, AttackerNetworksJoinTheWarningOfTheRuleTheyShare) {
  // A hunting rule fires on five attacker /24s: its key crosses first, each network later joins.
  CampaignDetector d;
  std::vector<Alert> batch;
  for (int i = 0; i < 60; ++i) {
    auto ev = fmt::format(R"({{"src_endpoint.ip":"{}.0.0.{}"}})", 45 + i % 5, 1 + i);
    batch.push_back(alert("sigma", "hunt-botnet", fmt::format("prov-{}", i % 30), fmt::format("s{}", i % 7), ev,
                          kT0 + i * kSec, static_cast<std::uint64_t>(i)));
  }
  d.observe(batch);
  ASSERT_EQ(d.active().size(), 1u);
  const Warning& w = *d.active()[0];
  EXPECT_EQ(w.kind, CampaignKind::sigma);
  EXPECT_EQ(w.orgs.size(), 30u);
  EXPECT_EQ(w.keys.size(), 6u);  // the rule and the five networks
}

TEST(Campaign, SigmaRuleJoiningASpecificWarningDoesNotRouteOtherAlerts) {
  CampaignDetector d;
  std::vector<Alert> batch;
  for (int i = 0; i < 6; ++i)
    batch.push_back(alert("sigma", "ids-high", fmt::format("o{}", i), "s", R"({"alert.signature":"CVE-2021-44228"})",
                          kT0 + i * kSec, static_cast<std::uint64_t>(i)));
  d.observe(batch);
  ASSERT_EQ(d.active().size(), 1u);
  const Warning& w = *d.active()[0];
  EXPECT_EQ(w.kind, CampaignKind::cve);
  // The same rule on an unrelated event at a new organisation changes nothing.
  EXPECT_TRUE(d.observe({alert("sigma", "ids-high", "zz", "t", R"({"alert.signature":"ET POLICY"})", kT0 + 10 * kSec, 99)}).empty());
  EXPECT_EQ(w.orgs.size(), 6u);
}

TEST(Campaign, SeverityFromBreadthCriticalityAndSecurityLevels) {
  Warning w;
  w.kind = CampaignKind::hash;
  w.key = "x";
  for (int i = 0; i < 3; ++i) w.orgs[fmt::format("o{}", i)] = 1;
  w.sectors = {"s"};
  score_warning(w);
  EXPECT_EQ(w.severity, "low");
  w.max_criticality = 5;
  w.max_security_level = 4;
  score_warning(w);
  EXPECT_EQ(w.severity, "medium");
  for (int i = 0; i < 24; ++i) w.orgs[fmt::format("o{}", i)] = 1;
  w.sectors = {"a", "b", "c", "d"};
  w.max_security_level = 5;
  score_warning(w);
  EXPECT_EQ(w.score, 8);
  EXPECT_EQ(w.severity, "critical");
  EXPECT_EQ(w.severity_id, 5);
}

TEST(Campaign, SeverityUsesTheContext) {
  CampaignContext ctx;
  ctx.sector_criticality = {{"nang-luong", 5}};
  ctx.org_security_level = {{"evn", 5}};
  CampaignDetector d({}, ctx);
  auto ev = R"({"file.hashes.sha256":"7c11c05dff7b9c8f9a4cbd787f6c813ebe559c854d6e2aad4ebbd0c6d548d393"})";
  d.observe({alert("x", "r", "evn", "nang-luong", ev, kT0, 1), alert("x", "r", "pvn", "nang-luong", ev, kT0, 2),
             alert("x", "r", "evnnpt", "nang-luong", ev, kT0, 3)});
  ASSERT_EQ(d.active().size(), 1u);
  EXPECT_EQ(d.active()[0]->max_criticality, 5);
  EXPECT_EQ(d.active()[0]->max_security_level, 5);
  EXPECT_EQ(d.active()[0]->severity, "high");
}

TEST(Campaign, KeyedStateIsBoundedAndExpires) {
  CampaignOptions o;
  o.max_keys = 1000;
  for (auto& k : o.kinds) k.window = 60 * kSec;
  CampaignDetector d(o);
  Alert a = alert("x", "r", "a", "s", "", kT0, 1);
  for (int i = 0; i < 5000; ++i) d.observe(a, {{CampaignKind::domain, fmt::format("d{}.example", i)}});
  auto st = d.stats();
  EXPECT_EQ(st.keys, 1000u);
  EXPECT_EQ(st.dropped_keys, 4000u);
  // A minute later the old keys have expired: new ones fit again.
  a.time = kT0 + 120 * kSec;
  for (int i = 0; i < 500; ++i) d.observe(a, {{CampaignKind::domain, fmt::format("e{}.example", i)}});
  EXPECT_EQ(d.stats().keys, 500u);
  EXPECT_EQ(d.stats().dropped_keys, 4000u);
}

TEST(Campaign, RestoredWarningsKeepTheirKeys) {
  Warning w;
  w.id = 41;
  w.kind = CampaignKind::domain;
  w.key = "evil.top";
  w.window = 3600 * kSec;
  w.first_seen = w.last_seen = kT0;
  w.orgs = {{"a", 1}, {"b", 1}, {"c", 1}};
  w.keys = {{CampaignKind::domain, "evil.top", true}};
  w.settled = true;
  CampaignDetector d;
  d.restore({w}, 42);
  auto ids = d.observe({alert("x", "r", "e", "s", R"({"query.hostname":"evil.top"})", kT0 + kSec, 9)});
  ASSERT_EQ(ids, std::vector<std::int64_t>{41});
  EXPECT_EQ(d.find(41)->orgs.size(), 4u);
  // New warnings continue after the restored ids.
  std::vector<Alert> batch;
  for (int i = 0; i < 3; ++i) batch.push_back(alert("ioc", "ind", fmt::format("o{}", i), "s", "", kT0, static_cast<std::uint64_t>(i)));
  EXPECT_EQ(d.observe(batch), std::vector<std::int64_t>{42});
}

TEST(Durations, ParseAndFormat) {
  TimeNs d = 0;
  ASSERT_TRUE(parse_duration("30m", d));
  EXPECT_EQ(d, 1800 * kSec);
  ASSERT_TRUE(parse_duration("90", d));
  EXPECT_EQ(d, 90 * kSec);
  EXPECT_EQ(format_duration(3600 * kSec), "1h");
  EXPECT_EQ(format_duration(90 * kSec), "90s");
  EXPECT_FALSE(parse_duration("1w", d));
  EXPECT_FALSE(parse_duration("-5m", d));
}

}  // namespace
}  // namespace khien

namespace khien {
namespace {

TEST(Campaign, RotatingDomainsUnderOneNetworkStayOneWarning) {
  // Domain a.top reaches three organisations first; b.top and c.top reach theirs later, their
  // alerts sharing the hosting network the first one's alerts showed.
  CampaignDetector d;
  std::vector<Alert> batch;
  const char* domains[] = {"a.top", "b.top", "c.top"};
  std::uint64_t seq = 0;
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 3; ++i) {
      auto ev = fmt::format(R"({{"url.hostname":"{}","dst_endpoint.ip":"45.137.154.{}"}})", domains[round], 10 + i);
      batch.push_back(alert("x", "r", fmt::format("m{}", round * 3 + i), "s", ev, kT0 + static_cast<TimeNs>(seq) * kSec, seq));
      ++seq;
    }
  // The network crosses at the third alert together with a.top: both on the first warning.
  d.observe(batch);
  ASSERT_EQ(d.active().size(), 1u);
  EXPECT_EQ(d.active()[0]->orgs.size(), 9u);
}

}  // namespace
}  // namespace khien
