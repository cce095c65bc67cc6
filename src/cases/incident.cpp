// Incident lifecycle table, names, SLA defaults and the JSON form of incidents and timeline entries.
#include "cases/incident.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace khien {

namespace {

template <typename E, std::size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

constexpr Names<IncidentState, 7> kStates{{{IncidentState::new_, "new"},
                                           {IncidentState::triaged, "triaged"},
                                           {IncidentState::assigned, "assigned"},
                                           {IncidentState::contained, "contained"},
                                           {IncidentState::resolved, "resolved"},
                                           {IncidentState::closed, "closed"},
                                           {IncidentState::reopened, "reopened"}}};
constexpr Names<IncidentSeverity, 4> kSeverities{{{IncidentSeverity::low, "low"},
                                                  {IncidentSeverity::medium, "medium"},
                                                  {IncidentSeverity::high, "high"},
                                                  {IncidentSeverity::critical, "critical"}}};
constexpr Names<IncidentSource, 4> kSources{{{IncidentSource::alert, "alert"},
                                             {IncidentSource::warning, "warning"},
                                             {IncidentSource::public_report, "public-report"},
                                             {IncidentSource::manual, "manual"}}};
constexpr Names<AssigneeKind, 4> kAssignees{{{AssigneeKind::none, "none"},
                                             {AssigneeKind::organisation, "organisation"},
                                             {AssigneeKind::sector_cert, "sector-cert"},
                                             {AssigneeKind::response_member, "response-member"}}};
constexpr Names<SlaMilestone, 3> kMilestones{{{SlaMilestone::first_response, "first-response"},
                                              {SlaMilestone::containment, "containment"},
                                              {SlaMilestone::resolution, "resolution"}}};

template <typename E, std::size_t N>
std::string_view name_of(const Names<E, N>& t, E v) {
  for (const auto& [e, n] : t)
    if (e == v) return n;
  return "?";
}
template <typename E, std::size_t N>
std::optional<E> value_of(const Names<E, N>& t, std::string_view text) {
  for (const auto& [e, n] : t)
    if (n == text) return e;
  return std::nullopt;
}

constexpr std::int64_t kHour = 3600LL * 1000000000LL;

}  // namespace

const std::vector<std::pair<IncidentState, IncidentState>>& incident_transitions() {
  using S = IncidentState;
  static const std::vector<std::pair<S, S>> kTable{
      {S::new_, S::triaged},
      {S::triaged, S::assigned},
      // A triaged report that turns out to be a false positive or a duplicate is closed directly.
      {S::triaged, S::closed},
      {S::assigned, S::contained},
      // Some incidents (a defaced page restored) have nothing to contain separately.
      {S::assigned, S::resolved},
      {S::contained, S::resolved},
      {S::resolved, S::closed},
      {S::resolved, S::reopened},
      {S::closed, S::reopened},
      {S::reopened, S::triaged},
  };
  return kTable;
}

bool transition_allowed(IncidentState from, IncidentState to) {
  for (const auto& [f, t] : incident_transitions())
    if (f == from && t == to) return true;
  return false;
}

std::string_view to_string(IncidentState s) {
  return name_of(kStates, s);
}
std::string_view to_string(IncidentSeverity s) {
  return name_of(kSeverities, s);
}
std::string_view to_string(IncidentSource s) {
  return name_of(kSources, s);
}
std::string_view to_string(AssigneeKind k) {
  return name_of(kAssignees, k);
}
std::string_view to_string(SlaMilestone m) {
  return name_of(kMilestones, m);
}
std::optional<IncidentState> parse_incident_state(std::string_view t) {
  return value_of(kStates, t);
}
std::optional<IncidentSeverity> parse_incident_severity(std::string_view t) {
  return value_of(kSeverities, t);
}
std::optional<IncidentSource> parse_incident_source(std::string_view t) {
  return value_of(kSources, t);
}
std::optional<AssigneeKind> parse_assignee_kind(std::string_view t) {
  return value_of(kAssignees, t);
}

std::array<SlaTargets, 4> SlaPolicy::default_targets() {
  return {{{24 * kHour, 7 * 24 * kHour, 30 * 24 * kHour},
           {8 * kHour, 72 * kHour, 7 * 24 * kHour},
           {4 * kHour, 24 * kHour, 72 * kHour},
           {1 * kHour, 4 * kHour, 24 * kHour}}};
}

namespace {
nlohmann::json evidence_json(const EvidenceRef& r) {
  return {{"sha256", r.sha256}, {"name", r.name}, {"media_type", r.media_type}, {"size", r.size}};
}
EvidenceRef evidence_from(const nlohmann::json& j) {
  return {j.value("sha256", ""), j.value("name", ""), j.value("media_type", ""), j.value("size", std::uint64_t{0})};
}
std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

std::string incident_to_json(const Incident& i) {
  nlohmann::json j;
  j["id"] = i.id;
  j["title"] = i.title;
  j["description"] = i.description;
  j["state"] = to_string(i.state);
  j["severity"] = to_string(i.severity);
  j["category"] = i.category;
  j["source"] = to_string(i.source);
  j["source_ref"] = i.source_ref;
  j["affected_orgs"] = i.affected_orgs;
  j["affected_systems"] = i.affected_systems;
  j["assignee_kind"] = to_string(i.assignee_kind);
  j["assignee"] = i.assignee;
  j["links"] = {{"alerts", i.links.alerts},
                {"indicators", i.links.indicators},
                {"warnings", i.links.warnings},
                {"cves", i.links.cves}};
  j["created_by"] = i.created_by;
  j["created"] = i.created;
  j["updated"] = i.updated;
  j["closed_at"] = i.closed_at;
  j["sla"] = {{"first_response_due", i.sla.first_response_due},
              {"containment_due", i.sla.containment_due},
              {"resolution_due", i.sla.resolution_due},
              {"first_response_at", i.sla.first_response_at},
              {"contained_at", i.sla.contained_at},
              {"resolved_at", i.sla.resolved_at},
              {"breached", i.sla.breached}};
  j["escalation_level"] = i.escalation_level;
  j["escalated_to"] = i.escalated_to;
  return dump(j);
}

Result<Incident> incident_from_json(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return fail("incident: stored document is not a JSON object");
  Incident i;
  try {
    i.id = j.value("id", "");
    i.title = j.value("title", "");
    i.description = j.value("description", "");
    i.state = parse_incident_state(j.value("state", "new")).value_or(IncidentState::new_);
    i.severity = parse_incident_severity(j.value("severity", "medium")).value_or(IncidentSeverity::medium);
    i.category = j.value("category", "");
    i.source = parse_incident_source(j.value("source", "manual")).value_or(IncidentSource::manual);
    i.source_ref = j.value("source_ref", "");
    i.affected_orgs = j.value("affected_orgs", std::vector<std::string>{});
    i.affected_systems = j.value("affected_systems", std::vector<std::string>{});
    i.assignee_kind = parse_assignee_kind(j.value("assignee_kind", "none")).value_or(AssigneeKind::none);
    i.assignee = j.value("assignee", "");
    if (j.contains("links")) {
      const auto& l = j["links"];
      i.links.alerts = l.value("alerts", std::vector<std::string>{});
      i.links.indicators = l.value("indicators", std::vector<std::string>{});
      i.links.warnings = l.value("warnings", std::vector<std::string>{});
      i.links.cves = l.value("cves", std::vector<std::string>{});
    }
    i.created_by = j.value("created_by", "");
    i.created = j.value("created", TimeNs{0});
    i.updated = j.value("updated", TimeNs{0});
    i.closed_at = j.value("closed_at", TimeNs{0});
    if (j.contains("sla")) {
      const auto& s = j["sla"];
      i.sla.first_response_due = s.value("first_response_due", TimeNs{0});
      i.sla.containment_due = s.value("containment_due", TimeNs{0});
      i.sla.resolution_due = s.value("resolution_due", TimeNs{0});
      i.sla.first_response_at = s.value("first_response_at", TimeNs{0});
      i.sla.contained_at = s.value("contained_at", TimeNs{0});
      i.sla.resolved_at = s.value("resolved_at", TimeNs{0});
      i.sla.breached = s.value("breached", std::vector<std::string>{});
    }
    i.escalation_level = j.value("escalation_level", 0);
    i.escalated_to = j.value("escalated_to", "");
  } catch (const nlohmann::json::exception& e) {
    return fail(fmt::format("incident: {}", e.what()));
  }
  return i;
}

std::string timeline_entry_to_json(const TimelineEntry& e) {
  nlohmann::json j{{"n", e.n}, {"time", e.time}, {"actor", e.actor}, {"kind", e.kind}, {"text", e.text}};
  if (e.attachment) j["attachment"] = evidence_json(*e.attachment);
  return dump(j);
}

Result<TimelineEntry> timeline_entry_from_json(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return fail("timeline entry: stored document is not a JSON object");
  TimelineEntry e;
  try {
    e.n = j.value("n", std::int64_t{0});
    e.time = j.value("time", TimeNs{0});
    e.actor = j.value("actor", "");
    e.kind = j.value("kind", "");
    e.text = j.value("text", "");
    if (j.contains("attachment")) e.attachment = evidence_from(j["attachment"]);
  } catch (const nlohmann::json::exception& ex) {
    return fail(fmt::format("timeline entry: {}", ex.what()));
  }
  return e;
}

}  // namespace khien
