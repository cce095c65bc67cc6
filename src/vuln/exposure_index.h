// Exposure: which systems of an inventory a CVE applies to, with the CPEs that matched. The inventory
// is indexed by vendor:product so one CVE is checked only against systems that run its products.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "vuln/applicability.h"
#include "vuln/vuln_database.h"

namespace khien {

/// One information system's software inventory.
struct InventoryEntry {
  std::string system_id, org;
  std::vector<Cpe> cpes;
};

/// A system a CVE applies to, with the inventory CPEs that matched (formatted strings).
struct ExposedSystem {
  std::string system_id, org;
  std::vector<std::string> vulnerable_cpes;  ///< matched the vulnerable criteria
  std::vector<std::string> platform_cpes;    ///< matched running-on/with platform criteria
};

/// An immutable index of an inventory. Threading: built once, then read from any number of threads.
class ExposureIndex {
 public:
  explicit ExposureIndex(std::vector<InventoryEntry> inventory);

  /// The systems `configs` apply to, in inventory order.
  std::vector<ExposedSystem> exposure(const std::vector<Configuration>& configs) const;
  std::vector<ExposedSystem> exposure(const VulnRecord& record) const { return exposure(record.configurations()); }
  /// Exposure of every CVE of `db` that applies to at least one system, sorted by CVE id.
  std::vector<std::pair<std::string, std::vector<ExposedSystem>>> exposure_all(const VulnDatabase& db) const;

  const std::vector<InventoryEntry>& inventory() const { return entries_; }

 private:
  // Inventory entries that could match: those with a CPE that matches a vulnerable criteria (found
  // through the criteria's vendor:product bucket), plus those whose own CPEs have a wildcard or ANY
  // vendor/product; every entry when a criteria has one. Only these get the full evaluation.
  std::vector<std::uint32_t> candidates(const std::vector<Configuration>& configs) const;

  // A copy of an inventory CPE with its parsed effective version, kept contiguous per bucket so a
  // scan of one vendor:product reads memory in order instead of chasing every system's vector.
  struct Slot {
    Cpe cpe;
    PackageVersion version;
    std::uint32_t entry;
  };
  std::vector<InventoryEntry> entries_;
  std::unordered_map<std::string, std::vector<Slot>> by_product_;
  std::vector<std::uint32_t> unindexed_;
};

/// One-off exposure of a record against an inventory list (builds an index; reuse ExposureIndex
/// when checking many CVEs).
std::vector<ExposedSystem> exposure(const VulnRecord& record, const std::vector<InventoryEntry>& inventory);

}  // namespace khien
