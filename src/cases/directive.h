// The directive and warning-advisory model: target selection, per-target acknowledgement and completion, statistics.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/evidence_store.h"
#include "core/error.h"
#include "core/time.h"

namespace khien {

/// A directive orders actions; a warning advisory informs and asks for the same acknowledgement.
enum class DirectiveKind { directive, warning };

/// Traffic Light Protocol 2.0 labels of a directive (the cases layer may not include intel/tlp.h, whose
/// Tlp has the same values; a distinct name keeps the two from clashing in one program).
enum class DirectiveTlp { clear, green, amber, amber_strict, red };

/// Who a directive reaches. Filters of different kinds combine with AND, values within one kind with
/// OR; `orgs` adds organisations by name on top of whatever the filters select. At least one of them
/// must be given.
struct TargetSelector {
  std::vector<std::string> sectors;
  std::vector<std::string> provinces;
  std::vector<std::string> org_types;  ///< registry spelling: ministry, province, enterprise, ...
  int min_security_level = 0;          ///< the organisation has a system of at least this level (0: no filter)
  std::vector<std::string> cves;       ///< the organisation has a system affected by one of these
  std::vector<std::string> orgs;       ///< explicit list

  bool has_filter() const {
    return !sectors.empty() || !provinces.empty() || !org_types.empty() || min_security_level > 0 || !cves.empty();
  }
};

struct Directive {
  std::string id;  ///< "CD-<year>-<4-digit sequence>" (chỉ đạo) or "CB-..." (cảnh báo) for warnings
  DirectiveKind kind = DirectiveKind::directive;
  std::string issuer;  ///< the national centre or a sector CERT
  std::string title;
  std::vector<std::string> required_actions;
  TimeNs issued = 0;
  TimeNs deadline = 0;
  DirectiveTlp tlp = DirectiveTlp::amber;
  std::vector<EvidenceRef> attachments;
  TargetSelector selector;
  std::vector<std::string> targets;  ///< resolved at issue time, sorted
  std::string issued_by;
};

/// One target organisation's progress on one directive.
struct DirectiveTarget {
  std::string directive_id;
  std::string org;
  TimeNs acknowledged_at = 0;
  std::string acknowledged_by;
  TimeNs completed_at = 0;
  std::string completed_by;
  std::string completion_text;
  std::vector<EvidenceRef> evidence;
  int escalation_level = 0;  ///< 0 none, 1 sector CERT, 2 national centre
  std::string escalated_to;
};

/// Progress of one directive at a given time.
struct DirectiveStats {
  std::size_t targets = 0, acknowledged = 0, completed = 0;
  double acknowledged_pct = 0, completed_pct = 0;
  std::vector<std::string> overdue;  ///< targets not completed after the deadline
};

std::string_view to_string(DirectiveKind k);
std::string_view to_string(DirectiveTlp t);
std::optional<DirectiveKind> parse_directive_kind(std::string_view text);
/// Accepts "clear", "green", "amber", "amber+strict", "red" (and "TLP:" prefixed, any case).
std::optional<DirectiveTlp> parse_directive_tlp(std::string_view text);

std::string directive_to_json(const Directive& d);
Result<Directive> directive_from_json(std::string_view json);
std::string directive_target_to_json(const DirectiveTarget& t);
Result<DirectiveTarget> directive_target_from_json(std::string_view json);

}  // namespace khien
