// The exposure of every CVE of a database over an inventory, kept current as CVEs and systems change:
// a changed CVE is re-evaluated against the inventory, a changed system against the CVEs that name
// its products, so neither change recomputes the whole national picture.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "vuln/exposure_index.h"
#include "vuln/vuln_database.h"

namespace khien {

/// CVE id → positions (ExposureIndex) of the systems it applies to. Threading: not synchronised;
/// the owner serialises changes and reads.
class ExposureCache {
 public:
  /// Evaluates every CVE of `db` against `index` (the start, or after the inventory was replaced).
  void rebuild(const VulnDatabase& db, const ExposureIndex& index);
  /// Re-evaluates the CVEs an import added, changed or removed.
  void update_cves(const VulnDatabase& db, const ExposureIndex& index, const std::vector<std::string>& ids);
  /// Re-evaluates the system at `position` (already changed or removed in `index`) against the CVEs
  /// that could apply to it before or after: those naming a product of `old_cpes` or of its current
  /// CPEs, and those that cannot be looked up by product.
  void update_system(const VulnDatabase& db, const ExposureIndex& index, std::uint32_t position, const std::vector<Cpe>& old_cpes);

  /// Positions of the systems `cve` applies to, ascending; null when none.
  const std::vector<std::uint32_t>* exposed(std::string_view cve) const;
  /// Calls `fn(const std::string& cve, const std::vector<std::uint32_t>& positions)` for every CVE
  /// that applies to at least one system (unordered).
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const auto& [id, positions] : by_cve_) fn(id, positions);
  }
  /// Number of CVEs that apply to at least one system.
  std::size_t size() const { return by_cve_.size(); }

 private:
  void evaluate_cve(const VulnDatabase& db, const ExposureIndex& index, const std::string& id);
  // Lists the CVE under the vendor:product of each vulnerable criteria (or as unindexed).
  void note_products(const VulnRecord& rec);
  void set_member(const std::string& cve, std::uint32_t position, bool member);

  std::unordered_map<std::string, std::vector<std::uint32_t>> by_cve_;
  // CVEs by the vendor:product of their vulnerable criteria. Entries are only added, never removed, so
  // a CVE whose configurations changed may stay listed under an old product: a superset is harmless,
  // since every candidate is evaluated in full.
  std::unordered_map<std::string, std::vector<std::string>> cves_by_product_;
  std::unordered_set<std::string> unindexed_cves_;  ///< a vulnerable criteria with a wildcard vendor or product
};

}  // namespace khien
