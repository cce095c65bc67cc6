// Directive drafts: directives khien proposes on its own (a wide-scale vulnerability reaching many
// organisations) that wait for the national centre to approve, edit or discard them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cases/case_db.h"
#include "cases/audit_log.h"
#include "cases/directive_manager.h"
#include "core/error.h"
#include "core/time.h"

namespace khien {

enum class DraftState { pending, approved, discarded };
std::string_view to_string(DraftState s);

/// What a producer proposes; `source` + `ref` identify it ("vulnerability", "CVE-2021-44228").
struct DraftProposal {
  std::string source, ref;
  std::string title;
  std::vector<std::string> required_actions;
  std::int64_t deadline_days = 7;  ///< from approval
  DirectiveTlp tlp = DirectiveTlp::amber;
  std::vector<std::string> orgs;  ///< exactly the organisations to target
  std::string reason_json = "{}";  ///< the facts behind the proposal, as JSON
  std::int64_t warning_id = 0;     ///< the warning it accompanies, when there is one
};

struct DirectiveDraft {
  std::string id;  ///< "DD-<year>-<4-digit sequence>"
  DraftProposal proposal;
  DraftState state = DraftState::pending;
  TimeNs created = 0, decided = 0;
  std::string decided_by;
  std::string directive_id;  ///< the directive issued on approval
};

/// Threading: as CaseDb (every method runs in its transaction).
class DirectiveDrafts {
 public:
  DirectiveDrafts(CaseDb& db, AuditLog& audit, DirectiveManager& directives);
  /// Creates the table when missing.
  Status migrate();
  /// Stores a proposal, or refreshes the pending draft with the same source and ref (its targets
  /// and reason follow the newest facts); audited. A decided draft is never reopened.
  Result<DirectiveDraft> propose(const DraftProposal& p, const std::string& actor, TimeNs now);
  /// Issues the directive (issuer: `issuer`, deadline now + deadline_days) to exactly the draft's
  /// organisations and marks the draft approved; both in one transaction with their audit entries.
  Result<DirectiveDraft> approve(const std::string& id, const std::string& issuer, const std::string& actor, TimeNs now);
  Result<DirectiveDraft> discard(const std::string& id, const std::string& actor, TimeNs now);
  std::optional<DirectiveDraft> get(const std::string& id);
  /// Newest first; `state` empty for all.
  std::vector<DirectiveDraft> list(std::optional<DraftState> state, std::size_t limit);

 private:
  Status save(const DirectiveDraft& d, bool insert);
  CaseDb& db_;
  AuditLog& audit_;
  DirectiveManager& directives_;
};

/// The draft as JSON (API answers and audit records).
std::string draft_json(const DirectiveDraft& d);

}  // namespace khien
