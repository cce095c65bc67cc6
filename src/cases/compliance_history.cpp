// Compliance snapshots over the cases database.
#include "cases/compliance_history.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cases/information_system.h"
#include "store/sql_statement.h"

namespace khien {

std::string ComplianceHistory::period_of(TimeNs t) {
  return format_civil_date(t).substr(0, 7);
}

Status ComplianceHistory::snapshot(const std::string& period, const std::vector<ComplianceScore>& scores,
                                   const std::string& actor, TimeNs now) {
  if (period.size() != 7 || period[4] != '-' || !parse_civil_date(period + "-01"))
    return fail(fmt::format("compliance snapshot: '{}' is not a period YYYY-MM", period));
  CaseDb::Transaction tx(db_);
  if (!tx.ok()) return fail(tx.error());
  nlohmann::json before = nlohmann::json::object(), after = nlohmann::json::object();
  {
    SqlStatement old(db_.handle(), "SELECT org, score FROM compliance_snapshots WHERE period = ? ORDER BY org");
    old.bind(1, period);
    while (old.step() == SQLITE_ROW) before[old.text(0)] = old.real(1);
  }
  SqlStatement del(db_.handle(), "DELETE FROM compliance_snapshots WHERE period = ?");
  del.bind(1, period);
  if (!del.run()) return fail("compliance snapshot: " + db_.last_error());
  for (const auto& s : scores) {
    SqlStatement ins(db_.handle(),
                     "INSERT INTO compliance_snapshots (period, org, score, taken, doc) VALUES (?, ?, ?, ?, ?)");
    ins.bind(1, period).bind(2, s.org).bind(3, s.score).bind(4, now).bind(5, compliance_score_to_json(s));
    if (!ins.run()) return fail(fmt::format("compliance snapshot: '{}': {}", s.org, db_.last_error()));
    after[s.org] = s.score;
  }
  auto e = audit_.append(now, actor, "compliance.snapshot", "compliance", period,
                         before.empty() ? "null" : before.dump(), after.dump());
  if (!e) return tl::unexpected(e.error());
  return tx.commit();
}

std::vector<ComplianceScore> ComplianceHistory::scores(const std::string& period) {
  std::lock_guard lock(db_.mutex());
  SqlStatement st(db_.handle(), "SELECT doc FROM compliance_snapshots WHERE period = ? ORDER BY org");
  st.bind(1, period);
  std::vector<ComplianceScore> out;
  while (st.step() == SQLITE_ROW)
    if (auto s = compliance_score_from_json(st.text(0))) out.push_back(std::move(*s));
  return out;
}

std::vector<std::pair<std::string, double>> ComplianceHistory::history(const std::string& org) {
  std::lock_guard lock(db_.mutex());
  SqlStatement st(db_.handle(), "SELECT period, score FROM compliance_snapshots WHERE org = ? ORDER BY period");
  st.bind(1, org);
  std::vector<std::pair<std::string, double>> out;
  while (st.step() == SQLITE_ROW) out.emplace_back(st.text(0), st.real(1));
  return out;
}

std::vector<std::string> ComplianceHistory::periods() {
  std::lock_guard lock(db_.mutex());
  SqlStatement st(db_.handle(), "SELECT DISTINCT period FROM compliance_snapshots ORDER BY period");
  std::vector<std::string> out;
  while (st.step() == SQLITE_ROW) out.push_back(st.text(0));
  return out;
}

}  // namespace khien
