// SQLite persistence of vulnerability parts, in the style of store/state_store.cpp.
#include "vuln/vuln_store.h"

#include <sqlite3.h>

#include <fmt/format.h>

#include "core/time.h"
#include "store/sql_database.h"

namespace khien {

namespace {

// A prepared statement that finalises itself.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  bool ok() const { return rc_ == SQLITE_OK; }
  Statement& bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  int step() { return sqlite3_step(stmt_); }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::int64_t integer(int col) { return sqlite3_column_int64(stmt_, col); }
  std::string text(int col) {
    auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

bool source_from_name(std::string_view name, VulnSource& out) {
  for (auto s : {VulnSource::nvd, VulnSource::cve5, VulnSource::kev, VulnSource::epss}) {
    if (vuln_source_name(s) == name) {
      out = s;
      return true;
    }
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<VulnStore>> VulnStore::open(const std::filesystem::path& db_path) {
  std::error_code ec;
  if (db_path.has_parent_path()) std::filesystem::create_directories(db_path.parent_path(), ec);
  auto db = open_sqlite(db_path, "vulnerability store", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  if (!db) return tl::unexpected(db.error());
  std::unique_ptr<VulnStore> store(new VulnStore(*db));
  if (auto st = store->exec(R"sql(
    CREATE TABLE IF NOT EXISTS vuln_parts (cve_id TEXT NOT NULL, source TEXT NOT NULL, hash TEXT NOT NULL,
      body TEXT NOT NULL, updated BIGINT NOT NULL, PRIMARY KEY (cve_id, source));
  )sql"); !st)
    return tl::unexpected(st.error());
  return store;
}

VulnStore::~VulnStore() { sqlite3_close(db_); }

Status VulnStore::exec(const char* sql) {
  return exec_sql(db_, sql, "vulnerability store");
}

Status VulnStore::apply(const std::vector<SourceChange>& changes) {
  std::lock_guard lock(mutex_);
  if (auto st = exec("BEGIN"); !st) return st;
  Statement upsert(db_, "INSERT INTO vuln_parts (cve_id, source, hash, body, updated) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (cve_id, source) DO UPDATE SET hash = excluded.hash, body = excluded.body, updated = excluded.updated");
  Statement remove(db_, "DELETE FROM vuln_parts WHERE cve_id = ? AND source = ?");
  if (!upsert.ok() || !remove.ok()) {
    exec("ROLLBACK");
    return fail(fmt::format("vulnerability store: {}", sqlite3_errmsg(db_)));
  }
  auto now = static_cast<std::int64_t>(now_ns());
  for (const auto& c : changes) {
    Statement& st = c.body.empty() ? remove : upsert;
    st.bind(1, c.id).bind(2, vuln_source_name(c.source));
    if (!c.body.empty()) st.bind(3, c.hash).bind(4, c.body).bind(5, now);
    if (st.step() != SQLITE_DONE) {
      std::string why = sqlite3_errmsg(db_);
      st.reset();
      exec("ROLLBACK");
      return fail(fmt::format("vulnerability store: {} ({}): {}", c.id, vuln_source_name(c.source), why));
    }
    st.reset();
  }
  return exec("COMMIT");
}

Result<std::size_t> VulnStore::load(VulnDatabase& db) {
  std::lock_guard lock(mutex_);
  Statement st(db_, "SELECT cve_id, source, hash, body FROM vuln_parts ORDER BY cve_id, source");
  if (!st.ok()) return fail(fmt::format("vulnerability store: {}", sqlite3_errmsg(db_)));
  std::size_t n = 0;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    SourceChange c;
    c.id = st.text(0);
    auto source = st.text(1);
    if (!source_from_name(source, c.source)) return fail(fmt::format("vulnerability store: {}: unknown source '{}'", c.id, source));
    c.hash = st.text(2);
    c.body = st.text(3);
    if (auto s = db.apply_change(c); !s) return fail("vulnerability store: " + s.error().message);
    ++n;
  }
  if (rc != SQLITE_DONE) return fail(fmt::format("vulnerability store: {}", sqlite3_errmsg(db_)));
  return n;
}

std::size_t VulnStore::part_count() {
  std::lock_guard lock(mutex_);
  Statement st(db_, "SELECT COUNT(*) FROM vuln_parts");
  return st.step() == SQLITE_ROW ? static_cast<std::size_t>(st.integer(0)) : 0;
}

}  // namespace khien
