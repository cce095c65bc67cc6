// Incidents: opening from alerts, warnings, public reports or by hand; checked transitions; timeline; SLA escalation.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cases/audit_log.h"
#include "cases/case_db.h"
#include "cases/evidence_store.h"
#include "cases/incident.h"
#include "cases/response_network.h"

namespace khien {

/// What the caller supplies to open an incident.
struct NewIncident {
  std::string title;
  std::string description;
  IncidentSeverity severity = IncidentSeverity::medium;
  std::string category;
  IncidentSource source = IncidentSource::manual;
  std::string source_ref;
  std::vector<std::string> affected_orgs;
  std::vector<std::string> affected_systems;
  IncidentLinks links;
};

/// A milestone found late by check_sla and where the incident went.
struct SlaBreach {
  std::string incident_id;
  SlaMilestone milestone = SlaMilestone::first_response;
  TimeNs due = 0;
  int escalation_level = 0;
  std::string escalated_to;  ///< empty when already at the national centre
};

/// SLA adherence of one organisation: milestones that came due and how many were met in time.
struct SlaRecord {
  int milestones_due = 0;
  int met_on_time = 0;
  std::vector<std::string> late;  ///< "<incident id>:<milestone>"
};

/// Answers whether a referenced alert, warning or public report exists (they live in other layers).
using ReferenceChecker = std::function<bool(IncidentSource, const std::string&)>;

/// Threading: as CaseDb. Every mutating call takes the time `now` so callers (and tests) own the clock;
/// each is one transaction holding the change, its timeline line and its audit entry.
class IncidentManager {
 public:
  IncidentManager(CaseDb& db, AuditLog& audit, const ResponseNetwork& network, EvidenceStore& evidence,
                  SlaPolicy policy = {}, ReferenceChecker references = {});

  Result<Incident> open(const NewIncident& in, const std::string& actor, TimeNs now);
  /// Moves to `to` if the lifecycle table allows it; `assigned` is reached through assign().
  Result<Incident> transition(const std::string& id, IncidentState to, const std::string& actor,
                              const std::string& note, TimeNs now);
  /// Assigns (triaged or reopened-then-triaged → assigned) or reassigns (assigned, contained).
  Result<Incident> assign(const std::string& id, AssigneeKind kind, const std::string& assignee,
                          const std::string& actor, TimeNs now);
  Status comment(const std::string& id, const std::string& actor, const std::string& text, TimeNs now);
  /// Stores the file in the evidence store and records it on the timeline.
  Result<EvidenceRef> attach(const std::string& id, const std::string& actor, const std::string& file_name,
                             std::string_view bytes, TimeNs now);
  /// kind: alert, indicator, warning or cve.
  Status link(const std::string& id, const std::string& kind, const std::string& ref, const std::string& actor,
              TimeNs now);

  /// Finds milestones past due and not met, escalates each incident one level per new breach (sector
  /// CERT, then national centre) and records it on the timeline and in the audit log.
  Result<std::vector<SlaBreach>> check_sla(TimeNs now, const std::string& actor = "khien-sla");

  std::optional<Incident> get(const std::string& id);
  /// All incidents, newest first; optionally only those in one state.
  std::vector<Incident> list(std::optional<IncidentState> state = std::nullopt);
  std::vector<TimelineEntry> timeline(const std::string& id);
  /// Milestones of incidents whose first affected organisation is `org`, judged at `now`.
  SlaRecord sla_record(const std::string& org, TimeNs now);

 private:
  Result<Incident> load(const std::string& id);
  Status save(const Incident& before, const Incident& after, const std::string& actor, const std::string& action,
              TimeNs now);
  Status add_timeline(const std::string& id, TimelineEntry entry);

  CaseDb& db_;
  AuditLog& audit_;
  const ResponseNetwork& network_;
  EvidenceStore& evidence_;
  SlaPolicy policy_;
  ReferenceChecker references_;
};

}  // namespace khien
