// NVD applicability statements: configurations of nodes of cpeMatch criteria with version ranges,
// evaluated against one system's software inventory.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "vuln/cpe.h"
#include "vuln/package_version.h"

namespace khien {

/// One NVD cpeMatch: a criteria CPE, optionally with a version range, and whether a match is the
/// vulnerable software (true) or a platform it must run on or with (false).
struct CpeMatch {
  bool vulnerable = true;
  Cpe criteria;
  std::string criteria_text;     ///< the criteria as written in the feed
  std::string match_criteria_id;
  std::optional<PackageVersion> start_including, start_excluding, end_including, end_excluding;

  bool has_range() const { return start_including || start_excluding || end_including || end_excluding; }
  /// True when `target` (an inventory CPE) is one of the names this criteria stands for.
  ///
  /// Every attribute other than version and update must relate as SUPERSET or EQUAL (NISTIR 7696,
  /// criteria as source). Version and update are read together as the effective version
  /// `version-update` (update omitted when ANY or NA), because NVD writes `2.0:beta9` where a
  /// system inventory often has `2.0-beta9`:
  ///  - a range: the target's effective version must lie in it; a target whose version is ANY or NA
  ///    does not match (its version is unknown, so it cannot be shown to be in range);
  ///  - a criteria version with wildcards: NISTIR 7696 on version and update;
  ///  - a criteria version that is ANY with no range: anything matches the version; update per 7696;
  ///  - a specific criteria version whose update is ANY: the target's effective version, or that
  ///    version without its pre-release part, must be equal (PackageVersion order) to it;
  ///  - a specific criteria version with a specific (or NA) update: effective versions must be equal.
  bool matches(const Cpe& target) const { return matches(target, nullptr); }
  /// As matches(target), with the target's effective version already parsed (an index keeps it, so
  /// scanning many criteria does not parse the same inventory version again).
  bool matches(const Cpe& target, const PackageVersion* target_effective) const;
};

/// A CPE's effective version: `version-update`, the update left out when ANY or NA.
PackageVersion effective_version(const Cpe& c);

enum class NodeOperator : unsigned char { op_or, op_and };

/// A node: an AND/OR over its cpeMatch entries and child nodes, optionally negated.
struct ConfigNode {
  NodeOperator op = NodeOperator::op_or;
  bool negate = false;
  std::vector<CpeMatch> matches;
  std::vector<ConfigNode> children;
};

/// One configuration: an AND/OR over nodes (NVD writes `"operator": "AND"` for running-on/with
/// configurations: one node holds the vulnerable software, another the platform).
struct Configuration {
  NodeOperator op = NodeOperator::op_or;
  bool negate = false;
  std::vector<ConfigNode> nodes;
};

/// Which inventory CPEs (indices into the inventory) made a configuration apply.
struct ApplicabilityResult {
  bool applies = false;
  std::vector<std::size_t> vulnerable;  ///< matched vulnerable=true criteria
  std::vector<std::size_t> platform;    ///< matched vulnerable=false criteria (running on / with)
};

/// Evaluates `config` against one system's inventory. It applies when the node expression is true
/// and at least one inventory CPE matched a vulnerable criteria outside a negated node: a platform
/// alone never makes a system vulnerable.
ApplicabilityResult evaluate(const Configuration& config, const std::vector<Cpe>& inventory);
/// True when `config` applies to the inventory (see evaluate).
bool applies(const Configuration& config, const std::vector<Cpe>& inventory);
/// Evaluates every configuration; the result applies if any applies, with the union of matches.
ApplicabilityResult evaluate(const std::vector<Configuration>& configs, const std::vector<Cpe>& inventory);
/// The same with each inventory CPE's effective version already parsed (`effective[i]` for
/// `inventory[i]`, see effective_version), as an index keeps them, so no version is parsed again.
ApplicabilityResult evaluate(const std::vector<Configuration>& configs, const std::vector<Cpe>& inventory,
                             const std::vector<PackageVersion>& effective);

/// Structural checks an importer runs on a configuration: nodes present, each node has criteria or
/// children, range bounds only on a criteria whose version is ANY, at most one start and one end
/// bound, start not after end, at least one vulnerable criteria. The message names the path
/// (`configurations[1].nodes[0].cpeMatch[2]`).
Status validate_configuration(const Configuration& config, std::size_t index);

}  // namespace khien
