// Audit chain: appends commit to their predecessor; verify names the first edited, deleted or reordered entry.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "cases/audit_log.h"
#include "cases/case_db.h"
#include "case_db_fixture.h"

namespace khien {
namespace {

class AuditLogTest : public CaseDbTest {
 protected:
  void SetUp() override {
    open_case_db("cases-audit");
    if (HasFatalFailure()) return;
    for (int i = 1; i <= 5; ++i) {
      CaseDb::Transaction tx(*db_);
      auto e =
          audit_->append(1000 * i, "analyst-" + std::to_string(i), "incident.transition", "incident", "INC-2026-000001",
                         "{\"state\":\"new\"}", "{\"state\":\"triaged\",\"n\":" + std::to_string(i) + "}");
      ASSERT_TRUE(e) << e.error().message;
      ASSERT_TRUE(tx.commit());
    }
  }
  // Changes the stored database through a separate connection, as an attacker with file access would.
  void tamper(const std::string& sql) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "cases.db").c_str(), &raw), SQLITE_OK);
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_close(raw);
  }
};

TEST_F(AuditLogTest, IntactChainVerifies) {
  auto v = audit_->verify();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.entries, 5);
  auto entries = audit_->list(0, 100);
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].prev_hash, kAuditGenesisHash);
  for (std::size_t i = 1; i < entries.size(); ++i) EXPECT_EQ(entries[i].prev_hash, entries[i - 1].hash);
  EXPECT_EQ(v.head_hash, entries.back().hash);
  EXPECT_EQ(audit_->list(3, 10).size(), 2u);
}

TEST_F(AuditLogTest, OneChangedByteNamesThatEntry) {
  // Flip one character of entry 3's after document: "triaged" → "triagee".
  tamper("UPDATE audit_log SET after_json = replace(after_json, 'triaged', 'triagee') WHERE seq = 3");
  auto v = audit_->verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_seq, 3);
  EXPECT_NE(v.reason.find("edited"), std::string::npos) << v.reason;
}

TEST_F(AuditLogTest, EditedActorOrTimeIsDetected) {
  tamper("UPDATE audit_log SET actor = 'analyst-x' WHERE seq = 2");
  auto v = audit_->verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_seq, 2);
}

TEST_F(AuditLogTest, RewrittenHashBreaksTheNextLink) {
  // A replaced hash no longer matches entry 4's content (and entry 5's prev_hash); entry 4 is named first.
  tamper("UPDATE audit_log SET hash = '" + std::string(64, 'a') + "' WHERE seq = 4");
  auto v = audit_->verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_seq, 4);
}

TEST_F(AuditLogTest, DeletionIsDetected) {
  tamper("DELETE FROM audit_log WHERE seq = 2");
  auto v = audit_->verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_seq, 2);
  EXPECT_NE(v.reason.find("missing"), std::string::npos) << v.reason;
}

TEST_F(AuditLogTest, TruncatedTailIsDetected) {
  tamper("DELETE FROM audit_log WHERE seq = 5");
  auto v = audit_->verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_seq, 5);
}

TEST_F(AuditLogTest, ReorderingIsDetected) {
  tamper(
      "UPDATE audit_log SET seq = 100 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; "
      "UPDATE audit_log SET seq = 3 WHERE seq = 100");
  auto v = audit_->verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_seq, 2);
}

TEST_F(AuditLogTest, InsertionIsDetected) {
  // Make room at 3 (two steps, as seq is unique), then copy entry 2 there under another actor.
  tamper(
      "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3; UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000; "
      "INSERT INTO audit_log SELECT 3, at, 'intruder', action, object_type, object_id, before_json, after_json, "
      "prev_hash, hash FROM audit_log WHERE seq = 2");
  auto v = audit_->verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_seq, 3);
}

TEST_F(AuditLogTest, AppendOutsideATransactionStillChains) {
  auto e = audit_->append(9000, "khien", "system.create", "system", "x", "null", "{}");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->seq, 6);
  EXPECT_TRUE(audit_->verify().ok);
  EXPECT_FALSE(audit_->append(9001, "", "a", "b", "c", "null", "{}")) << "an unnamed actor is refused";
}

}  // namespace
}  // namespace khien
