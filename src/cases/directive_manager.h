// Directives and warning advisories: target selection, issue, acknowledgement, completion, overdue escalation.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cases/audit_log.h"
#include "cases/case_db.h"
#include "cases/directive.h"
#include "cases/evidence_store.h"
#include "cases/response_network.h"
#include "cases/system_registry.h"

namespace khien {

/// Organisation ids with a system affected by a CVE (answered by the vuln layer, wired in by the caller).
using CveAffectedOrgs = std::function<std::set<std::string>(const std::string& cve)>;

/// A file handed in with a directive or a completion report: name and bytes.
using Upload = std::pair<std::string, std::string>;

struct NewDirective {
  DirectiveKind kind = DirectiveKind::directive;
  std::string issuer;
  std::string title;
  std::vector<std::string> required_actions;
  TimeNs deadline = 0;
  DirectiveTlp tlp = DirectiveTlp::amber;
  TargetSelector selector;
  std::vector<Upload> attachments;
};

/// Timing rules.
struct DirectivePolicy {
  /// A target is expected to acknowledge within this time of issue (or by the deadline if sooner).
  std::int64_t acknowledge_within_ns = 24LL * 3600 * 1000000000LL;
};

/// An overdue target moved up the chain by check_overdue.
struct DirectiveEscalation {
  std::string directive_id;
  std::string org;
  int level = 0;
  std::string escalated_to;
};

/// How promptly one organisation acknowledged and completed the directives addressed to it.
struct DirectiveRecord {
  int acknowledgements_due = 0, acknowledged_on_time = 0;
  int completions_due = 0, completed_on_time = 0;
  std::vector<std::string> late;  ///< "<directive id>:acknowledgement" or ":completion"
};

/// Threading: as CaseDb. Each mutating call is one transaction with its audit entries.
class DirectiveManager {
 public:
  DirectiveManager(CaseDb& db, AuditLog& audit, const ResponseNetwork& network, SystemRegistry& systems,
                   EvidenceStore& evidence, CveAffectedOrgs cve_orgs = {}, DirectivePolicy policy = {});

  /// The organisations a selector reaches when issued by `issuer`, sorted; a sector CERT reaches only
  /// its own sector.
  Result<std::vector<std::string>> select_targets(const TargetSelector& selector, const std::string& issuer);
  /// Issues a directive: the issuer must be the national centre or a sector CERT, the deadline in the
  /// future, the target set non-empty.
  Result<Directive> issue(const NewDirective& in, const std::string& actor, TimeNs now);
  Result<DirectiveTarget> acknowledge(const std::string& id, const std::string& org, const std::string& actor,
                                      TimeNs now);
  /// Reports completion with text and evidence files; the target must have acknowledged first.
  Result<DirectiveTarget> complete(const std::string& id, const std::string& org, const std::string& actor,
                                   const std::string& text, const std::vector<Upload>& evidence, TimeNs now);
  /// Escalates targets that missed the deadline: to their sector CERT at the deadline (the national
  /// centre when the CERT issued it or there is none), to the national centre when as long again has passed.
  Result<std::vector<DirectiveEscalation>> check_overdue(TimeNs now, const std::string& actor = "khien-deadline");

  std::optional<Directive> get(const std::string& id);
  /// All directives, newest first.
  std::vector<Directive> list();
  std::vector<DirectiveTarget> targets(const std::string& id);
  Result<DirectiveStats> stats(const std::string& id, TimeNs now);
  /// Acknowledgement and completion timeliness of `org` over every directive addressed to it.
  DirectiveRecord record(const std::string& org, TimeNs now);

 private:
  Result<DirectiveTarget> load_target(const std::string& id, const std::string& org);
  Status save_target(const DirectiveTarget& before, const DirectiveTarget& after, const std::string& actor,
                     const std::string& action, TimeNs now);

  CaseDb& db_;
  AuditLog& audit_;
  const ResponseNetwork& network_;
  SystemRegistry& systems_;
  EvidenceStore& evidence_;
  CveAffectedOrgs cve_orgs_;
  DirectivePolicy policy_;
};

}  // namespace khien
