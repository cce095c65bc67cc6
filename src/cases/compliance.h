// The compliance score model: 0–100 per organisation from measured facts, with a breakdown and rankings.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cases/directive_manager.h"
#include "cases/incident_manager.h"
#include "cases/information_system.h"
#include "core/error.h"
#include "core/time.h"

namespace khien {

/// Weights (points out of 100, normalised if they do not add up to 100) and thresholds; see docs/COMPLIANCE.md.
struct ComplianceWeights {
  double soc = 20, four_layer = 20, security_level = 10, drill = 10, directives = 15, incident_sla = 15,
         vulnerabilities = 10;
  std::int64_t soc_fresh_ns = 15LL * 60 * 1000000000LL;    ///< sending: last event at most this old
  std::int64_t soc_stale_ns = 24LL * 3600 * 1000000000LL;  ///< connected: last event at most this old (half credit)
  std::int64_t drill_within_ns = 365LL * 86400 * 1000000000LL;
  std::int64_t vuln_grace_ns =
      7LL * 86400 * 1000000000LL;  ///< an open critical vulnerability costs nothing before this age
  std::int64_t vuln_full_ns = 30LL * 86400 * 1000000000LL;  ///< ... and its full share from this age
  double vuln_cap = 3;  ///< this many fully aged critical vulnerabilities take the whole component

  /// Reads `weights: {soc: 20, ...}` and `thresholds: {soc_fresh_minutes, soc_stale_hours, drill_within_days,
  /// vuln_grace_days, vuln_full_days, vuln_cap}` from YAML; keys left out keep their defaults.
  static Result<ComplianceWeights> from_yaml(std::string_view text);
};

/// An open critical vulnerability of an organisation, from the vuln layer.
struct OpenVulnerability {
  std::string cve;
  std::string system;
  TimeNs since = 0;  ///< when it was found open
};

/// Everything the score is computed from, for one organisation.
struct ComplianceFacts {
  std::string org, sector, province;
  std::vector<InformationSystem> systems;
  std::vector<std::pair<std::string, TimeNs>> soc_last_seen;  ///< SOC id → last event time (0: never)
  DirectiveRecord directives;
  SlaRecord incidents;
  std::vector<OpenVulnerability> critical_vulnerabilities;
};

/// One component of the score: its weight, its value 0..1, the points it gives and the facts behind it (JSON).
struct ComplianceComponent {
  std::string name;
  double weight = 0;
  double value = 0;
  double points = 0;
  std::string facts;
};

struct ComplianceScore {
  std::string org, sector, province;
  double score = 0;  ///< 0..100, rounded to one decimal
  std::vector<ComplianceComponent> components;
};

/// A position in a ranking; equal scores share a rank (1, 2, 2, 4).
struct RankedScore {
  int rank = 0;
  ComplianceScore score;
};

/// Computes scores. Threading: immutable after construction, safe to share.
class ComplianceModel {
 public:
  explicit ComplianceModel(ComplianceWeights weights = {});
  ComplianceScore score(const ComplianceFacts& facts, TimeNs now) const;
  const ComplianceWeights& weights() const { return weights_; }

 private:
  ComplianceWeights weights_;
};

/// Collects the facts for `org`: its systems, its SOCs (its parent's when it reports through the parent's),
/// its directive and incident records; SOC last-seen times and open critical vulnerabilities come from the caller.
ComplianceFacts gather_compliance_facts(const std::string& org, const ResponseNetwork& network, SystemRegistry& systems,
                                        DirectiveManager& directives, IncidentManager& incidents,
                                        const std::map<std::string, TimeNs>& soc_last_seen,
                                        const std::map<std::string, std::vector<OpenVulnerability>>& critical_vulns,
                                        TimeNs now);

/// Sorts by score (then org id) and ranks within `scope`: "national", "sector:<id>" or "province:<id>".
Result<std::vector<RankedScore>> rank_scores(const std::vector<ComplianceScore>& scores, std::string_view scope);

/// The breakdown as a JSON document (API form and snapshot form).
std::string compliance_score_to_json(const ComplianceScore& s);
Result<ComplianceScore> compliance_score_from_json(std::string_view json);

}  // namespace khien
