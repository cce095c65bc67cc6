// The incident model: lifecycle states and the table of allowed transitions, severities, SLA policy, timeline.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cases/evidence_store.h"
#include "core/error.h"
#include "core/time.h"

namespace khien {

/// new → triaged → assigned → contained → resolved → closed; closed or resolved → reopened → triaged.
enum class IncidentState { new_, triaged, assigned, contained, resolved, closed, reopened };

enum class IncidentSeverity { low, medium, high, critical };

/// Where an incident came from.
enum class IncidentSource { alert, warning, public_report, manual };

/// Who handles an incident.
enum class AssigneeKind { none, organisation, sector_cert, response_member };

/// The SLA milestones, each with its own deadline.
enum class SlaMilestone { first_response, containment, resolution };

/// Every allowed (from, to) pair; anything else is refused.
const std::vector<std::pair<IncidentState, IncidentState>>& incident_transitions();
bool transition_allowed(IncidentState from, IncidentState to);

std::string_view to_string(IncidentState s);
std::string_view to_string(IncidentSeverity s);
std::string_view to_string(IncidentSource s);
std::string_view to_string(AssigneeKind k);
std::string_view to_string(SlaMilestone m);
std::optional<IncidentState> parse_incident_state(std::string_view text);
std::optional<IncidentSeverity> parse_incident_severity(std::string_view text);
std::optional<IncidentSource> parse_incident_source(std::string_view text);
std::optional<AssigneeKind> parse_assignee_kind(std::string_view text);

/// Deadlines, as durations from the incident's opening (or reopening), per severity.
struct SlaTargets {
  std::int64_t first_response_ns = 0;
  std::int64_t containment_ns = 0;
  std::int64_t resolution_ns = 0;
};

/// The configurable SLA table, indexed by severity (low..critical).
struct SlaPolicy {
  std::array<SlaTargets, 4> by_severity = default_targets();
  const SlaTargets& targets(IncidentSeverity s) const { return by_severity[static_cast<std::size_t>(s)]; }
  /// low 24h/7d/30d, medium 8h/72h/7d, high 4h/24h/72h, critical 1h/4h/24h.
  static std::array<SlaTargets, 4> default_targets();
};

/// Deadlines and when each milestone was met (0 = not yet).
struct SlaClock {
  TimeNs first_response_due = 0, containment_due = 0, resolution_due = 0;
  TimeNs first_response_at = 0, contained_at = 0, resolved_at = 0;
  std::vector<std::string> breached;  ///< milestones already found late (each escalates once)
};

/// Links to objects of other layers.
struct IncidentLinks {
  std::vector<std::string> alerts, indicators, warnings, cves;
};

struct Incident {
  std::string id;  ///< "INC-<year>-<6-digit sequence>"
  std::string title;
  std::string description;
  IncidentState state = IncidentState::new_;
  IncidentSeverity severity = IncidentSeverity::medium;
  std::string category;  ///< code from incident_taxonomy
  IncidentSource source = IncidentSource::manual;
  std::string source_ref;                  ///< alert id, warning id or public report id
  std::vector<std::string> affected_orgs;  ///< the first is the organisation responsible for the SLA
  std::vector<std::string> affected_systems;
  AssigneeKind assignee_kind = AssigneeKind::none;
  std::string assignee;
  IncidentLinks links;
  std::string created_by;
  TimeNs created = 0, updated = 0, closed_at = 0;
  SlaClock sla;
  int escalation_level = 0;  ///< 0 none, 1 sector CERT, 2 national centre
  std::string escalated_to;
};

/// One line of an incident's timeline.
struct TimelineEntry {
  std::int64_t n = 0;
  TimeNs time = 0;
  std::string actor;
  std::string kind;  ///< created, transition, assignment, comment, attachment, link, escalation
  std::string text;
  std::optional<EvidenceRef> attachment;
};

std::string incident_to_json(const Incident& i);
Result<Incident> incident_from_json(std::string_view json);
std::string timeline_entry_to_json(const TimelineEntry& e);
Result<TimelineEntry> timeline_entry_from_json(std::string_view json);

}  // namespace khien
