// Users, roles, login sessions and API keys in SQLite, with argon2id password hashes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"

struct sqlite3;

namespace khien {

class StateStore;

/// What a user may do; the route → roles table is in docs/ACCESS.md.
enum class Role : std::uint8_t {
  national_admin,    ///< everything, users and keys included
  national_analyst,  ///< every tenant's data, analysis and case work
  sector_cert,       ///< one sector's organisations (scope = sector id)
  org_soc,           ///< one organisation (scope = organisation id)
  isp_consumer,      ///< exports only (RPZ, blocklists, TAXII)
  auditor,           ///< read-only, audit log included
  reporter,          ///< the public-report form only
};

/// "national-admin", "org-soc", ...
std::string_view role_name(Role role);
/// The role named `name` (as role_name spells it), or nullopt.
std::optional<Role> parse_role(std::string_view name);
/// Every role name, comma-separated (for error messages).
std::string role_names();

/// The longest accepted login and password; longer input is refused before any hashing.
inline constexpr std::size_t kMaxLoginBytes = 64;
inline constexpr std::size_t kMaxPasswordBytes = 1024;
inline constexpr std::size_t kMinPasswordBytes = 10;

/// An argon2id encoded hash ($argon2id$v=19$m=...,t=...,p=...$salt$hash) with a fresh random salt.
Result<std::string> hash_password(std::string_view password);
/// True when `password` matches the encoded argon2id hash `encoded`.
bool verify_password(const std::string& encoded, std::string_view password);

struct UserRow {
  std::int64_t id = 0;
  std::string login, display_name;
  Role role = Role::reporter;
  std::string scope;  ///< sector id (sector-cert), organisation id (org-soc), else empty
  bool disabled = false;
  int failed_logins = 0;
  TimeNs locked_until = 0;  ///< 0: not locked
  TimeNs created = 0;
  std::string password_hash;
};

struct SessionRow {
  std::string id_hash;  ///< sha256 of the cookie value; the value itself is never stored
  std::int64_t user_id = 0;
  std::string csrf_token;
  TimeNs created = 0, last_seen = 0, expires = 0;  ///< expires: the absolute limit
};

struct ApiKeyRow {
  std::string id;  ///< short public id, used to list and revoke
  std::int64_t user_id = 0;
  std::string login, name;
  TimeNs created = 0, last_used = 0;
  bool revoked = false;
};

/// Threading: every method may be called from any thread; calls are serialised by one mutex.
/// The tables live in state.db beside the registry, so scopes can be checked against it.
class UserStore {
 public:
  /// Opens (creating the tables of) `db_path`. `registry` validates scopes; it must outlive the store.
  static Result<std::unique_ptr<UserStore>> open(const std::filesystem::path& db_path, StateStore* registry);
  ~UserStore();

  /// Adds a user. Errors name the field: login syntax, unknown role scope, short password, duplicate.
  Result<UserRow> add_user(const std::string& login, const std::string& display_name, Role role,
                           const std::string& scope, std::string_view password);
  /// Sets a new password and clears the failed-login counter and any lockout.
  Status set_password(const std::string& login, std::string_view password);
  /// Disables (revoking the user's sessions) or re-enables a user.
  Status set_disabled(const std::string& login, bool disabled);
  std::optional<UserRow> user(const std::string& login);
  std::optional<UserRow> user_by_id(std::int64_t id);
  std::vector<UserRow> users();

  /// Counts a failed login; at `max_attempts` consecutive failures the user is locked until
  /// `now + lockout` and the counter restarts. Returns the lock end when this failure locked it.
  std::optional<TimeNs> record_failed_login(std::int64_t user_id, TimeNs now, int max_attempts, TimeNs lockout);
  void record_successful_login(std::int64_t user_id);

  Status create_session(const SessionRow& session);
  std::optional<SessionRow> session(const std::string& id_hash);
  void touch_session(const std::string& id_hash, TimeNs now);
  void delete_session(const std::string& id_hash);
  /// Deletes sessions past their absolute limit or idle longer than `idle` (housekeeping).
  void delete_expired_sessions(TimeNs now, TimeNs idle);

  /// Issues an API key for the user: returns {row, key}; only the key's hash is kept.
  Result<std::pair<ApiKeyRow, std::string>> create_api_key(std::int64_t user_id, const std::string& name);
  /// The unrevoked key `key` (and marks it used at `now`).
  std::optional<ApiKeyRow> api_key(std::string_view key, TimeNs now);
  /// Keys of one user, or of every user when `user_id` is 0.
  std::vector<ApiKeyRow> api_keys(std::int64_t user_id);
  std::optional<ApiKeyRow> api_key_by_id(const std::string& id);
  /// The key `key` whether revoked or not, without marking it used (to name a refused key's id).
  std::optional<ApiKeyRow> api_key_by_secret(std::string_view key);
  Status revoke_api_key(const std::string& id);

 private:
  UserStore(sqlite3* db, StateStore* registry) : db_(db), registry_(registry) {}
  Status exec(const char* sql);
  Status check_scope(Role role, const std::string& scope);
  std::vector<UserRow> query_users(const char* where, const std::string& arg);

  sqlite3* db_;
  StateStore* registry_;
  std::mutex mutex_;
};

}  // namespace khien
