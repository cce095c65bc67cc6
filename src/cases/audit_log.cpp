// Hash-chained audit log over the cases database.
#include "cases/audit_log.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "store/sql_statement.h"
#include "store/state_store.h"

namespace khien {

std::string canonical_audit_text(const AuditEntry& e) {
  nlohmann::json j = nlohmann::json::array(
      {"khien-audit-v1", e.seq, e.time, e.actor, e.action, e.object_type, e.object_id, e.before, e.after, e.prev_hash});
  // Invalid UTF-8 must still hash deterministically rather than throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<AuditEntry> AuditLog::append(TimeNs time, const std::string& actor, const std::string& action,
                                    const std::string& object_type, const std::string& object_id,
                                    const std::string& before, const std::string& after) {
  std::lock_guard lock(db_.mutex());
  if (actor.empty()) return fail("audit: the actor must be named");
  AuditEntry e;
  e.time = time;
  e.actor = actor;
  e.action = action;
  e.object_type = object_type;
  e.object_id = object_id;
  e.before = before.empty() ? "null" : before;
  e.after = after.empty() ? "null" : after;
  {
    SqlStatement last(db_.handle(), "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (last.step() == SQLITE_ROW) {
      e.seq = last.integer(0) + 1;
      e.prev_hash = last.text(1);
    } else {
      e.seq = 1;
      e.prev_hash = kAuditGenesisHash;
    }
  }
  e.hash = sha256_hex(canonical_audit_text(e));
  SqlStatement ins(db_.handle(),
                   "INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, before_json, after_json, "
                   "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, e.seq).bind(2, e.time).bind(3, e.actor).bind(4, e.action).bind(5, e.object_type).bind(6, e.object_id);
  ins.bind(7, e.before).bind(8, e.after).bind(9, e.prev_hash).bind(10, e.hash);
  if (!ins.run()) return fail("audit: cannot append: " + db_.last_error());
  SqlStatement del(db_.handle(), "DELETE FROM audit_head WHERE id = 1");
  if (!del.run()) return fail("audit: cannot move the head: " + db_.last_error());
  SqlStatement head(db_.handle(), "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)");
  head.bind(1, e.seq).bind(2, e.hash);
  if (!head.run()) return fail("audit: cannot move the head: " + db_.last_error());
  return e;
}

namespace {
AuditEntry read_entry(SqlStatement& st) {
  AuditEntry e;
  e.seq = st.integer(0);
  e.time = st.integer(1);
  e.actor = st.text(2);
  e.action = st.text(3);
  e.object_type = st.text(4);
  e.object_id = st.text(5);
  e.before = st.text(6);
  e.after = st.text(7);
  e.prev_hash = st.text(8);
  e.hash = st.text(9);
  return e;
}
constexpr const char* kColumns =
    "SELECT seq, at, actor, action, object_type, object_id, before_json, after_json, prev_hash, hash FROM audit_log";
}  // namespace

std::vector<AuditEntry> AuditLog::list(std::int64_t after_seq, std::size_t limit, const std::string& object_type,
                                       const std::string& object_id) {
  std::lock_guard lock(db_.mutex());
  std::string sql = fmt::format("{} WHERE seq > ?", kColumns);
  if (!object_type.empty()) sql += " AND object_type = ?";
  if (!object_id.empty()) sql += " AND object_id = ?";
  sql += " ORDER BY seq LIMIT ?";
  SqlStatement st(db_.handle(), sql);
  int i = 1;
  st.bind(i++, after_seq);
  if (!object_type.empty()) st.bind(i++, object_type);
  if (!object_id.empty()) st.bind(i++, object_id);
  st.bind(i, static_cast<std::int64_t>(limit));
  std::vector<AuditEntry> out;
  while (st.step() == SQLITE_ROW) out.push_back(read_entry(st));
  return out;
}

AuditVerification AuditLog::verify() {
  std::lock_guard lock(db_.mutex());
  AuditVerification v;
  auto broken = [&](std::int64_t seq, std::string reason) {
    v.ok = false;
    v.broken_seq = seq;
    v.reason = std::move(reason);
    return v;
  };
  std::string prev = kAuditGenesisHash;
  std::int64_t expected = 1;
  // Swapped seq values are caught too: seq is part of the hashed text and of the chain order.
  SqlStatement st(db_.handle(), fmt::format("{} ORDER BY seq", kColumns));
  while (st.step() == SQLITE_ROW) {
    AuditEntry e = read_entry(st);
    if (e.seq != expected) {
      if (e.seq > expected)
        return broken(expected, fmt::format("entry {} is missing (the next stored entry is {})", expected, e.seq));
      return broken(e.seq, fmt::format("entry {} is out of order (expected entry {} here)", e.seq, expected));
    }
    if (e.prev_hash != prev)
      return broken(e.seq,
                    "its prev_hash does not match the hash of the entry before it (an entry was "
                    "changed, removed or inserted before it)");
    if (sha256_hex(canonical_audit_text(e)) != e.hash)
      return broken(e.seq, "its content does not match its hash (the entry was edited)");
    prev = e.hash;
    v.head_hash = e.hash;
    ++v.entries;
    ++expected;
  }
  SqlStatement head(db_.handle(), "SELECT seq, hash FROM audit_head WHERE id = 1");
  if (head.step() == SQLITE_ROW) {
    std::int64_t head_seq = head.integer(0);
    std::string head_hash = head.text(1);
    if (head_seq > v.entries)
      return broken(v.entries + 1, fmt::format("the log ends at entry {} but the head records entry {} (entries "
                                               "were removed from the end)",
                                               v.entries, head_seq));
    if (head_seq < v.entries)
      return broken(head_seq + 1, fmt::format("entries after {} were added outside the audit log", head_seq));
    if (head_hash != v.head_hash) return broken(head_seq, "its hash does not match the recorded head");
  } else if (v.entries > 0) {
    return broken(v.entries, "the recorded head of the log is missing");
  }
  return v;
}

}  // namespace khien
