// Routes for the compliance score (/api/v1/compliance): rankings by scope and period with changes, per-organisation breakdowns, snapshots.
#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "app/case_service.h"

namespace khien {

using json = nlohmann::json;
using namespace case_http;

namespace {

}  // namespace

namespace case_http {
std::string previous_period(const std::string& period) {
  if (period.size() != 7) return {};
  int y = 0, m = 0;
  if (std::sscanf(period.c_str(), "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12) return {};
  if (--m == 0) {
    m = 12;
    --y;
  }
  return fmt::format("{:04}-{:02}", y, m);
}
}  // namespace case_http

namespace {
json ranking_json(CaseService& s, const std::vector<RankedScore>& ranked, const std::vector<RankedScore>& before) {
  json rows = json::array();
  for (const auto& r : ranked) {
    const Organisation* o = s.registry().find_organisation(r.score.org);
    json row{{"rank", r.rank},
             {"org", r.score.org},
             {"name", o ? o->name : ""},
             {"sector", r.score.sector},
             {"province", r.score.province},
             {"score", r.score.score},
             {"previous_rank", nullptr},
             {"previous_score", nullptr},
             {"change", nullptr}};
    for (const auto& p : before)
      if (p.score.org == r.score.org) {
        row["previous_rank"] = p.rank;
        row["previous_score"] = p.score.score;
        row["change"] = p.rank - r.rank;  // positive: moved up
      }
    rows.push_back(std::move(row));
  }
  return rows;
}
// The ranking rows the principal may see: an org-soc its own row (with its rank), a sector CERT
// its sector's organisations, everyone else all of them.
json visible_rows(CaseService& s, const Principal& p, json rows) {
  if (p.role != Role::org_soc && p.role != Role::sector_cert) return rows;
  json out = json::array();
  for (auto& row : rows)
    if (row.contains("org") && row["org"].is_string() && s.sees_org(p, row["org"].get<std::string>()))
      out.push_back(std::move(row));
  return out;
}

}  // namespace

void register_case_compliance_routes(Router& router, CaseService& s) {
  router.add("GET", "/api/v1/compliance/ranking", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    auto now = s.now_of(req);
    if (!now) return json_error(400, now.error().message);
    std::string scope = req.param("scope").empty() ? "national" : req.param("scope");
    std::string period = req.param("period").empty() ? ComplianceHistory::period_of(*now) : req.param("period");
    bool live = false;
    auto scores = s.period_scores(period, *now, live);
    if (!scores) {
      if (scores.error().message.rfind("unknown compliance period", 0) == 0) return json_error(404, scores.error().message);
      return json_error(400, scores.error().message);
    }
    auto ranked = rank_scores(*scores, scope);
    if (!ranked) return json_error(400, ranked.error().message);
    // A scope naming an unknown sector or province is a mistake, not an empty ranking.
    if (scope.rfind("sector:", 0) == 0 && !s.registry().find_sector(scope.substr(7)))
      return json_error(400, fmt::format("scope: unknown sector '{}'", scope.substr(7)));
    if (scope.rfind("province:", 0) == 0 && !s.registry().find_province(scope.substr(9)))
      return json_error(400, fmt::format("scope: unknown province '{}'", scope.substr(9)));
    std::string compare = req.param("compare").empty() ? previous_period(period) : req.param("compare");
    std::vector<RankedScore> before;
    auto stored = s.history().scores(compare);
    if (!stored.empty())
      if (auto r = rank_scores(stored, scope)) before = std::move(*r);
    return json_ok({{"scope", scope},
                    {"period", period},
                    {"live", live},
                    {"computed_at", rfc3339(*now)},
                    {"compared_with", stored.empty() ? json(nullptr) : json(compare)},
                    {"ranking", visible_rows(s, *a.principal, ranking_json(s, *ranked, before))}});
  });
  router.add("POST", "/api/v1/compliance/snapshot", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kAdmin);
    if (a.refusal) return *a.refusal;
    auto caller = s.caller_of(req, false);
    if (!caller) return json_error(400, caller.error().message);
    auto now = s.now_of(req);
    if (!now) return json_error(400, now.error().message);
    std::string period = ComplianceHistory::period_of(*now);
    auto scores = s.live_scores(*now);
    if (auto st = s.history().snapshot(period, scores, caller->actor, *now); !st) return from_error(st.error());
    return json_ok({{"period", period}, {"organisations", scores.size()}}, 201);
  });
  router.add("GET", "/api/v1/compliance/model", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    const auto& w = s.model().weights();
    constexpr double kMinute = 60e9, kHour = 3600e9, kDay = 86400e9;
    return json_ok({{"weights",
                     {{"soc", w.soc}, {"four_layer", w.four_layer}, {"security_level", w.security_level}, {"drill", w.drill},
                      {"directives", w.directives}, {"incident_sla", w.incident_sla}, {"vulnerabilities", w.vulnerabilities}}},
                    {"thresholds",
                     {{"soc_fresh_minutes", static_cast<double>(w.soc_fresh_ns) / kMinute},
                      {"soc_stale_hours", static_cast<double>(w.soc_stale_ns) / kHour},
                      {"drill_within_days", static_cast<double>(w.drill_within_ns) / kDay},
                      {"vuln_grace_days", static_cast<double>(w.vuln_grace_ns) / kDay},
                      {"vuln_full_days", static_cast<double>(w.vuln_full_ns) / kDay},
                      {"vuln_cap", w.vuln_cap}}}});
  });
  router.add("GET", "/api/v1/compliance/{org}", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    auto now = s.now_of(req);
    if (!now) return json_error(400, now.error().message);
    const std::string& org = req.path_params["org"];
    const Organisation* o = s.registry().find_organisation(org);
    if (!o || !s.sees_org(*a.principal, org)) return json_error(404, fmt::format("unknown organisation '{}'", org));
    if (o->type == OrganisationType::national_centre)
      return json_error(404, fmt::format("'{}' is the national centre, which is not scored", org));
    std::string period = req.param("period").empty() ? ComplianceHistory::period_of(*now) : req.param("period");
    bool live = false;
    auto scores = s.period_scores(period, *now, live);
    if (!scores) {
      if (scores.error().message.rfind("unknown compliance period", 0) == 0) return json_error(404, scores.error().message);
      return json_error(400, scores.error().message);
    }
    auto mine = std::find_if(scores->begin(), scores->end(), [&](const ComplianceScore& c) { return c.org == org; });
    if (mine == scores->end()) return json_error(404, fmt::format("no score for '{}' in {}", org, period));
    json j = parse_doc(compliance_score_to_json(*mine));
    j["name"] = o->name;
    j["period"] = period;
    j["live"] = live;
    json ranks = json::object();
    std::vector<std::string> scopes{"national"};
    if (!o->sector.empty()) scopes.push_back("sector:" + o->sector);
    if (!o->province.empty()) scopes.push_back("province:" + o->province);
    for (const auto& scope : scopes) {
      auto ranked = rank_scores(*scores, scope);
      if (!ranked) continue;
      for (const auto& r : *ranked)
        if (r.score.org == org) ranks[scope] = {{"rank", r.rank}, {"of", ranked->size()}};
    }
    j["ranks"] = ranks;
    json history = json::array();
    for (const auto& [p, score] : s.history().history(org)) history.push_back({{"period", p}, {"score", score}});
    j["history"] = history;
    return json_ok(j);
  });
}

}  // namespace khien
