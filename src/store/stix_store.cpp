// STIX object store on SQLite. SQL is kept to what SQLite and PostgreSQL both accept
// (explicit BIGINT keys assigned here, ON CONFLICT DO NOTHING, no SQLite-only functions).
// Several processes may write one database (a server and `khien intel poll`/`import`): every write
// that numbers rows takes the write lock first (BEGIN IMMEDIATE, waiting out the busy timeout) and
// reads the current maximum inside that transaction, so no instance trusts a counter of its own.
#include "store/stix_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "store/sql_database.h"

namespace khien {

namespace {

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) { rc_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  Statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& bind(int i, std::optional<std::int64_t> v) {
    if (v)
      sqlite3_bind_int64(stmt_, i, *v);
    else
      sqlite3_bind_null(stmt_, i);
    return *this;
  }
  int step() { return ok() ? sqlite3_step(stmt_) : SQLITE_ERROR; }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int col) {
    auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  std::int64_t integer(int col) { return sqlite3_column_int64(stmt_, col); }
  std::optional<std::int64_t> optional_integer(int col) {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(stmt_, col);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

std::string list_json(const std::vector<std::string>& v) {
  return nlohmann::json(v).dump();
}
std::vector<std::string> list_from_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& x : j)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr const char* kColumns =
    "seq, collection, id, type, spec_version, created, modified, version_us, added, revoked, tlp, source, "
    "valid_from, valid_until";

StixRecord read_record(Statement& st, bool with_json) {
  StixRecord r;
  r.seq = st.integer(0);
  r.collection = st.text(1);
  r.id = st.text(2);
  r.type = st.text(3);
  r.spec_version = st.text(4);
  r.created = st.text(5);
  r.modified = st.text(6);
  r.version_us = st.integer(7);
  r.added_us = st.integer(8);
  r.revoked = st.integer(9) != 0;
  r.tlp = st.text(10);
  r.source = st.text(11);
  r.valid_from_us = st.optional_integer(12);
  r.valid_until_us = st.optional_integer(13);
  if (with_json) r.json = st.text(14);
  return r;
}

constexpr int kBusyTimeoutMs = 30'000;

std::string bind_markers(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

}  // namespace

Result<std::unique_ptr<StixStore>> StixStore::open(const std::filesystem::path& db_path) {
  std::error_code ec;
  if (db_path.has_parent_path()) std::filesystem::create_directories(db_path.parent_path(), ec);
  auto db = open_sqlite(db_path, "stix store", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  if (!db) return tl::unexpected(db.error());
  std::unique_ptr<StixStore> store(new StixStore(*db));
  // A writer in another process holds the lock for one import at most: wait for it rather than fail.
  sqlite3_busy_timeout(*db, kBusyTimeoutMs);
  if (auto st = store->migrate(); !st) return tl::unexpected(st.error());
  return store;
}

StixStore::~StixStore() {
  sqlite3_close(db_);
}

Status StixStore::exec(const char* sql) {
  return exec_sql(db_, sql, "stix store");
}

Status StixStore::migrate() {
  return exec(R"sql(
    CREATE TABLE IF NOT EXISTS stix_objects (seq BIGINT PRIMARY KEY, collection TEXT NOT NULL, id TEXT NOT NULL,
      type TEXT NOT NULL, spec_version TEXT NOT NULL, created TEXT NOT NULL, modified TEXT NOT NULL,
      version_us BIGINT NOT NULL, added BIGINT NOT NULL, revoked INTEGER NOT NULL, tlp TEXT NOT NULL,
      source TEXT NOT NULL, valid_from BIGINT, valid_until BIGINT, json TEXT NOT NULL,
      UNIQUE (collection, id, version_us));
    CREATE INDEX IF NOT EXISTS stix_objects_added ON stix_objects(collection, added);
    CREATE INDEX IF NOT EXISTS stix_objects_id ON stix_objects(id, version_us);
    CREATE INDEX IF NOT EXISTS stix_objects_type ON stix_objects(type, id);
    CREATE TABLE IF NOT EXISTS taxii_api_roots (name TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL,
      versions TEXT NOT NULL, max_content_length BIGINT NOT NULL, position BIGINT NOT NULL);
    CREATE TABLE IF NOT EXISTS taxii_collections (id TEXT PRIMARY KEY, api_root TEXT NOT NULL, title TEXT NOT NULL,
      description TEXT NOT NULL, alias TEXT NOT NULL, can_read INTEGER NOT NULL, can_write INTEGER NOT NULL,
      media_types TEXT NOT NULL, default_tlp TEXT NOT NULL, readers TEXT NOT NULL, writers TEXT NOT NULL,
      recipients TEXT NOT NULL, position BIGINT NOT NULL);
    CREATE TABLE IF NOT EXISTS taxii_status (id TEXT PRIMARY KEY, api_root TEXT NOT NULL, created BIGINT NOT NULL,
      json TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS taxii_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  )sql");
}

Result<std::vector<bool>> StixStore::add(std::vector<StixRecord>& records) {
  std::lock_guard lock(mutex_);
  // The write lock first, then the numbering: another connection may have added rows since.
  if (auto st = exec("BEGIN IMMEDIATE"); !st) return tl::unexpected(st.error());
  std::int64_t seq = 0, last_added = 0;
  {
    Statement max(db_, "SELECT MAX(seq), MAX(added) FROM stix_objects");
    if (max.step() != SQLITE_ROW) {
      std::string why = sqlite3_errmsg(db_);
      exec("ROLLBACK");
      return fail("stix store: " + why);
    }
    seq = max.integer(0);
    last_added = max.integer(1);
  }
  std::vector<bool> added(records.size(), false);
  Statement ins(db_, std::string("INSERT INTO stix_objects (") + kColumns +
                         ", json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT (collection, id, version_us) DO NOTHING");
  if (!ins.ok()) {
    std::string why = sqlite3_errmsg(db_);
    exec("ROLLBACK");
    return fail("stix store: " + why);
  }
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto& r = records[i];
    std::int64_t when = r.added_us;
    if (when == 0) when = std::max(now_us(), last_added + 1);  // unique and increasing for added_after
    ins.reset();
    ins.bind(1, seq + 1).bind(2, r.collection).bind(3, r.id).bind(4, r.type).bind(5, r.spec_version);
    ins.bind(6, r.created).bind(7, r.modified).bind(8, r.version_us).bind(9, when).bind(10, std::int64_t{r.revoked});
    ins.bind(11, r.tlp).bind(12, r.source).bind(13, r.valid_from_us).bind(14, r.valid_until_us).bind(15, r.json);
    if (ins.step() != SQLITE_DONE) {
      std::string why = sqlite3_errmsg(db_);
      exec("ROLLBACK");
      return fail(fmt::format("stix store: {}: {}", r.id, why));
    }
    if (sqlite3_changes(db_) > 0) {
      added[i] = true;
      r.seq = ++seq;
      r.added_us = when;
      last_added = std::max(last_added, when);
    }
  }
  if (auto st = exec("COMMIT"); !st) {
    exec("ROLLBACK");
    for (std::size_t i = 0; i < records.size(); ++i)
      if (added[i]) records[i].seq = 0;
    return tl::unexpected(st.error());
  }
  return added;
}

bool StixStore::contains(const std::string& id) {
  std::lock_guard lock(mutex_);
  Statement st(db_, "SELECT 1 FROM stix_objects WHERE id = ? LIMIT 1");
  st.bind(1, id);
  return st.step() == SQLITE_ROW;
}

std::optional<StixRecord> StixStore::latest(const std::string& id) {
  std::lock_guard lock(mutex_);
  Statement st(db_, std::string("SELECT ") + kColumns +
                        ", json FROM stix_objects WHERE id = ? ORDER BY version_us DESC, seq DESC LIMIT 1");
  st.bind(1, id);
  if (st.step() != SQLITE_ROW) return std::nullopt;
  return read_record(st, true);
}

Result<std::vector<StixRecord>> StixStore::select(const StixQuery& q) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM stix_objects WHERE collection = ?";
  if (q.added_after_us) sql += " AND added > ?";
  if (!q.ids.empty()) sql += " AND id IN (" + bind_markers(q.ids.size()) + ")";
  if (!q.types.empty()) sql += " AND type IN (" + bind_markers(q.types.size()) + ")";
  sql += " ORDER BY id, version_us, seq";
  Statement st(db_, sql);
  if (!st.ok()) return fail(std::string("stix store: ") + sqlite3_errmsg(db_));
  int i = 1;
  st.bind(i++, q.collection);
  if (q.added_after_us) st.bind(i++, *q.added_after_us);
  for (const auto& id : q.ids) st.bind(i++, id);
  for (const auto& t : q.types) st.bind(i++, t);
  std::vector<StixRecord> rows;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    auto r = read_record(st, false);
    if (!q.visible || q.visible(r)) rows.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return fail(std::string("stix store: ") + sqlite3_errmsg(db_));

  // Per object: the spec_version filter, then the version filter.
  std::vector<StixRecord> out;
  std::size_t begin = 0;
  while (begin < rows.size()) {
    std::size_t end = begin;
    while (end < rows.size() && rows[end].id == rows[begin].id) ++end;
    std::vector<StixRecord*> group;
    std::string latest_spec;
    for (std::size_t k = begin; k < end; ++k) latest_spec = std::max(latest_spec, rows[k].spec_version);
    for (std::size_t k = begin; k < end; ++k) {
      const auto& sv = rows[k].spec_version;
      bool keep = q.spec_versions.empty()
                      ? sv == latest_spec
                      : std::find(q.spec_versions.begin(), q.spec_versions.end(), sv) != q.spec_versions.end();
      if (keep) group.push_back(&rows[k]);
    }
    if (!group.empty()) {
      const auto& vf = q.versions;
      bool none = !vf.first && !vf.last && !vf.all && vf.exact.empty();
      std::set<std::size_t> chosen;
      for (std::size_t k = 0; k < group.size(); ++k) {
        bool pick = vf.all || (vf.first && k == 0) || ((vf.last || none) && k + 1 == group.size()) ||
                    std::find(vf.exact.begin(), vf.exact.end(), group[k]->version_us) != vf.exact.end();
        if (pick) chosen.insert(k);
      }
      for (auto k : chosen) out.push_back(std::move(*group[k]));
    }
    begin = end;
  }
  std::sort(out.begin(), out.end(), [](const StixRecord& a, const StixRecord& b) {
    return a.added_us != b.added_us ? a.added_us < b.added_us : a.seq < b.seq;
  });
  return out;
}

Result<StixPage> StixStore::query(const StixQuery& q) {
  std::lock_guard lock(mutex_);
  auto rows = select(q);
  if (!rows) return tl::unexpected(rows.error());
  StixPage page;
  for (auto& r : *rows) {
    if (q.after && std::make_pair(r.added_us, r.seq) <= *q.after) continue;
    if (q.limit && page.records.size() == q.limit) {
      page.more = true;
      break;
    }
    page.records.push_back(std::move(r));
  }
  if (q.with_json) {
    Statement st(db_, "SELECT json FROM stix_objects WHERE seq = ?");
    for (auto& r : page.records) {
      st.reset();
      st.bind(1, r.seq);
      if (st.step() == SQLITE_ROW) r.json = st.text(0);
    }
  }
  return page;
}

Result<std::size_t> StixStore::remove(const StixQuery& q) {
  std::lock_guard lock(mutex_);
  if (auto st = exec("BEGIN IMMEDIATE"); !st) return tl::unexpected(st.error());
  auto rows = select(q);
  if (!rows) {
    exec("ROLLBACK");
    return tl::unexpected(rows.error());
  }
  Statement del(db_, "DELETE FROM stix_objects WHERE seq = ?");
  for (const auto& r : *rows) {
    del.reset();
    del.bind(1, r.seq);
    if (del.step() != SQLITE_DONE) {
      std::string why = sqlite3_errmsg(db_);
      exec("ROLLBACK");
      return fail("stix store: " + why);
    }
  }
  if (auto st = exec("COMMIT"); !st) return tl::unexpected(st.error());
  return rows->size();
}

std::int64_t StixStore::count(const std::string& collection) {
  std::lock_guard lock(mutex_);
  Statement st(db_, "SELECT COUNT(*) FROM stix_objects WHERE collection = ?");
  st.bind(1, collection);
  return st.step() == SQLITE_ROW ? st.integer(0) : 0;
}

std::vector<StixRecord> StixStore::active_indicators(std::int64_t now) {
  std::lock_guard lock(mutex_);
  Statement st(
      db_,
      std::string("SELECT ") + kColumns +
          ", json FROM stix_objects o WHERE type = 'indicator' AND version_us = "
          "(SELECT MAX(version_us) FROM stix_objects l WHERE l.id = o.id) "
          "AND revoked = 0 AND (valid_from IS NULL OR valid_from <= ?) AND (valid_until IS NULL OR valid_until > ?) "
          "ORDER BY id, seq");
  st.bind(1, now).bind(2, now);
  std::vector<StixRecord> out;
  while (st.step() == SQLITE_ROW) {
    auto r = read_record(st, true);
    if (!out.empty() && out.back().id == r.id) continue;  // the same version in several collections
    out.push_back(std::move(r));
  }
  return out;
}

Status StixStore::put_api_root(const TaxiiApiRootRow& root) {
  std::lock_guard lock(mutex_);
  Statement pos(db_, "SELECT COUNT(*) FROM taxii_api_roots");
  std::int64_t position = pos.step() == SQLITE_ROW ? pos.integer(0) : 0;
  Statement st(db_,
               "INSERT INTO taxii_api_roots (name, title, description, versions, max_content_length, position) "
               "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET title = excluded.title, "
               "description = excluded.description, versions = excluded.versions, "
               "max_content_length = excluded.max_content_length");
  st.bind(1, root.name).bind(2, root.title).bind(3, root.description).bind(4, list_json(root.versions));
  st.bind(5, root.max_content_length).bind(6, position);
  if (st.step() != SQLITE_DONE)
    return fail(fmt::format("stix store: api root '{}': {}", root.name, sqlite3_errmsg(db_)));
  return {};
}

namespace {
TaxiiApiRootRow read_root(Statement& st) {
  TaxiiApiRootRow r;
  r.name = st.text(0);
  r.title = st.text(1);
  r.description = st.text(2);
  r.versions = list_from_json(st.text(3));
  r.max_content_length = st.integer(4);
  return r;
}
TaxiiCollectionRow read_collection(Statement& st) {
  TaxiiCollectionRow c;
  c.id = st.text(0);
  c.api_root = st.text(1);
  c.title = st.text(2);
  c.description = st.text(3);
  c.alias = st.text(4);
  c.can_read = st.integer(5) != 0;
  c.can_write = st.integer(6) != 0;
  c.media_types = list_from_json(st.text(7));
  c.default_tlp = st.text(8);
  c.readers = list_from_json(st.text(9));
  c.writers = list_from_json(st.text(10));
  c.recipients = list_from_json(st.text(11));
  return c;
}
constexpr const char* kCollectionColumns =
    "id, api_root, title, description, alias, can_read, can_write, media_types, default_tlp, readers, writers, "
    "recipients";
}  // namespace

std::vector<TaxiiApiRootRow> StixStore::api_roots() {
  std::lock_guard lock(mutex_);
  Statement st(
      db_,
      "SELECT name, title, description, versions, max_content_length FROM taxii_api_roots ORDER BY position, name");
  std::vector<TaxiiApiRootRow> out;
  while (st.step() == SQLITE_ROW) out.push_back(read_root(st));
  return out;
}

std::optional<TaxiiApiRootRow> StixStore::api_root(const std::string& name) {
  std::lock_guard lock(mutex_);
  Statement st(db_,
               "SELECT name, title, description, versions, max_content_length FROM taxii_api_roots WHERE name = ?");
  st.bind(1, name);
  if (st.step() != SQLITE_ROW) return std::nullopt;
  return read_root(st);
}

Status StixStore::put_collection(const TaxiiCollectionRow& c) {
  std::lock_guard lock(mutex_);
  Statement pos(db_, "SELECT COUNT(*) FROM taxii_collections");
  std::int64_t position = pos.step() == SQLITE_ROW ? pos.integer(0) : 0;
  Statement st(db_, std::string("INSERT INTO taxii_collections (") + kCollectionColumns +
                        ", position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                        "api_root = excluded.api_root, title = excluded.title, description = excluded.description, "
                        "alias = excluded.alias, can_read = excluded.can_read, can_write = excluded.can_write, "
                        "media_types = excluded.media_types, default_tlp = excluded.default_tlp, "
                        "readers = excluded.readers, writers = excluded.writers, recipients = excluded.recipients");
  st.bind(1, c.id).bind(2, c.api_root).bind(3, c.title).bind(4, c.description).bind(5, c.alias);
  st.bind(6, std::int64_t{c.can_read}).bind(7, std::int64_t{c.can_write}).bind(8, list_json(c.media_types));
  st.bind(9, c.default_tlp)
      .bind(10, list_json(c.readers))
      .bind(11, list_json(c.writers))
      .bind(12, list_json(c.recipients));
  st.bind(13, position);
  if (st.step() != SQLITE_DONE) return fail(fmt::format("stix store: collection '{}': {}", c.id, sqlite3_errmsg(db_)));
  return {};
}

std::vector<TaxiiCollectionRow> StixStore::collections(const std::string& api_root) {
  std::lock_guard lock(mutex_);
  Statement st(db_, std::string("SELECT ") + kCollectionColumns +
                        " FROM taxii_collections WHERE api_root = ? ORDER BY position, id");
  st.bind(1, api_root);
  std::vector<TaxiiCollectionRow> out;
  while (st.step() == SQLITE_ROW) out.push_back(read_collection(st));
  return out;
}

std::optional<TaxiiCollectionRow> StixStore::collection(const std::string& api_root, const std::string& id) {
  std::lock_guard lock(mutex_);
  Statement st(db_,
               std::string("SELECT ") + kCollectionColumns + " FROM taxii_collections WHERE api_root = ? AND id = ?");
  st.bind(1, api_root).bind(2, id);
  if (st.step() != SQLITE_ROW) return std::nullopt;
  return read_collection(st);
}

Status StixStore::put_status(const std::string& api_root, const std::string& id, std::int64_t created_us,
                             const std::string& json) {
  std::lock_guard lock(mutex_);
  Statement st(db_,
               "INSERT INTO taxii_status (id, api_root, created, json) VALUES (?, ?, ?, ?) "
               "ON CONFLICT (id) DO UPDATE SET json = excluded.json");
  st.bind(1, id).bind(2, api_root).bind(3, created_us).bind(4, json);
  if (st.step() != SQLITE_DONE) return fail(fmt::format("stix store: status '{}': {}", id, sqlite3_errmsg(db_)));
  return {};
}

std::optional<std::string> StixStore::status(const std::string& api_root, const std::string& id) {
  std::lock_guard lock(mutex_);
  Statement st(db_, "SELECT json FROM taxii_status WHERE api_root = ? AND id = ?");
  st.bind(1, api_root).bind(2, id);
  if (st.step() != SQLITE_ROW) return std::nullopt;
  return st.text(0);
}

Status StixStore::put_meta(const std::string& key, const std::string& value) {
  std::lock_guard lock(mutex_);
  Statement st(
      db_, "INSERT INTO taxii_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  st.bind(1, key).bind(2, value);
  if (st.step() != SQLITE_DONE) return fail(fmt::format("stix store: meta '{}': {}", key, sqlite3_errmsg(db_)));
  return {};
}

std::optional<std::string> StixStore::meta(const std::string& key) {
  std::lock_guard lock(mutex_);
  Statement st(db_, "SELECT value FROM taxii_meta WHERE key = ?");
  st.bind(1, key);
  if (st.step() != SQLITE_ROW) return std::nullopt;
  return st.text(0);
}

}  // namespace khien
