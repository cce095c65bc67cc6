// SQLite user store: users, sessions and API keys; argon2id hashing through libargon2.
#include "store/user_store.h"

#include <argon2.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "store/sql_database.h"
#include "store/sql_statement.h"
#include "store/state_store.h"

namespace khien {

namespace {

constexpr std::array<std::pair<Role, std::string_view>, 7> kRoles{{
    {Role::national_admin, "national-admin"},
    {Role::national_analyst, "national-analyst"},
    {Role::sector_cert, "sector-cert"},
    {Role::org_soc, "org-soc"},
    {Role::isp_consumer, "isp-consumer"},
    {Role::auditor, "auditor"},
    {Role::reporter, "reporter"},
}};

// OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): about 95 ms a login on these shared machines,
// slow for a guesser, cheap for a watch floor that logs in a few times a day.
constexpr std::uint32_t kArgonTimeCost = 2;
constexpr std::uint32_t kArgonMemoryKib = 19 * 1024;
constexpr std::uint32_t kArgonLanes = 1;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

bool valid_login(const std::string& login) {
  if (login.empty() || login.size() > kMaxLoginBytes) return false;
  return std::all_of(login.begin(), login.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '@';
  });
}

UserRow read_user(SqlStatement& st) {
  UserRow u;
  u.id = st.integer(0);
  u.login = st.text(1);
  u.display_name = st.text(2);
  u.role = parse_role(st.text(3)).value_or(Role::reporter);
  u.scope = st.text(4);
  u.disabled = st.integer(5) != 0;
  u.failed_logins = static_cast<int>(st.integer(6));
  u.locked_until = st.integer(7);
  u.created = st.integer(8);
  u.password_hash = st.text(9);
  return u;
}

constexpr const char* kUserColumns =
    "id, login, display_name, role, scope, disabled, failed_logins, locked_until, created, password_hash";

ApiKeyRow read_key(SqlStatement& st) {
  ApiKeyRow k;
  k.id = st.text(0);
  k.user_id = st.integer(1);
  k.login = st.text(2);
  k.name = st.text(3);
  k.created = st.integer(4);
  k.last_used = st.integer(5);
  k.revoked = st.integer(6) != 0;
  return k;
}

constexpr const char* kKeyColumns =
    "k.id, k.user_id, u.login, k.name, k.created, k.last_used, k.revoked FROM api_keys k JOIN users u ON u.id = k.user_id";

}  // namespace

std::string_view role_name(Role role) {
  for (const auto& [r, name] : kRoles)
    if (r == role) return name;
  return "reporter";
}

std::optional<Role> parse_role(std::string_view name) {
  for (const auto& [r, n] : kRoles)
    if (n == name) return r;
  return std::nullopt;
}

std::string role_names() {
  std::string out;
  for (const auto& [r, n] : kRoles) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

Result<std::string> hash_password(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) return fail(fmt::format("password: longer than {} bytes", kMaxPasswordBytes));
  std::array<unsigned char, kSaltBytes> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) return fail("password: the OS random generator failed");
  std::string encoded(argon2_encodedlen(kArgonTimeCost, kArgonMemoryKib, kArgonLanes, kSaltBytes, kHashBytes, Argon2_id), '\0');
  int rc = argon2id_hash_encoded(kArgonTimeCost, kArgonMemoryKib, kArgonLanes, password.data(), password.size(), salt.data(),
                                 salt.size(), kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) return fail(fmt::format("password: argon2id failed: {}", argon2_error_message(rc)));
  encoded.resize(encoded.find('\0') == std::string::npos ? encoded.size() : encoded.find('\0'));
  return encoded;
}

bool verify_password(const std::string& encoded, std::string_view password) {
  if (password.size() > kMaxPasswordBytes || encoded.rfind("$argon2id$", 0) != 0) return false;
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

Result<std::unique_ptr<UserStore>> UserStore::open(const std::filesystem::path& db_path, StateStore* registry) {
  std::error_code ec;
  if (db_path.has_parent_path()) std::filesystem::create_directories(db_path.parent_path(), ec);
  auto db = open_sqlite(db_path, "user store", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  if (!db) return tl::unexpected(db.error());
  std::unique_ptr<UserStore> store(new UserStore(*db, registry));
  if (auto st = store->exec(R"sql(
    CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
      role TEXT NOT NULL, scope TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
      failed_logins INTEGER NOT NULL DEFAULT 0, locked_until BIGINT NOT NULL DEFAULT 0, created BIGINT NOT NULL,
      password_hash TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS user_sessions (id_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id),
      csrf_token TEXT NOT NULL, created BIGINT NOT NULL, last_seen BIGINT NOT NULL, expires BIGINT NOT NULL);
    CREATE INDEX IF NOT EXISTS user_sessions_user ON user_sessions(user_id);
    CREATE TABLE IF NOT EXISTS api_keys (id TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id),
      name TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE, created BIGINT NOT NULL, last_used BIGINT NOT NULL DEFAULT 0,
      revoked INTEGER NOT NULL DEFAULT 0);
  )sql");
      !st)
    return tl::unexpected(st.error());
  return store;
}

UserStore::~UserStore() { sqlite3_close(db_); }

Status UserStore::exec(const char* sql) {
  return exec_sql(db_, sql, "user store");
}

Status UserStore::check_scope(Role role, const std::string& scope) {
  if (role == Role::sector_cert) {
    if (scope.empty()) return fail("scope: a sector-cert user needs --scope SECTOR_ID");
    if (registry_) {
      auto sectors = registry_->sectors();
      if (std::none_of(sectors.begin(), sectors.end(), [&](const SectorRow& s) { return s.id == scope; }))
        return fail(fmt::format("scope: '{}' is not a sector of the registry", scope));
    }
    return {};
  }
  if (role == Role::org_soc) {
    if (scope.empty()) return fail("scope: an org-soc user needs --scope ORGANISATION_ID");
    if (registry_ && !registry_->organisation(scope))
      return fail(fmt::format("scope: '{}' is not an organisation of the registry", scope));
    return {};
  }
  if (!scope.empty()) return fail(fmt::format("scope: role {} takes no scope", role_name(role)));
  return {};
}

Result<UserRow> UserStore::add_user(const std::string& login, const std::string& display_name, Role role,
                                    const std::string& scope, std::string_view password) {
  if (!valid_login(login))
    return fail(fmt::format("login '{}': 1 to {} characters of a-z 0-9 . _ - @", login.substr(0, kMaxLoginBytes),
                            kMaxLoginBytes));
  if (display_name.size() > 200) return fail("display name: longer than 200 bytes");
  if (password.size() < kMinPasswordBytes) return fail(fmt::format("password: shorter than {} bytes", kMinPasswordBytes));
  if (auto st = check_scope(role, scope); !st) return tl::unexpected(st.error());
  auto hash = hash_password(password);
  if (!hash) return tl::unexpected(hash.error());
  std::lock_guard lock(mutex_);
  {
    SqlStatement exists(db_, "SELECT 1 FROM users WHERE login = ?");
    if (exists.bind(1, login).step() == SQLITE_ROW) return fail(fmt::format("login '{}': already exists", login));
  }
  SqlStatement st(db_,
                  "INSERT INTO users (login, display_name, role, scope, created, password_hash) VALUES (?, ?, ?, ?, ?, ?)");
  st.bind(1, login).bind(2, display_name.empty() ? login : display_name).bind(3, std::string(role_name(role)));
  st.bind(4, scope).bind(5, static_cast<std::int64_t>(now_ns())).bind(6, *hash);
  if (!st.run()) return fail(fmt::format("user store: insert '{}': {}", login, sqlite3_errmsg(db_)));
  SqlStatement q(db_, fmt::format("SELECT {} FROM users WHERE login = ?", kUserColumns));
  if (q.bind(1, login).step() != SQLITE_ROW) return fail("user store: the new user vanished");
  return read_user(q);
}

Status UserStore::set_password(const std::string& login, std::string_view password) {
  if (password.size() < kMinPasswordBytes) return fail(fmt::format("password: shorter than {} bytes", kMinPasswordBytes));
  auto hash = hash_password(password);
  if (!hash) return tl::unexpected(hash.error());
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = 0 WHERE login = ?");
  if (!st.bind(1, *hash).bind(2, login).run()) return fail(fmt::format("user store: {}", sqlite3_errmsg(db_)));
  if (sqlite3_changes(db_) == 0) return fail(fmt::format("login '{}': no such user", login));
  // Sessions opened with the old password end with it.
  SqlStatement del(db_, "DELETE FROM user_sessions WHERE user_id = (SELECT id FROM users WHERE login = ?)");
  del.bind(1, login).run();
  return {};
}

Status UserStore::set_disabled(const std::string& login, bool disabled) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, "UPDATE users SET disabled = ? WHERE login = ?");
  if (!st.bind(1, disabled ? 1 : 0).bind(2, login).run()) return fail(fmt::format("user store: {}", sqlite3_errmsg(db_)));
  if (sqlite3_changes(db_) == 0) return fail(fmt::format("login '{}': no such user", login));
  if (disabled) {
    SqlStatement del(db_, "DELETE FROM user_sessions WHERE user_id = (SELECT id FROM users WHERE login = ?)");
    del.bind(1, login).run();
  }
  return {};
}

std::vector<UserRow> UserStore::query_users(const char* where, const std::string& arg) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, fmt::format("SELECT {} FROM users {} ORDER BY login", kUserColumns, where));
  if (*where) st.bind(1, arg);
  std::vector<UserRow> out;
  while (st.step() == SQLITE_ROW) out.push_back(read_user(st));
  return out;
}

std::optional<UserRow> UserStore::user(const std::string& login) {
  auto v = query_users("WHERE login = ?", login);
  if (v.empty()) return std::nullopt;
  return v.front();
}

std::optional<UserRow> UserStore::user_by_id(std::int64_t id) {
  auto v = query_users("WHERE id = CAST(? AS INTEGER)", std::to_string(id));
  if (v.empty()) return std::nullopt;
  return v.front();
}

std::vector<UserRow> UserStore::users() { return query_users("", ""); }

std::optional<TimeNs> UserStore::record_failed_login(std::int64_t user_id, TimeNs now, int max_attempts, TimeNs lockout) {
  std::lock_guard lock(mutex_);
  SqlStatement q(db_, "SELECT failed_logins FROM users WHERE id = ?");
  if (q.bind(1, user_id).step() != SQLITE_ROW) return std::nullopt;
  int failures = static_cast<int>(q.integer(0)) + 1;
  if (max_attempts > 0 && failures >= max_attempts) {
    TimeNs until = now + lockout;
    SqlStatement st(db_, "UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?");
    st.bind(1, static_cast<std::int64_t>(until)).bind(2, user_id).run();
    return until;
  }
  SqlStatement st(db_, "UPDATE users SET failed_logins = ? WHERE id = ?");
  st.bind(1, failures).bind(2, user_id).run();
  return std::nullopt;
}

void UserStore::record_successful_login(std::int64_t user_id) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, "UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ?");
  st.bind(1, user_id).run();
}

Status UserStore::create_session(const SessionRow& s) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_,
                  "INSERT INTO user_sessions (id_hash, user_id, csrf_token, created, last_seen, expires) VALUES (?, ?, ?, ?, ?, ?)");
  st.bind(1, s.id_hash).bind(2, s.user_id).bind(3, s.csrf_token).bind(4, static_cast<std::int64_t>(s.created));
  st.bind(5, static_cast<std::int64_t>(s.last_seen)).bind(6, static_cast<std::int64_t>(s.expires));
  if (!st.run()) return fail(fmt::format("user store: session: {}", sqlite3_errmsg(db_)));
  return {};
}

std::optional<SessionRow> UserStore::session(const std::string& id_hash) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, "SELECT id_hash, user_id, csrf_token, created, last_seen, expires FROM user_sessions WHERE id_hash = ?");
  if (st.bind(1, id_hash).step() != SQLITE_ROW) return std::nullopt;
  return SessionRow{st.text(0), st.integer(1), st.text(2), st.integer(3), st.integer(4), st.integer(5)};
}

void UserStore::touch_session(const std::string& id_hash, TimeNs now) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, "UPDATE user_sessions SET last_seen = ? WHERE id_hash = ?");
  st.bind(1, static_cast<std::int64_t>(now)).bind(2, id_hash).run();
}

void UserStore::delete_session(const std::string& id_hash) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, "DELETE FROM user_sessions WHERE id_hash = ?");
  st.bind(1, id_hash).run();
}

void UserStore::delete_expired_sessions(TimeNs now, TimeNs idle) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, "DELETE FROM user_sessions WHERE expires <= ? OR last_seen <= ?");
  st.bind(1, static_cast<std::int64_t>(now)).bind(2, static_cast<std::int64_t>(now - idle)).run();
}

Result<std::pair<ApiKeyRow, std::string>> UserStore::create_api_key(std::int64_t user_id, const std::string& name) {
  if (name.empty() || name.size() > 100) return fail("key name: 1 to 100 bytes");
  auto owner = user_by_id(user_id);
  if (!owner) return fail(fmt::format("user {}: no such user", user_id));
  ApiKeyRow row;
  row.id = "key-" + random_hex(6);
  row.user_id = user_id;
  row.login = owner->login;
  row.name = name;
  row.created = now_ns();
  std::string key = "khk_" + random_hex(32);
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, "INSERT INTO api_keys (id, user_id, name, key_hash, created) VALUES (?, ?, ?, ?, ?)");
  st.bind(1, row.id).bind(2, user_id).bind(3, name).bind(4, sha256_hex(key)).bind(5, static_cast<std::int64_t>(row.created));
  if (!st.run()) return fail(fmt::format("user store: api key: {}", sqlite3_errmsg(db_)));
  return std::make_pair(row, key);
}

std::optional<ApiKeyRow> UserStore::api_key(std::string_view key, TimeNs now) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, fmt::format("SELECT {} WHERE k.key_hash = ? AND k.revoked = 0", kKeyColumns));
  if (st.bind(1, sha256_hex(key)).step() != SQLITE_ROW) return std::nullopt;
  auto row = read_key(st);
  SqlStatement used(db_, "UPDATE api_keys SET last_used = ? WHERE id = ?");
  used.bind(1, static_cast<std::int64_t>(now)).bind(2, row.id).run();
  row.last_used = now;
  return row;
}

std::vector<ApiKeyRow> UserStore::api_keys(std::int64_t user_id) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, fmt::format("SELECT {} WHERE ? = 0 OR k.user_id = ? ORDER BY k.created", kKeyColumns));
  st.bind(1, user_id).bind(2, user_id);
  std::vector<ApiKeyRow> out;
  while (st.step() == SQLITE_ROW) out.push_back(read_key(st));
  return out;
}

std::optional<ApiKeyRow> UserStore::api_key_by_id(const std::string& id) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, fmt::format("SELECT {} WHERE k.id = ?", kKeyColumns));
  if (st.bind(1, id).step() != SQLITE_ROW) return std::nullopt;
  return read_key(st);
}

std::optional<ApiKeyRow> UserStore::api_key_by_secret(std::string_view key) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, fmt::format("SELECT {} WHERE k.key_hash = ?", kKeyColumns));
  if (st.bind(1, sha256_hex(key)).step() != SQLITE_ROW) return std::nullopt;
  return read_key(st);
}

Status UserStore::revoke_api_key(const std::string& id) {
  std::lock_guard lock(mutex_);
  SqlStatement st(db_, "UPDATE api_keys SET revoked = 1 WHERE id = ?");
  if (!st.bind(1, id).run()) return fail(fmt::format("user store: {}", sqlite3_errmsg(db_)));
  if (sqlite3_changes(db_) == 0) return fail(fmt::format("api key '{}': no such key", id));
  return {};
}

}  // namespace khien
