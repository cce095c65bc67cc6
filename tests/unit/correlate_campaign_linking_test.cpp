// Campaign detector: keys of one campaign that cross their thresholds on unrelated alerts still
// make one warning (overlapping organisations, links learnt from alerts beside the campaign), and
// unrelated campaigns stay apart.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "correlate/campaign_detector.h"

namespace khien {
namespace {

constexpr TimeNs kSec = 1'000'000'000;
constexpr TimeNs kT0 = 1'760'000'000LL * kSec;

struct Feed {
  CampaignDetector detector;
  std::uint64_t seq = 0;
  TimeNs t = kT0;

  // One Sigma alert of `rule` at `org` from `src` (an attacker address), optionally naming a CVE.
  void alert(const std::string& rule, const std::string& org, const std::string& src, const std::string& cve = "",
             int severity = 4) {
    Alert a;
    a.kind = "sigma";
    a.rule_id = rule;
    a.severity_id = severity;
    a.org = org;
    a.sector = "sector-" + org;
    a.province = "province-" + org;
    a.event_json = cve.empty() ? fmt::format(R"({{"src_endpoint.ip":"{}"}})", src)
                               : fmt::format(R"({{"src_endpoint.ip":"{}","finding_info.title":"ET EXPLOIT {} attempt"}})", src, cve);
    a.time = t;
    a.event_seq = ++seq;
    t += kSec;
    detector.observe(std::vector<Alert>{a});
  }
  std::vector<const Warning*> active() const { return detector.active(); }
};

bool has_key(const Warning& w, CampaignKind kind, const std::string& value) {
  for (const auto& k : w.keys)
    if (k.kind == kind && k.value == value) return true;
  return false;
}

// The order that split a Log4Shell campaign in two: one attacker /24 crosses on the web-server
// alerts of three organisations; the CVE then crosses on IDS alerts from another attacker range,
// at organisations two of which the first warning already holds. Nothing in the IDS alerts was seen
// in the first warning's alerts, so only the overlap of organisations ties them together.
TEST(CampaignLinking, SecondKeyJoinsTheWarningWhoseOrganisationsItShares) {
  Feed f;
  for (const char* org : {"a", "b", "c"}) f.alert("web-exploit-rule", org, "194.26.29.14");
  ASSERT_EQ(f.active().size(), 1u);
  const std::int64_t first = f.active()[0]->id;
  EXPECT_EQ(f.active()[0]->key, "194.26.29.0/24");
  for (const char* org : {"b", "c", "d"}) f.alert("ids-rule", org, "45.155.205.233", "CVE-2021-44228");
  auto warnings = f.active();
  ASSERT_EQ(warnings.size(), 1u) << "the CVE opened a second warning: " << warnings.back()->key;
  const Warning& w = *warnings[0];
  EXPECT_EQ(w.id, first);
  EXPECT_TRUE(has_key(w, CampaignKind::cve, "CVE-2021-44228"));
  EXPECT_TRUE(has_key(w, CampaignKind::ip, "45.155.205.0/24"));
  EXPECT_EQ(w.orgs.size(), 4u);  // a, b, c and d
  // Later sightings through the joined keys keep updating the one warning.
  f.alert("ids-rule", "e", "45.155.205.7", "CVE-2021-44228");
  ASSERT_EQ(f.active().size(), 1u);
  EXPECT_EQ(f.active()[0]->orgs.size(), 5u);
}

TEST(CampaignLinking, DisjointOrganisationsStayApart) {
  Feed f;
  for (const char* org : {"a", "b", "c"}) f.alert("rule-1", org, "194.26.29.14");
  for (const char* org : {"d", "e", "f"}) f.alert("rule-2", org, "45.155.205.233", "CVE-2021-44228");
  EXPECT_EQ(f.active().size(), 2u);
}

TEST(CampaignLinking, OneSharedOrganisationIsNotEnough) {
  Feed f;
  for (const char* org : {"a", "b", "c"}) f.alert("rule-1", org, "194.26.29.14");
  for (const char* org : {"c", "d", "e"}) f.alert("rule-2", org, "45.155.205.233", "CVE-2021-44228");
  EXPECT_EQ(f.active().size(), 2u);
}

// A small key inside a broad warning: a few shared victims are what two concurrent campaigns
// against one sector look like, not one campaign.
TEST(CampaignLinking, BroadWarningDoesNotSwallowASmallKeyAmongItsVictims) {
  Feed f;
  for (int i = 0; i < 12; ++i) f.alert("rule-1", fmt::format("org{}", i), "194.26.29.14");
  ASSERT_EQ(f.active().size(), 1u);
  for (const char* org : {"org1", "org2", "org3"}) f.alert("rule-2", org, "45.155.205.233", "CVE-2021-44228");
  EXPECT_EQ(f.active().size(), 2u);
}

TEST(CampaignLinking, OverlapCountsOnlyWarningsStillInTheirWindow) {
  Feed f;
  for (const char* org : {"a", "b", "c"}) f.alert("rule-1", org, "194.26.29.14");
  f.t += 2 * 3600 * kSec;  // past the first warning's window, before anything expired it
  for (const char* org : {"b", "c", "d"}) f.alert("rule-2", org, "45.155.205.233", "CVE-2021-44228");
  EXPECT_EQ(f.active().size(), 2u);
}

// A botnet rotating /24s under one scan rule: the second /24 is seen once beside the rule (which the
// first warning's alerts carry), then crosses its threshold on alerts that carry only itself, at
// organisations the first warning has not seen. The link learnt from that one alert joins it.
TEST(CampaignLinking, KeySeenBesideALinkedKeyJoinsWhenItCrossesAlone) {
  Feed f;
  for (const char* org : {"a", "b", "c"}) f.alert("scan-rule", org, "45.135.232.17");
  ASSERT_EQ(f.active().size(), 1u);
  f.alert("scan-rule", "d", "80.94.95.3");  // below threshold; routes nowhere, links 80.94.95.0/24
  ASSERT_EQ(f.active().size(), 1u);
  // A low-severity probe rule (below the Sigma floor, so no rule key): only the /24.
  for (const char* org : {"e", "f"}) f.alert("probe-rule", org, "80.94.95.9", "", 2);
  auto warnings = f.active();
  ASSERT_EQ(warnings.size(), 1u) << "the second /24 opened its own warning";
  EXPECT_TRUE(has_key(*warnings[0], CampaignKind::ip, "80.94.95.0/24"));
  EXPECT_EQ(warnings[0]->orgs.size(), 6u);
}

// The same probe alerts with no earlier sighting beside the campaign open their own warning.
TEST(CampaignLinking, KeyNeverSeenBesideTheCampaignOpensItsOwnWarning) {
  Feed f;
  for (const char* org : {"a", "b", "c"}) f.alert("scan-rule", org, "45.135.232.17");
  for (const char* org : {"d", "e", "f"}) f.alert("probe-rule", org, "80.94.95.9", "", 2);
  EXPECT_EQ(f.active().size(), 2u);
}

// A probe rule too weak to be a campaign key (level low) still ties the attacker networks whose
// alerts it raised: a botnet's /24s hit disjoint victims at first (each target once before any
// twice), so neither shared keys nor shared organisations can link them yet.
TEST(CampaignLinking, NetworksCrossingOnTheSameLowRuleJoinOneWarning) {
  Feed f;
  for (const char* org : {"a", "b", "c"}) f.alert("db-probe-rule", org, "45.135.232.17", "", 2);
  for (const char* org : {"d", "e", "f"}) f.alert("db-probe-rule", org, "80.94.95.9", "", 2);
  auto warnings = f.active();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_TRUE(has_key(*warnings[0], CampaignKind::ip, "80.94.95.0/24"));
  EXPECT_EQ(warnings[0]->orgs.size(), 6u);
}

// Informational rules fire on routine activity everywhere: they link nothing.
TEST(CampaignLinking, InformationalRulesLinkNothing) {
  Feed f;
  for (const char* org : {"a", "b", "c"}) f.alert("logon-rule", org, "45.135.232.17", "", 1);
  for (const char* org : {"d", "e", "f"}) f.alert("logon-rule", org, "80.94.95.9", "", 1);
  EXPECT_EQ(f.active().size(), 2u);
}

// Two rules on one event (a masquerading loader started from Temp): the alert of the rule the
// warning has not seen yet is tied to it by the other alert on the same event.
TEST(CampaignLinking, AlertsOnTheSameEventLinkTogether) {
  Feed f;
  for (const char* org : {"a", "b", "c"}) f.alert("user-exec-rule", org, "45.135.232.17");
  ASSERT_EQ(f.active().size(), 1u);
  auto pair = [&](const char* org, std::uint64_t seq) {
    Alert masq, exec;
    for (Alert* x : {&masq, &exec}) {
      x->kind = "sigma";
      x->severity_id = 4;
      x->org = org;
      x->sector = std::string("sector-") + org;
      x->event_json = R"({"src_endpoint.ip":"80.94.95.9"})";
      x->time = f.t;
      x->event_seq = seq;
    }
    masq.rule_id = "masquerade-rule";  // first in the batch, as a rule set reports it
    exec.rule_id = "user-exec-rule";
    f.t += kSec;
    f.detector.observe(std::vector<Alert>{masq, exec});
  };
  pair("d", 100);
  pair("e", 101);
  pair("f", 102);
  auto warnings = f.active();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_TRUE(has_key(*warnings[0], CampaignKind::ip, "80.94.95.0/24"));
}

// Two attacker networks (a loader's two files) crossing on different rules at disjoint victims,
// the first on `first_rule`: two warnings, both still settling. Returns the first one's id.
std::int64_t two_settling_warnings(Feed& f, const std::string& first_rule) {
  for (const char* org : {"a", "b", "c"}) f.alert(first_rule, org, "194.26.29.14");
  for (const char* org : {"d", "e", "f"}) f.alert("masquerade-rule", org, "45.155.205.233");
  EXPECT_EQ(f.active().size(), 2u);
  return f.active().empty() ? 0 : f.active()[0]->id;
}

// A loader's two files caught by different rules: each file crosses at victims the other has not
// reached (each target is hit once before any twice), so nothing links them when the second
// crosses. While it settles, its next sightings reach the first file's victims: the overlap merges
// it into the first warning before either has settled.
TEST(CampaignLinking, SettlingWarningJoinsTheWarningWhoseVictimsItReachesNext) {
  Feed f;
  const std::int64_t first = two_settling_warnings(f, "lure-name-rule");
  for (const char* org : {"a", "b"}) f.alert("masquerade-rule", org, "45.155.205.233");
  auto warnings = f.active();
  ASSERT_EQ(warnings.size(), 1u) << "the second network still has its own warning";
  const Warning& w = *warnings[0];
  EXPECT_EQ(w.id, first);
  EXPECT_TRUE(has_key(w, CampaignKind::ip, "45.155.205.0/24"));
  EXPECT_EQ(w.orgs.size(), 6u);
  EXPECT_EQ(w.alert_count, 4u);  // the two founding alerts and the two that reached a and b
  EXPECT_EQ(f.detector.stats().warnings_merged, 1u);
  // Both were handed out as they were raised: the merge hands out the first grown, with every
  // piece of evidence, and the second inactive, naming the first.
  auto changes = f.detector.take_changes();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].id, first);
  EXPECT_TRUE(changes[0].active);
  EXPECT_FALSE(changes[0].settled);
  EXPECT_EQ(changes[0].pending_evidence.size(), 8u);
  EXPECT_FALSE(changes[1].active);
  EXPECT_EQ(changes[1].merged_into, first);
  EXPECT_TRUE(changes[1].pending_evidence.empty());
  EXPECT_EQ(f.detector.find(changes[1].id), nullptr);  // handed out once more, then forgotten
  f.detector.expire(f.t + f.detector.options().settle);
  auto settled = f.detector.take_changes();
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].id, first);
  EXPECT_TRUE(settled[0].settled);
  // The merged warning's keys route to it.
  f.alert("masquerade-rule", "g", "45.155.205.9");
  ASSERT_EQ(f.active().size(), 1u);
  EXPECT_EQ(f.active()[0]->orgs.size(), 7u);
}

// The loader's second file first alerts only on the rule for its masquerading name; while its
// warning settles, one of its alerts comes from the rule the first warning's alerts came from
// (started from Temp): the shared rule merges them even at victims the first has not seen.
TEST(CampaignLinking, SettlingWarningJoinsTheWarningOfASharedRule) {
  Feed f;
  const std::int64_t first = two_settling_warnings(f, "user-exec-rule");
  f.alert("user-exec-rule", "g", "45.155.205.233");
  ASSERT_EQ(f.active().size(), 1u);
  EXPECT_EQ(f.active()[0]->id, first);
  EXPECT_EQ(f.active()[0]->orgs.size(), 7u);
}

// Once settled, a warning keeps its id: a later overlap merges nothing.
TEST(CampaignLinking, SettledWarningsAreNotMergedAfterwards) {
  Feed f;
  two_settling_warnings(f, "lure-name-rule");
  f.t += f.detector.options().settle;
  f.detector.expire(f.t);
  EXPECT_EQ(f.detector.take_changes().size(), 2u);
  for (const char* org : {"a", "b"}) f.alert("masquerade-rule", org, "45.155.205.233");
  EXPECT_EQ(f.active().size(), 2u);
  auto later = f.detector.take_changes();
  ASSERT_FALSE(later.empty());
  for (const auto& w : later) EXPECT_EQ(w.merged_into, 0);
}

}  // namespace
}  // namespace khien
