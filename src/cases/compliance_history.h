// Monthly compliance snapshots: the scores of every organisation kept per period for history and ranking changes.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "cases/audit_log.h"
#include "cases/case_db.h"
#include "cases/compliance.h"

namespace khien {

/// Threading: as CaseDb.
class ComplianceHistory {
 public:
  ComplianceHistory(CaseDb& db, AuditLog& audit) : db_(db), audit_(audit) {}

  /// The period ("YYYY-MM", UTC) that `t` falls in.
  static std::string period_of(TimeNs t);
  /// Stores the scores as the snapshot of `period` (replacing an earlier snapshot of the same period) in
  /// one transaction, with one audit entry summarising it.
  Status snapshot(const std::string& period, const std::vector<ComplianceScore>& scores, const std::string& actor,
                  TimeNs now);
  /// The scores of one period, by org id.
  std::vector<ComplianceScore> scores(const std::string& period);
  /// (period, score) of one organisation, oldest first.
  std::vector<std::pair<std::string, double>> history(const std::string& org);
  std::vector<std::string> periods();

 private:
  CaseDb& db_;
  AuditLog& audit_;
};

}  // namespace khien
