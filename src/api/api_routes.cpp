// Route handlers: ingest, events search, registry, SOC keys, metrics, health.
#include "api/api_routes.h"

#include <openssl/crypto.h>

#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/metrics.h"
#include "core/schema.h"
#include "core/text.h"
#include "store/archive_search.h"

namespace khien {

namespace {

using json = nlohmann::json;

HttpResponse json_response(const json& body, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}


json org_json(const OrgRow& o) {
  return json{{"id", o.id},           {"name", o.name},         {"name_en", o.name_en}, {"type", o.type},
              {"sector", o.sector},   {"province", o.province}, {"parent", o.parent},   {"ip_ranges", o.ip_ranges},
              {"asns", o.asns},       {"domains", o.domains}};
}

// How long one search of the archive may read before it answers with what it has.
constexpr std::int64_t kSearchSeconds = 15;

json soc_json(const SocRow& s, const std::map<std::string, SocStatsSnapshot>& stats) {
  json j{{"id", s.id},        {"name", s.name},           {"org", s.org},       {"sender_ranges", s.sender_ranges},
         {"formats", s.formats}, {"transport", s.transport}, {"has_key", s.has_key}, {"revoked", s.revoked},
         {"syslog_local_time", s.syslog_local_time.empty() ? json(nullptr) : json(s.syslog_local_time)}};
  auto it = stats.find(s.id);
  if (it != stats.end() && it->second.last_seen > 0) {
    j["last_seen"] = format_rfc3339(it->second.last_seen, 3);
    j["accepted"] = it->second.accepted;
    j["rejected"] = it->second.rejected;
    j["events_per_second"] = it->second.accepted_per_second;
    j["rejected_per_second"] = it->second.rejected_per_second;
    if (it->second.last_rejection > 0)
      j["last_rejection"] = {{"time", format_rfc3339(it->second.last_rejection, 3)},
                             {"source", it->second.last_rejection_source},
                             {"reason", it->second.last_rejection_reason},
                             {"sample", it->second.last_rejection_sample}};
  } else {
    j["last_seen"] = nullptr;
    j["accepted"] = 0;
    j["rejected"] = 0;
    j["events_per_second"] = 0;
    j["rejected_per_second"] = 0;
  }
  return j;
}

json alert_json(const StoredAlert& s) {
  const Alert& a = s.alert;
  json event = json::parse(a.event_json, nullptr, false);
  return json{{"id", s.id},
              {"kind", a.kind},
              {"rule_id", a.rule_id},
              {"title", a.title},
              {"severity_id", a.severity_id},
              {"level", a.level},
              {"tlp", a.tlp},
              {"source", a.source},
              {"matched", a.matched},
              {"matched_field", a.matched_field},
              {"tags", a.tags},
              {"time", format_rfc3339(a.time, 6)},
              {"soc", a.soc},
              {"org", a.org},
              {"sector", a.sector},
              {"province", a.province},
              {"event_seq", a.event_seq},
              {"event", event.is_discarded() ? json(nullptr) : event}};
}

Result<std::optional<TimeNs>> time_param(const HttpRequest& req, const char* name) {
  std::string v = req.param(name);
  if (v.empty()) return std::optional<TimeNs>();
  auto t = parse_time_any(v);
  if (!t) return fail(fmt::format("parameter '{}': '{}' is not a time (use RFC 3339, e.g. 2026-11-22T10:00:00Z)", name, v));
  return std::optional<TimeNs>(*t);
}

std::set<std::string> set_param(const HttpRequest& req, const char* name) {
  std::set<std::string> out;
  for (const auto& v : req.params(name)) {
    std::size_t start = 0;
    while (start <= v.size()) {
      auto comma = v.find(',', start);
      if (comma == std::string::npos) comma = v.size();
      if (comma > start) out.insert(v.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return out;
}

}  // namespace

std::string bearer(const HttpRequest& req) {
  std::string auth = req.header("authorization");
  if (auth.size() > 7 && (auth.compare(0, 7, "Bearer ") == 0 || auth.compare(0, 7, "bearer ") == 0)) return auth.substr(7);
  return {};
}

bool is_admin(const ApiContext& ctx, const HttpRequest& req) {
  std::string token = bearer(req);
  if (token.empty()) return false;
  std::string h = sha256_hex(token);
  return h.size() == ctx.admin_token_hash.size() && CRYPTO_memcmp(h.data(), ctx.admin_token_hash.data(), h.size()) == 0;
}

HttpResponse unauthorized() {
  HttpResponse r = json_error(401, "missing or invalid bearer token (the administrator token is in DATA_DIR/admin.token)");
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"khien\"");
  return r;
}

std::optional<Principal> resolve_principal(IdentityService* identity, const std::string& admin_token_hash,
                                           const HttpRequest& req) {
  if (identity) return identity->authenticate(req);
  std::string token = bearer(req);
  if (token.empty()) return std::nullopt;
  std::string h = sha256_hex(token);
  if (h.size() != admin_token_hash.size() || CRYPTO_memcmp(h.data(), admin_token_hash.data(), h.size()) != 0)
    return std::nullopt;
  Principal p;
  p.user = "admin";
  p.role = Role::national_admin;
  p.scope_kind = ScopeKind::national;
  return p;
}

Admission admit(IdentityService* identity, const std::string& admin_token_hash, const HttpRequest& req, RoleSet roles) {
  Admission a;
  a.principal = resolve_principal(identity, admin_token_hash, req);
  if (auto refused = check_access(a.principal, roles)) {
    a.refusal = std::move(refused);
    // Keep the Bearer challenge the administrator-token routes always answered with.
    if (a.refusal->status == 401) a.refusal = unauthorized();
  }
  return a;
}

std::set<std::string> scoped_filter(const Principal& principal, ScopeKind kind, std::set<std::string> requested) {
  bool scoped = (kind == ScopeKind::organisation && principal.role == Role::org_soc) ||
                (kind == ScopeKind::sector && principal.role == Role::sector_cert);
  if (!scoped) return requested;
  const std::string& own = principal.scope_id;
  if (own.empty() || (!requested.empty() && !requested.contains(own))) return {access::kNoMatch};
  return {own};
}

namespace {

/// can_see_org for a record that names only its organisation: the sector comes from the registry.
bool sees_org_in(const ApiContext& ctx, const Principal& p, const std::string& org) {
  if (p.role != Role::sector_cert) return can_see_org(p, org, "");
  auto o = ctx.store->organisation(org);
  return o && can_see_org(p, org, o->sector);
}

bool is_loopback(const std::string& ip) {
  return ip == "127.0.0.1" || ip == "::1" || ip.rfind("127.", 0) == 0 || ip == "::ffff:127.0.0.1";
}

}  // namespace

void register_api_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/healthz", [&ctx](HttpRequest&) {
    return json_response({{"status", "ok"},
                          {"spool_backlog", ctx.spool->backlog()},
                          {"spool_last_seq", ctx.spool->last_seq()},
                          {"processed_seq", ctx.processed_seq ? ctx.processed_seq() : 0}});
  });

  router.add("GET", "/metrics", [&ctx](HttpRequest& req) {
    // Prometheus scrapes from loopback without credentials; elsewhere the national roles and auditors.
    if (!is_loopback(req.remote_ip)) {
      auto a = admit(ctx.identity, ctx.admin_token_hash, req, access::kNationalAuditor);
      if (a.refusal) return *a.refusal;
    }
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = Metrics::instance().render();
    return r;
  });

  router.add("POST", "/api/v1/ingest", [&ctx](HttpRequest& req) {
    std::string key = bearer(req);
    HttpBulkRequest bulk;
    if (auto soc = key.empty() ? std::nullopt : ctx.store->soc_by_key(key)) {
      bulk.soc_row = static_cast<std::uint32_t>(soc->row_id);
      bulk.soc_id = soc->id;
    } else if (is_admin(ctx, req) && req.param("soc").empty()) {
      return json_error(400, "the administrator token ingests on behalf of a SOC: add soc=<SOC id> to the query");
    } else if (is_admin(ctx, req)) {
      // The administrator may ingest on behalf of a SOC (file replays, tests).
      auto named = ctx.store->soc(req.param("soc"));
      if (!named) return json_error(404, fmt::format("unknown SOC '{}'", req.param("soc")));
      bulk.soc_row = static_cast<std::uint32_t>(named->row_id);
      bulk.soc_id = named->id;
    } else {
      Metrics::instance().counter("khien_ingest_auth_failures_total", "Ingest requests with a missing, wrong or revoked key").add();
      return unauthorized();
    }
    bulk.format = req.param("format").empty() ? "auto" : ascii_lower(req.param("format"));
    bulk.content_encoding = req.header("content-encoding");
    bulk.body = req.body;
    bulk.idempotency_key = req.header("idempotency-key");
    if (bulk.idempotency_key.size() > 200) return json_error(400, "Idempotency-Key longer than 200 characters");
    HttpBulkAnswer answer = ctx.bulk->handle(bulk);
    HttpResponse r;
    r.status = answer.status;
    r.body = std::move(answer.body);
    if (answer.retry_after_seconds > 0) r.headers.emplace_back("Retry-After", std::to_string(answer.retry_after_seconds));
    return r;
  });

  router.add("GET", "/api/v1/events", [&ctx](HttpRequest& req) {
    auto a = admit(ctx.identity, ctx.admin_token_hash, req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    SearchRequest s;
    s.socs = set_param(req, "soc");
    s.orgs = scoped_filter(*a.principal, ScopeKind::organisation, set_param(req, "org"));
    s.sectors = scoped_filter(*a.principal, ScopeKind::sector, set_param(req, "sector"));
    s.provinces = set_param(req, "province");
    auto since = time_param(req, "since");
    if (!since) return json_error(400, since.error().message);
    auto until = time_param(req, "until");
    if (!until) return json_error(400, until.error().message);
    s.since = *since;
    s.until = *until;
    s.query = req.param("q");
    s.cursor = req.param("cursor");
    if (auto l = req.param("limit"); !l.empty()) {
      std::size_t limit = 0;
      auto [end, ec] = std::from_chars(l.data(), l.data() + l.size(), limit);
      if (ec != std::errc() || end != l.data() + l.size() || limit == 0 || limit > 10000)
        return json_error(400, "parameter 'limit': expected 1..10000");
      s.limit = limit;
    }
    // One search holds a connection thread and a core: past the limit it answers with what it has
    // found and a cursor to go on from.
    s.deadline = now_ns() + kSearchSeconds * 1'000'000'000LL;
    auto result = search_archive(ctx.archive_dir, s);
    if (!result) return json_error(400, result.error().message);
    std::string body = "{\"events\":[";
    for (std::size_t i = 0; i < result->events.size(); ++i) {
      if (i) body.push_back(',');
      body += result->events[i];
    }
    body += fmt::format("],\"total\":{},\"total_is_exact\":{},\"partial\":{},\"next_cursor\":{}}}", result->total,
                        result->total_is_exact ? "true" : "false", result->partial ? "true" : "false",
                        result->next_cursor.empty() ? std::string("null") : json(result->next_cursor).dump());
    HttpResponse r;
    r.body = std::move(body);
    return r;
  });

  router.add("GET", "/api/v1/orgs", [&ctx](HttpRequest& req) {
    auto a = admit(ctx.identity, ctx.admin_token_hash, req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    json list = json::array();
    std::string sector = req.param("sector"), province = req.param("province"), type = req.param("type");
    for (const auto& o : ctx.store->organisations()) {
      if (!can_see_org(*a.principal, o.id, o.sector)) continue;
      if ((!sector.empty() && o.sector != sector) || (!province.empty() && o.province != province) || (!type.empty() && o.type != type))
        continue;
      list.push_back(org_json(o));
    }
    return json_response({{"orgs", list}, {"total", list.size()}});
  });

  router.add("GET", "/api/v1/orgs/{id}", [&ctx](HttpRequest& req) {
    auto a = admit(ctx.identity, ctx.admin_token_hash, req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    auto o = ctx.store->organisation(req.path_params["id"]);
    if (!o || !can_see_org(*a.principal, o->id, o->sector))
      return json_error(404, fmt::format("no organisation '{}'", req.path_params["id"]));
    return json_response(org_json(*o));
  });

  router.add("GET", "/api/v1/sectors", [&ctx](HttpRequest& req) {
    auto a = admit(ctx.identity, ctx.admin_token_hash, req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    json list = json::array();
    for (const auto& s : ctx.store->sectors())
      list.push_back({{"id", s.id}, {"name", s.name}, {"name_en", s.name_en}, {"lead_org", s.lead_org}, {"criticality", s.criticality}});
    return json_response({{"sectors", list}, {"total", list.size()}});
  });

  router.add("GET", "/api/v1/provinces", [&ctx](HttpRequest& req) {
    auto a = admit(ctx.identity, ctx.admin_token_hash, req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    json list = json::array();
    for (const auto& p : ctx.store->provinces())
      list.push_back({{"id", p.id}, {"name", p.name}, {"name_en", p.name_en}, {"kind", p.kind}, {"region", p.region}, {"lat", p.lat}, {"lon", p.lon}});
    return json_response({{"provinces", list}, {"total", list.size()}});
  });

  router.add("GET", "/api/v1/socs", [&ctx](HttpRequest& req) {
    auto a = admit(ctx.identity, ctx.admin_token_hash, req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    auto stats = ctx.stats->snapshot();
    json list = json::array();
    std::string org = req.param("org");
    for (const auto& s : ctx.store->socs()) {
      if (!org.empty() && s.org != org) continue;
      if (!sees_org_in(ctx, *a.principal, s.org)) continue;
      list.push_back(soc_json(s, stats));
    }
    return json_response({{"socs", list}, {"total", list.size()}});
  });

  router.add("GET", "/api/v1/socs/{id}", [&ctx](HttpRequest& req) {
    auto a = admit(ctx.identity, ctx.admin_token_hash, req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    auto s = ctx.store->soc(req.path_params["id"]);
    if (!s || !sees_org_in(ctx, *a.principal, s->org)) return json_error(404, fmt::format("no SOC '{}'", req.path_params["id"]));
    return json_response(soc_json(*s, ctx.stats->snapshot()));
  });

  router.add("POST", "/api/v1/socs", [&ctx](HttpRequest& req) {
    auto a = admit(ctx.identity, ctx.admin_token_hash, req, access::kAdmin);
    if (a.refusal) return *a.refusal;
    auto body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return json_error(400, "body: expected a JSON object {\"id\",\"org\",\"name\",\"sender_ranges\"}");
    for (const char* k : {"id", "org", "name"})
      if (!body.contains(k) || !body[k].is_string() || body[k].get<std::string>().empty())
        return json_error(400, fmt::format("field '{}': required string", k));
    std::vector<std::string> ranges;
    if (body.contains("sender_ranges")) {
      if (!body["sender_ranges"].is_array()) return json_error(400, "field 'sender_ranges': expected an array of CIDRs");
      for (const auto& r : body["sender_ranges"]) {
        if (!r.is_string() || !IpPrefix::parse(r.get<std::string>()))
          return json_error(400, fmt::format("field 'sender_ranges': '{}' is not a CIDR", r.dump()));
        ranges.push_back(r.get<std::string>());
      }
    }
    auto key = ctx.store->add_soc(body["org"], body["id"], body["name"], ranges);
    // An id taken (by another organisation, or with a working key) is a conflict, not bad input.
    if (!key) return json_error(ctx.store->soc(body["id"]) ? 409 : 400, key.error().message);
    return json_response({{"id", body["id"]}, {"api_key", *key}, {"note", "shown once; only its hash is stored"}}, 201);
  });

  router.add("POST", "/api/v1/socs/{id}/revoke", [&ctx](HttpRequest& req) {
    auto a = admit(ctx.identity, ctx.admin_token_hash, req, access::kAdmin);
    if (a.refusal) return *a.refusal;
    if (auto st = ctx.store->revoke_soc(req.path_params["id"]); !st) return json_error(404, st.error().message);
    return json_response({{"id", req.path_params["id"]}, {"revoked", true}});
  });

  router.add("GET", "/api/v1/alerts", [&ctx](HttpRequest& req) {
    auto a = admit(ctx.identity, ctx.admin_token_hash, req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    if (!ctx.alerts) return json_error(503, "alerts are not available in this process");
    AlertQuery q;
    auto list = [&](const char* name) {
      auto set = set_param(req, name);
      return std::vector<std::string>(set.begin(), set.end());
    };
    q.kinds = list("kind");
    auto scoped = [&](ScopeKind kind, const char* name) {
      auto set = scoped_filter(*a.principal, kind, set_param(req, name));
      return std::vector<std::string>(set.begin(), set.end());
    };
    q.orgs = scoped(ScopeKind::organisation, "org");
    q.sectors = scoped(ScopeKind::sector, "sector");
    q.provinces = list("province");
    q.socs = list("soc");
    q.rule_id = req.param("rule");
    auto since = time_param(req, "since");
    if (!since) return json_error(400, since.error().message);
    auto until = time_param(req, "until");
    if (!until) return json_error(400, until.error().message);
    q.since = *since;
    q.until = *until;
    auto number = [&](const char* name, std::int64_t lo, std::int64_t hi, std::int64_t& out) -> bool {
      std::string v = req.param(name);
      if (v.empty()) return true;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
      return ec == std::errc() && end == v.data() + v.size() && out >= lo && out <= hi;
    };
    std::int64_t limit = 100, min_sev = 0, cursor = 0;
    if (!number("limit", 1, 10000, limit)) return json_error(400, "parameter 'limit': expected 1..10000");
    if (!number("min_severity", 0, 6, min_sev)) return json_error(400, "parameter 'min_severity': expected 0..6");
    if (!number("cursor", 1, INT64_MAX, cursor)) return json_error(400, "parameter 'cursor': pass next_cursor back unchanged");
    q.limit = static_cast<std::size_t>(limit);
    q.min_severity = static_cast<int>(min_sev);
    q.before_id = cursor;
    auto page = ctx.alerts->query(q);
    if (!page) return json_error(500, page.error().message);
    json list_json = json::array();
    for (const auto& s : page->alerts) list_json.push_back(alert_json(s));
    return json_response({{"alerts", list_json},
                          {"total", page->total},
                          {"next_cursor", page->next_before_id ? json(std::to_string(page->next_before_id)) : json(nullptr)}});
  });

  router.add("GET", "/api/v1/alerts/{id}", [&ctx](HttpRequest& req) {
    auto a = admit(ctx.identity, ctx.admin_token_hash, req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    if (!ctx.alerts) return json_error(503, "alerts are not available in this process");
    std::int64_t id = 0;
    const std::string& text = req.path_params["id"];
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size()) return json_error(404, "no such alert");
    auto alert = ctx.alerts->get(id);
    if (!alert || !can_see_org(*a.principal, alert->alert.org, alert->alert.sector)) return json_error(404, "no such alert");
    return json_response(alert_json(*alert));
  });

  router.add("GET", "/api/v1/schema", [&ctx](HttpRequest& req) {
    auto a = admit(ctx.identity, ctx.admin_token_hash, req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    json list = json::array();
    for (const auto& f : schema_fields())
      list.push_back({{"name", f.name}, {"type", field_type_name(f.type)}, {"description", f.description}});
    return json_response({{"fields", list}});
  });
}

}  // namespace khien
