// Principal resolution, logins with lockout, sessions with CSRF binding, and the tenant predicates.
#include "api/identity.h"

#include <openssl/crypto.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/state_store.h"

namespace khien {

namespace {

constexpr TimeNs kSecond = 1'000'000'000;
constexpr TimeNs kMinute = 60 * kSecond;
// last_seen is written at most this often per session, so a busy console does not turn every
// read into a database write; idle expiry is exact to within this.
constexpr TimeNs kTouchInterval = 10 * kSecond;

bool same_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string bearer_of(const HttpRequest& req) {
  std::string auth = req.header("authorization");
  if (auth.size() > 7 && (auth.compare(0, 7, "Bearer ") == 0 || auth.compare(0, 7, "bearer ") == 0)) return auth.substr(7);
  return {};
}

bool state_changing(const std::string& method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

}  // namespace

std::string_view via_name(AuthVia via) {
  switch (via) {
    case AuthVia::admin_token: return "admin-token";
    case AuthVia::session: return "session";
    case AuthVia::api_key: return "api-key";
  }
  return "session";
}

std::string_view scope_kind_name(ScopeKind kind) {
  switch (kind) {
    case ScopeKind::national: return "national";
    case ScopeKind::sector: return "sector";
    case ScopeKind::organisation: return "organisation";
    case ScopeKind::none: return "none";
  }
  return "none";
}

bool allows(const Principal& principal, RoleSet roles) { return roles.contains(principal.role); }

bool can_see_org(const Principal& p, std::string_view org, std::string_view sector) {
  switch (p.role) {
    case Role::national_admin:
    case Role::national_analyst:
    case Role::auditor: return true;
    case Role::sector_cert: return !p.scope_id.empty() && p.scope_id == sector;
    case Role::org_soc: return !p.scope_id.empty() && p.scope_id == org;
    case Role::isp_consumer:
    case Role::reporter: return false;
  }
  return false;
}

bool can_see_sector(const Principal& p, std::string_view sector) {
  switch (p.role) {
    case Role::national_admin:
    case Role::national_analyst:
    case Role::auditor: return true;
    case Role::sector_cert: return !p.scope_id.empty() && p.scope_id == sector;
    default: return false;
  }
}

std::optional<HttpResponse> check_access(const std::optional<Principal>& principal, RoleSet roles) {
  if (!principal) {
    HttpResponse r = json_error(401, "not logged in: send the khien_session cookie from POST /api/v1/auth/login, "
                                     "or Authorization: Bearer with an API key or the administrator token");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"khien\"");
    return r;
  }
  if (!principal->csrf_ok)
    return json_error(403, "missing or wrong X-CSRF-Token header (the csrf_token returned by login or /api/v1/auth/me)");
  if (!allows(*principal, roles))
    return json_error(403, fmt::format("role {} may not use this route", role_name(principal->role)));
  return std::nullopt;
}

std::string request_cookie(const HttpRequest& request, std::string_view name) {
  std::string header = request.header("cookie");
  std::string_view rest = header;
  while (!rest.empty()) {
    auto semi = rest.find(';');
    std::string_view part = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    if (part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
  }
  return {};
}

IdentityService::IdentityService(UserStore& users, std::string admin_token_hash, IdentityOptions options, Clock clock)
    : users_(users), admin_token_hash_(std::move(admin_token_hash)), options_(options), clock_(std::move(clock)) {
  dummy_hash_ = hash_password("khien-unknown-login-timing").value_or("");
}

std::optional<Principal> IdentityService::from_user(const UserRow& user, AuthVia via) {
  if (user.disabled) return std::nullopt;
  Principal p;
  p.user = user.login;
  p.user_id = user.id;
  p.role = user.role;
  p.via = via;
  p.scope_id = user.scope;
  switch (user.role) {
    case Role::national_admin:
    case Role::national_analyst:
    case Role::auditor: p.scope_kind = ScopeKind::national; break;
    case Role::sector_cert: p.scope_kind = ScopeKind::sector; break;
    case Role::org_soc: p.scope_kind = ScopeKind::organisation; break;
    case Role::isp_consumer:
    case Role::reporter: p.scope_kind = ScopeKind::none; break;
  }
  return p;
}

void IdentityService::report(SecurityEvent event) const {
  if (event.actor.empty()) event.actor = "anonymous";
  if (sink_) sink_(event);
}

std::optional<Principal> IdentityService::refuse(const HttpRequest& request, const char* action, std::string actor,
                                                 std::string reason) const {
  report({action, std::move(actor), request.remote_ip, fmt::format("{} ({} {})", reason, request.method, request.path)});
  return std::nullopt;
}

std::optional<Principal> IdentityService::authenticate_token(const HttpRequest& request, std::string_view token) {
  if (token.size() > 256)
    return refuse(request, "security.api_key_refused", "", fmt::format("bearer token of {} bytes", token.size()));
  if (same_secret(sha256_hex(token), admin_token_hash_)) {
    Principal p;
    p.user = "admin";
    p.role = Role::national_admin;
    p.scope_kind = ScopeKind::national;
    p.via = AuthVia::admin_token;
    return p;
  }
  auto key = users_.api_key(token, clock_());
  if (!key) {
    // A revoked key is named by its id; an unknown one names nobody.
    if (auto known = users_.api_key_by_secret(token))
      return refuse(request, "security.api_key_refused", "key:" + known->id,
                    fmt::format("revoked API key of '{}'", known->login));
    return refuse(request, "security.api_key_refused", "", "unknown bearer token");
  }
  auto user = users_.user_by_id(key->user_id);
  auto p = user ? from_user(*user, AuthVia::api_key) : std::nullopt;
  if (!p)
    return refuse(request, "security.api_key_refused", "key:" + key->id,
                  fmt::format("API key of disabled or removed user '{}'", key->login));
  return p;
}

std::optional<Principal> IdentityService::authenticate(const HttpRequest& request) {
  std::string token = bearer_of(request);
  if (!token.empty()) return authenticate_token(request, token);
  std::string cookie = request_cookie(request, kSessionCookie);
  if (cookie.empty()) return std::nullopt;
  if (cookie.size() > 128)
    return refuse(request, "security.session_refused", "", fmt::format("session cookie of {} bytes", cookie.size()));
  std::string id_hash = sha256_hex(cookie);
  auto session = users_.session(id_hash);
  if (!session) return refuse(request, "security.session_refused", "", "unknown session (ended, logged out or forged)");
  TimeNs now = clock_();
  TimeNs idle = static_cast<TimeNs>(options_.session_idle_minutes) * kMinute;
  auto user = users_.user_by_id(session->user_id);
  std::string login = user ? user->login : std::string();
  if (now >= session->expires || now - session->last_seen >= idle) {
    users_.delete_session(id_hash);
    return refuse(request, "security.session_refused", login,
                  now >= session->expires ? "expired session (past its absolute end)" : "expired session (idle)");
  }
  auto p = user ? from_user(*user, AuthVia::session) : std::nullopt;
  if (!p) return refuse(request, "security.session_refused", login, "session of a disabled or removed user");
  if (now - session->last_seen >= kTouchInterval) users_.touch_session(id_hash, now);
  p->session_hash = id_hash;
  if (state_changing(request.method)) {
    std::string sent = request.header("x-csrf-token");
    p->csrf_ok = same_secret(sent, session->csrf_token);
    if (!p->csrf_ok)
      refuse(request, "security.csrf_refused", p->user,
             sent.empty() ? "missing X-CSRF-Token" : "X-CSRF-Token does not match the session");
  }
  return p;
}

LoginResult IdentityService::login(const std::string& login, std::string_view password, const std::string& remote_ip) {
  LoginResult result;
  TimeNs now = clock_();
  auto user = users_.user(login);
  if (!user) {
    verify_password(dummy_hash_, password);
    spdlog::warn("auth: failed login for unknown user '{}' from {}", login, remote_ip);
    report({"security.login_failed", "anonymous", remote_ip, fmt::format("unknown login '{}'", login)});
    return result;
  }
  if (user->locked_until > now) {
    result.outcome = LoginResult::Outcome::locked;
    result.locked_until = user->locked_until;
    spdlog::warn("auth: login for locked user '{}' from {} refused (locked until {})", login, remote_ip,
                 format_rfc3339(user->locked_until, 0));
    report({"security.login_failed", login, remote_ip,
            fmt::format("account locked until {}", format_rfc3339(user->locked_until, 0))});
    return result;
  }
  if (!verify_password(user->password_hash, password)) {
    auto locked = users_.record_failed_login(user->id, now, options_.lockout_attempts,
                                             static_cast<TimeNs>(options_.lockout_minutes) * kMinute);
    spdlog::warn("auth: failed login for '{}' from {}", login, remote_ip);
    report({"security.login_failed", login, remote_ip, "wrong password"});
    if (locked) {
      spdlog::warn("auth: user '{}' locked until {} after {} failed logins", login, format_rfc3339(*locked, 0),
                   options_.lockout_attempts);
      report({"security.account_locked", login, remote_ip,
              fmt::format("locked until {} after {} failed logins", format_rfc3339(*locked, 0),
                          options_.lockout_attempts)});
      result.outcome = LoginResult::Outcome::locked;
      result.locked_until = *locked;
    }
    return result;
  }
  if (user->disabled) {
    spdlog::warn("auth: login for disabled user '{}' from {} refused", login, remote_ip);
    report({"security.login_failed", login, remote_ip, "account disabled"});
    result.outcome = LoginResult::Outcome::disabled;
    return result;
  }
  users_.record_successful_login(user->id);
  users_.delete_expired_sessions(now, static_cast<TimeNs>(options_.session_idle_minutes) * kMinute);
  result.session_token = random_hex(32);
  result.csrf_token = random_hex(32);
  result.expires = now + static_cast<TimeNs>(options_.session_absolute_hours) * 60 * kMinute;
  SessionRow row{sha256_hex(result.session_token), user->id, result.csrf_token, now, now, result.expires};
  if (auto st = users_.create_session(row); !st) {
    spdlog::error("auth: {}", st.error().message);
    return result;
  }
  result.outcome = LoginResult::Outcome::ok;
  result.user = *user;
  spdlog::info("auth: '{}' ({}) logged in from {}", login, role_name(user->role), remote_ip);
  return result;
}

void IdentityService::logout(const Principal& principal) {
  if (principal.via != AuthVia::session || principal.session_hash.empty()) return;
  users_.delete_session(principal.session_hash);
  spdlog::info("auth: '{}' logged out", principal.user);
}

std::string IdentityService::csrf_token(const Principal& principal) {
  if (principal.via != AuthVia::session) return {};
  auto s = users_.session(principal.session_hash);
  return s ? s->csrf_token : std::string();
}

std::string IdentityService::session_cookie(const std::string& token) const {
  return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", kSessionCookie, token,
                     options_.session_absolute_hours * 3600, options_.secure_cookie ? "; Secure" : "");
}

std::string IdentityService::cleared_cookie() const {
  return fmt::format("{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{}", kSessionCookie,
                     options_.secure_cookie ? "; Secure" : "");
}

}  // namespace khien
