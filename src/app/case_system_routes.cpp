// Routes for information systems (/api/v1/systems) and the audit log (/api/v1/audit).
#include <algorithm>

#include <fmt/format.h>

#include "app/case_service.h"
#include "cases/system_import.h"

namespace khien {

using json = nlohmann::json;
using namespace case_http;

namespace {

json audit_entry_json(const AuditEntry& e) {
  return json{{"seq", e.seq},
              {"time", format_rfc3339(e.time, 6)},
              {"actor", e.actor},
              {"action", e.action},
              {"object_type", e.object_type},
              {"object_id", e.object_id},
              {"before", parse_doc(e.before)},
              {"after", parse_doc(e.after)},
              {"prev_hash", e.prev_hash},
              {"hash", e.hash}};
}

// A system document from a request body; `path_id` (PUT) must agree with a body id.
Result<InformationSystem> system_body(const HttpRequest& req, const std::string& path_id) {
  auto body = object_body(req);
  if (!body) return tl::unexpected(body.error());
  if (!path_id.empty()) {
    if (!body->contains("id")) (*body)["id"] = path_id;
    if (!(*body)["id"].is_string() || (*body)["id"].get<std::string>() != path_id)
      return fail(fmt::format("the body's id does not match '{}' in the path", path_id));
  }
  auto s = system_from_json(body->dump());
  if (!s) return fail("information system: " + s.error().message);
  return s;
}

}  // namespace

void register_case_system_routes(Router& router, CaseService& s) {
  router.add("POST", "/api/v1/systems/import", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kNational);
    if (a.refusal) return *a.refusal;
    auto w = write_context(s, req);
    if (!w) return json_error(400, w.error().message);
    std::string format = req.param("format");
    if (format.empty()) format = req.header("content-type").find("csv") != std::string::npos ? "csv" : "yaml";
    if (format != "csv" && format != "yaml") return json_error(400, "format: expected yaml or csv");
    if (req.body.empty()) return json_error(400, "the body must hold the systems YAML or CSV");
    std::string label = req.param("name").empty() ? "body" : req.param("name");
    auto systems = format == "csv" ? parse_systems_csv(req.body, label, &s.registry())
                                   : parse_systems_yaml(req.body, label, &s.registry());
    if (!systems) {
      json problems = message_lines(systems.error().message);
      return json_ok({{"error", "the systems were not imported: " + std::to_string(problems.size()) + " problem(s)"},
                      {"problems", problems}},
                     400);
    }
    if (auto st = s.systems().import(*systems, w->caller.actor, w->now); !st) return from_error(st.error());
    json ids = json::array();
    for (const auto& sys : *systems) ids.push_back(sys.id);
    return json_ok({{"imported", systems->size()}, {"ids", ids}});
  });
  router.add("GET", "/api/v1/systems", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    std::string owner = req.param("owner"), sector = req.param("sector");
    auto min_level = int_param(req, "min_level", 0);
    if (!min_level) return json_error(400, "min_level: expected 1..5");
    json out = json::array();
    for (const auto& sys : s.systems().list(owner)) {
      if (sys.security_level < *min_level) continue;
      if (!s.sees_org(*a.principal, sys.owner)) continue;
      if (!sector.empty()) {
        const Organisation* o = s.registry().find_organisation(sys.owner);
        if (!o || o->sector != sector) continue;
      }
      out.push_back(parse_doc(system_to_json(sys)));
    }
    return json_ok({{"systems", out}, {"total", out.size()}});
  });
  router.add("POST", "/api/v1/systems", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kNational);
    if (a.refusal) return *a.refusal;
    auto w = write_context(s, req);
    if (!w) return json_error(400, w.error().message);
    auto sys = system_body(req, "");
    if (!sys) return json_error(400, sys.error().message);
    if (auto st = s.systems().create(*sys, w->caller.actor, w->now); !st) {
      if (st.error().message.find("already exists") != std::string::npos) return json_error(409, st.error().message);
      return from_error(st.error());
    }
    return json_ok(parse_doc(system_to_json(*sys)), 201);
  });
  router.add("GET", "/api/v1/systems/{id}", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    auto sys = s.systems().get(req.path_params["id"]);
    if (!sys || !s.sees_org(*a.principal, sys->owner))
      return json_error(404, fmt::format("unknown information system '{}'", req.path_params["id"]));
    return json_ok(parse_doc(system_to_json(*sys)));
  });
  router.add("PUT", "/api/v1/systems/{id}", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kNational);
    if (a.refusal) return *a.refusal;
    auto w = write_context(s, req);
    if (!w) return json_error(400, w.error().message);
    auto sys = system_body(req, req.path_params["id"]);
    if (!sys) return json_error(400, sys.error().message);
    if (auto st = s.systems().update(*sys, w->caller.actor, w->now); !st) return from_error(st.error());
    return json_ok(parse_doc(system_to_json(*sys)));
  });
  router.add("DELETE", "/api/v1/systems/{id}", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kNational);
    if (a.refusal) return *a.refusal;
    auto w = write_context(s, req);
    if (!w) return json_error(400, w.error().message);
    if (auto st = s.systems().remove(req.path_params["id"], w->caller.actor, w->now); !st) return from_error(st.error());
    return json_ok({{"deleted", req.path_params["id"]}});
  });

  router.add("GET", "/api/v1/audit/verify", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kAdminAuditor);
    if (a.refusal) return *a.refusal;
    auto v = s.audit().verify();
    return json_ok({{"ok", v.ok},
                    {"entries", v.entries},
                    {"broken_seq", v.ok ? json(nullptr) : json(v.broken_seq)},
                    {"reason", v.reason},
                    {"head_hash", v.head_hash}});
  });
  router.add("GET", "/api/v1/audit", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kAdminAuditor);
    if (a.refusal) return *a.refusal;
    auto after = int_param(req, "after", 0), limit_param = int_param(req, "limit", 100);
    if (!after || !limit_param) return json_error(400, "after and limit must be non-negative integers");
    auto limit = static_cast<std::size_t>(*limit_param);
    if (limit == 0 || limit > 1000) return json_error(400, "limit: 1..1000; after: a sequence number >= 0");
    std::string type = req.param("object_type"), id = req.param("object_id");
    if (!id.empty() && type.empty()) return json_error(400, "object_id needs object_type (incident, directive, system, ...)");
    auto entries = s.audit().list(*after, limit + 1, type, id);
    bool more = entries.size() > limit;
    if (more) entries.resize(limit);
    json out = json::array();
    for (const auto& e : entries) out.push_back(audit_entry_json(e));
    return json_ok({{"entries", out},
                    {"next_after", more && !entries.empty() ? json(entries.back().seq) : json(nullptr)}});
  });
}

}  // namespace khien
