// Routes for directives and warning advisories (/api/v1/directives): issue, progress, acknowledgement, completion, deadlines.
#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "app/case_service.h"

namespace khien {

using json = nlohmann::json;
using namespace case_http;

namespace {

Result<TargetSelector> selector_of(const json& j) {
  if (!j.is_object()) return fail("selector: expected {sectors, provinces, org_types, min_security_level, cves, orgs}");
  TargetSelector sel;
  for (const auto& [key, out] : {std::pair{"sectors", &sel.sectors}, std::pair{"provinces", &sel.provinces},
                                 std::pair{"org_types", &sel.org_types}, std::pair{"cves", &sel.cves},
                                 std::pair{"orgs", &sel.orgs}}) {
    auto v = string_list(j, key);
    if (!v) return fail("selector." + v.error().message);
    *out = std::move(*v);
  }
  if (j.contains("min_security_level")) {
    if (!j["min_security_level"].is_number_integer()) return fail("selector.min_security_level: expected 1..5");
    sel.min_security_level = j["min_security_level"].get<int>();
  }
  for (const auto& k : j.items()) {
    static const std::set<std::string> known{"sectors", "provinces", "org_types", "min_security_level", "cves", "orgs"};
    if (!known.count(k.key())) return fail(fmt::format("selector: unknown filter '{}'", k.key()));
  }
  return sel;
}

// Files as [{"name": ..., "content_base64": ...}].
Result<std::vector<Upload>> uploads_of(const json& body, const char* key) {
  std::vector<Upload> out;
  if (!body.contains(key)) return out;
  if (!body[key].is_array()) return fail(fmt::format("{}: expected a list of {{name, content_base64}}", key));
  for (const auto& f : body[key]) {
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string() || !f.contains("content_base64") ||
        !f["content_base64"].is_string())
      return fail(fmt::format("{}: each file needs a name and content_base64", key));
    auto bytes = base64_decode(f["content_base64"].get<std::string>());
    if (!bytes) return fail(fmt::format("{}: '{}': content_base64 is not valid base64", key, f["name"].get<std::string>()));
    out.emplace_back(f["name"].get<std::string>(), std::move(*bytes));
  }
  return out;
}

json stats_json(const DirectiveStats& st) {
  auto round1 = [](double v) { return std::round(v * 10.0) / 10.0; };
  return json{{"targets", st.targets},
              {"acknowledged", st.acknowledged},
              {"completed", st.completed},
              {"acknowledged_pct", round1(st.acknowledged_pct)},
              {"completed_pct", round1(st.completed_pct)},
              {"overdue", st.overdue}};
}

// True when one of the directive's targets is in the principal's tenant.
bool sees_directive(CaseService& s, const Principal& p, const Directive& d) {
  for (const auto& org : d.targets)
    if (s.sees_org(p, org)) return true;
  return false;
}

// For an org-soc a directive not targeting its organisation is another tenant's: 404, as if it did
// not exist. Nothing for other roles (their writes are judged by the directive manager).
std::optional<HttpResponse> not_targeted(CaseService& s, const Principal& p, const std::string& id, const std::string& org) {
  if (p.role != Role::org_soc) return std::nullopt;
  auto d = s.directives().get(id);
  if (d && std::find(d->targets.begin(), d->targets.end(), org) != d->targets.end()) return std::nullopt;
  return json_error(404, fmt::format("unknown directive '{}' for organisation '{}'", id, org));
}

// A tenant-scoped principal (org-soc, sector-cert) sees only its own target rows: the other
// targets, and the statistics computed over them, are left out.
json directive_json(CaseService& s, const Principal& p, const Directive& d, TimeNs now, bool with_targets) {
  json j = parse_doc(directive_to_json(d));
  const bool scoped = p.role == Role::org_soc || p.role == Role::sector_cert;
  if (scoped) {
    json own = json::array();
    for (const auto& org : d.targets)
      if (s.sees_org(p, org)) own.push_back(org);
    j["targets"] = own;
  } else if (auto st = s.directives().stats(d.id, now)) {
    j["stats"] = stats_json(*st);
  }
  if (with_targets) {
    json targets = json::array();
    for (const auto& t : s.directives().targets(d.id))
      if (!scoped || s.sees_org(p, t.org)) targets.push_back(parse_doc(directive_target_to_json(t)));
    j["target_progress"] = targets;
  }
  return j;
}

Result<NewDirective> new_directive(CaseService& s, const json& body) {
  static const std::set<std::string> known{"kind", "issuer", "title", "required_actions", "deadline", "tlp", "selector", "attachments"};
  for (const auto& k : body.items())
    if (!known.count(k.key())) return fail(fmt::format("unknown field '{}'", k.key()));
  NewDirective in;
  auto text = [&](const char* key, std::string fallback) -> Result<std::string> {
    if (!body.contains(key)) return fallback;
    if (!body[key].is_string()) return fail(fmt::format("{}: expected a string", key));
    return body[key].get<std::string>();
  };
  auto kind = text("kind", "directive");
  if (!kind) return tl::unexpected(kind.error());
  auto k = parse_directive_kind(*kind);
  if (!k) return fail(fmt::format("kind: '{}' is not directive or warning", *kind));
  in.kind = *k;
  std::string centre;
  for (const auto& o : s.registry().organisations)
    if (o.type == OrganisationType::national_centre) centre = o.id;
  auto issuer = text("issuer", centre);
  auto title = text("title", "");
  auto deadline = text("deadline", "");
  auto tlp = text("tlp", "amber");
  for (const auto* r : {&issuer, &title, &deadline, &tlp})
    if (!*r) return tl::unexpected(r->error());
  in.issuer = *issuer;
  in.title = *title;
  if (deadline->empty()) return fail("deadline: required (RFC 3339, e.g. 2026-05-01T17:00:00+07:00)");
  auto when = parse_when(*deadline);
  if (!when) return fail(fmt::format("deadline: '{}' is not an RFC 3339 time", *deadline));
  in.deadline = *when;
  auto t = parse_directive_tlp(*tlp);
  if (!t) return fail(fmt::format("tlp: '{}' is not clear, green, amber, amber+strict or red", *tlp));
  in.tlp = *t;
  auto actions = string_list(body, "required_actions");
  if (!actions) return tl::unexpected(actions.error());
  in.required_actions = std::move(*actions);
  if (!body.contains("selector")) return fail("selector: required (sectors, provinces, org_types, min_security_level, cves, orgs)");
  auto sel = selector_of(body["selector"]);
  if (!sel) return tl::unexpected(sel.error());
  in.selector = std::move(*sel);
  auto files = uploads_of(body, "attachments");
  if (!files) return tl::unexpected(files.error());
  in.attachments = std::move(*files);
  return in;
}

}  // namespace

void register_case_directive_routes(Router& router, CaseService& s) {
  router.add("POST", "/api/v1/directives/overdue-check", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kAdmin);
    if (a.refusal) return *a.refusal;
    auto caller = s.caller_of(req, false);
    if (!caller) return json_error(400, caller.error().message);
    auto now = s.now_of(req);
    if (!now) return json_error(400, now.error().message);
    return json_ok(s.run_checks(*now));
  });
  router.add("POST", "/api/v1/directives/targets", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kCaseWriters);
    if (a.refusal) return *a.refusal;
    auto body = object_body(req);
    if (!body) return json_error(400, body.error().message);
    auto sel = selector_of(body->contains("selector") ? (*body)["selector"] : *body);
    if (!sel) return json_error(400, sel.error().message);
    std::string issuer = body->value("issuer", std::string());
    if (issuer.empty())
      for (const auto& o : s.registry().organisations)
        if (o.type == OrganisationType::national_centre) issuer = o.id;
    auto targets = s.directives().select_targets(*sel, issuer);
    if (!targets) return from_error(targets.error());
    return json_ok({{"targets", *targets}, {"total", targets->size()}});
  });
  router.add("POST", "/api/v1/directives", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kCaseWriters);
    if (a.refusal) return *a.refusal;
    auto caller = s.caller_of(req, false);
    if (!caller) return json_error(400, caller.error().message);
    auto now = s.now_of(req);
    if (!now) return json_error(400, now.error().message);
    auto body = object_body(req);
    if (!body) return json_error(400, body.error().message);
    auto in = new_directive(s, *body);
    if (!in) return json_error(400, in.error().message);
    if (a.principal->role == Role::sector_cert) {
      auto targets = s.directives().select_targets(in->selector, in->issuer);
      if (!targets) return from_error(targets.error());
      for (const auto& org : *targets)
        if (!s.sees_org(*a.principal, org))
          return json_error(403, fmt::format("selector: target '{}' is outside your sector", org));
    }
    auto d = s.directives().issue(*in, caller->actor, *now);
    if (!d) {
      if (d.error().message.find("may not issue") != std::string::npos) return json_error(403, d.error().message);
      return from_error(d.error());
    }
    return json_ok(directive_json(s, *a.principal, *d, *now, true), 201);
  });
  router.add("GET", "/api/v1/directives", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    auto now = s.now_of(req);
    if (!now) return json_error(400, now.error().message);
    std::string kind = req.param("kind"), issuer = req.param("issuer"), org = req.param("org");
    if (!kind.empty() && !parse_directive_kind(kind)) return json_error(400, "kind: expected directive or warning");
    json out = json::array();
    for (const auto& d : s.directives().list()) {
      if (!kind.empty() && to_string(d.kind) != kind) continue;
      if (!issuer.empty() && d.issuer != issuer) continue;
      if (!org.empty() && std::find(d.targets.begin(), d.targets.end(), org) == d.targets.end()) continue;
      if (!sees_directive(s, *a.principal, d)) continue;
      out.push_back(directive_json(s, *a.principal, d, *now, false));
    }
    return json_ok({{"directives", out}, {"total", out.size()}});
  });
  router.add("GET", "/api/v1/directives/{id}", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    auto now = s.now_of(req);
    if (!now) return json_error(400, now.error().message);
    auto d = s.directives().get(req.path_params["id"]);
    if (!d || !sees_directive(s, *a.principal, *d))
      return json_error(404, fmt::format("unknown directive '{}'", req.path_params["id"]));
    return json_ok(directive_json(s, *a.principal, *d, *now, true));
  });
  router.add("POST", "/api/v1/directives/{id}/acknowledge", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kDirectiveActors);
    if (a.refusal) return *a.refusal;
    auto caller = s.caller_of(req, true);
    if (!caller) return json_error(400, caller.error().message);
    if (auto refusal = not_targeted(s, *a.principal, req.path_params["id"], caller->org)) return *refusal;
    auto now = s.now_of(req);
    if (!now) return json_error(400, now.error().message);
    auto t = s.directives().acknowledge(req.path_params["id"], caller->org, caller->actor, *now);
    if (!t) return from_error(t.error());
    return json_ok(parse_doc(directive_target_to_json(*t)));
  });
  router.add("POST", "/api/v1/directives/{id}/complete", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kDirectiveActors);
    if (a.refusal) return *a.refusal;
    auto caller = s.caller_of(req, true);
    if (!caller) return json_error(400, caller.error().message);
    if (auto refusal = not_targeted(s, *a.principal, req.path_params["id"], caller->org)) return *refusal;
    auto now = s.now_of(req);
    if (!now) return json_error(400, now.error().message);
    auto body = object_body(req);
    if (!body) return json_error(400, body.error().message);
    if (body->contains("text") && !(*body)["text"].is_string()) return json_error(400, "text: expected a string");
    auto files = uploads_of(*body, "evidence");
    if (!files) return json_error(400, files.error().message);
    for (const auto& f : *files) s.check_file_name(req, *a.principal, f.first);
    auto t = s.directives().complete(req.path_params["id"], caller->org, caller->actor, body->value("text", std::string()),
                                     *files, *now);
    if (!t) return from_error(t.error());
    return json_ok(parse_doc(directive_target_to_json(*t)));
  });
}

}  // namespace khien
