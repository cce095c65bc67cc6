// SQLite state store. SQL is kept to what SQLite and PostgreSQL both accept.
#include "store/state_store.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "store/sql_database.h"
#include "store/sql_statement.h"

namespace khien {

std::string sha256_hex(std::string_view text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    throw std::runtime_error("the OS random generator failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

namespace {

std::string to_json_list(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }
std::string to_json_list(const std::vector<std::int64_t>& v) { return nlohmann::json(v).dump(); }
template <typename T>
std::vector<T> from_json_list(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return {};
  std::vector<T> out;
  for (const auto& x : j) {
    if constexpr (std::is_same_v<T, std::string>) { if (x.is_string()) out.push_back(x.get<std::string>()); }
    else { if (x.is_number_integer()) out.push_back(x.get<T>()); }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<StateStore>> StateStore::open(const std::filesystem::path& db_path) {
  std::error_code ec;
  if (db_path.has_parent_path()) std::filesystem::create_directories(db_path.parent_path(), ec);
  auto db = open_sqlite(db_path, "state store", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  if (!db) return tl::unexpected(db.error());
  std::unique_ptr<StateStore> store(new StateStore(*db));
  if (auto st = store->migrate(); !st) return tl::unexpected(st.error());
  return store;
}

StateStore::~StateStore() { sqlite3_close(db_); }

Status StateStore::exec(const char* sql) { return exec_sql(db_, sql, "state store"); }

Status StateStore::migrate() {
  auto st = exec(R"sql(
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS sectors (id TEXT PRIMARY KEY, name TEXT NOT NULL, name_en TEXT NOT NULL,
      lead_org TEXT NOT NULL, criticality INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS provinces (id TEXT PRIMARY KEY, name TEXT NOT NULL, name_en TEXT NOT NULL,
      kind TEXT NOT NULL, region TEXT NOT NULL, lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL);
    CREATE TABLE IF NOT EXISTS organisations (id TEXT PRIMARY KEY, name TEXT NOT NULL, name_en TEXT NOT NULL,
      type TEXT NOT NULL, sector TEXT NOT NULL, province TEXT NOT NULL, parent TEXT NOT NULL,
      ip_ranges TEXT NOT NULL, asns TEXT NOT NULL, domains TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS socs (row_id INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
      org TEXT NOT NULL REFERENCES organisations(id), sender_ranges TEXT NOT NULL, formats TEXT NOT NULL,
      transport TEXT NOT NULL, key_hash TEXT, revoked INTEGER NOT NULL DEFAULT 0, created BIGINT NOT NULL,
      syslog_local_time TEXT NOT NULL DEFAULT '');
    CREATE INDEX IF NOT EXISTS socs_key ON socs(key_hash);
  )sql");
  if (!st) return st;
  // Data directories made before the column existed gain it, empty (the server's default).
  bool has_local_time = false;
  {
    SqlStatement columns(db_, "PRAGMA table_info(socs)");
    while (columns.step() == SQLITE_ROW) has_local_time = has_local_time || columns.text(1) == "syslog_local_time";
  }
  if (!has_local_time) return exec("ALTER TABLE socs ADD COLUMN syslog_local_time TEXT NOT NULL DEFAULT ''");
  return {};
}

bool StateStore::registry_loaded() {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, "SELECT value FROM meta WHERE key = 'registry_loaded'");
  return st.step() == SQLITE_ROW;
}

Status StateStore::import_registry(const std::vector<SectorRow>& sectors, const std::vector<ProvinceRow>& provinces,
                                   const std::vector<OrgRow>& orgs, const std::vector<SocRow>& socs) {
  std::lock_guard lock(mutex_);
  if (auto st = exec("BEGIN"); !st) return st;
  auto rollback = [&](std::string why) {
    exec("ROLLBACK");
    return fail("registry import: " + why);
  };
  for (const auto& s : sectors) {
    SqlStatement st(db_, "INSERT INTO sectors (id, name, name_en, lead_org, criticality) VALUES (?, ?, ?, ?, ?)");
    st.bind(1, s.id).bind(2, s.name).bind(3, s.name_en).bind(4, s.lead_org).bind(5, std::int64_t{s.criticality});
    if (st.step() != SQLITE_DONE) return rollback(fmt::format("sector '{}': {}", s.id, sqlite3_errmsg(db_)));
  }
  for (const auto& p : provinces) {
    SqlStatement st(db_, "INSERT INTO provinces (id, name, name_en, kind, region, lat, lon) VALUES (?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, p.id).bind(2, p.name).bind(3, p.name_en).bind(4, p.kind).bind(5, p.region).bind(6, p.lat).bind(7, p.lon);
    if (st.step() != SQLITE_DONE) return rollback(fmt::format("province '{}': {}", p.id, sqlite3_errmsg(db_)));
  }
  for (const auto& o : orgs) {
    SqlStatement st(db_, "INSERT INTO organisations (id, name, name_en, type, sector, province, parent, ip_ranges, asns, domains) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, o.id).bind(2, o.name).bind(3, o.name_en).bind(4, o.type).bind(5, o.sector).bind(6, o.province)
        .bind(7, o.parent).bind(8, to_json_list(o.ip_ranges)).bind(9, to_json_list(o.asns)).bind(10, to_json_list(o.domains));
    if (st.step() != SQLITE_DONE) return rollback(fmt::format("organisation '{}': {}", o.id, sqlite3_errmsg(db_)));
  }
  for (const auto& s : socs) {
    SqlStatement st(db_, "INSERT INTO socs (id, name, org, sender_ranges, formats, transport, created, syslog_local_time) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, s.id).bind(2, s.name).bind(3, s.org).bind(4, to_json_list(s.sender_ranges)).bind(5, to_json_list(s.formats))
        .bind(6, s.transport).bind(7, now_ns()).bind(8, s.syslog_local_time);
    if (st.step() != SQLITE_DONE) return rollback(fmt::format("SOC '{}': {}", s.id, sqlite3_errmsg(db_)));
  }
  SqlStatement mark(db_, "INSERT INTO meta (key, value) VALUES ('registry_loaded', ?)");
  mark.bind(1, format_rfc3339(now_ns()));
  if (mark.step() != SQLITE_DONE) return rollback(sqlite3_errmsg(db_));
  if (auto st = exec("COMMIT"); !st) return st;
  ++generation_;
  return {};
}

std::uint64_t StateStore::generation() {
  std::lock_guard lock(mutex_);
  // data_version changes when another connection (another khien process, e.g. `khien soc add`)
  // commits, so snapshots built from this store notice changes made outside this process too.
  SqlStatement st(db_, "PRAGMA data_version");
  std::uint64_t external = st.step() == SQLITE_ROW ? static_cast<std::uint64_t>(st.integer(0)) : 0;
  return (external << 32) + generation_.load();
}

std::vector<SectorRow> StateStore::sectors() {
  std::lock_guard lock(mutex_);
  std::vector<SectorRow> out;
  SqlStatement st(db_, "SELECT id, name, name_en, lead_org, criticality FROM sectors ORDER BY id");
  while (st.step() == SQLITE_ROW) out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), static_cast<int>(st.integer(4))});
  return out;
}

std::vector<ProvinceRow> StateStore::provinces() {
  std::lock_guard lock(mutex_);
  std::vector<ProvinceRow> out;
  SqlStatement st(db_, "SELECT id, name, name_en, kind, region, lat, lon FROM provinces ORDER BY id");
  while (st.step() == SQLITE_ROW) out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.real(5), st.real(6)});
  return out;
}

namespace {
OrgRow read_org(SqlStatement& st) {
  OrgRow o;
  o.id = st.text(0);
  o.name = st.text(1);
  o.name_en = st.text(2);
  o.type = st.text(3);
  o.sector = st.text(4);
  o.province = st.text(5);
  o.parent = st.text(6);
  o.ip_ranges = from_json_list<std::string>(st.text(7));
  o.asns = from_json_list<std::int64_t>(st.text(8));
  o.domains = from_json_list<std::string>(st.text(9));
  return o;
}
constexpr const char* kOrgColumns = "SELECT id, name, name_en, type, sector, province, parent, ip_ranges, asns, domains FROM organisations";
}  // namespace

std::vector<OrgRow> StateStore::organisations() {
  std::lock_guard lock(mutex_);
  std::vector<OrgRow> out;
  SqlStatement st(db_, fmt::format("{} ORDER BY id", kOrgColumns).c_str());
  while (st.step() == SQLITE_ROW) out.push_back(read_org(st));
  return out;
}

std::optional<OrgRow> StateStore::organisation(const std::string& id) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, fmt::format("{} WHERE id = ?", kOrgColumns).c_str());
  st.bind(1, id);
  if (st.step() != SQLITE_ROW) return std::nullopt;
  return read_org(st);
}

std::vector<SocRow> StateStore::query_socs(const char* where, const std::string& arg) {
  std::vector<SocRow> out;
  std::string sql = fmt::format(
      "SELECT row_id, id, name, org, sender_ranges, formats, transport, key_hash, revoked, created, syslog_local_time FROM socs {} "
      "ORDER BY id",
      where);
  SqlStatement st(db_, sql.c_str());
  if (!arg.empty()) st.bind(1, arg);
  while (st.step() == SQLITE_ROW) {
    SocRow s;
    s.row_id = st.integer(0);
    s.id = st.text(1);
    s.name = st.text(2);
    s.org = st.text(3);
    s.sender_ranges = from_json_list<std::string>(st.text(4));
    s.formats = from_json_list<std::string>(st.text(5));
    s.transport = st.text(6);
    s.has_key = !st.text(7).empty();
    s.revoked = st.integer(8) != 0;
    s.created = st.integer(9);
    s.syslog_local_time = st.text(10);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<SocRow> StateStore::socs() {
  std::lock_guard lock(mutex_);
  return query_socs("", "");
}

std::optional<SocRow> StateStore::soc(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto rows = query_socs("WHERE id = ?", id);
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

Result<std::string> StateStore::add_soc(const std::string& org, const std::string& id, const std::string& name,
                                        const std::vector<std::string>& sender_ranges) {
  {
    std::lock_guard lock(mutex_);
    SqlStatement check(db_, "SELECT id FROM organisations WHERE id = ?");
    check.bind(1, org);
    if (check.step() != SQLITE_ROW) return fail(fmt::format("unknown organisation '{}' (see GET /api/v1/orgs)", org));
    auto existing = query_socs("WHERE id = ?", id);
    if (existing.empty()) {
      SqlStatement st(db_, "INSERT INTO socs (id, name, org, sender_ranges, formats, transport, created) VALUES (?, ?, ?, ?, '[]', 'http', ?)");
      st.bind(1, id).bind(2, name).bind(3, org).bind(4, to_json_list(sender_ranges)).bind(5, now_ns());
      if (st.step() != SQLITE_DONE) return fail(fmt::format("SOC '{}': {}", id, sqlite3_errmsg(db_)));
    } else {
      const SocRow& soc = existing.front();
      if (soc.org != org)
        return fail(fmt::format("SOC '{}' belongs to organisation '{}', not '{}': choose another SOC id", id, soc.org, org));
      if (soc.has_key && !soc.revoked)
        return fail(fmt::format("SOC '{}' already has a working key: rotate it (`khien soc rotate-key {}`) to replace it, "
                                "or choose another SOC id to add a second SOC to '{}'", id, id, org));
      if (!name.empty())
        if (auto st = set_soc_column("name", name, id); !st) return tl::unexpected(st.error());
      if (!sender_ranges.empty())
        if (auto st = set_soc_column("sender_ranges", to_json_list(sender_ranges), id); !st) return tl::unexpected(st.error());
    }
  }
  return rotate_soc_key(id);
}

Status StateStore::set_soc_syslog_local_time(const std::string& id, const std::string& offset) {
  if (!offset.empty() && !parse_utc_offset(offset))
    return fail(fmt::format("'{}' is not a UTC offset such as \"+07:00\"", offset));
  std::lock_guard lock(mutex_);
  if (auto st = set_soc_column("syslog_local_time", offset, id); !st) return st;
  ++generation_;
  return {};
}

Status StateStore::set_soc_ranges(const std::string& id, const std::vector<std::string>& sender_ranges) {
  std::lock_guard lock(mutex_);
  if (auto st = set_soc_column("sender_ranges", to_json_list(sender_ranges), id); !st) return st;
  ++generation_;
  return {};
}

Status StateStore::set_soc_column(const char* column, const std::string& value, const std::string& id) {
  SqlStatement st(db_, fmt::format("UPDATE socs SET {} = ? WHERE id = ?", column));
  st.bind(1, value).bind(2, id);
  if (st.step() != SQLITE_DONE) return fail(fmt::format("SOC '{}': {}", id, sqlite3_errmsg(db_)));
  if (sqlite3_changes(db_) != 1) return fail(fmt::format("unknown SOC '{}'", id));
  return {};
}

Result<std::string> StateStore::rotate_soc_key(const std::string& id) {
  std::lock_guard lock(mutex_);
  std::string key = "khs_" + random_hex(24);
  SqlStatement st(db_, "UPDATE socs SET key_hash = ?, revoked = 0 WHERE id = ?");
  st.bind(1, sha256_hex(key)).bind(2, id);
  if (st.step() != SQLITE_DONE || sqlite3_changes(db_) != 1) return fail(fmt::format("unknown SOC '{}'", id));
  ++generation_;
  return key;
}

Status StateStore::revoke_soc(const std::string& id) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, "UPDATE socs SET revoked = 1 WHERE id = ?");
  st.bind(1, id);
  if (st.step() != SQLITE_DONE || sqlite3_changes(db_) != 1) return fail(fmt::format("unknown SOC '{}'", id));
  ++generation_;
  return {};
}

std::optional<SocRow> StateStore::soc_by_key(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto rows = query_socs("WHERE key_hash = ? AND revoked = 0", sha256_hex(key));
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

}  // namespace khien
