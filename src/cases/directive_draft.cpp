// DirectiveDrafts: table directive_drafts in the cases database; approval issues the directive.
#include "cases/directive_draft.h"

#include <sqlite3.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cases/information_system.h"
#include "store/sql_statement.h"

namespace khien {

namespace {

using json = nlohmann::json;

std::optional<DraftState> parse_state(std::string_view s) {
  if (s == "pending") return DraftState::pending;
  if (s == "approved") return DraftState::approved;
  if (s == "discarded") return DraftState::discarded;
  return std::nullopt;
}

DirectiveDraft read_draft(SqlStatement& s) {
  DirectiveDraft d;
  d.id = s.text(0);
  json doc = json::parse(s.text(1), nullptr, false);
  d.state = parse_state(s.text(2)).value_or(DraftState::pending);
  d.created = s.integer(3);
  d.decided = s.integer(4);
  d.decided_by = s.text(5);
  d.directive_id = s.text(6);
  if (doc.is_object()) {
    auto& p = d.proposal;
    p.source = doc.value("source", "");
    p.ref = doc.value("ref", "");
    p.title = doc.value("title", "");
    p.required_actions = doc.value("required_actions", std::vector<std::string>{});
    p.deadline_days = doc.value("deadline_days", std::int64_t{7});
    p.tlp = parse_directive_tlp(doc.value("tlp", "amber")).value_or(DirectiveTlp::amber);
    p.orgs = doc.value("orgs", std::vector<std::string>{});
    p.reason_json = doc.contains("reason") ? doc["reason"].dump() : "{}";
    p.warning_id = doc.value("warning_id", std::int64_t{0});
  }
  return d;
}

json proposal_json(const DraftProposal& p) {
  json reason = json::parse(p.reason_json, nullptr, false);
  return json{{"source", p.source},   {"ref", p.ref},           {"title", p.title},
              {"required_actions", p.required_actions},         {"deadline_days", p.deadline_days},
              {"tlp", std::string(to_string(p.tlp))},           {"orgs", p.orgs},
              {"reason", reason.is_discarded() ? json::object() : reason}, {"warning_id", p.warning_id}};
}

constexpr const char* kColumns = "id, doc, state, created, decided, decided_by, directive_id";

}  // namespace

std::string_view to_string(DraftState s) {
  switch (s) {
    case DraftState::pending: return "pending";
    case DraftState::approved: return "approved";
    case DraftState::discarded: return "discarded";
  }
  return "pending";
}

std::string draft_json(const DirectiveDraft& d) {
  json j = proposal_json(d.proposal);
  j["id"] = d.id;
  j["state"] = std::string(to_string(d.state));
  j["created"] = format_rfc3339(d.created, 0);
  j["decided"] = d.decided ? json(format_rfc3339(d.decided, 0)) : json(nullptr);
  j["decided_by"] = d.decided_by;
  j["directive_id"] = d.directive_id.empty() ? json(nullptr) : json(d.directive_id);
  return j.dump();
}

DirectiveDrafts::DirectiveDrafts(CaseDb& db, AuditLog& audit, DirectiveManager& directives)
    : db_(db), audit_(audit), directives_(directives) {}

Status DirectiveDrafts::migrate() {
  return db_.exec(R"sql(
    CREATE TABLE IF NOT EXISTS directive_drafts (id TEXT PRIMARY KEY, doc TEXT NOT NULL, state TEXT NOT NULL,
      created BIGINT NOT NULL, decided BIGINT NOT NULL, decided_by TEXT NOT NULL, directive_id TEXT NOT NULL,
      source TEXT NOT NULL, ref TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS directive_drafts_ref ON directive_drafts(source, ref, state);
  )sql");
}

Status DirectiveDrafts::save(const DirectiveDraft& d, bool insert) {
  SqlStatement s(db_.handle(), insert ? "INSERT INTO directive_drafts (doc, state, created, decided, decided_by, directive_id, "
                                        "source, ref, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                      : "UPDATE directive_drafts SET doc = ?, state = ?, created = ?, decided = ?, decided_by = ?, "
                                        "directive_id = ?, source = ?, ref = ? WHERE id = ?");
  s.bind(1, proposal_json(d.proposal).dump()).bind(2, std::string(to_string(d.state))).bind(3, std::int64_t{d.created})
      .bind(4, std::int64_t{d.decided}).bind(5, d.decided_by).bind(6, d.directive_id).bind(7, d.proposal.source)
      .bind(8, d.proposal.ref).bind(9, d.id);
  if (!s.run()) return fail("directive drafts: " + db_.last_error());
  return {};
}

Result<DirectiveDraft> DirectiveDrafts::propose(const DraftProposal& p, const std::string& actor, TimeNs now) {
  if (p.orgs.empty()) return fail("directive draft: no organisation to target");
  if (p.title.empty() || p.required_actions.empty()) return fail("directive draft: a title and at least one required action are needed");
  if (p.deadline_days < 1) return fail("directive draft: deadline_days must be at least 1");
  CaseDb::Transaction tx(db_);
  if (!tx.ok()) return fail(tx.error());
  std::optional<DirectiveDraft> existing;
  {
    SqlStatement s(db_.handle(), fmt::format("SELECT {} FROM directive_drafts WHERE source = ? AND ref = ? AND state = 'pending'", kColumns));
    s.bind(1, p.source).bind(2, p.ref);
    if (s.step() == SQLITE_ROW) existing = read_draft(s);
  }
  DirectiveDraft d;
  std::string before = "null";
  if (existing) {
    before = draft_json(*existing);
    d = *existing;
    d.proposal = p;
  } else {
    auto seq = db_.next_counter("directive_draft");
    if (!seq) return tl::unexpected(seq.error());
    d.id = fmt::format("DD-{}-{:04}", format_civil_date(now).substr(0, 4), *seq);
    d.proposal = p;
    d.created = now;
  }
  if (auto st = save(d, !existing); !st) return tl::unexpected(st.error());
  if (auto e = audit_.append(now, actor, existing ? "directive_draft.update" : "directive_draft.propose", "directive_draft", d.id,
                             before, draft_json(d));
      !e)
    return tl::unexpected(e.error());
  if (auto st = tx.commit(); !st) return tl::unexpected(st.error());
  return d;
}

Result<DirectiveDraft> DirectiveDrafts::approve(const std::string& id, const std::string& issuer, const std::string& actor, TimeNs now) {
  // The database mutex is recursive: holding it across the directive's own transaction and the
  // draft's keeps a second approval of the same draft from issuing a second directive.
  std::lock_guard hold(db_.mutex());
  auto d = get(id);
  if (!d) return fail(fmt::format("directive draft {} does not exist", id));
  if (d->state != DraftState::pending) return fail(fmt::format("directive draft {} is already {}", id, to_string(d->state)));
  std::string before = draft_json(*d);
  NewDirective in;
  in.kind = DirectiveKind::directive;
  in.issuer = issuer;
  in.title = d->proposal.title;
  in.required_actions = d->proposal.required_actions;
  in.deadline = now + d->proposal.deadline_days * 86400LL * 1000000000LL;
  in.tlp = d->proposal.tlp;
  in.selector.orgs = d->proposal.orgs;
  auto directive = directives_.issue(in, actor, now);
  if (!directive) return fail(fmt::format("directive draft {}: {}", id, directive.error().message));
  CaseDb::Transaction tx(db_);
  if (!tx.ok()) return fail(tx.error());
  d->state = DraftState::approved;
  d->decided = now;
  d->decided_by = actor;
  d->directive_id = directive->id;
  if (auto st = save(*d, false); !st) return tl::unexpected(st.error());
  if (auto e = audit_.append(now, actor, "directive_draft.approve", "directive_draft", id, before, draft_json(*d)); !e)
    return tl::unexpected(e.error());
  if (auto st = tx.commit(); !st) return tl::unexpected(st.error());
  return *d;
}

Result<DirectiveDraft> DirectiveDrafts::discard(const std::string& id, const std::string& actor, TimeNs now) {
  CaseDb::Transaction tx(db_);
  if (!tx.ok()) return fail(tx.error());
  auto d = get(id);
  if (!d) return fail(fmt::format("directive draft {} does not exist", id));
  if (d->state != DraftState::pending) return fail(fmt::format("directive draft {} is already {}", id, to_string(d->state)));
  std::string before = draft_json(*d);
  d->state = DraftState::discarded;
  d->decided = now;
  d->decided_by = actor;
  if (auto st = save(*d, false); !st) return tl::unexpected(st.error());
  if (auto e = audit_.append(now, actor, "directive_draft.discard", "directive_draft", id, before, draft_json(*d)); !e)
    return tl::unexpected(e.error());
  if (auto st = tx.commit(); !st) return tl::unexpected(st.error());
  return *d;
}

std::optional<DirectiveDraft> DirectiveDrafts::get(const std::string& id) {
  std::lock_guard lock(db_.mutex());
  SqlStatement s(db_.handle(), fmt::format("SELECT {} FROM directive_drafts WHERE id = ?", kColumns));
  s.bind(1, id);
  if (s.step() != SQLITE_ROW) return std::nullopt;
  return read_draft(s);
}

std::vector<DirectiveDraft> DirectiveDrafts::list(std::optional<DraftState> state, std::size_t limit) {
  std::lock_guard lock(db_.mutex());
  SqlStatement s(db_.handle(), fmt::format("SELECT {} FROM directive_drafts {} ORDER BY created DESC, id DESC LIMIT ?", kColumns,
                                           state ? "WHERE state = ?" : ""));
  int i = 1;
  if (state) s.bind(i++, std::string(to_string(*state)));
  s.bind(i, static_cast<std::int64_t>(limit));
  std::vector<DirectiveDraft> out;
  while (s.step() == SQLITE_ROW) out.push_back(read_draft(s));
  return out;
}

}  // namespace khien
