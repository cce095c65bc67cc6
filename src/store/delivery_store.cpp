// Delivery log on SQLite; SQL kept to what PostgreSQL accepts too.
#include "store/delivery_store.h"

#include <fmt/format.h>

#include "store/sql_database.h"
#include "store/sql_statement.h"

namespace khien {

namespace {

constexpr const char* kColumns =
    "id, warning_id, warning_version, warning_kind, tlp, channel, org, target, status, attempts, last_code, last_error, created, "
    "updated, next_attempt";

DeliveryStatus parse_status(const std::string& s) {
  if (s == "delivered") return DeliveryStatus::delivered;
  if (s == "failed") return DeliveryStatus::failed;
  if (s == "superseded") return DeliveryStatus::superseded;
  return DeliveryStatus::pending;
}

}  // namespace

std::string_view delivery_status_name(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::pending: return "pending";
    case DeliveryStatus::delivered: return "delivered";
    case DeliveryStatus::failed: return "failed";
    case DeliveryStatus::superseded: return "superseded";
  }
  return "pending";
}

Result<std::unique_ptr<DeliveryStore>> DeliveryStore::open(const std::filesystem::path& db_path) {
  const char* schema = R"sql(
    PRAGMA journal_mode=WAL;
    CREATE TABLE IF NOT EXISTS notification_deliveries (id TEXT PRIMARY KEY, warning_id BIGINT NOT NULL,
      warning_version BIGINT NOT NULL, warning_kind TEXT NOT NULL, tlp TEXT NOT NULL, channel TEXT NOT NULL, org TEXT NOT NULL,
      target TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, last_code INTEGER NOT NULL, last_error TEXT NOT NULL,
      created BIGINT NOT NULL, updated BIGINT NOT NULL, next_attempt BIGINT NOT NULL);
    CREATE INDEX IF NOT EXISTS notification_deliveries_warning ON notification_deliveries(warning_id);
    CREATE INDEX IF NOT EXISTS notification_deliveries_status ON notification_deliveries(status);
  )sql";
  auto db = open_sqlite(db_path, "delivery store", schema);
  if (!db) return tl::unexpected(db.error());
  return std::unique_ptr<DeliveryStore>(new DeliveryStore(*db));
}

DeliveryStore::~DeliveryStore() { sqlite3_close(db_); }

Status DeliveryStore::save(const DeliveryRecord& d) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, fmt::format("INSERT INTO notification_deliveries ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                           "ON CONFLICT (id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, "
                           "last_code = excluded.last_code, last_error = excluded.last_error, updated = excluded.updated, "
                           "next_attempt = excluded.next_attempt",
                           kColumns));
  st.bind(1, d.id);
  st.bind(2, d.warning_id);
  st.bind(3, static_cast<std::int64_t>(d.warning_version));
  st.bind(4, d.warning_kind);
  st.bind(5, d.tlp);
  st.bind(6, d.channel);
  st.bind(7, d.org);
  st.bind(8, d.target);
  st.bind(9, std::string(delivery_status_name(d.status)));
  st.bind(10, std::int64_t{d.attempts});
  st.bind(11, std::int64_t{d.last_code});
  st.bind(12, d.last_error);
  st.bind(13, std::int64_t{d.created});
  st.bind(14, std::int64_t{d.updated});
  st.bind(15, std::int64_t{d.next_attempt});
  if (st.step() != SQLITE_DONE) return fail(fmt::format("delivery store: delivery {}: {}", d.id, sqlite3_errmsg(db_)));
  return {};
}

Result<std::vector<DeliveryRecord>> DeliveryStore::query(const DeliveryQuery& q) {
  std::lock_guard lock(mutex_);
  std::string sql = fmt::format("SELECT {} FROM notification_deliveries WHERE 1 = 1", kColumns);
  std::vector<std::string> texts;
  if (q.warning_id) sql += fmt::format(" AND warning_id = {}", q.warning_id);
  if (!q.status.empty()) { sql += " AND status = ?"; texts.push_back(q.status); }
  if (!q.channel.empty()) { sql += " AND channel = ?"; texts.push_back(q.channel); }
  if (!q.org.empty()) { sql += " AND org = ?"; texts.push_back(q.org); }
  sql += fmt::format(" ORDER BY created DESC, id LIMIT {}", q.limit);
  SqlStatement st(db_, sql);
  for (std::size_t i = 0; i < texts.size(); ++i) st.bind(static_cast<int>(i + 1), texts[i]);
  std::vector<DeliveryRecord> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    DeliveryRecord d;
    d.id = st.text(0);
    d.warning_id = st.integer(1);
    d.warning_version = static_cast<std::uint64_t>(st.integer(2));
    d.warning_kind = st.text(3);
    d.tlp = st.text(4);
    d.channel = st.text(5);
    d.org = st.text(6);
    d.target = st.text(7);
    d.status = parse_status(st.text(8));
    d.attempts = static_cast<int>(st.integer(9));
    d.last_code = static_cast<int>(st.integer(10));
    d.last_error = st.text(11);
    d.created = st.integer(12);
    d.updated = st.integer(13);
    d.next_attempt = st.integer(14);
    out.push_back(std::move(d));
  }
  if (rc != SQLITE_DONE) return fail(fmt::format("delivery store: query: {}", sqlite3_errmsg(db_)));
  return out;
}

std::uint64_t DeliveryStore::abandon_pending(const std::string& reason) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, "UPDATE notification_deliveries SET status = 'failed', last_error = ?, updated = ? WHERE status = 'pending'");
  st.bind(1, reason);
  st.bind(2, std::int64_t{now_ns()});
  if (st.step() != SQLITE_DONE) return 0;
  return static_cast<std::uint64_t>(sqlite3_changes(db_));
}

}  // namespace khien
