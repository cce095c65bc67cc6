// The cases database: connection, schema and transactions. SQL is kept to what SQLite and PostgreSQL both accept.
#include "cases/case_db.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include "store/sql_database.h"
#include "store/sql_statement.h"

namespace khien {

CaseDb::Transaction::Transaction(CaseDb& db) : db_(db), lock_(db.mutex_) {
  if (auto st = db_.exec("BEGIN"); st) {
    began_ = true;
  } else {
    error_ = st.error().message;
  }
}

CaseDb::Transaction::~Transaction() {
  if (began_ && !done_) (void)db_.exec("ROLLBACK");
}

Status CaseDb::Transaction::commit() {
  if (!began_) return fail(error_.empty() ? "cases store: no transaction" : error_);
  if (done_) return fail("cases store: transaction already finished");
  auto st = db_.exec("COMMIT");
  if (!st) {
    (void)db_.exec("ROLLBACK");
  }
  done_ = true;
  return st;
}

Result<std::unique_ptr<CaseDb>> CaseDb::open(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  auto db = open_sqlite(path, "cases store", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  if (!db) return tl::unexpected(db.error());
  std::unique_ptr<CaseDb> out(new CaseDb(*db));
  if (auto st = out->migrate(); !st) return tl::unexpected(st.error());
  return out;
}

CaseDb::~CaseDb() {
  sqlite3_close(db_);
}

std::string CaseDb::last_error() const {
  return sqlite3_errmsg(db_);
}

Status CaseDb::exec(const char* sql) {
  std::lock_guard lock(mutex_);
  return exec_sql(db_, sql, "cases store");
}

Result<std::int64_t> CaseDb::next_counter(const std::string& name) {
  std::lock_guard lock(mutex_);
  SqlStatement read(db_, "SELECT value FROM case_counters WHERE name = ?");
  read.bind(1, name);
  std::int64_t next = 1;
  bool exists = false;
  if (read.step() == SQLITE_ROW) {
    next = read.integer(0) + 1;
    exists = true;
  }
  SqlStatement write(db_, exists ? "UPDATE case_counters SET value = ? WHERE name = ?"
                                 : "INSERT INTO case_counters (value, name) VALUES (?, ?)");
  write.bind(1, next).bind(2, name);
  if (!write.run()) return fail(fmt::format("cases store: counter '{}': {}", name, last_error()));
  return next;
}

Status CaseDb::migrate() {
  // Sub-structures (timelines, selectors, breakdowns) are JSON text so the same columns work on both
  // engines; the columns that queries filter or sort on are kept as real columns.
  return exec(R"sql(
    CREATE TABLE IF NOT EXISTS case_counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
    CREATE TABLE IF NOT EXISTS audit_log (seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL,
      action TEXT NOT NULL, object_type TEXT NOT NULL, object_id TEXT NOT NULL, before_json TEXT NOT NULL,
      after_json TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS audit_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS info_systems (id TEXT PRIMARY KEY, owner TEXT NOT NULL, security_level INTEGER NOT NULL,
      doc TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS info_systems_owner ON info_systems(owner);
    CREATE TABLE IF NOT EXISTS incidents (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, state TEXT NOT NULL,
      severity TEXT NOT NULL, primary_org TEXT NOT NULL, created BIGINT NOT NULL, doc TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS incidents_state ON incidents(state);
    CREATE TABLE IF NOT EXISTS incident_timeline (incident_id TEXT NOT NULL, n BIGINT NOT NULL, at BIGINT NOT NULL,
      doc TEXT NOT NULL, PRIMARY KEY (incident_id, n));
    CREATE TABLE IF NOT EXISTS directives (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, issuer TEXT NOT NULL,
      issued BIGINT NOT NULL, deadline BIGINT NOT NULL, doc TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS directive_targets (directive_id TEXT NOT NULL, org TEXT NOT NULL, doc TEXT NOT NULL,
      PRIMARY KEY (directive_id, org));
    CREATE INDEX IF NOT EXISTS directive_targets_org ON directive_targets(org);
    CREATE TABLE IF NOT EXISTS compliance_snapshots (period TEXT NOT NULL, org TEXT NOT NULL,
      score DOUBLE PRECISION NOT NULL, taken BIGINT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (period, org));
  )sql");
}

}  // namespace khien
