// Directive manager over the cases database.
#include "cases/directive_manager.h"

#include <fmt/format.h>

#include <algorithm>

#include "cases/information_system.h"
#include "store/sql_statement.h"
#include "store/registry_data.h"

namespace khien {

namespace {
bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

DirectiveManager::DirectiveManager(CaseDb& db, AuditLog& audit, const ResponseNetwork& network, SystemRegistry& systems,
                                   EvidenceStore& evidence, CveAffectedOrgs cve_orgs, DirectivePolicy policy)
    : db_(db),
      audit_(audit),
      network_(network),
      systems_(systems),
      evidence_(evidence),
      cve_orgs_(std::move(cve_orgs)),
      policy_(policy) {}

Result<std::vector<std::string>> DirectiveManager::select_targets(const TargetSelector& sel,
                                                                  const std::string& issuer) {
  const auto& reg = network_.registry();
  if (!sel.has_filter() && sel.orgs.empty())
    return fail("directive: choose targets by sector, province, organisation type, security level, CVE or by name");
  for (const auto& s : sel.sectors)
    if (!reg.find_sector(s)) return fail(fmt::format("directive: unknown sector '{}'", s));
  for (const auto& p : sel.provinces)
    if (!reg.find_province(p)) return fail(fmt::format("directive: unknown province '{}'", p));
  for (const auto& t : sel.org_types)
    if (!parse_organisation_type(t)) return fail(fmt::format("directive: unknown organisation type '{}'", t));
  if (sel.min_security_level < 0 || sel.min_security_level > 5)
    return fail(fmt::format("directive: security level {} is not from 1 to 5", sel.min_security_level));
  if (!sel.cves.empty() && !cve_orgs_)
    return fail("directive: selecting by CVE needs the vulnerability data, which is not connected");
  for (const auto& o : sel.orgs)
    if (!reg.find_organisation(o)) return fail(fmt::format("directive: unknown organisation '{}'", o));

  const Organisation* issuer_org = reg.find_organisation(issuer);
  std::string only_sector = issuer_org && issuer_org->type == OrganisationType::sector_cert ? issuer_org->sector : "";

  std::set<std::string> out;
  if (sel.has_filter()) {
    std::set<std::string> by_level, by_cve;
    if (sel.min_security_level > 0)
      for (const auto& s : systems_.list())
        if (s.security_level >= sel.min_security_level) by_level.insert(s.owner);
    for (const auto& cve : sel.cves)
      for (const auto& o : cve_orgs_(cve)) by_cve.insert(o);
    for (const auto& o : reg.organisations) {
      if (!sel.sectors.empty() && !has(sel.sectors, o.sector)) continue;
      if (!sel.provinces.empty() && !has(sel.provinces, o.province)) continue;
      if (!sel.org_types.empty() && !has(sel.org_types, std::string(to_string(o.type)))) continue;
      if (sel.min_security_level > 0 && !by_level.count(o.id)) continue;
      if (!sel.cves.empty() && !by_cve.count(o.id)) continue;
      if (!only_sector.empty() && o.sector != only_sector) continue;
      out.insert(o.id);
    }
  }
  for (const auto& o : sel.orgs) {
    if (!only_sector.empty() && reg.find_organisation(o)->sector != only_sector)
      return fail(
          fmt::format("directive: '{}' is outside the sector of {}, which may direct only its own sector", o, issuer));
    out.insert(o);
  }
  out.erase(issuer);
  return std::vector<std::string>(out.begin(), out.end());
}

Result<Directive> DirectiveManager::issue(const NewDirective& in, const std::string& actor, TimeNs now) {
  if (!network_.is_national_centre(in.issuer) && !network_.is_sector_cert(in.issuer))
    return fail(
        fmt::format("directive: '{}' may not issue directives (only the national centre and sector CERTs)", in.issuer));
  if (in.title.empty()) return fail("directive: title must not be empty");
  if (in.kind == DirectiveKind::directive && in.required_actions.empty())
    return fail("directive: list at least one required action");
  if (in.deadline <= now)
    return fail(fmt::format("directive: the deadline {} is not in the future (now {})", format_rfc3339(in.deadline, 0),
                            format_rfc3339(now, 0)));
  auto targets = select_targets(in.selector, in.issuer);
  if (!targets) return tl::unexpected(targets.error());
  if (targets->empty()) return fail("directive: the selection reaches no organisation");
  std::vector<EvidenceRef> attachments;
  for (const auto& [name, bytes] : in.attachments) {
    auto ref = evidence_.put(name, bytes);
    if (!ref) return fail("directive: " + ref.error().message);
    attachments.push_back(*ref);
  }
  CaseDb::Transaction tx(db_);
  if (!tx.ok()) return fail(tx.error());
  auto seq = db_.next_counter("directive");
  if (!seq) return tl::unexpected(seq.error());
  Directive d;
  d.id = fmt::format("{}-{}-{:04}", in.kind == DirectiveKind::warning ? "CB" : "CD",
                     format_civil_date(now).substr(0, 4), *seq);
  d.kind = in.kind;
  d.issuer = in.issuer;
  d.title = in.title;
  d.required_actions = in.required_actions;
  d.issued = now;
  d.deadline = in.deadline;
  d.tlp = in.tlp;
  d.attachments = std::move(attachments);
  d.selector = in.selector;
  d.targets = *targets;
  d.issued_by = actor;
  std::string doc = directive_to_json(d);
  SqlStatement ins(db_.handle(),
                   "INSERT INTO directives (id, seq, issuer, issued, deadline, doc) VALUES (?, ?, ?, ?, ?, ?)");
  ins.bind(1, d.id).bind(2, *seq).bind(3, d.issuer).bind(4, d.issued).bind(5, d.deadline).bind(6, doc);
  if (!ins.run()) return fail(fmt::format("directive: {}", db_.last_error()));
  for (const auto& org : d.targets) {
    DirectiveTarget t;
    t.directive_id = d.id;
    t.org = org;
    SqlStatement tin(db_.handle(), "INSERT INTO directive_targets (directive_id, org, doc) VALUES (?, ?, ?)");
    tin.bind(1, d.id).bind(2, org).bind(3, directive_target_to_json(t));
    if (!tin.run()) return fail(fmt::format("directive: target '{}': {}", org, db_.last_error()));
  }
  if (auto e = audit_.append(now, actor, "directive.issue", "directive", d.id, "null", doc); !e)
    return tl::unexpected(e.error());
  if (auto st = tx.commit(); !st) return tl::unexpected(st.error());
  return d;
}

Result<DirectiveTarget> DirectiveManager::load_target(const std::string& id, const std::string& org) {
  SqlStatement d(db_.handle(), "SELECT id FROM directives WHERE id = ?");
  d.bind(1, id);
  if (d.step() != SQLITE_ROW) return fail(fmt::format("unknown directive '{}'", id));
  SqlStatement st(db_.handle(), "SELECT doc FROM directive_targets WHERE directive_id = ? AND org = ?");
  st.bind(1, id).bind(2, org);
  if (st.step() != SQLITE_ROW) return fail(fmt::format("directive {}: '{}' is not one of its targets", id, org));
  return directive_target_from_json(st.text(0));
}

Status DirectiveManager::save_target(const DirectiveTarget& before, const DirectiveTarget& after,
                                     const std::string& actor, const std::string& action, TimeNs now) {
  std::string doc = directive_target_to_json(after);
  SqlStatement st(db_.handle(), "UPDATE directive_targets SET doc = ? WHERE directive_id = ? AND org = ?");
  st.bind(1, doc).bind(2, after.directive_id).bind(3, after.org);
  if (!st.run()) return fail(fmt::format("directive {}: {}", after.directive_id, db_.last_error()));
  auto e = audit_.append(now, actor, action, "directive", after.directive_id, directive_target_to_json(before), doc);
  if (!e) return tl::unexpected(e.error());
  return {};
}

Result<DirectiveTarget> DirectiveManager::acknowledge(const std::string& id, const std::string& org,
                                                      const std::string& actor, TimeNs now) {
  CaseDb::Transaction tx(db_);
  if (!tx.ok()) return fail(tx.error());
  auto cur = load_target(id, org);
  if (!cur) return cur;
  if (cur->acknowledged_at)
    return fail(fmt::format("directive {}: '{}' already acknowledged it at {}", id, org,
                            format_rfc3339(cur->acknowledged_at, 0)));
  DirectiveTarget next = *cur;
  next.acknowledged_at = now;
  next.acknowledged_by = actor;
  if (auto st = save_target(*cur, next, actor, "directive.acknowledge", now); !st) return tl::unexpected(st.error());
  if (auto st = tx.commit(); !st) return tl::unexpected(st.error());
  return next;
}

Result<DirectiveTarget> DirectiveManager::complete(const std::string& id, const std::string& org,
                                                   const std::string& actor, const std::string& text,
                                                   const std::vector<Upload>& evidence, TimeNs now) {
  if (text.empty()) return fail(fmt::format("directive {}: describe what was done", id));
  {
    std::lock_guard lock(db_.mutex());
    auto cur = load_target(id, org);
    if (!cur) return cur;
    if (!cur->acknowledged_at)
      return fail(fmt::format("directive {}: '{}' must acknowledge it before reporting completion", id, org));
    if (cur->completed_at) return fail(fmt::format("directive {}: '{}' already reported completion", id, org));
  }
  std::vector<EvidenceRef> refs;
  for (const auto& [name, bytes] : evidence) {
    auto ref = evidence_.put(name, bytes);
    if (!ref) return fail(fmt::format("directive {}: {}", id, ref.error().message));
    refs.push_back(*ref);
  }
  CaseDb::Transaction tx(db_);
  if (!tx.ok()) return fail(tx.error());
  auto cur = load_target(id, org);
  if (!cur) return cur;
  if (cur->completed_at) return fail(fmt::format("directive {}: '{}' already reported completion", id, org));
  DirectiveTarget next = *cur;
  next.completed_at = now;
  next.completed_by = actor;
  next.completion_text = text;
  next.evidence = std::move(refs);
  if (auto st = save_target(*cur, next, actor, "directive.complete", now); !st) return tl::unexpected(st.error());
  if (auto st = tx.commit(); !st) return tl::unexpected(st.error());
  return next;
}

Result<std::vector<DirectiveEscalation>> DirectiveManager::check_overdue(TimeNs now, const std::string& actor) {
  std::vector<DirectiveEscalation> out;
  for (const auto& d : list()) {
    if (d.deadline >= now) continue;
    TimeNs second_stage = d.deadline + (d.deadline - d.issued);
    for (const auto& t : targets(d.id)) {
      if (t.completed_at) continue;
      int want = now > second_stage ? 2 : 1;
      if (t.escalation_level >= want) continue;
      std::optional<std::string> to;
      int level = want;
      if (want == 1) {
        to = network_.sector_cert_for(t.org);
        if (!to || *to == d.issuer) {
          to = network_.national_centre();
          level = 2;
        }
      } else {
        to = network_.national_centre();
      }
      if (!to || level <= t.escalation_level) continue;
      CaseDb::Transaction tx(db_);
      if (!tx.ok()) return fail(tx.error());
      auto cur = load_target(d.id, t.org);
      if (!cur) return tl::unexpected(cur.error());
      DirectiveTarget next = *cur;
      next.escalation_level = level;
      next.escalated_to = *to;
      if (auto st = save_target(*cur, next, actor, "directive.escalate", now); !st) return tl::unexpected(st.error());
      if (auto st = tx.commit(); !st) return tl::unexpected(st.error());
      out.push_back({d.id, t.org, level, *to});
    }
  }
  return out;
}

std::optional<Directive> DirectiveManager::get(const std::string& id) {
  std::lock_guard lock(db_.mutex());
  SqlStatement st(db_.handle(), "SELECT doc FROM directives WHERE id = ?");
  st.bind(1, id);
  if (st.step() != SQLITE_ROW) return std::nullopt;
  auto d = directive_from_json(st.text(0));
  if (!d) return std::nullopt;
  return *d;
}

std::vector<Directive> DirectiveManager::list() {
  std::lock_guard lock(db_.mutex());
  SqlStatement st(db_.handle(), "SELECT doc FROM directives ORDER BY issued DESC, seq DESC");
  std::vector<Directive> out;
  while (st.step() == SQLITE_ROW)
    if (auto d = directive_from_json(st.text(0))) out.push_back(std::move(*d));
  return out;
}

std::vector<DirectiveTarget> DirectiveManager::targets(const std::string& id) {
  std::lock_guard lock(db_.mutex());
  SqlStatement st(db_.handle(), "SELECT doc FROM directive_targets WHERE directive_id = ? ORDER BY org");
  st.bind(1, id);
  std::vector<DirectiveTarget> out;
  while (st.step() == SQLITE_ROW)
    if (auto t = directive_target_from_json(st.text(0))) out.push_back(std::move(*t));
  return out;
}

Result<DirectiveStats> DirectiveManager::stats(const std::string& id, TimeNs now) {
  auto d = get(id);
  if (!d) return fail(fmt::format("unknown directive '{}'", id));
  DirectiveStats s;
  for (const auto& t : targets(id)) {
    ++s.targets;
    if (t.acknowledged_at) ++s.acknowledged;
    if (t.completed_at)
      ++s.completed;
    else if (d->deadline < now)
      s.overdue.push_back(t.org);
  }
  if (s.targets) {
    s.acknowledged_pct = 100.0 * static_cast<double>(s.acknowledged) / static_cast<double>(s.targets);
    s.completed_pct = 100.0 * static_cast<double>(s.completed) / static_cast<double>(s.targets);
  }
  return s;
}

DirectiveRecord DirectiveManager::record(const std::string& org, TimeNs now) {
  std::lock_guard lock(db_.mutex());
  DirectiveRecord r;
  SqlStatement st(db_.handle(),
                  "SELECT d.doc, t.doc FROM directive_targets t JOIN directives d ON d.id = t.directive_id "
                  "WHERE t.org = ? ORDER BY d.seq");
  st.bind(1, org);
  while (st.step() == SQLITE_ROW) {
    auto d = directive_from_json(st.text(0));
    auto t = directive_target_from_json(st.text(1));
    if (!d || !t) continue;
    TimeNs ack_due = std::min(d->issued + policy_.acknowledge_within_ns, d->deadline);
    bool ack_late = t->acknowledged_at ? t->acknowledged_at > ack_due : ack_due < now;
    if (t->acknowledged_at || ack_late) {
      ++r.acknowledgements_due;
      if (ack_late)
        r.late.push_back(d->id + ":acknowledgement");
      else
        ++r.acknowledged_on_time;
    }
    bool done_late = t->completed_at ? t->completed_at > d->deadline : d->deadline < now;
    if (t->completed_at || done_late) {
      ++r.completions_due;
      if (done_late)
        r.late.push_back(d->id + ":completion");
      else
        ++r.completed_on_time;
    }
  }
  return r;
}

}  // namespace khien
