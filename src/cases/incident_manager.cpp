// Incident manager over the cases database.
#include "cases/incident_manager.h"

#include <fmt/format.h>

#include <algorithm>

#include "cases/incident_taxonomy.h"
#include "cases/information_system.h"
#include "store/sql_statement.h"
#include "store/registry_data.h"

namespace khien {

namespace {

std::string year_of(TimeNs t) {
  return format_civil_date(t).substr(0, 4);
}

std::string allowed_from(IncidentState from) {
  std::string out;
  for (const auto& [f, t] : incident_transitions()) {
    if (f != from) continue;
    if (!out.empty()) out += ", ";
    out += to_string(t);
  }
  return out.empty() ? "none" : out;
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

IncidentManager::IncidentManager(CaseDb& db, AuditLog& audit, const ResponseNetwork& network, EvidenceStore& evidence,
                                 SlaPolicy policy, ReferenceChecker references)
    : db_(db),
      audit_(audit),
      network_(network),
      evidence_(evidence),
      policy_(policy),
      references_(std::move(references)) {}

Result<Incident> IncidentManager::load(const std::string& id) {
  SqlStatement st(db_.handle(), "SELECT doc FROM incidents WHERE id = ?");
  st.bind(1, id);
  if (st.step() != SQLITE_ROW) return fail(fmt::format("unknown incident '{}'", id));
  return incident_from_json(st.text(0));
}

Status IncidentManager::save(const Incident& before, const Incident& after, const std::string& actor,
                             const std::string& action, TimeNs now) {
  std::string doc = incident_to_json(after);
  bool fresh = before.id.empty();
  SqlStatement st(db_.handle(), fresh ? "INSERT INTO incidents (state, severity, primary_org, doc, created, seq, id) "
                                        "VALUES (?, ?, ?, ?, ?, (SELECT COUNT(*) + 1 FROM incidents), ?)"
                                      : "UPDATE incidents SET state = ?, severity = ?, primary_org = ?, doc = ?, "
                                        "created = ? WHERE id = ?");
  st.bind(1, std::string(to_string(after.state))).bind(2, std::string(to_string(after.severity)));
  st.bind(3, after.affected_orgs.empty() ? std::string() : after.affected_orgs.front()).bind(4, doc);
  st.bind(5, after.created).bind(6, after.id);
  if (!st.run()) return fail(fmt::format("incident '{}': {}", after.id, db_.last_error()));
  auto e = audit_.append(now, actor, action, "incident", after.id, fresh ? "null" : incident_to_json(before), doc);
  if (!e) return tl::unexpected(e.error());
  return {};
}

Status IncidentManager::add_timeline(const std::string& id, TimelineEntry entry) {
  SqlStatement last(db_.handle(), "SELECT MAX(n) FROM incident_timeline WHERE incident_id = ?");
  last.bind(1, id);
  entry.n = last.step() == SQLITE_ROW ? last.integer(0) + 1 : 1;
  SqlStatement ins(db_.handle(), "INSERT INTO incident_timeline (incident_id, n, at, doc) VALUES (?, ?, ?, ?)");
  ins.bind(1, id).bind(2, entry.n).bind(3, entry.time).bind(4, timeline_entry_to_json(entry));
  if (!ins.run()) return fail(fmt::format("incident '{}': timeline: {}", id, db_.last_error()));
  return {};
}

Result<Incident> IncidentManager::open(const NewIncident& in, const std::string& actor, TimeNs now) {
  if (in.title.empty()) return fail("incident: title must not be empty");
  if (!find_incident_category(in.category))
    return fail(fmt::format("incident: unknown category '{}' (see the national taxonomy)", in.category));
  if (in.source != IncidentSource::manual) {
    if (in.source_ref.empty())
      return fail(
          fmt::format("incident: a {} incident must name its {} id", to_string(in.source), to_string(in.source)));
    if (references_ && !references_(in.source, in.source_ref))
      return fail(fmt::format("incident: unknown {} '{}'", to_string(in.source), in.source_ref));
  }
  for (const auto& org : in.affected_orgs)
    if (!network_.registry().find_organisation(org))
      return fail(fmt::format("incident: unknown organisation '{}'", org));
  CaseDb::Transaction tx(db_);
  if (!tx.ok()) return fail(tx.error());
  for (const auto& sys : in.affected_systems) {
    SqlStatement st(db_.handle(), "SELECT owner FROM info_systems WHERE id = ?");
    st.bind(1, sys);
    if (st.step() != SQLITE_ROW) return fail(fmt::format("incident: unknown information system '{}'", sys));
  }
  auto seq = db_.next_counter("incident");
  if (!seq) return tl::unexpected(seq.error());
  Incident inc;
  inc.id = fmt::format("INC-{}-{:06}", year_of(now), *seq);
  inc.title = in.title;
  inc.description = in.description;
  inc.severity = in.severity;
  inc.category = in.category;
  inc.source = in.source;
  inc.source_ref = in.source_ref;
  inc.affected_orgs = in.affected_orgs;
  inc.affected_systems = in.affected_systems;
  inc.links = in.links;
  if (in.source == IncidentSource::alert && !contains(inc.links.alerts, in.source_ref))
    inc.links.alerts.push_back(in.source_ref);
  if (in.source == IncidentSource::warning && !contains(inc.links.warnings, in.source_ref))
    inc.links.warnings.push_back(in.source_ref);
  inc.created_by = actor;
  inc.created = inc.updated = now;
  const auto& t = policy_.targets(in.severity);
  inc.sla.first_response_due = now + t.first_response_ns;
  inc.sla.containment_due = now + t.containment_ns;
  inc.sla.resolution_due = now + t.resolution_ns;
  if (auto st = save(Incident{}, inc, actor, "incident.open", now); !st) return tl::unexpected(st.error());
  std::string what = in.source == IncidentSource::manual
                         ? "opened by hand"
                         : fmt::format("opened from {} {}", to_string(in.source), in.source_ref);
  if (auto st = add_timeline(inc.id, {0, now, actor, "created", what, std::nullopt}); !st)
    return tl::unexpected(st.error());
  if (auto st = tx.commit(); !st) return tl::unexpected(st.error());
  return inc;
}

Result<Incident> IncidentManager::transition(const std::string& id, IncidentState to, const std::string& actor,
                                             const std::string& note, TimeNs now) {
  CaseDb::Transaction tx(db_);
  if (!tx.ok()) return fail(tx.error());
  auto cur = load(id);
  if (!cur) return cur;
  if (!transition_allowed(cur->state, to))
    return fail(fmt::format("incident {}: cannot go from {} to {} (allowed from {}: {})", id, to_string(cur->state),
                            to_string(to), to_string(cur->state), allowed_from(cur->state)));
  if (to == IncidentState::assigned)
    return fail(
        fmt::format("incident {}: assign it to an organisation, sector CERT or response member to move it to "
                    "assigned",
                    id));
  Incident next = *cur;
  next.state = to;
  next.updated = now;
  switch (to) {
    case IncidentState::triaged:
      if (!next.sla.first_response_at) next.sla.first_response_at = now;
      break;
    case IncidentState::contained:
      next.sla.contained_at = now;
      break;
    case IncidentState::resolved:
      next.sla.resolved_at = now;
      if (!next.sla.contained_at) next.sla.contained_at = now;
      break;
    case IncidentState::closed:
      next.closed_at = now;
      break;
    case IncidentState::reopened: {
      // The work starts again: containment and resolution are owed anew from now.
      const auto& t = policy_.targets(next.severity);
      next.closed_at = 0;
      next.sla.contained_at = next.sla.resolved_at = 0;
      next.sla.containment_due = now + t.containment_ns;
      next.sla.resolution_due = now + t.resolution_ns;
      std::erase_if(next.sla.breached, [](const std::string& m) { return m != "first-response"; });
      break;
    }
    default:
      break;
  }
  if (auto st = save(*cur, next, actor, "incident.transition", now); !st) return tl::unexpected(st.error());
  std::string text = fmt::format("{} → {}", to_string(cur->state), to_string(to));
  if (!note.empty()) text += ": " + note;
  if (auto st = add_timeline(id, {0, now, actor, "transition", text, std::nullopt}); !st)
    return tl::unexpected(st.error());
  if (auto st = tx.commit(); !st) return tl::unexpected(st.error());
  return next;
}

Result<Incident> IncidentManager::assign(const std::string& id, AssigneeKind kind, const std::string& assignee,
                                         const std::string& actor, TimeNs now) {
  const auto& reg = network_.registry();
  switch (kind) {
    case AssigneeKind::none:
      return fail("incident: choose an organisation, a sector CERT or a response-network member to assign");
    case AssigneeKind::organisation:
      if (!reg.find_organisation(assignee)) return fail(fmt::format("incident: unknown organisation '{}'", assignee));
      break;
    case AssigneeKind::sector_cert:
      if (!network_.is_sector_cert(assignee)) return fail(fmt::format("incident: '{}' is not a sector CERT", assignee));
      break;
    case AssigneeKind::response_member:
      if (!network_.is_member(assignee))
        return fail(fmt::format("incident: '{}' is not a member of the response network", assignee));
      break;
  }
  CaseDb::Transaction tx(db_);
  if (!tx.ok()) return fail(tx.error());
  auto cur = load(id);
  if (!cur) return cur;
  Incident next = *cur;
  bool reassign = cur->state == IncidentState::assigned || cur->state == IncidentState::contained;
  if (!reassign && !transition_allowed(cur->state, IncidentState::assigned))
    return fail(fmt::format("incident {}: cannot assign while {} (triage it first)", id, to_string(cur->state)));
  if (!reassign) next.state = IncidentState::assigned;
  next.assignee_kind = kind;
  next.assignee = assignee;
  next.updated = now;
  if (auto st = save(*cur, next, actor, reassign ? "incident.reassign" : "incident.assign", now); !st)
    return tl::unexpected(st.error());
  std::string text = fmt::format("{} to {} {}", reassign ? "reassigned" : "assigned", to_string(kind), assignee);
  if (auto st = add_timeline(id, {0, now, actor, "assignment", text, std::nullopt}); !st)
    return tl::unexpected(st.error());
  if (auto st = tx.commit(); !st) return tl::unexpected(st.error());
  return next;
}

Status IncidentManager::comment(const std::string& id, const std::string& actor, const std::string& text, TimeNs now) {
  if (text.empty()) return fail("incident: a comment must not be empty");
  CaseDb::Transaction tx(db_);
  if (!tx.ok()) return fail(tx.error());
  auto cur = load(id);
  if (!cur) return tl::unexpected(cur.error());
  if (auto st = add_timeline(id, {0, now, actor, "comment", text, std::nullopt}); !st) return st;
  auto e = audit_.append(now, actor, "incident.comment", "incident", id, "null",
                         timeline_entry_to_json({0, now, actor, "comment", text, std::nullopt}));
  if (!e) return tl::unexpected(e.error());
  return tx.commit();
}

Result<EvidenceRef> IncidentManager::attach(const std::string& id, const std::string& actor,
                                            const std::string& file_name, std::string_view bytes, TimeNs now) {
  CaseDb::Transaction tx(db_);
  if (!tx.ok()) return fail(tx.error());
  auto cur = load(id);
  if (!cur) return tl::unexpected(cur.error());
  // The file is stored before the row; an orphan file (if the commit fails) is harmless because the
  // store is content-addressed and a retry finds it already there.
  auto ref = evidence_.put(file_name, bytes);
  if (!ref) return fail(fmt::format("incident {}: {}", id, ref.error().message));
  TimelineEntry entry{0, now, actor, "attachment", ref->name, *ref};
  if (auto st = add_timeline(id, entry); !st) return tl::unexpected(st.error());
  auto e = audit_.append(now, actor, "incident.attach", "incident", id, "null", timeline_entry_to_json(entry));
  if (!e) return tl::unexpected(e.error());
  if (auto st = tx.commit(); !st) return tl::unexpected(st.error());
  return ref;
}

Status IncidentManager::link(const std::string& id, const std::string& kind, const std::string& ref,
                             const std::string& actor, TimeNs now) {
  if (ref.empty()) return fail("incident: the linked reference must not be empty");
  CaseDb::Transaction tx(db_);
  if (!tx.ok()) return fail(tx.error());
  auto cur = load(id);
  if (!cur) return tl::unexpected(cur.error());
  Incident next = *cur;
  std::vector<std::string>* list = kind == "alert"       ? &next.links.alerts
                                   : kind == "indicator" ? &next.links.indicators
                                   : kind == "warning"   ? &next.links.warnings
                                   : kind == "cve"       ? &next.links.cves
                                                         : nullptr;
  if (!list) return fail(fmt::format("incident: unknown link kind '{}' (alert, indicator, warning, cve)", kind));
  if (kind == "cve" && ref.rfind("CVE-", 0) != 0) return fail(fmt::format("incident: '{}' is not a CVE id", ref));
  if (references_ && (kind == "alert" || kind == "warning") &&
      !references_(kind == "alert" ? IncidentSource::alert : IncidentSource::warning, ref))
    return fail(fmt::format("incident: unknown {} '{}'", kind, ref));
  if (contains(*list, ref)) return tx.commit();
  list->push_back(ref);
  next.updated = now;
  if (auto st = save(*cur, next, actor, "incident.link", now); !st) return st;
  if (auto st = add_timeline(id, {0, now, actor, "link", kind + " " + ref, std::nullopt}); !st) return st;
  return tx.commit();
}

Result<std::vector<SlaBreach>> IncidentManager::check_sla(TimeNs now, const std::string& actor) {
  std::vector<SlaBreach> out;
  for (const auto& inc : list()) {
    if (inc.state == IncidentState::resolved || inc.state == IncidentState::closed) continue;
    struct Due {
      SlaMilestone m;
      TimeNs due, met;
    };
    Due dues[] = {{SlaMilestone::first_response, inc.sla.first_response_due, inc.sla.first_response_at},
                  {SlaMilestone::containment, inc.sla.containment_due, inc.sla.contained_at},
                  {SlaMilestone::resolution, inc.sla.resolution_due, inc.sla.resolved_at}};
    std::vector<Due> late;
    for (const auto& d : dues) {
      if (d.met == 0 && d.due > 0 && d.due < now && !contains(inc.sla.breached, std::string(to_string(d.m))))
        late.push_back(d);
    }
    if (late.empty()) continue;
    CaseDb::Transaction tx(db_);
    if (!tx.ok()) return fail(tx.error());
    auto cur = load(inc.id);
    if (!cur) return tl::unexpected(cur.error());
    Incident next = *cur;
    for (const auto& d : late) {
      next.sla.breached.emplace_back(to_string(d.m));
      // One level per breach: the sector CERT first, then the national centre.
      std::optional<std::string> target;
      int level = next.escalation_level;
      if (level < 1 && !next.affected_orgs.empty()) {
        target = network_.sector_cert_for(next.affected_orgs.front());
        if (target) level = 1;
      }
      if (!target && level < 2) {
        target = network_.national_centre();
        if (target) level = 2;
      }
      SlaBreach b{inc.id, d.m, d.due, level, target.value_or("")};
      std::string text = fmt::format("SLA breach: {} was due {}", to_string(d.m), format_rfc3339(d.due, 0));
      if (target) {
        next.escalation_level = level;
        next.escalated_to = *target;
        text += fmt::format("; escalated to {}", *target);
      } else {
        text += "; already escalated to the national centre";
      }
      if (auto st = add_timeline(inc.id, {0, now, actor, "escalation", text, std::nullopt}); !st)
        return tl::unexpected(st.error());
      out.push_back(std::move(b));
    }
    next.updated = now;
    if (auto st = save(*cur, next, actor, "incident.escalate", now); !st) return tl::unexpected(st.error());
    if (auto st = tx.commit(); !st) return tl::unexpected(st.error());
  }
  return out;
}

std::optional<Incident> IncidentManager::get(const std::string& id) {
  std::lock_guard lock(db_.mutex());
  auto r = load(id);
  if (!r) return std::nullopt;
  return *r;
}

std::vector<Incident> IncidentManager::list(std::optional<IncidentState> state) {
  std::lock_guard lock(db_.mutex());
  SqlStatement st(db_.handle(), state ? "SELECT doc FROM incidents WHERE state = ? ORDER BY created DESC, id DESC"
                                      : "SELECT doc FROM incidents ORDER BY created DESC, id DESC");
  if (state) st.bind(1, std::string(to_string(*state)));
  std::vector<Incident> out;
  while (st.step() == SQLITE_ROW)
    if (auto i = incident_from_json(st.text(0))) out.push_back(std::move(*i));
  return out;
}

std::vector<TimelineEntry> IncidentManager::timeline(const std::string& id) {
  std::lock_guard lock(db_.mutex());
  SqlStatement st(db_.handle(), "SELECT doc FROM incident_timeline WHERE incident_id = ? ORDER BY n");
  st.bind(1, id);
  std::vector<TimelineEntry> out;
  while (st.step() == SQLITE_ROW)
    if (auto e = timeline_entry_from_json(st.text(0))) out.push_back(std::move(*e));
  return out;
}

SlaRecord IncidentManager::sla_record(const std::string& org, TimeNs now) {
  std::lock_guard lock(db_.mutex());
  SqlStatement st(db_.handle(), "SELECT doc FROM incidents WHERE primary_org = ? ORDER BY id");
  st.bind(1, org);
  SlaRecord rec;
  while (st.step() == SQLITE_ROW) {
    auto inc = incident_from_json(st.text(0));
    if (!inc) continue;
    struct Due {
      SlaMilestone m;
      TimeNs due, met;
    };
    Due dues[] = {{SlaMilestone::first_response, inc->sla.first_response_due, inc->sla.first_response_at},
                  {SlaMilestone::containment, inc->sla.containment_due, inc->sla.contained_at},
                  {SlaMilestone::resolution, inc->sla.resolution_due, inc->sla.resolved_at}};
    for (const auto& d : dues) {
      bool late = d.met ? d.met > d.due : d.due < now;
      if (!d.met && !late) continue;  // still running: not judged yet
      ++rec.milestones_due;
      if (late)
        rec.late.push_back(fmt::format("{}:{}", inc->id, to_string(d.m)));
      else
        ++rec.met_on_time;
    }
  }
  return rec;
}

}  // namespace khien
