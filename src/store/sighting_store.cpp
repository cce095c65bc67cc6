// Sighting counts on SQLite; the upsert and CASE expressions are valid PostgreSQL as well.
#include "store/sighting_store.h"

#include <fmt/format.h>

#include "store/sql_database.h"
#include "store/sql_statement.h"

namespace khien {

Result<std::unique_ptr<SightingStore>> SightingStore::open(const std::filesystem::path& db_path) {
  const char* schema = R"sql(
    PRAGMA journal_mode=WAL;
    CREATE TABLE IF NOT EXISTS intel_sightings (indicator_id TEXT NOT NULL, org TEXT NOT NULL,
      first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, count BIGINT NOT NULL, updated BIGINT NOT NULL,
      PRIMARY KEY (indicator_id, org));
    CREATE INDEX IF NOT EXISTS intel_sightings_last ON intel_sightings(last_seen);
  )sql";
  auto db = open_sqlite(db_path, "sighting store", schema);
  if (!db) return tl::unexpected(db.error());
  return std::unique_ptr<SightingStore>(new SightingStore(*db));
}

SightingStore::~SightingStore() { sqlite3_close(db_); }

Status SightingStore::add(const std::vector<SightingRow>& deltas) {
  if (deltas.empty()) return {};
  std::lock_guard lock(mutex_);
  if (sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail(std::string("sighting store: ") + sqlite3_errmsg(db_));
  const char* sql =
      "INSERT INTO intel_sightings (indicator_id, org, first_seen, last_seen, count, updated) VALUES (?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (indicator_id, org) DO UPDATE SET "
      "first_seen = CASE WHEN excluded.first_seen < intel_sightings.first_seen THEN excluded.first_seen "
      "ELSE intel_sightings.first_seen END, "
      "last_seen = CASE WHEN excluded.last_seen > intel_sightings.last_seen THEN excluded.last_seen "
      "ELSE intel_sightings.last_seen END, "
      "count = intel_sightings.count + excluded.count, updated = excluded.updated";
  std::int64_t now = now_ns();
  for (const auto& d : deltas) {
    SqlStatement st(db_, sql);
    st.bind(1, d.indicator_id).bind(2, d.org).bind(3, std::int64_t{d.first_seen}).bind(4, std::int64_t{d.last_seen});
    st.bind(5, static_cast<std::int64_t>(d.count)).bind(6, now);
    if (!st.run()) {
      std::string why = sqlite3_errmsg(db_);
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return fail("sighting store: " + why);
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::string why = sqlite3_errmsg(db_);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return fail("sighting store: " + why);
  }
  return {};
}

Result<std::vector<SightingRow>> SightingStore::query(const SightingQuery& q) {
  std::lock_guard lock(mutex_);
  std::string where = "WHERE 1 = 1";
  std::vector<std::string> args;
  append_in_clause(where, args, "indicator_id", q.indicators);
  append_in_clause(where, args, "org", q.orgs);
  std::string sql = "SELECT indicator_id, org, first_seen, last_seen, count, updated FROM intel_sightings " + where +
                    " ORDER BY last_seen DESC, indicator_id, org";
  if (q.limit) sql += fmt::format(" LIMIT {}", q.limit);
  SqlStatement st(db_, sql);
  if (!st.ok()) return fail(std::string("sighting store: ") + sqlite3_errmsg(db_));
  for (std::size_t i = 0; i < args.size(); ++i) st.bind(static_cast<int>(i + 1), args[i]);
  std::vector<SightingRow> rows;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    SightingRow r;
    r.indicator_id = st.text(0);
    r.org = st.text(1);
    r.first_seen = st.integer(2);
    r.last_seen = st.integer(3);
    r.count = static_cast<std::uint64_t>(st.integer(4));
    r.updated = st.integer(5);
    rows.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return fail(std::string("sighting store: ") + sqlite3_errmsg(db_));
  return rows;
}

std::uint64_t SightingStore::total() {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, "SELECT COALESCE(SUM(count), 0) FROM intel_sightings");
  if (!st.ok() || st.step() != SQLITE_ROW) return 0;
  return static_cast<std::uint64_t>(st.integer(0));
}

}  // namespace khien
