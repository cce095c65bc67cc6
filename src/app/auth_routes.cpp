// Login/logout/me, API keys and user administration over HTTP; every route goes through check_access.
#include "app/auth_routes.h"

#include <algorithm>
#include <variant>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace khien {

namespace {

// A login body is two short strings; anything much larger is not a login.
constexpr std::size_t kMaxAuthBodyBytes = 8192;

HttpResponse json_ok(const nlohmann::json& body, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

nlohmann::json user_json(const UserRow& u) {
  return {{"login", u.login},
          {"display_name", u.display_name},
          {"role", std::string(role_name(u.role))},
          {"scope", u.scope},
          {"disabled", u.disabled},
          {"locked_until", u.locked_until ? format_rfc3339(u.locked_until, 0) : std::string()},
          {"created", format_rfc3339(u.created, 0)}};
}

nlohmann::json key_json(const ApiKeyRow& k) {
  return {{"id", k.id},
          {"login", k.login},
          {"name", k.name},
          {"created", format_rfc3339(k.created, 0)},
          {"last_used", k.last_used ? format_rfc3339(k.last_used, 0) : std::string()},
          {"revoked", k.revoked}};
}

// The JSON object in the body, or the 400 answer naming what is wrong.
std::variant<nlohmann::json, HttpResponse> json_body(const IdentityService& id, const HttpRequest& req) {
  if (req.body.size() > kMaxAuthBodyBytes) {
    auto error = fmt::format("body: longer than {} bytes", kMaxAuthBodyBytes);
    id.report({"security.input_too_long", "", req.remote_ip, fmt::format("{} ({} {})", error, req.method, req.path)});
    return json_error(400, error);
  }
  auto j = nlohmann::json::parse(req.body, nullptr, false);
  if (!j.is_object()) return json_error(400, "body: expected a JSON object");
  return j;
}

// A string member: absent gives "", a non-string or one longer than `max` an error message.
std::optional<std::string> string_field(const nlohmann::json& j, const char* name, std::size_t max, std::string& error) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    error = fmt::format("{}: expected a string", name);
    return std::nullopt;
  }
  auto s = it->get<std::string>();
  if (s.size() > max) {
    error = fmt::format("{}: longer than {} bytes", name, max);
    return std::nullopt;
  }
  return s;
}

const RoleSet kEveryRole = RoleSet::all();
const RoleSet kAdmins{Role::national_admin};

}  // namespace

void register_auth_routes(Router& router, IdentityService& id) {
  router.add("POST", "/api/v1/auth/login", [&id](HttpRequest& req) {
    auto parsed = json_body(id, req);
    if (auto* r = std::get_if<HttpResponse>(&parsed)) return *r;
    const auto& j = std::get<nlohmann::json>(parsed);
    std::string error;
    auto login = string_field(j, "login", kMaxLoginBytes, error);
    auto password = login ? string_field(j, "password", kMaxPasswordBytes, error) : std::nullopt;
    if (!login || !password) {
      spdlog::warn("auth: refused login request from {}: {}", req.remote_ip, error);
      // Over-long credentials are refused before any hashing; a flood of them is worth a record.
      if (error.find("longer than") != std::string::npos)
        id.report({"security.input_too_long", "", req.remote_ip, fmt::format("{} ({} {})", error, req.method, req.path)});
      return json_error(400, error);
    }
    if (login->empty() || password->empty()) return json_error(400, "login and password are both required");
    auto result = id.login(*login, *password, req.remote_ip);
    switch (result.outcome) {
      case LoginResult::Outcome::ok: {
        auto r = json_ok({{"user", result.user.login},
                          {"display_name", result.user.display_name},
                          {"role", std::string(role_name(result.user.role))},
                          {"scope", result.user.scope},
                          {"csrf_token", result.csrf_token},
                          {"expires", format_rfc3339(result.expires, 0)}});
        r.headers.emplace_back("Set-Cookie", id.session_cookie(result.session_token));
        r.headers.emplace_back("Cache-Control", "no-store");
        return r;
      }
      case LoginResult::Outcome::locked: {
        auto r = json_error(429, fmt::format("account locked after {} failed logins; try again after {}",
                                             id.options().lockout_attempts, format_rfc3339(result.locked_until, 0)));
        TimeNs wait = result.locked_until - id.now();
        r.headers.emplace_back("Retry-After", std::to_string(std::max<TimeNs>(1, wait / 1'000'000'000)));
        return r;
      }
      case LoginResult::Outcome::disabled: return json_error(403, "account disabled; ask a national administrator");
      case LoginResult::Outcome::bad_credentials: break;
    }
    return json_error(401, "wrong login or password");
  });

  router.add("POST", "/api/v1/auth/logout", [&id](HttpRequest& req) {
    auto p = id.authenticate(req);
    if (auto refused = check_access(p, kEveryRole)) return *refused;
    id.logout(*p);
    auto r = json_ok({{"logged_out", p->via == AuthVia::session}});
    r.headers.emplace_back("Set-Cookie", id.cleared_cookie());
    return r;
  });

  router.add("GET", "/api/v1/auth/me", [&id](HttpRequest& req) {
    auto p = id.authenticate(req);
    if (auto refused = check_access(p, kEveryRole)) return *refused;
    nlohmann::json body{{"user", p->user},
                        {"role", std::string(role_name(p->role))},
                        {"scope_kind", std::string(scope_kind_name(p->scope_kind))},
                        {"scope", p->scope_id},
                        {"via", std::string(via_name(p->via))}};
    if (p->user_id) {
      if (auto u = id.users().user_by_id(p->user_id)) body["display_name"] = u->display_name;
    }
    if (p->via == AuthVia::session) body["csrf_token"] = id.csrf_token(*p);
    auto r = json_ok(body);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });

  router.add("GET", "/api/v1/auth/keys", [&id](HttpRequest& req) {
    auto p = id.authenticate(req);
    if (auto refused = check_access(p, kEveryRole)) return *refused;
    std::int64_t owner = p->user_id;
    if (p->role == Role::national_admin) {
      owner = 0;
      if (auto login = req.param("login"); !login.empty()) {
        auto u = id.users().user(login);
        if (!u) return json_error(404, fmt::format("login '{}': no such user", login));
        owner = u->id;
      }
    }
    nlohmann::json list = nlohmann::json::array();
    if (owner != 0 || p->role == Role::national_admin)
      for (const auto& k : id.users().api_keys(owner)) list.push_back(key_json(k));
    return json_ok({{"keys", list}});
  });

  router.add("POST", "/api/v1/auth/keys", [&id](HttpRequest& req) {
    auto p = id.authenticate(req);
    if (auto refused = check_access(p, kEveryRole)) return *refused;
    auto parsed = json_body(id, req);
    if (auto* r = std::get_if<HttpResponse>(&parsed)) return *r;
    const auto& j = std::get<nlohmann::json>(parsed);
    std::string error;
    auto name = string_field(j, "name", 100, error);
    auto login = name ? string_field(j, "login", kMaxLoginBytes, error) : std::nullopt;
    if (!name || !login) return json_error(400, error);
    if (name->empty()) return json_error(400, "name: required (what the key is for, e.g. the connector's host)");
    std::int64_t owner = p->user_id;
    if (!login->empty() && *login != p->user) {
      // Keys for someone else are an administrator's act; others only ever hold their own.
      if (p->role != Role::national_admin) return json_error(403, "only a national-admin issues keys for another user");
      auto u = id.users().user(*login);
      if (!u) return json_error(404, fmt::format("login '{}': no such user", *login));
      owner = u->id;
    }
    if (owner == 0) return json_error(400, "login: the administrator token has no user of its own; name the key's user");
    auto key = id.users().create_api_key(owner, *name);
    if (!key) return json_error(400, key.error().message);
    spdlog::info("auth: '{}' issued API key {} ({}) for user {}", p->user, key->first.id, *name, key->first.login);
    auto body = key_json(key->first);
    body["key"] = key->second;
    auto r = json_ok(body, 201);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });

  router.add("DELETE", "/api/v1/auth/keys/{id}", [&id](HttpRequest& req) {
    auto p = id.authenticate(req);
    if (auto refused = check_access(p, kEveryRole)) return *refused;
    auto key = id.users().api_key_by_id(req.path_params["id"]);
    // Another user's key is answered like a missing one: its existence is not theirs to learn.
    if (!key || (p->role != Role::national_admin && key->user_id != p->user_id))
      return json_error(404, fmt::format("api key '{}': no such key", req.path_params["id"]));
    if (auto st = id.users().revoke_api_key(key->id); !st) return json_error(400, st.error().message);
    spdlog::info("auth: '{}' revoked API key {} of {}", p->user, key->id, key->login);
    return json_ok({{"id", key->id}, {"revoked", true}});
  });

  router.add("GET", "/api/v1/users", [&id](HttpRequest& req) {
    auto p = id.authenticate(req);
    if (auto refused = check_access(p, RoleSet{Role::national_admin, Role::auditor})) return *refused;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& u : id.users().users()) list.push_back(user_json(u));
    return json_ok({{"users", list}});
  });

  router.add("POST", "/api/v1/users", [&id](HttpRequest& req) {
    auto p = id.authenticate(req);
    if (auto refused = check_access(p, kAdmins)) return *refused;
    auto parsed = json_body(id, req);
    if (auto* r = std::get_if<HttpResponse>(&parsed)) return *r;
    const auto& j = std::get<nlohmann::json>(parsed);
    std::string error;
    auto login = string_field(j, "login", kMaxLoginBytes, error);
    auto display = login ? string_field(j, "display_name", 200, error) : std::nullopt;
    auto role_text = display ? string_field(j, "role", 32, error) : std::nullopt;
    auto scope = role_text ? string_field(j, "scope", 128, error) : std::nullopt;
    auto password = scope ? string_field(j, "password", kMaxPasswordBytes, error) : std::nullopt;
    if (!password) return json_error(400, error);
    auto role = parse_role(*role_text);
    if (!role) return json_error(400, fmt::format("role '{}': expected one of {}", *role_text, role_names()));
    auto user = id.users().add_user(*login, *display, *role, *scope, *password);
    if (!user) return json_error(400, user.error().message);
    spdlog::info("auth: '{}' added user '{}' ({})", p->user, user->login, role_name(user->role));
    return json_ok(user_json(*user), 201);
  });

  for (bool disable : {true, false}) {
    router.add("POST", disable ? "/api/v1/users/{login}/disable" : "/api/v1/users/{login}/enable",
               [&id, disable](HttpRequest& req) {
                 auto p = id.authenticate(req);
                 if (auto refused = check_access(p, kAdmins)) return *refused;
                 const std::string& login = req.path_params["login"];
                 if (auto st = id.users().set_disabled(login, disable); !st) return json_error(404, st.error().message);
                 spdlog::info("auth: '{}' {} user '{}'", p->user, disable ? "disabled" : "enabled", login);
                 return json_ok({{"login", login}, {"disabled", disable}});
               });
  }
}

}  // namespace khien
