// SecurityAudit: security events land in the audit chain with actor, source, action and reason; repeats coalesce per source and minute; a flood stays bounded.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "cases/audit_log.h"
#include "cases/case_db.h"
#include "cases/evidence_store.h"
#include "cases/security_audit.h"
#include "case_db_fixture.h"

namespace khien {
namespace {

constexpr TimeNs kSecond = 1'000'000'000;

class SecurityAuditTest : public CaseDbTest {
 protected:
  void SetUp() override {
    open_case_db("cases-security");
    if (HasFatalFailure()) return;
    SecurityAuditOptions o;
    o.max_entries_per_window = 4;
    security_ = std::make_unique<SecurityAudit>(*db_, *audit_, o, [this] { return now_; });
  }
  std::vector<AuditEntry> entries() { return audit_->list(0, 1000); }
  static nlohmann::json after(const AuditEntry& e) { return nlohmann::json::parse(e.after); }

  TimeNs now_ = 1'800'000'000 * kSecond;
  std::unique_ptr<SecurityAudit> security_;
};

TEST_F(SecurityAuditTest, EachEventNamesActorSourceActionAndReason) {
  security_->record({"security.login_failed", "an", "192.0.2.7", "wrong password"});
  security_->record({"security.csrf_refused", "soc.evn", "192.0.2.8", "missing X-CSRF-Token (POST /api/v1/x)"});
  security_->record({"security.api_key_refused", "", "192.0.2.9", "unknown bearer token"});
  auto list = entries();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].actor, "an");
  EXPECT_EQ(list[0].action, "security.login_failed");
  EXPECT_EQ(list[0].object_type, "source");
  EXPECT_EQ(list[0].object_id, "192.0.2.7");
  EXPECT_EQ(after(list[0])["reason"], "wrong password");
  EXPECT_EQ(after(list[0])["source"], "192.0.2.7");
  EXPECT_EQ(after(list[0])["count"], 1);
  EXPECT_EQ(list[1].action, "security.csrf_refused");
  EXPECT_EQ(list[2].actor, "anonymous") << "an unidentified caller is named anonymous";
  EXPECT_TRUE(audit_->verify().ok);
}

TEST_F(SecurityAuditTest, RepeatsFromOneSourceCoalesceIntoOneCountedEntryPerMinute) {
  for (int i = 0; i < 500; ++i) {
    security_->record({"security.login_failed", i % 2 ? "an" : "binh", "198.51.100.4", "wrong password"});
    now_ += kSecond / 10;  // 500 attempts in 50 s
  }
  auto list = entries();
  ASSERT_EQ(list.size(), 1u) << "the first attempt is written at once, the rest wait for the minute to end";
  EXPECT_EQ(security_->pending(), 1u);
  now_ += 30 * kSecond;
  security_->flush();
  list = entries();
  ASSERT_EQ(list.size(), 2u);
  auto summary = after(list[1]);
  EXPECT_EQ(summary["count"], 499);
  EXPECT_EQ(summary["repeated"], true);
  EXPECT_EQ(summary["actors"].size(), 2u);
  EXPECT_EQ(list[1].object_id, "198.51.100.4");
  EXPECT_EQ(security_->pending(), 0u);
  // A new minute starts a new first entry.
  security_->record({"security.login_failed", "an", "198.51.100.4", "wrong password"});
  EXPECT_EQ(entries().size(), 3u);
  EXPECT_TRUE(audit_->verify().ok);
}

TEST_F(SecurityAuditTest, AFloodFromManySourcesIsCappedPerMinute) {
  for (int i = 0; i < 1000; ++i)
    security_->record({"security.api_key_refused", "", "203.0.113." + std::to_string(i % 250), "unknown bearer token"});
  EXPECT_EQ(entries().size(), 4u) << "max_entries_per_window first entries";
  EXPECT_LE(security_->pending(), 4u) << "memory holds at most the capped pairs";
  now_ += 61 * kSecond;
  security_->flush();
  auto list = entries();
  // 4 first entries, 4 repeated (each of those sources came back 3 more times), 1 over-cap total.
  ASSERT_EQ(list.size(), 9u);
  std::int64_t counted = 0;
  for (const auto& e : list) counted += after(e)["count"].get<std::int64_t>();
  EXPECT_EQ(counted, 1000) << "every event is counted somewhere";
  EXPECT_EQ(list.back().object_id, "*");
  EXPECT_EQ(after(list.back())["over_cap"], true);
  EXPECT_TRUE(audit_->verify().ok);
}

TEST(FileNameTraversal, NamesAttemptsAndLeavesOrdinaryNames) {
  EXPECT_NE(file_name_traversal("../../etc/passwd"), "");
  EXPECT_NE(file_name_traversal("report/../../admin.token"), "");
  EXPECT_NE(file_name_traversal("..\\..\\windows\\system.ini"), "");
  EXPECT_NE(file_name_traversal("/etc/shadow"), "");
  EXPECT_NE(file_name_traversal("~/.ssh/id_rsa"), "");
  EXPECT_NE(file_name_traversal(std::string("a.pdf\0.exe", 10)), "");
  EXPECT_EQ(file_name_traversal("báo cáo..final.pdf"), "") << "dots inside a name are no component";
  EXPECT_EQ(file_name_traversal("C:\\Users\\an\\report.pdf"), "") << "a browser's full Windows path";
  EXPECT_EQ(file_name_traversal("capture.pcap"), "");
}

}  // namespace
}  // namespace khien
