// Directives and compliance: "all energy-sector organisations with a level 4+ system" reaches exactly those,
// some acknowledge, fewer complete, overdue targets escalate, and the compliance ranking moves accordingly.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cases/audit_log.h"
#include "cases/case_db.h"
#include "cases/compliance.h"
#include "cases/compliance_history.h"
#include "cases/directive_manager.h"
#include "cases/evidence_store.h"
#include "cases/incident_manager.h"
#include "cases/response_network.h"
#include "cases/system_import.h"
#include "cases/system_registry.h"
#include "store/registry_data.h"
#include "case_db_fixture.h"

namespace khien {
namespace {

constexpr std::int64_t kHour = 3600LL * 1000000000LL;
constexpr std::int64_t kDay = 24 * kHour;

const RegistryData& registry() { return shipped_registry(); }

TargetSelector select_cves(std::vector<std::string> v) {
  TargetSelector s;
  s.cves = std::move(v);
  return s;
}
TargetSelector select_sectors(std::vector<std::string> v) {
  TargetSelector s;
  s.sectors = std::move(v);
  return s;
}
TargetSelector select_org_types(std::vector<std::string> v) {
  TargetSelector s;
  s.org_types = std::move(v);
  return s;
}
TargetSelector select_orgs(std::vector<std::string> v) {
  TargetSelector s;
  s.orgs = std::move(v);
  return s;
}

class DirectiveTest : public CaseDbTest {
 protected:
  void SetUp() override {
    open_case_db("cases-dir");
    if (HasFatalFailure()) return;
    network_ = std::make_unique<ResponseNetwork>(registry());
    evidence_ = std::make_unique<EvidenceStore>(dir_ / "evidence");
    systems_ = std::make_unique<SystemRegistry>(*db_, *audit_, &registry());
    import_shipped_systems(*systems_, t0_);
    if (HasFatalFailure()) return;
    // The vuln layer's answer, simulated from the inventory: who runs a vulnerable log4j.
    auto cve_orgs = [this](const std::string& cve) {
      std::set<std::string> out;
      if (cve != "CVE-2021-44228") return out;
      for (const auto& s : systems_->list())
        for (const auto& cpe : s.software)
          if (cpe.find(":apache:log4j:2.14") != std::string::npos) out.insert(s.owner);
      return out;
    };
    directives_ = std::make_unique<DirectiveManager>(*db_, *audit_, *network_, *systems_, *evidence_, cve_orgs);
    incidents_ = std::make_unique<IncidentManager>(*db_, *audit_, *network_, *evidence_);
  }
  NewDirective energy_directive() {
    NewDirective d;
    d.issuer = "trung-tam-giam-sat-quoc-gia";
    d.title = "Rà soát, vá lỗ hổng Log4j trên hệ thống điều khiển";
    d.required_actions = {"Inventory every Java service", "Upgrade log4j-core to 2.17.1 or later",
                          "Report indicators found since 2021-12-10"};
    d.deadline = t0_ + 3 * kDay;
    d.tlp = DirectiveTlp::amber;
    d.selector.sectors = {"nang-luong"};
    d.selector.min_security_level = 4;
    d.attachments = {{"huong-dan.pdf", "%PDF-1.7\n..."}};
    return d;
  }
  std::vector<ComplianceScore> scores(const std::vector<std::string>& orgs, TimeNs now) {
    std::map<std::string, TimeNs> seen;
    for (const auto& s : registry().socs) seen[s.id] = now - 60LL * 1000000000LL;
    ComplianceModel model;
    std::vector<ComplianceScore> out;
    for (const auto& o : orgs)
      out.push_back(
          model.score(gather_compliance_facts(o, *network_, *systems_, *directives_, *incidents_, seen, {}, now), now));
    return out;
  }
  static int rank_of(const std::vector<RankedScore>& r, const std::string& org) {
    for (const auto& x : r)
      if (x.score.org == org) return x.rank;
    return -1;
  }

  TimeNs t0_ = 1'780'000'000LL * 1000000000LL;  // 2026-05-28
  std::unique_ptr<ResponseNetwork> network_;
  std::unique_ptr<EvidenceStore> evidence_;
  std::unique_ptr<SystemRegistry> systems_;
  std::unique_ptr<DirectiveManager> directives_;
  std::unique_ptr<IncidentManager> incidents_;
};

TEST_F(DirectiveTest, EnergyLevelFourDirectiveStory) {
  const std::vector<std::string> expected{"bsr", "evn", "evnnpt", "nsmo", "pv-gas", "pvn"};
  auto before = scores(expected, t0_);
  auto before_rank = rank_scores(before, "sector:nang-luong");
  ASSERT_TRUE(before_rank);

  auto d = directives_->issue(energy_directive(), "director@ncsc", t0_);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->targets, expected) << "exactly the energy organisations owning a level 4 or 5 system";
  EXPECT_EQ(d->id.rfind("CD-2026-", 0), 0u);
  ASSERT_EQ(d->attachments.size(), 1u);
  EXPECT_EQ(d->attachments[0].media_type, "application/pdf");
  const std::string id = d->id;

  // A non-target cannot acknowledge; a target cannot complete before acknowledging.
  auto stranger = directives_->acknowledge(id, "evnhanoi", "soc@evnhanoi", t0_ + kHour);
  ASSERT_FALSE(stranger);
  EXPECT_NE(stranger.error().message.find("'evnhanoi' is not one of its targets"), std::string::npos);
  EXPECT_FALSE(directives_->complete(id, "bsr", "soc@bsr", "done", {}, t0_ + kHour));

  for (const char* org : {"bsr", "evnnpt", "evn", "pvn"})
    ASSERT_TRUE(directives_->acknowledge(id, org, std::string("soc@") + org, t0_ + 2 * kHour)) << org;
  EXPECT_FALSE(directives_->acknowledge(id, "bsr", "soc@bsr", t0_ + 3 * kHour)) << "twice";
  EXPECT_FALSE(directives_->complete(id, "bsr", "soc@bsr", "", {}, t0_ + kDay)) << "completion needs text";
  EXPECT_FALSE(directives_->complete(id, "bsr", "soc@bsr", "patched", {{"x.exe", "MZ...."}}, t0_ + kDay))
      << "disallowed evidence";
  auto done = directives_->complete(id, "bsr", "soc@bsr", "log4j-core 2.17.1 on all DCS historians",
                                    {{"scan.txt", "0 vulnerable hosts\n"}}, t0_ + 2 * kDay);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->evidence.size(), 1u);
  ASSERT_TRUE(directives_->complete(id, "evnnpt", "soc@evnnpt", "upgraded", {}, t0_ + 2 * kDay));

  auto stats = directives_->stats(id, t0_ + 2 * kDay);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->targets, 6u);
  EXPECT_NEAR(stats->acknowledged_pct, 66.67, 0.01);
  EXPECT_NEAR(stats->completed_pct, 33.33, 0.01);
  EXPECT_TRUE(stats->overdue.empty());

  // Past the deadline: four targets are overdue and escalate to the energy CERT.
  TimeNs after_deadline = t0_ + 3 * kDay + kHour;
  stats = directives_->stats(id, after_deadline);
  EXPECT_EQ(stats->overdue, (std::vector<std::string>{"evn", "nsmo", "pv-gas", "pvn"}));
  auto esc = directives_->check_overdue(after_deadline);
  ASSERT_TRUE(esc) << esc.error().message;
  ASSERT_EQ(esc->size(), 4u);
  for (const auto& e : *esc) EXPECT_EQ(e.escalated_to, "cert-nang-luong") << e.org;
  EXPECT_TRUE(directives_->check_overdue(after_deadline + kHour)->empty()) << "escalated once per level";
  auto later = directives_->check_overdue(t0_ + 7 * kDay);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->size(), 4u);
  for (const auto& e : *later) EXPECT_EQ(e.escalated_to, "trung-tam-giam-sat-quoc-gia");

  // The ranking moves: those who completed rise, those who ignored the directive fall.
  auto after = scores(expected, after_deadline);
  auto after_rank = rank_scores(after, "sector:nang-luong");
  ASSERT_TRUE(after_rank);
  EXPECT_EQ(rank_of(*before_rank, "nsmo"), 1);
  EXPECT_GT(rank_of(*after_rank, "nsmo"), rank_of(*before_rank, "nsmo"));
  EXPECT_EQ(rank_of(*after_rank, "evnnpt"), 1);
  EXPECT_LT(rank_of(*after_rank, "bsr"), rank_of(*before_rank, "bsr"));
  auto score_of = [](const std::vector<ComplianceScore>& v, const std::string& org) {
    return std::find_if(v.begin(), v.end(), [&](const ComplianceScore& s) { return s.org == org; })->score;
  };
  EXPECT_DOUBLE_EQ(score_of(after, "evnnpt"), score_of(before, "evnnpt"));
  EXPECT_DOUBLE_EQ(score_of(after, "nsmo"), score_of(before, "nsmo") - 15);  // neither acknowledged nor completed
  EXPECT_DOUBLE_EQ(score_of(after, "evn"), score_of(before, "evn") - 7.5);   // acknowledged, not completed

  // Monthly snapshots keep the history.
  ComplianceHistory history(*db_, *audit_);
  ASSERT_TRUE(history.snapshot(ComplianceHistory::period_of(t0_), before, "khien", t0_));
  ASSERT_TRUE(history.snapshot(ComplianceHistory::period_of(t0_ + 5 * kDay), after, "khien", t0_ + 5 * kDay));
  EXPECT_EQ(history.periods(), (std::vector<std::string>{"2026-05", "2026-06"}));
  auto h = history.history("nsmo");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_GT(h[0].second, h[1].second);
  auto stored = history.scores("2026-06");
  ASSERT_EQ(stored.size(), 6u);
  EXPECT_EQ(rank_of(*rank_scores(stored, "national"), "evnnpt"), 1);
  EXPECT_FALSE(history.snapshot("2026-13", after, "khien", t0_));

  EXPECT_TRUE(audit_->verify().ok);
}

TEST_F(DirectiveTest, SelectionByCveProvinceTypeAndList) {
  auto log4j = directives_->select_targets(select_cves({"CVE-2021-44228"}), "trung-tam-giam-sat-quoc-gia");
  ASSERT_TRUE(log4j) << log4j.error().message;
  EXPECT_EQ(*log4j, (std::vector<std::string>{"cuc-thue", "evn", "evnnpt"}));
  TargetSelector sel;
  sel.sectors = {"nang-luong"};
  sel.cves = {"CVE-2021-44228"};
  sel.orgs = {"vnnic"};
  EXPECT_EQ(*directives_->select_targets(sel, "trung-tam-giam-sat-quoc-gia"),
            (std::vector<std::string>{"evn", "evnnpt", "vnnic"}));
  TargetSelector provinces;
  provinces.provinces = {"lao-cai"};
  provinces.org_types = {"province"};
  EXPECT_EQ(*directives_->select_targets(provinces, "trung-tam-giam-sat-quoc-gia"),
            std::vector<std::string>{"tinh-lao-cai"});
  EXPECT_FALSE(directives_->select_targets({}, "trung-tam-giam-sat-quoc-gia")) << "empty selection";
  EXPECT_FALSE(directives_->select_targets(select_sectors({"no-sector"}), "trung-tam-giam-sat-quoc-gia"));
  EXPECT_FALSE(directives_->select_targets(select_org_types({"club"}), "trung-tam-giam-sat-quoc-gia"));
  // A sector CERT directs its own sector only.
  auto cert = directives_->select_targets(select_org_types({"enterprise"}), "cert-ngan-hang");
  ASSERT_TRUE(cert);
  for (const auto& o : *cert) EXPECT_EQ(registry().find_organisation(o)->sector, "ngan-hang") << o;
  EXPECT_FALSE(directives_->select_targets(select_orgs({"evn"}), "cert-ngan-hang"));
}

TEST_F(DirectiveTest, IssueIsRefusedForBadInput) {
  auto d = energy_directive();
  d.deadline = t0_ - kHour;
  auto r = directives_->issue(d, "x", t0_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not in the future"), std::string::npos);
  d = energy_directive();
  d.issuer = "evn";
  EXPECT_FALSE(directives_->issue(d, "x", t0_)) << "an enterprise may not issue";
  d = energy_directive();
  d.required_actions.clear();
  EXPECT_FALSE(directives_->issue(d, "x", t0_));
  d = energy_directive();
  d.kind = DirectiveKind::warning;
  d.required_actions.clear();
  d.selector = select_orgs({"vnnic"});
  auto w = directives_->issue(d, "x", t0_);
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->id.rfind("CB-", 0), 0u);
  d = energy_directive();
  d.attachments = {{"a.elf",
                    "\x7f"
                    "ELF...."}};
  EXPECT_FALSE(directives_->issue(d, "x", t0_));
  EXPECT_EQ(directives_->list().size(), 1u) << "nothing half-written";
  EXPECT_EQ(audit_->list(0, 1000, "directive").size(), 1u);
}

TEST(Compliance, BreakdownShowsEveryComponentAndItsFacts) {
  TimeNs now = 1'780'000'000LL * 1000000000LL;
  ComplianceFacts f;
  f.org = "x";
  f.soc_last_seen = {{"soc-x", now - 2 * kHour}};
  InformationSystem s;
  s.id = "x-1";
  s.level_approved = true;
  s.protection = {LayerStatus::full, LayerStatus::full, LayerStatus::partial, LayerStatus::none};
  s.last_drill = now - 400 * kDay;
  f.systems = {s};
  f.directives = {2, 1, 2, 2, {}};
  f.incidents = {4, 3, {"INC-1:containment"}};
  f.critical_vulnerabilities = {{"CVE-1", "x-1", now - 2 * kDay}, {"CVE-2", "x-1", now - 60 * kDay}};
  ComplianceModel model;
  auto score = model.score(f, now);
  ASSERT_EQ(score.components.size(), 7u);
  std::map<std::string, ComplianceComponent> by;
  for (const auto& c : score.components) by[c.name] = c;
  EXPECT_DOUBLE_EQ(by["soc"].value, 0.5);  // connected but quiet
  EXPECT_DOUBLE_EQ(by["four_layer"].value, 0.625);
  EXPECT_DOUBLE_EQ(by["security_level"].value, 1);
  EXPECT_DOUBLE_EQ(by["drill"].value, 0);
  EXPECT_DOUBLE_EQ(by["directives"].value, 0.75);
  EXPECT_DOUBLE_EQ(by["incident_sla"].value, 0.75);
  EXPECT_NEAR(by["vulnerabilities"].value, 1 - 1.0 / 3, 1e-9);
  double expected = 20 * 0.5 + 20 * 0.625 + 10 + 0 + 15 * 0.75 + 15 * 0.75 + 10 * (1 - 1.0 / 3);
  EXPECT_NEAR(score.score, expected, 0.05);
  auto facts = nlohmann::json::parse(by["soc"].facts);
  EXPECT_EQ(facts["socs"][0]["status"], "connected, quiet");
  auto round = compliance_score_from_json(compliance_score_to_json(score));
  ASSERT_TRUE(round);
  EXPECT_EQ(round->components.size(), 7u);
  EXPECT_EQ(round->score, score.score);
}

TEST(Compliance, WeightsFromYaml) {
  auto w = ComplianceWeights::from_yaml("weights:\n  soc: 40\n  drill: 0\nthresholds:\n  drill_within_days: 180\n");
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->soc, 40);
  EXPECT_EQ(w->drill, 0);
  EXPECT_EQ(w->drill_within_ns, 180 * kDay);
  EXPECT_FALSE(ComplianceWeights::from_yaml("weights: {sock: 3}"));
  EXPECT_FALSE(ComplianceWeights::from_yaml("weights: {soc: -3}"));
  EXPECT_FALSE(ComplianceWeights::from_yaml("colours: {}"));
  // Weights that do not add up to 100 are scaled so the score stays 0..100.
  ComplianceModel model(*w);
  ComplianceFacts perfect;
  perfect.soc_last_seen = {{"s", 1}};
  EXPECT_NEAR(model.score(perfect, 1).score, 100.0 * (40 + 15 + 15 + 10) / (40 + 20 + 10 + 15 + 15 + 10), 0.05);
}

TEST(Compliance, RankingSharesTiesAndFiltersScope) {
  std::vector<ComplianceScore> s{{"a", "nang-luong", "ha-noi", 90, {}},
                                 {"b", "nang-luong", "hue", 95, {}},
                                 {"c", "ngan-hang", "ha-noi", 90, {}},
                                 {"d", "nang-luong", "ha-noi", 70, {}}};
  auto nat = rank_scores(s, "national");
  ASSERT_TRUE(nat);
  std::vector<std::pair<std::string, int>> got;
  for (const auto& r : *nat) got.emplace_back(r.score.org, r.rank);
  EXPECT_EQ(got, (std::vector<std::pair<std::string, int>>{{"b", 1}, {"a", 2}, {"c", 2}, {"d", 4}}));
  EXPECT_EQ(rank_scores(s, "province:ha-noi")->size(), 3u);
  EXPECT_EQ(rank_scores(s, "sector:ngan-hang")->size(), 1u);
  EXPECT_FALSE(rank_scores(s, "planet:earth"));
  EXPECT_FALSE(rank_scores(s, "sector:"));
}

}  // namespace
}  // namespace khien
