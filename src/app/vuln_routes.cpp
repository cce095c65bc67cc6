// Vulnerability routes: CVE exposure, scan imports, findings and their notifications.
#include "app/vuln_routes.h"

#include <fmt/format.h>

#include "api/route_helpers.h"

namespace khien {

namespace {

std::optional<FindingQuery> finding_query(const HttpRequest& req, std::string& error) {
  FindingQuery q;
  q.org = req.param("org");
  q.state = req.param("state");
  q.cve = req.param("cve");
  if (!q.state.empty() && q.state != "open" && q.state != "closed") {
    error = "parameter 'state': expected open or closed";
    return std::nullopt;
  }
  auto after = int_param(req, "after", 0);
  auto limit = int_param(req, "limit", 500, 10000);
  if (!after || !limit || *limit == 0) {
    error = "parameters 'after' and 'limit' take non-negative integers (limit 1..10000)";
    return std::nullopt;
  }
  q.after_id = *after;
  q.limit = static_cast<std::size_t>(*limit);
  return q;
}

}  // namespace

namespace {

// Findings are filtered by organisation only, so sector CERTs are not admitted to them.
constexpr RoleSet kFindingReaders{Role::national_admin, Role::national_analyst, Role::org_soc, Role::auditor};

// Replaces the request's `org` parameter by what an org-soc may ask for (its own organisation).
void scope_org_param(const Principal& p, HttpRequest& req) {
  if (p.role != Role::org_soc) return;
  std::set<std::string> asked;
  for (const auto& v : req.params("org")) asked.insert(v);
  auto scoped = scoped_filter(p, ScopeKind::organisation, asked);
  req.query.erase("org");
  req.query.emplace("org", *scoped.begin());
}

// Replaces the request's `sector` parameter by a sector CERT's own sector.
void scope_sector_param(const Principal& p, HttpRequest& req) {
  if (p.role != Role::sector_cert) return;
  std::set<std::string> asked;
  for (const auto& v : req.params("sector")) asked.insert(v);
  auto scoped = scoped_filter(p, ScopeKind::sector, asked);
  req.query.erase("sector");
  req.query.emplace("sector", *scoped.begin());
}

}  // namespace

void register_vuln_routes(Router& router, const ApiContext& api, VulnService& vulns) {
  router.add("GET", "/api/v1/vulns/{cve}", [&api, &vulns](HttpRequest& req) {
    auto a = admit(api.identity, api.admin_token_hash, req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    auto cve = vulns.show(req.path_params["cve"]);
    if (!cve) return json_error(404, fmt::format("{} is not in the imported vulnerability data", req.path_params["cve"]));
    // The catalogue entry is public; which organisations are exposed is not, outside national roles.
    if (a.principal->role == Role::org_soc || a.principal->role == Role::sector_cert) cve->erase("exposure");
    return json_ok(*cve);
  });
  router.add("GET", "/api/v1/exposure", [&api, &vulns](HttpRequest& req) {
    auto a = admit(api.identity, api.admin_token_hash, req, access::kReportReaders);
    if (a.refusal) return *a.refusal;
    scope_sector_param(*a.principal, req);
    auto min_priority = number_param(req, "min_priority", 0);
    if (!min_priority) return json_error(400, "parameter 'min_priority': expected a number 0..100");
    return json_ok(vulns.exposure(req.param("sector"), req.param("province"), *min_priority, 1000));
  });
  router.add("POST", "/api/v1/scans", [&api, &vulns](HttpRequest& req) {
    auto a = admit(api.identity, api.admin_token_hash, req, access::kNational);
    if (a.refusal) return *a.refusal;
    std::string format = req.param("format").empty() ? "auto" : req.param("format");
    auto result = vulns.import_scan(req.body, format, req.param("scanner"));
    if (!result) return json_error(400, result.error().message);
    return json_ok(*result);
  });
  router.add("GET", "/api/v1/findings", [&api, &vulns](HttpRequest& req) {
    auto a = admit(api.identity, api.admin_token_hash, req, kFindingReaders);
    if (a.refusal) return *a.refusal;
    scope_org_param(*a.principal, req);
    std::string error;
    auto q = finding_query(req, error);
    if (!q) return json_error(400, error);
    return json_ok(vulns.findings(*q));
  });
  router.add("GET", "/api/v1/findings.csv", [&api, &vulns](HttpRequest& req) {
    auto a = admit(api.identity, api.admin_token_hash, req, kFindingReaders);
    if (a.refusal) return *a.refusal;
    scope_org_param(*a.principal, req);
    std::string error;
    auto q = finding_query(req, error);
    if (!q) return json_error(400, error);
    HttpResponse r;
    r.content_type = "text/csv; charset=utf-8";
    r.body = vulns.findings_csv(*q);
    return r;
  });
  router.add("GET", "/api/v1/scan-notifications", [&api, &vulns](HttpRequest& req) {
    auto a = admit(api.identity, api.admin_token_hash, req, kFindingReaders);
    if (a.refusal) return *a.refusal;
    scope_org_param(*a.principal, req);
    auto limit = int_param(req, "limit", 100, 1000);
    if (!limit || *limit == 0) return json_error(400, "parameter 'limit': expected 1..1000");
    return json_ok(vulns.notifications(req.param("org"), static_cast<std::size_t>(*limit)));
  });
}

}  // namespace khien
