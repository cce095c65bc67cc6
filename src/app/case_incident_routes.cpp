// Routes for incidents (/api/v1/incidents): opening (by hand or from an alert), listing, lifecycle, timeline, evidence, SLA checks.
#include <algorithm>
#include <charconv>
#include <set>

#include <fmt/format.h>

#include "app/case_service.h"
#include "app/case_multipart.h"
#include "cases/incident_taxonomy.h"
#include "store/alert_store.h"

namespace khien {

using json = nlohmann::json;
using namespace case_http;

namespace {

Result<std::string> string_field(const json& body, const char* key, const std::string& fallback = {}) {
  if (!body.contains(key)) return fallback;
  if (!body[key].is_string()) return fail(fmt::format("{}: expected a string", key));
  return body[key].get<std::string>();
}

// OCSF severity_id 1 informational, 2 low, 3 medium, 4 high, 5 critical, 6 fatal.
IncidentSeverity severity_of_alert(int severity_id) {
  if (severity_id >= 5) return IncidentSeverity::critical;
  if (severity_id == 4) return IncidentSeverity::high;
  if (severity_id == 3) return IncidentSeverity::medium;
  return IncidentSeverity::low;
}

json incident_json(CaseService& s, const Incident& i) {
  json j = parse_doc(incident_to_json(i));
  if (const auto* c = find_incident_category(i.category)) {
    j["category_name"] = {{"vi", std::string(c->name_vi)}, {"en", std::string(c->name_en)}};
  }
  std::set<std::string> sectors;
  for (const auto& org : i.affected_orgs)
    if (const auto* o = s.registry().find_organisation(org); o && !o->sector.empty()) sectors.insert(o->sector);
  j["sectors"] = sectors;
  return j;
}

json timeline_json(const std::vector<TimelineEntry>& entries) {
  json out = json::array();
  for (const auto& e : entries) out.push_back(parse_doc(timeline_entry_to_json(e)));
  return out;
}

// Builds the incident to open from a request body, copying the alert's fields for {"from_alert": id}.
Result<NewIncident> new_incident(CaseService& s, const json& body) {
  NewIncident in;
  if (body.contains("from_alert")) {
    std::int64_t id = 0;
    const json& ref = body["from_alert"];
    if (ref.is_number_integer()) {
      id = ref.get<std::int64_t>();
    } else if (ref.is_string()) {
      const auto& t = ref.get_ref<const std::string&>();
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), id);
      if (ec != std::errc() || p != t.data() + t.size()) return fail(fmt::format("from_alert: '{}' is not an alert id", t));
    } else {
      return fail("from_alert: expected an alert id");
    }
    if (!s.alert_store()) return fail("from_alert: the alert store is not connected");
    auto stored = s.alert_store()->get(id);
    if (!stored) return fail(fmt::format("unknown alert {}", id));
    const Alert& a = stored->alert;
    in.source = IncidentSource::alert;
    in.source_ref = std::to_string(id);
    in.title = a.title.empty() ? a.rule_id : a.title;
    in.description = fmt::format("{} alert {} (rule {}) at {} from SOC {}", a.kind, id, a.rule_id, format_rfc3339(a.time, 0),
                                 a.soc.empty() ? "unknown" : a.soc);
    if (!a.matched.empty()) in.description += fmt::format("; matched {} = {}", a.matched_field, a.matched);
    // What the sensor itself said (an IDS signature, a finding title) is what the analyst reads first.
    auto event = json::parse(a.event_json, nullptr, false);
    if (event.is_object())
      for (const char* key : {"finding_info.title", "message"})
        if (auto it = event.find(key); it != event.end() && it->is_string()) {
          in.description += fmt::format("; event: {}", it->get<std::string>());
          break;
        }
    in.severity = severity_of_alert(a.severity_id);
    in.category = a.kind == "ioc" ? "intrusion-attempts.ioc" : "other.undetermined";
    if (!a.org.empty()) in.affected_orgs.push_back(a.org);
    for (const auto& tag : a.tags)
      if (tag.size() > 4 && (tag.rfind("cve.", 0) == 0 || tag.rfind("CVE-", 0) == 0)) {
        std::string cve = "CVE-" + tag.substr(4);
        std::transform(cve.begin(), cve.end(), cve.begin(), [](unsigned char c) { return std::toupper(c); });
        in.links.cves.push_back(cve);
      }
  } else {
    in.source = IncidentSource::manual;
    in.category = "other.undetermined";
  }
  auto title = string_field(body, "title", in.title);
  auto description = string_field(body, "description", in.description);
  auto category = string_field(body, "category", in.category);
  auto severity = string_field(body, "severity", std::string(to_string(in.severity)));
  auto source = string_field(body, "source", std::string(to_string(in.source)));
  auto source_ref = string_field(body, "source_ref", in.source_ref);
  for (const auto* r : {&title, &description, &category, &severity, &source, &source_ref})
    if (!*r) return tl::unexpected(r->error());
  if (body.contains("from_alert") && body.contains("source") && *source != "alert")
    return fail("source: an incident opened from an alert has source 'alert'");
  if (body.contains("from_alert") && body.contains("source_ref") && *source_ref != in.source_ref)
    return fail("source_ref: an incident opened from an alert refers to that alert");
  in.title = *title;
  in.description = *description;
  in.category = *category;
  auto sev = parse_incident_severity(*severity);
  if (!sev) return fail(fmt::format("severity: '{}' is not low, medium, high or critical", *severity));
  in.severity = *sev;
  auto src = parse_incident_source(*source);
  if (!src) return fail(fmt::format("source: '{}' is not alert, warning, public-report or manual", *source));
  in.source = *src;
  in.source_ref = *source_ref;
  auto orgs = string_list(body, "affected_orgs");
  auto systems = string_list(body, "affected_systems");
  if (!orgs) return tl::unexpected(orgs.error());
  if (!systems) return tl::unexpected(systems.error());
  for (const auto& o : *orgs)
    if (std::find(in.affected_orgs.begin(), in.affected_orgs.end(), o) == in.affected_orgs.end())
      in.affected_orgs.push_back(o);
  in.affected_systems = *systems;
  if (body.contains("links")) {
    const json& l = body["links"];
    if (!l.is_object()) return fail("links: expected {alerts, indicators, warnings, cves}");
    for (const auto& [key, list] : {std::pair{"alerts", &in.links.alerts}, std::pair{"indicators", &in.links.indicators},
                                    std::pair{"warnings", &in.links.warnings}, std::pair{"cves", &in.links.cves}}) {
      auto v = string_list(l, key);
      if (!v) return fail("links." + v.error().message);
      for (const auto& x : *v)
        if (std::find(list->begin(), list->end(), x) == list->end()) list->push_back(x);
    }
    for (const auto& k : l.items())
      if (k.key() != "alerts" && k.key() != "indicators" && k.key() != "warnings" && k.key() != "cves")
        return fail(fmt::format("links: unknown kind '{}' (alerts, indicators, warnings, cves)", k.key()));
  }
  static const std::set<std::string> known{"from_alert",  "title",          "description", "category",
                                           "severity",    "source",         "source_ref",  "affected_orgs",
                                           "affected_systems", "links"};
  for (const auto& k : body.items())
    if (!known.count(k.key())) return fail(fmt::format("unknown field '{}'", k.key()));
  return in;
}

// 404 for an incident the principal's tenant does not include, as for one that does not exist.
std::optional<HttpResponse> hidden_incident(CaseService& s, const Principal& p, const std::string& id) {
  auto inc = s.incidents().get(id);
  if (inc && s.sees_incident(p, *inc)) return std::nullopt;
  return json_error(404, fmt::format("unknown incident '{}'", id));
}

}  // namespace

void register_case_incident_routes(Router& router, CaseService& s) {
  router.add("POST", "/api/v1/incidents/sla-check", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kAdmin);
    if (a.refusal) return *a.refusal;
    auto w = write_context(s, req);
    if (!w) return json_error(400, w.error().message);
    return json_ok(s.run_checks(w->now));
  });
  router.add("GET", "/api/v1/incidents/taxonomy", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    json out = json::array();
    for (const auto& c : incident_categories())
      out.push_back({{"code", std::string(c.code)},
                     {"class", std::string(c.class_code)},
                     {"name_vi", std::string(c.name_vi)},
                     {"name_en", std::string(c.name_en)}});
    return json_ok({{"categories", out}});
  });
  router.add("POST", "/api/v1/incidents", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kCaseWriters);
    if (a.refusal) return *a.refusal;
    auto w = write_context(s, req);
    if (!w) return json_error(400, w.error().message);
    auto body = object_body(req);
    if (!body) return json_error(400, body.error().message);
    auto in = new_incident(s, *body);
    if (!in) {
      if (in.error().message.rfind("unknown alert", 0) == 0) return json_error(404, in.error().message);
      return json_error(400, in.error().message);
    }
    for (const auto& org : in->affected_orgs)
      if (!s.sees_org(*a.principal, org))
        return json_error(403, fmt::format("affected_orgs: '{}' is outside your sector", org));
    auto inc = s.incidents().open(*in, w->caller.actor, w->now);
    if (!inc) return from_error(inc.error());
    json j = incident_json(s, *inc);
    j["timeline"] = timeline_json(s.incidents().timeline(inc->id));
    return json_ok(j, 201);
  });
  router.add("GET", "/api/v1/incidents", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    std::optional<IncidentState> state;
    if (!req.param("state").empty()) {
      state = parse_incident_state(req.param("state"));
      if (!state) return json_error(400, fmt::format("state: '{}' is not a lifecycle state", req.param("state")));
    }
    std::optional<IncidentSeverity> severity;
    if (!req.param("severity").empty()) {
      severity = parse_incident_severity(req.param("severity"));
      if (!severity) return json_error(400, fmt::format("severity: '{}' is not low, medium, high or critical", req.param("severity")));
    }
    auto offset_param = int_param(req, "offset", 0), limit_param = int_param(req, "limit", 50);
    if (!offset_param || !limit_param) return json_error(400, "offset and limit must be non-negative integers");
    auto offset = static_cast<std::size_t>(*offset_param), limit = static_cast<std::size_t>(*limit_param);
    if (limit == 0 || limit > 1000) return json_error(400, "limit: 1..1000");
    std::string org = req.param("org"), sector = req.param("sector");
    std::vector<json> rows;
    for (const auto& inc : s.incidents().list(state)) {
      if (!s.sees_incident(*a.principal, inc)) continue;
      if (severity && inc.severity != *severity) continue;
      if (!org.empty() && std::find(inc.affected_orgs.begin(), inc.affected_orgs.end(), org) == inc.affected_orgs.end())
        continue;
      json j = incident_json(s, inc);
      if (!sector.empty()) {
        bool hit = false;
        for (const auto& x : j["sectors"]) hit = hit || x == sector;
        if (!hit) continue;
      }
      rows.push_back(std::move(j));
    }
    json page = json::array();
    for (std::size_t i = offset; i < rows.size() && i < offset + limit; ++i) page.push_back(std::move(rows[i]));
    return json_ok({{"incidents", page}, {"total", rows.size()}, {"offset", offset}, {"limit", limit}});
  });
  router.add("GET", "/api/v1/incidents/{id}", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    auto inc = s.incidents().get(req.path_params["id"]);
    if (!inc || !s.sees_incident(*a.principal, *inc))
      return json_error(404, fmt::format("unknown incident '{}'", req.path_params["id"]));
    json j = incident_json(s, *inc);
    j["timeline"] = timeline_json(s.incidents().timeline(inc->id));
    return json_ok(j);
  });
  router.add("POST", "/api/v1/incidents/{id}/transition", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kCaseActors);
    if (a.refusal) return *a.refusal;
    if (auto hidden = hidden_incident(s, *a.principal, req.path_params["id"])) return *hidden;
    auto w = write_context(s, req);
    if (!w) return json_error(400, w.error().message);
    auto body = object_body(req);
    if (!body) return json_error(400, body.error().message);
    auto to_text = string_field(*body, "to");
    auto note = string_field(*body, "note");
    if (!to_text || !note) return json_error(400, !to_text ? to_text.error().message : note.error().message);
    auto to = parse_incident_state(*to_text);
    if (!to) return json_error(400, fmt::format("to: '{}' is not a lifecycle state", *to_text));
    auto inc = s.incidents().transition(req.path_params["id"], *to, w->caller.actor, *note, w->now);
    if (!inc) return from_error(inc.error());
    return json_ok(incident_json(s, *inc));
  });
  router.add("POST", "/api/v1/incidents/{id}/assign", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kCaseWriters);
    if (a.refusal) return *a.refusal;
    if (auto hidden = hidden_incident(s, *a.principal, req.path_params["id"])) return *hidden;
    auto w = write_context(s, req);
    if (!w) return json_error(400, w.error().message);
    auto body = object_body(req);
    if (!body) return json_error(400, body.error().message);
    auto kind_text = string_field(*body, "kind", "organisation");
    auto assignee = string_field(*body, "assignee");
    if (!kind_text || !assignee) return json_error(400, !kind_text ? kind_text.error().message : assignee.error().message);
    auto kind = parse_assignee_kind(*kind_text);
    if (!kind) return json_error(400, fmt::format("kind: '{}' is not organisation, sector-cert or response-member", *kind_text));
    if (assignee->empty()) return json_error(400, "assignee: name the organisation, sector CERT or response member");
    auto inc = s.incidents().assign(req.path_params["id"], *kind, *assignee, w->caller.actor, w->now);
    if (!inc) return from_error(inc.error());
    return json_ok(incident_json(s, *inc));
  });
  router.add("POST", "/api/v1/incidents/{id}/comments", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kCaseActors);
    if (a.refusal) return *a.refusal;
    if (auto hidden = hidden_incident(s, *a.principal, req.path_params["id"])) return *hidden;
    auto w = write_context(s, req);
    if (!w) return json_error(400, w.error().message);
    auto body = object_body(req);
    if (!body) return json_error(400, body.error().message);
    auto text = string_field(*body, "text");
    if (!text) return json_error(400, text.error().message);
    if (auto st = s.incidents().comment(req.path_params["id"], w->caller.actor, *text, w->now); !st)
      return from_error(st.error());
    return json_ok({{"timeline", timeline_json(s.incidents().timeline(req.path_params["id"]))}}, 201);
  });
  router.add("POST", "/api/v1/incidents/{id}/evidence", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kCaseActors);
    if (a.refusal) return *a.refusal;
    if (auto hidden = hidden_incident(s, *a.principal, req.path_params["id"])) return *hidden;
    auto w = write_context(s, req);
    if (!w) return json_error(400, w.error().message);
    auto upload = upload_of(req);
    if (!upload) return json_error(400, upload.error().message);
    s.check_file_name(req, *a.principal, upload->first);
    auto ref = s.incidents().attach(req.path_params["id"], w->caller.actor, upload->first, upload->second, w->now);
    if (!ref) return from_error(ref.error());
    return json_ok({{"sha256", ref->sha256}, {"name", ref->name}, {"media_type", ref->media_type}, {"size", ref->size}},
                   201);
  });
  router.add("GET", "/api/v1/incidents/{id}/evidence/{sha256}", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    if (auto hidden = hidden_incident(s, *a.principal, req.path_params["id"])) return *hidden;
    const std::string& sha = req.path_params["sha256"];
    std::optional<EvidenceRef> found;
    for (const auto& e : s.incidents().timeline(req.path_params["id"]))
      if (e.attachment && e.attachment->sha256 == sha) found = e.attachment;
    if (!found) return json_error(404, fmt::format("incident {} has no attachment {}", req.path_params["id"], sha));
    auto bytes = s.evidence().read(sha);
    if (!bytes) return from_error(bytes.error());
    HttpResponse r;
    r.content_type = found->media_type;
    r.body = std::move(*bytes);
    r.headers.emplace_back("Content-Disposition", fmt::format("attachment; filename=\"{}\"", found->name));
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return r;
  });
  router.add("POST", "/api/v1/incidents/{id}/links", [&s](HttpRequest& req) {
    auto a = s.admit(req, access::kCaseWriters);
    if (a.refusal) return *a.refusal;
    if (auto hidden = hidden_incident(s, *a.principal, req.path_params["id"])) return *hidden;
    auto w = write_context(s, req);
    if (!w) return json_error(400, w.error().message);
    auto body = object_body(req);
    if (!body) return json_error(400, body.error().message);
    auto kind = string_field(*body, "kind");
    auto ref = string_field(*body, "ref");
    if (!kind || !ref) return json_error(400, !kind ? kind.error().message : ref.error().message);
    if (auto st = s.incidents().link(req.path_params["id"], *kind, *ref, w->caller.actor, w->now); !st) {
      if (st.error().message.find("unknown alert") != std::string::npos ||
          st.error().message.find("unknown warning") != std::string::npos)
        return json_error(422, st.error().message);
      return from_error(st.error());
    }
    auto inc = s.incidents().get(req.path_params["id"]);
    return json_ok(inc ? incident_json(s, *inc) : json(nullptr));
  });
}

}  // namespace khien
