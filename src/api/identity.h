// Who is calling: the Principal resolver (admin token, session cookie, API key), logins, and the access policy.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "api/http_server.h"
#include "core/security_event.h"
#include "core/time.h"
#include "store/user_store.h"

namespace khien {

/// Session and lockout settings (`[auth]` in the config).
struct IdentityOptions {
  int session_idle_minutes = 30;     ///< a session unused this long ends
  int session_absolute_hours = 12;   ///< a session ends this long after login whatever its use
  int lockout_attempts = 5;          ///< consecutive failed logins that lock an account
  int lockout_minutes = 15;          ///< how long a lockout lasts
  bool secure_cookie = false;        ///< adds `Secure` to the cookie (set when the listener is HTTPS)
};

/// The session cookie's name.
inline constexpr const char* kSessionCookie = "khien_session";

enum class AuthVia : std::uint8_t { admin_token, session, api_key };
enum class ScopeKind : std::uint8_t { national, sector, organisation, none };

std::string_view via_name(AuthVia via);
std::string_view scope_kind_name(ScopeKind kind);

/// The authenticated caller of one request.
struct Principal {
  std::string user;           ///< login ("admin" for the administrator token)
  std::int64_t user_id = 0;   ///< 0 for the administrator token
  Role role = Role::reporter;
  ScopeKind scope_kind = ScopeKind::none;
  std::string scope_id;       ///< sector id or organisation id
  AuthVia via = AuthVia::admin_token;
  /// False only for a cookie-authenticated state-changing request without the session's
  /// X-CSRF-Token; bearer credentials are never sent by a browser on its own, so they pass.
  bool csrf_ok = true;
  std::string session_hash;   ///< set when via == session
};

/// A set of roles, for route declarations: `RoleSet{Role::national_admin, Role::auditor}`.
class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) bits_ |= bit(r);
  }
  static constexpr RoleSet all() {
    RoleSet s;
    s.bits_ = 0x7f;
    return s;
  }
  constexpr bool contains(Role r) const { return (bits_ & bit(r)) != 0; }

 private:
  static constexpr std::uint32_t bit(Role r) { return 1u << static_cast<unsigned>(r); }
  std::uint32_t bits_ = 0;
};

/// True when the principal's role is in `roles`.
bool allows(const Principal& principal, RoleSet roles);
/// True when the principal may see data of organisation `org` in sector `sector`: national roles
/// and auditors everything, a sector CERT its sector, an organisation SOC its organisation.
bool can_see_org(const Principal& principal, std::string_view org, std::string_view sector);
/// True when the principal may see sector-wide data of `sector`.
bool can_see_sector(const Principal& principal, std::string_view sector);

/// The refusal for a request, or nullopt when it may go on: 401 without credentials, 403 for a
/// missing/wrong CSRF token, 403 for a role outside `roles`.
std::optional<HttpResponse> check_access(const std::optional<Principal>& principal, RoleSet roles);

/// The outcome of a login attempt.
struct LoginResult {
  enum class Outcome : std::uint8_t { ok, bad_credentials, locked, disabled };
  Outcome outcome = Outcome::bad_credentials;
  UserRow user;
  std::string session_token;  ///< the cookie value (shown once)
  std::string csrf_token;
  TimeNs expires = 0;         ///< absolute session end
  TimeNs locked_until = 0;    ///< when locked
};

/// Threading: every method may be called from any connection thread (the store serialises).
class IdentityService {
 public:
  using Clock = std::function<TimeNs()>;
  IdentityService(UserStore& users, std::string admin_token_hash, IdentityOptions options, Clock clock = now_ns);

  /// Resolves the caller: `Authorization: Bearer` with the administrator token or an API key,
  /// else the session cookie. Nullopt when there is no valid credential.
  std::optional<Principal> authenticate(const HttpRequest& request);
  /// Resolves a token given some other way than as a bearer (the password of HTTP Basic, which
  /// TAXII clients send): the administrator token or an API key. Refusals are reported as for a
  /// bearer token.
  std::optional<Principal> authenticate_token(const HttpRequest& request, std::string_view token);
  /// Checks a login and password; failures count toward the lockout and are logged with `remote_ip`.
  LoginResult login(const std::string& login, std::string_view password, const std::string& remote_ip);
  /// Ends the principal's session (no effect for bearer credentials).
  void logout(const Principal& principal);
  /// The session's CSRF token, or "" (for /auth/me after a page reload).
  std::string csrf_token(const Principal& principal);

  /// The Set-Cookie value for a new session / for clearing it.
  std::string session_cookie(const std::string& token) const;
  std::string cleared_cookie() const;

  /// Where failed logins, lockouts, refused CSRF tokens, refused sessions and API keys are reported
  /// (the audit chain on the server); unset: they are only logged.
  void set_security_sink(SecurityEventSink sink) { sink_ = std::move(sink); }
  /// Reports a security event seen elsewhere (over-long input, path traversal) to the same sink.
  void report(SecurityEvent event) const;

  UserStore& users() { return users_; }
  const IdentityOptions& options() const { return options_; }
  TimeNs now() const { return clock_(); }

 private:
  std::optional<Principal> from_user(const UserRow& user, AuthVia via);
  std::optional<Principal> refuse(const HttpRequest& request, const char* action, std::string actor,
                                  std::string reason) const;

  UserStore& users_;
  std::string admin_token_hash_;
  IdentityOptions options_;
  Clock clock_;
  std::string dummy_hash_;  ///< verified against for unknown logins, so timing does not reveal them
  SecurityEventSink sink_;
};

/// The value of cookie `name` in the request's Cookie header, or "".
std::string request_cookie(const HttpRequest& request, std::string_view name);

}  // namespace khien
