// Warning store on SQLite; SQL kept to what PostgreSQL accepts too.
#include "store/warning_store.h"

#include <sqlite3.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "store/sql_database.h"
#include "store/sql_statement.h"

namespace khien {

namespace {

constexpr const char* kColumns =
    "id, kind, key, severity, severity_id, active, first_seen, last_seen, updated, sectors, document, orgs, tlp, recipients, merged_into";

std::vector<std::string> string_list(const std::string& text) {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_array())
    for (const auto& s : j) if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

// RED warnings go to their recipients, by default the organisations they affect.
std::vector<std::string> red_recipients(const WarningRecord& w) { return w.recipients.empty() ? w.orgs : w.recipients; }

WarningRecord read_row(SqlStatement& st) {
  WarningRecord w;
  w.id = st.integer(0);
  w.kind = st.text(1);
  w.key = st.text(2);
  w.severity = st.text(3);
  w.severity_id = static_cast<int>(st.integer(4));
  w.active = st.integer(5) != 0;
  w.first_seen = st.integer(6);
  w.last_seen = st.integer(7);
  w.updated = st.integer(8);
  w.sectors = string_list(st.text(9));
  w.document = st.text(10);
  w.orgs = string_list(st.text(11));
  w.tlp = st.text(12);
  w.recipients = string_list(st.text(13));
  w.merged_into = st.integer(14);
  return w;
}

}  // namespace

Result<std::unique_ptr<WarningStore>> WarningStore::open(const std::filesystem::path& db_path) {
  // The alerts table is the alert store's; it is created here too (same definition) so the
  // picture's queries work on a database that has never held an alert.
  const char* schema = R"sql(
    PRAGMA journal_mode=WAL;
    CREATE TABLE IF NOT EXISTS warnings (id BIGINT PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL,
      severity TEXT NOT NULL, severity_id INTEGER NOT NULL, active INTEGER NOT NULL, first_seen BIGINT NOT NULL,
      last_seen BIGINT NOT NULL, updated BIGINT NOT NULL, sectors TEXT NOT NULL, document TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS warnings_active ON warnings(active);
    CREATE TABLE IF NOT EXISTS warning_evidence (warning_id BIGINT NOT NULL, event_seq BIGINT NOT NULL,
      time BIGINT NOT NULL, org TEXT NOT NULL, PRIMARY KEY (warning_id, event_seq));
    CREATE TABLE IF NOT EXISTS alerts (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, rule_id TEXT NOT NULL,
      title TEXT NOT NULL, severity_id INTEGER NOT NULL, level TEXT NOT NULL, tlp TEXT NOT NULL, source TEXT NOT NULL,
      matched TEXT NOT NULL, matched_field TEXT NOT NULL, tags TEXT NOT NULL, time BIGINT NOT NULL, soc TEXT NOT NULL,
      org TEXT NOT NULL, sector TEXT NOT NULL, province TEXT NOT NULL, event_seq BIGINT NOT NULL, event_json TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS alerts_time ON alerts(time);
    CREATE INDEX IF NOT EXISTS alerts_event_seq ON alerts(event_seq);
  )sql";
  auto opened = open_sqlite(db_path, "warning store", schema);
  if (!opened) return tl::unexpected(opened.error());
  sqlite3* db = *opened;
  char* err = nullptr;
  // Runs SQL; on failure closes the connection and gives the error to return.
  auto run = [&db, &err](const char* sql, const char* what) -> std::optional<Error> {
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) == SQLITE_OK) return std::nullopt;
    std::string why = err ? err : "?";
    sqlite3_free(err);
    sqlite3_close(db);
    return fail(std::string("warning store: ") + what + why).value();
  };
  // Stores written before tenant readers existed: add the columns and fill `orgs` from the documents.
  bool has_orgs = false, has_merged_into = false;
  {
    SqlStatement cols(db, "PRAGMA table_info(warnings)");
    while (cols.step() == SQLITE_ROW) {
      has_orgs = has_orgs || cols.text(1) == "orgs";
      has_merged_into = has_merged_into || cols.text(1) == "merged_into";
    }
  }
  // Stores written before warnings could be merged after they were shown.
  if (!has_merged_into)
    if (auto e = run("ALTER TABLE warnings ADD COLUMN merged_into BIGINT NOT NULL DEFAULT 0;", "adding merged_into: ")) return tl::unexpected(*e);
  if (!has_orgs) {
    const char* migrate = R"sql(
      ALTER TABLE warnings ADD COLUMN orgs TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE warnings ADD COLUMN tlp TEXT NOT NULL DEFAULT 'amber';
      ALTER TABLE warnings ADD COLUMN recipients TEXT NOT NULL DEFAULT '[]';
    )sql";
    if (auto e = run(migrate, "adding the tenant columns: ")) return tl::unexpected(*e);
    std::vector<std::pair<std::int64_t, std::string>> fill;
    {
      SqlStatement docs(db, "SELECT id, document FROM warnings");
      while (docs.step() == SQLITE_ROW) {
        auto d = nlohmann::json::parse(docs.text(1), nullptr, false);
        nlohmann::json orgs = nlohmann::json::array();
        if (d.is_object() && d.contains("organisations") && d["organisations"].is_array())
          for (const auto& o : d["organisations"])
            if (o.is_object() && o.contains("org") && o["org"].is_string()) orgs.push_back(o["org"]);
        fill.emplace_back(docs.integer(0), orgs.dump());
      }
    }
    SqlStatement set(db, "UPDATE warnings SET orgs = ? WHERE id = ?");
    for (const auto& [id, orgs] : fill) {
      set.reset();
      set.bind(1, orgs);
      set.bind(2, id);
      set.step();
    }
  }
  return std::unique_ptr<WarningStore>(new WarningStore(db));
}

WarningStore::~WarningStore() { sqlite3_close(db_); }

Status WarningStore::upsert(const WarningRecord& w, const std::vector<WarningEvidenceRow>& evidence) {
  std::lock_guard lock(mutex_);
  sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
  SqlStatement st(db_, "INSERT INTO warnings (id, kind, key, severity, severity_id, active, first_seen, last_seen, updated, sectors, document, "
               "orgs, tlp, recipients, merged_into) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, key = excluded.key, "
               "severity = excluded.severity, severity_id = excluded.severity_id, active = excluded.active, "
               "first_seen = excluded.first_seen, last_seen = excluded.last_seen, updated = excluded.updated, "
               "sectors = excluded.sectors, document = excluded.document, orgs = excluded.orgs, tlp = excluded.tlp, "
               "recipients = excluded.recipients, merged_into = excluded.merged_into");
  st.bind(1, w.id);
  st.bind(2, w.kind);
  st.bind(3, w.key);
  st.bind(4, w.severity);
  st.bind(5, std::int64_t{w.severity_id});
  st.bind(6, std::int64_t{w.active ? 1 : 0});
  st.bind(7, std::int64_t{w.first_seen});
  st.bind(8, std::int64_t{w.last_seen});
  st.bind(9, std::int64_t{w.updated});
  st.bind(10, nlohmann::json(w.sectors).dump());
  st.bind(11, w.document);
  st.bind(12, nlohmann::json(w.orgs).dump());
  st.bind(13, w.tlp.empty() ? std::string("amber") : w.tlp);
  st.bind(14, nlohmann::json(red_recipients(w)).dump());
  st.bind(15, w.merged_into);
  if (st.step() != SQLITE_DONE) {
    std::string why = sqlite3_errmsg(db_);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return fail(fmt::format("warning store: warning {}: {}", w.id, why));
  }
  SqlStatement ev(db_, "INSERT INTO warning_evidence (warning_id, event_seq, time, org) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
  for (const auto& e : evidence) {
    ev.reset();
    ev.bind(1, w.id);
    ev.bind(2, static_cast<std::int64_t>(e.event_seq));
    ev.bind(3, std::int64_t{e.time});
    ev.bind(4, e.org);
    if (ev.step() != SQLITE_DONE) {
      std::string why = sqlite3_errmsg(db_);
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return fail(fmt::format("warning store: evidence of warning {}: {}", w.id, why));
    }
  }
  if (w.merged_into != 0) {
    // A merged warning's evidence belongs to the warning it joined (an event already there stays once).
    SqlStatement move(db_, "UPDATE OR IGNORE warning_evidence SET warning_id = ? WHERE warning_id = ?");
    move.bind(1, w.merged_into);
    move.bind(2, w.id);
    SqlStatement drop(db_, "DELETE FROM warning_evidence WHERE warning_id = ?");
    drop.bind(1, w.id);
    if (move.step() != SQLITE_DONE || drop.step() != SQLITE_DONE) {
      std::string why = sqlite3_errmsg(db_);
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return fail(fmt::format("warning store: moving the evidence of warning {} to {}: {}", w.id, w.merged_into, why));
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail(std::string("warning store: ") + sqlite3_errmsg(db_));
  return {};
}

Result<WarningPage> WarningStore::query(const WarningQuery& q) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> texts;
  std::vector<std::int64_t> ints;
  if (q.active) ints.push_back(*q.active ? 1 : 0);
  if (!q.kind.empty()) texts.push_back(q.kind);
  // Sectors are a JSON array of ids; an id is quoted there, so the quoted form matches exactly.
  if (!q.sector.empty()) texts.push_back("%" + nlohmann::json(q.sector).dump() + "%");
  if (!q.org.empty()) texts.push_back("%" + nlohmann::json(q.org).dump() + "%");
  if (!q.recipient.empty()) texts.push_back("%" + nlohmann::json(q.recipient).dump() + "%");
  auto bind_all = [&](SqlStatement& st, bool with_cursor) {
    int i = 1;
    for (auto v : ints) st.bind(i++, v);
    for (const auto& t : texts) st.bind(i++, t);
    if (with_cursor && q.before_id > 0) st.bind(i++, q.before_id);
  };
  // The integer clause comes first, as it is bound first.
  // Merged warnings are reached by id only (GET /warnings/{id} names the warning they joined).
  std::string ordered = "WHERE merged_into = 0";
  if (q.active) ordered += " AND active = ?";
  if (!q.kind.empty()) ordered += " AND kind = ?";
  if (!q.sector.empty()) ordered += " AND sectors LIKE ?";
  if (!q.org.empty()) ordered += " AND orgs LIKE ?";
  if (!q.recipient.empty()) ordered += " AND (tlp <> 'red' OR recipients LIKE ?)";
  WarningPage page;
  SqlStatement count(db_, "SELECT COUNT(*) FROM warnings " + ordered);
  bind_all(count, false);
  if (count.step() == SQLITE_ROW) page.total = static_cast<std::uint64_t>(count.integer(0));
  SqlStatement st(db_, fmt::format("SELECT {} FROM warnings {}{} ORDER BY id DESC LIMIT {}", kColumns, ordered,
                           q.before_id > 0 ? " AND id < ?" : "", q.limit + 1));
  if (!st.ok()) return fail(std::string("warning store: ") + sqlite3_errmsg(db_));
  bind_all(st, true);
  while (st.step() == SQLITE_ROW) page.warnings.push_back(read_row(st));
  if (page.warnings.size() > q.limit) {
    page.warnings.pop_back();
    page.next_before_id = page.warnings.back().id;
  }
  return page;
}

std::optional<WarningRecord> WarningStore::get(std::int64_t id) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, fmt::format("SELECT {} FROM warnings WHERE id = ?", kColumns));
  st.bind(1, id);
  if (st.step() != SQLITE_ROW) return std::nullopt;
  return read_row(st);
}

std::vector<WarningRecord> WarningStore::active() {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, fmt::format("SELECT {} FROM warnings WHERE active = 1 ORDER BY id", kColumns));
  std::vector<WarningRecord> out;
  while (st.step() == SQLITE_ROW) out.push_back(read_row(st));
  return out;
}

std::optional<WarningRecord> WarningStore::find(const std::string& kind, const std::string& key) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, fmt::format("SELECT {} FROM warnings WHERE kind = ? AND key = ? ORDER BY id DESC LIMIT 1", kColumns));
  st.bind(1, kind);
  st.bind(2, key);
  if (st.step() != SQLITE_ROW) return std::nullopt;
  return read_row(st);
}

std::int64_t WarningStore::max_id() {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, "SELECT COALESCE(MAX(id), 0) FROM warnings");
  return st.step() == SQLITE_ROW ? st.integer(0) : 0;
}

std::vector<EvidenceAlert> WarningStore::evidence_alerts(std::int64_t id, std::size_t limit) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, fmt::format("SELECT a.id, a.kind, a.rule_id, a.title, a.matched, a.org, a.sector, a.province, a.severity_id, a.time, "
                           "a.event_seq FROM warning_evidence e JOIN alerts a ON a.event_seq = e.event_seq "
                           "WHERE e.warning_id = ? ORDER BY a.time, a.id LIMIT {}", limit));
  st.bind(1, id);
  std::vector<EvidenceAlert> out;
  while (st.step() == SQLITE_ROW) {
    EvidenceAlert a;
    a.id = st.integer(0);
    a.kind = st.text(1);
    a.rule_id = st.text(2);
    a.title = st.text(3);
    a.matched = st.text(4);
    a.org = st.text(5);
    a.sector = st.text(6);
    a.province = st.text(7);
    a.severity_id = static_cast<int>(st.integer(8));
    a.time = st.integer(9);
    a.event_seq = static_cast<std::uint64_t>(st.integer(10));
    out.push_back(std::move(a));
  }
  return out;
}

std::uint64_t WarningStore::evidence_count(std::int64_t id) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, "SELECT COUNT(*) FROM warning_evidence WHERE warning_id = ?");
  st.bind(1, id);
  return st.step() == SQLITE_ROW ? static_cast<std::uint64_t>(st.integer(0)) : 0;
}

Result<std::vector<std::pair<std::string, std::uint64_t>>> WarningStore::alert_counts(const std::string& column, TimeNs since,
                                                                                       std::size_t limit) {
  if (column != "org" && column != "sector" && column != "province") return fail(fmt::format("cannot group alerts by '{}'", column));
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, fmt::format("SELECT {0}, COUNT(*) FROM alerts WHERE time >= ? AND {0} <> '' GROUP BY {0} ORDER BY COUNT(*) DESC, {0} "
                           "LIMIT {1}", column, limit));
  st.bind(1, std::int64_t{since});
  std::vector<std::pair<std::string, std::uint64_t>> out;
  while (st.step() == SQLITE_ROW) out.emplace_back(st.text(0), static_cast<std::uint64_t>(st.integer(1)));
  return out;
}

std::vector<std::string> WarningStore::alert_events(TimeNs since, std::size_t limit) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, fmt::format("SELECT event_json FROM alerts WHERE time >= ? ORDER BY id DESC LIMIT {}", limit));
  st.bind(1, std::int64_t{since});
  std::vector<std::string> out;
  while (st.step() == SQLITE_ROW) out.push_back(st.text(0));
  return out;
}

}  // namespace khien
