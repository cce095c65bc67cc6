// Routes for reports (/api/v1/reports): incident and directive lists as CSV or JSON, and the HTML situation report.
#include <algorithm>
#include <array>
#include <set>
#include <map>

#include <fmt/format.h>

#include "app/case_service.h"
#include "app/situation_report.h"

namespace khien {

using json = nlohmann::json;
using namespace case_http;

namespace {

// RFC 4180 quoting; a cell that a spreadsheet would run as a formula gets a leading apostrophe.
std::string csv_cell(const std::string& v) {
  std::string s = v;
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
    s = "'" + s;
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_row(const std::vector<std::string>& cells) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + csv_cell(cells[i]);
  return out + "\r\n";
}

std::string joined(const std::vector<std::string>& v, const char* sep = ";") {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

struct Range {
  TimeNs from = 0, to = 0;
};

Result<Range> range_of(const HttpRequest& req, TimeNs now, std::int64_t default_span) {
  Range r{now - default_span, now};
  if (!req.param("from").empty()) {
    auto t = parse_when(req.param("from"));
    if (!t) return fail(fmt::format("from: '{}' is not an RFC 3339 time or YYYY-MM-DD", req.param("from")));
    r.from = *t;
  }
  if (!req.param("to").empty()) {
    auto t = parse_when(req.param("to"));
    if (!t) return fail(fmt::format("to: '{}' is not an RFC 3339 time or YYYY-MM-DD", req.param("to")));
    r.to = *t;
  }
  if (r.to <= r.from) return fail("to must be after from");
  return r;
}

std::vector<std::string> sectors_of(CaseService& s, const Incident& i) {
  std::set<std::string> out;
  for (const auto& org : i.affected_orgs)
    if (const auto* o = s.registry().find_organisation(org); o && !o->sector.empty()) out.insert(o->sector);
  return {out.begin(), out.end()};
}

HttpResponse incidents_report(CaseService& s, HttpRequest& req, bool csv) {
  auto a = s.admit(req, access::kNationalAuditor);
  if (a.refusal) return *a.refusal;
  std::optional<IncidentState> state;
  if (!req.param("state").empty() && !(state = parse_incident_state(req.param("state"))))
    return json_error(400, fmt::format("state: '{}' is not a lifecycle state", req.param("state")));
  std::optional<TimeNs> from, to;
  if (!req.param("from").empty() && !(from = parse_when(req.param("from"))))
    return json_error(400, "from: expected an RFC 3339 time or YYYY-MM-DD");
  if (!req.param("to").empty() && !(to = parse_when(req.param("to"))))
    return json_error(400, "to: expected an RFC 3339 time or YYYY-MM-DD");
  auto incidents = s.incidents().list(state);
  std::reverse(incidents.begin(), incidents.end());  // oldest first reads better in a sheet
  std::erase_if(incidents, [&](const Incident& i) { return (from && i.created < *from) || (to && i.created >= *to); });
  HttpResponse r;
  if (!csv) {
    json out = json::array();
    for (const auto& i : incidents) {
      json j = parse_doc(incident_to_json(i));
      j["sectors"] = sectors_of(s, i);
      out.push_back(std::move(j));
    }
    r.body = json{{"incidents", out}, {"total", incidents.size()}}.dump(-1, ' ', false, json::error_handler_t::replace);
    return r;
  }
  r.content_type = "text/csv; charset=utf-8";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"incidents.csv\"");
  r.body = csv_row({"id", "title", "state", "severity", "category", "source", "source_ref", "affected_orgs", "sectors",
                    "assignee_kind", "assignee", "created", "updated", "closed", "first_response_due", "first_response_at",
                    "containment_due", "contained_at", "resolution_due", "resolved_at", "sla_breached",
                    "escalation_level", "escalated_to"});
  for (const auto& i : incidents)
    r.body += csv_row({i.id, i.title, std::string(to_string(i.state)), std::string(to_string(i.severity)), i.category,
                       std::string(to_string(i.source)), i.source_ref, joined(i.affected_orgs), joined(sectors_of(s, i)),
                       std::string(to_string(i.assignee_kind)), i.assignee, rfc3339(i.created), rfc3339(i.updated),
                       rfc3339(i.closed_at), rfc3339(i.sla.first_response_due), rfc3339(i.sla.first_response_at),
                       rfc3339(i.sla.containment_due), rfc3339(i.sla.contained_at), rfc3339(i.sla.resolution_due),
                       rfc3339(i.sla.resolved_at), joined(i.sla.breached), std::to_string(i.escalation_level),
                       i.escalated_to});
  return r;
}

HttpResponse directives_report(CaseService& s, HttpRequest& req, bool csv) {
  auto a = s.admit(req, access::kNationalAuditor);
  if (a.refusal) return *a.refusal;
  auto now = s.now_of(req);
  if (!now) return json_error(400, now.error().message);
  auto list = s.directives().list();
  std::reverse(list.begin(), list.end());
  HttpResponse r;
  if (!csv) {
    json out = json::array();
    for (const auto& d : list) {
      json j = parse_doc(directive_to_json(d));
      if (auto st = s.directives().stats(d.id, *now))
        j["stats"] = {{"targets", st->targets},
                      {"acknowledged", st->acknowledged},
                      {"completed", st->completed},
                      {"acknowledged_pct", st->acknowledged_pct},
                      {"completed_pct", st->completed_pct},
                      {"overdue", st->overdue}};
      json targets = json::array();
      for (const auto& t : s.directives().targets(d.id)) targets.push_back(parse_doc(directive_target_to_json(t)));
      j["target_progress"] = targets;
      out.push_back(std::move(j));
    }
    r.body = json{{"directives", out}, {"total", list.size()}}.dump(-1, ' ', false, json::error_handler_t::replace);
    return r;
  }
  r.content_type = "text/csv; charset=utf-8";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"directives.csv\"");
  r.body = csv_row({"id", "kind", "issuer", "title", "issued", "deadline", "tlp", "targets", "acknowledged", "completed",
                    "acknowledged_pct", "completed_pct", "overdue"});
  for (const auto& d : list) {
    auto st = s.directives().stats(d.id, *now);
    DirectiveStats x = st ? *st : DirectiveStats{};
    r.body += csv_row({d.id, std::string(to_string(d.kind)), d.issuer, d.title, rfc3339(d.issued), rfc3339(d.deadline),
                       std::string(to_string(d.tlp)), std::to_string(x.targets), std::to_string(x.acknowledged),
                       std::to_string(x.completed), fmt::format("{:.1f}", x.acknowledged_pct),
                       fmt::format("{:.1f}", x.completed_pct), joined(x.overdue)});
  }
  return r;
}

HttpResponse situation(CaseService& s, HttpRequest& req) {
  auto a = s.admit(req, access::kNationalAuditor);
  if (a.refusal) return *a.refusal;
  auto now = s.now_of(req);
  if (!now) return json_error(400, now.error().message);
  constexpr std::int64_t kDay = 86400LL * 1000000000LL;
  auto range = range_of(req, *now, 30 * kDay);
  if (!range) return json_error(400, range.error().message);
  SituationReport rep;
  rep.from = range->from;
  rep.to = range->to;
  rep.generated = *now;

  std::array<std::int64_t, 4> severity{};
  std::map<std::string, std::vector<std::int64_t>> by_sector;
  for (const auto& i : s.incidents().list()) {
    bool opened = i.created >= rep.from && i.created < rep.to;
    if (i.closed_at >= rep.from && i.closed_at < rep.to && i.closed_at) ++rep.incidents_closed;
    if (i.created < rep.to && (i.closed_at == 0 || i.closed_at >= rep.to)) ++rep.incidents_open_at_end;
    if (!opened) continue;
    ++rep.incidents_opened;
    if (!i.sla.breached.empty()) ++rep.incidents_breached;
    auto sev = static_cast<std::size_t>(i.severity);
    ++severity[sev];
    auto sectors = sectors_of(s, i);
    if (sectors.empty()) sectors.push_back("(no sector)");
    for (const auto& sec : sectors) {
      const Sector* known = s.registry().find_sector(sec);
      auto& row = by_sector[known ? known->name : sec];
      row.resize(4);
      ++row[sev];
    }
  }
  for (std::size_t i = 0; i < 4; ++i)
    rep.by_severity.push_back({std::string(to_string(static_cast<IncidentSeverity>(i))), severity[i]});
  for (auto& [name, row] : by_sector) rep.by_sector_severity.emplace_back(name, row);
  std::sort(rep.by_sector_severity.begin(), rep.by_sector_severity.end(), [](const auto& a, const auto& b) {
    std::int64_t sa = 0, sb = 0;
    for (auto v : a.second) sa += v;
    for (auto v : b.second) sb += v;
    return sa != sb ? sa > sb : a.first < b.first;
  });

  if (auto w = s.top_warnings(rep.from, rep.to, 10)) {
    rep.warnings_available = true;
    for (const auto& [title, n] : *w) rep.top_warnings.push_back({title, n});
  }
  for (const auto& [rule, title, n] : s.alerts_by_rule(rep.from, rep.to, 1000000)) {
    rep.alerts_total += n;
    if (rep.alerts_by_rule.size() < 10) rep.alerts_by_rule.push_back({title.empty() ? rule : title, n});
  }

  for (const auto& d : s.directives().list()) {
    if (d.issued < rep.from || d.issued >= rep.to) continue;
    auto st = s.directives().stats(d.id, std::min(*now, rep.to));
    if (!st) continue;
    rep.directives.push_back({d.id, std::string(to_string(d.kind)), d.title, d.issuer, d.deadline, st->targets,
                              st->acknowledged_pct, st->completed_pct, st->overdue.size()});
  }
  std::reverse(rep.directives.begin(), rep.directives.end());

  // The ranking at the end of the period (live when it ends in the current month) against the month before.
  std::string period = ComplianceHistory::period_of(std::min(*now, rep.to - 1));
  bool live = false;
  auto scores = s.period_scores(period, *now, live);
  if (scores) {
    rep.ranking_period = period + (live ? " (live)" : "");
    auto ranked = rank_scores(*scores, "national");
    std::string compare = previous_period(period);
    std::vector<RankedScore> before;
    if (auto stored = s.history().scores(compare); !stored.empty())
      if (auto r = rank_scores(stored, "national")) {
        before = std::move(*r);
        rep.compared_period = compare;
      }
    if (ranked)
      for (const auto& r : *ranked) {
        const Organisation* o = s.registry().find_organisation(r.score.org);
        ReportRankChange c{r.score.org, o ? o->name : r.score.org, r.rank, r.score.score, 0, 0};
        for (const auto& p : before)
          if (p.score.org == r.score.org) {
            c.previous_rank = p.rank;
            c.previous_score = p.score.score;
          }
        rep.ranking.push_back(std::move(c));
      }
  }

  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = render_situation_report(rep);
  // Self-contained: nothing may load from elsewhere, and no script runs.
  r.headers.emplace_back("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace

void register_case_report_routes(Router& router, CaseService& s) {
  router.add("GET", "/api/v1/reports/incidents.csv", [&s](HttpRequest& req) { return incidents_report(s, req, true); });
  router.add("GET", "/api/v1/reports/incidents.json", [&s](HttpRequest& req) { return incidents_report(s, req, false); });
  router.add("GET", "/api/v1/reports/directives.csv", [&s](HttpRequest& req) { return directives_report(s, req, true); });
  router.add("GET", "/api/v1/reports/directives.json", [&s](HttpRequest& req) { return directives_report(s, req, false); });
  router.add("GET", "/api/v1/reports/situation", [&s](HttpRequest& req) { return situation(s, req); });
}

}  // namespace khien
