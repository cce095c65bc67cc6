// Alert store on SQLite; SQL kept to what PostgreSQL accepts too.
#include "store/alert_store.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "store/sql_database.h"
#include "store/sql_statement.h"

namespace khien {

namespace {

constexpr const char* kColumns =
    "id, kind, rule_id, title, severity_id, level, tlp, source, matched, matched_field, tags, time, soc, org, sector, "
    "province, event_seq, event_json";

StoredAlert read_row(SqlStatement& st) {
  StoredAlert s;
  s.id = st.integer(0);
  Alert& a = s.alert;
  a.kind = st.text(1);
  a.rule_id = st.text(2);
  a.title = st.text(3);
  a.severity_id = static_cast<int>(st.integer(4));
  a.level = st.text(5);
  a.tlp = st.text(6);
  a.source = st.text(7);
  a.matched = st.text(8);
  a.matched_field = st.text(9);
  auto tags = nlohmann::json::parse(st.text(10), nullptr, false);
  if (tags.is_array())
    for (const auto& t : tags) if (t.is_string()) a.tags.push_back(t.get<std::string>());
  a.time = st.integer(11);
  a.soc = st.text(12);
  a.org = st.text(13);
  a.sector = st.text(14);
  a.province = st.text(15);
  a.event_seq = static_cast<std::uint64_t>(st.integer(16));
  a.event_json = st.text(17);
  return s;
}

}  // namespace

Result<std::unique_ptr<AlertStore>> AlertStore::open(const std::filesystem::path& db_path) {
  const char* schema = R"sql(
    PRAGMA journal_mode=WAL;
    CREATE TABLE IF NOT EXISTS alerts (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, rule_id TEXT NOT NULL,
      title TEXT NOT NULL, severity_id INTEGER NOT NULL, level TEXT NOT NULL, tlp TEXT NOT NULL, source TEXT NOT NULL,
      matched TEXT NOT NULL, matched_field TEXT NOT NULL, tags TEXT NOT NULL, time BIGINT NOT NULL, soc TEXT NOT NULL,
      org TEXT NOT NULL, sector TEXT NOT NULL, province TEXT NOT NULL, event_seq BIGINT NOT NULL, event_json TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS alerts_time ON alerts(time);
    CREATE INDEX IF NOT EXISTS alerts_rule ON alerts(rule_id);
    CREATE INDEX IF NOT EXISTS alerts_org ON alerts(org);
    CREATE UNIQUE INDEX IF NOT EXISTS alerts_once ON alerts(kind, rule_id, event_seq, matched);
  )sql";
  auto db = open_sqlite(db_path, "alert store", schema);
  if (!db) return tl::unexpected(db.error());
  return std::unique_ptr<AlertStore>(new AlertStore(*db));
}

AlertStore::~AlertStore() { sqlite3_close(db_); }

Status AlertStore::insert(const std::vector<Alert>& alerts) {
  if (alerts.empty()) return {};
  std::lock_guard lock(mutex_);
  sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
  SqlStatement st(db_, "INSERT INTO alerts (kind, rule_id, title, severity_id, level, tlp, source, matched, matched_field, tags, time, "
               "soc, org, sector, province, event_seq, event_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
               // A batch replayed after a crash finds its alerts already there.
               "ON CONFLICT DO NOTHING");
  for (const auto& a : alerts) {
    st.reset();
    st.bind(1, a.kind);
    st.bind(2, a.rule_id);
    st.bind(3, a.title);
    st.bind(4, std::int64_t{a.severity_id});
    st.bind(5, a.level);
    st.bind(6, a.tlp);
    st.bind(7, a.source);
    st.bind(8, a.matched);
    st.bind(9, a.matched_field);
    st.bind(10, nlohmann::json(a.tags).dump());
    st.bind(11, std::int64_t{a.time});
    st.bind(12, a.soc);
    st.bind(13, a.org);
    st.bind(14, a.sector);
    st.bind(15, a.province);
    st.bind(16, static_cast<std::int64_t>(a.event_seq));
    st.bind(17, a.event_json);
    if (st.step() != SQLITE_DONE) {
      std::string why = sqlite3_errmsg(db_);
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return fail("alert store: " + why);
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail(std::string("alert store: ") + sqlite3_errmsg(db_));
  return {};
}

Result<AlertPage> AlertStore::query(const AlertQuery& q) {
  std::lock_guard lock(mutex_);
  std::string where = "WHERE 1 = 1";
  std::vector<std::string> args;
  append_in_clause(where, args, "kind", q.kinds);
  append_in_clause(where, args, "org", q.orgs);
  append_in_clause(where, args, "sector", q.sectors);
  append_in_clause(where, args, "province", q.provinces);
  append_in_clause(where, args, "soc", q.socs);
  if (!q.rule_id.empty()) {
    where += " AND rule_id = ?";
    args.push_back(q.rule_id);
  }
  std::vector<std::int64_t> ints;
  if (q.since) { where += " AND time >= ?"; ints.push_back(*q.since); }
  if (q.until) { where += " AND time < ?"; ints.push_back(*q.until); }
  if (q.min_severity > 0) { where += " AND severity_id >= ?"; ints.push_back(q.min_severity); }
  auto bind_all = [&](SqlStatement& st, bool with_cursor) {
    int i = 1;
    for (const auto& a : args) st.bind(i++, a);
    for (auto v : ints) st.bind(i++, v);
    if (with_cursor && q.before_id > 0) st.bind(i++, q.before_id);
  };
  AlertPage page;
  SqlStatement count(db_, "SELECT COUNT(*) FROM alerts " + where);
  bind_all(count, false);
  if (count.step() == SQLITE_ROW) page.total = static_cast<std::uint64_t>(count.integer(0));
  std::string sql = fmt::format("SELECT {} FROM alerts {}{} ORDER BY id DESC LIMIT {}", kColumns, where,
                                q.before_id > 0 ? " AND id < ?" : "", q.limit + 1);
  SqlStatement st(db_, sql);
  if (!st.ok()) return fail(std::string("alert store: ") + sqlite3_errmsg(db_));
  bind_all(st, true);
  while (st.step() == SQLITE_ROW) page.alerts.push_back(read_row(st));
  if (page.alerts.size() > q.limit) {
    page.alerts.pop_back();
    page.next_before_id = page.alerts.back().id;
  }
  return page;
}

std::optional<StoredAlert> AlertStore::get(std::int64_t id) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, fmt::format("SELECT {} FROM alerts WHERE id = ?", kColumns));
  st.bind(1, id);
  if (st.step() != SQLITE_ROW) return std::nullopt;
  return read_row(st);
}

std::vector<std::pair<std::string, std::uint64_t>> AlertStore::counts_by_rule(const std::string& kind) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, "SELECT rule_id, COUNT(*) FROM alerts WHERE kind = ? GROUP BY rule_id ORDER BY COUNT(*) DESC");
  st.bind(1, kind);
  std::vector<std::pair<std::string, std::uint64_t>> out;
  while (st.step() == SQLITE_ROW) out.emplace_back(st.text(0), static_cast<std::uint64_t>(st.integer(1)));
  return out;
}

}  // namespace khien
