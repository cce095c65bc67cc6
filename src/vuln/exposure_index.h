// Exposure: which systems of an inventory a CVE applies to, with the CPEs that matched. The inventory
// is indexed by vendor:product so one CVE is checked only against systems that run its products.
#pragma once

#include <cstdint>
#include <optional>
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

/// An index of an inventory, changed one system at a time. Entries keep their position for their
/// lifetime (a removed system leaves an empty entry), so callers may hold positions.
/// Threading: not synchronised; readers may run concurrently only while nobody changes it.
class ExposureIndex {
 public:
  ExposureIndex() = default;
  explicit ExposureIndex(std::vector<InventoryEntry> inventory);

  /// Adds a system, or replaces the one with the same id; returns its position.
  std::uint32_t upsert(InventoryEntry entry);
  /// Removes a system; false when the id is unknown.
  bool remove(const std::string& system_id);
  /// The position of a system; nullopt when unknown.
  std::optional<std::uint32_t> position(const std::string& system_id) const;
  /// Number of systems (removed ones not counted).
  std::size_t size() const { return by_id_.size(); }

  /// Positions of the systems `configs` apply to, ascending.
  std::vector<std::uint32_t> exposed_entries(const std::vector<Configuration>& configs) const;
  /// Evaluates `configs` against the system at `position`, with the versions parsed when it was indexed.
  ApplicabilityResult evaluate(const std::vector<Configuration>& configs, std::uint32_t position) const;
  /// The system at `position` with the CPEs that made `configs` apply (empty lists when they do not).
  ExposedSystem describe(const std::vector<Configuration>& configs, std::uint32_t position) const;

  /// The systems `configs` apply to, in inventory order.
  std::vector<ExposedSystem> exposure(const std::vector<Configuration>& configs) const;
  std::vector<ExposedSystem> exposure(const VulnRecord& record) const { return exposure(record.configurations()); }
  /// Exposure of every CVE of `db` that applies to at least one system, sorted by CVE id.
  std::vector<std::pair<std::string, std::vector<ExposedSystem>>> exposure_all(const VulnDatabase& db) const;

  /// Every entry by position; a removed system's entry has an empty id and no CPEs.
  const std::vector<InventoryEntry>& inventory() const { return entries_; }

 private:
  void add_slots(std::uint32_t position);
  void drop_slots(std::uint32_t position);

  // Inventory entries that could match: those with a CPE that matches a vulnerable criteria (found
  // through the criteria's vendor:product bucket), plus those whose own CPEs have a wildcard or ANY
  // vendor/product; every entry when a criteria has one. Only these get the full evaluation.
  std::vector<std::uint32_t> candidates(const std::vector<Configuration>& configs) const;
  // The entries with a CPE that matches a vulnerable criteria, ascending; false when a criteria
  // cannot be looked up by vendor:product.
  bool matched(const std::vector<Configuration>& configs, std::vector<std::uint32_t>& out) const;

  // One distinct inventory CPE of a vendor:product with its parsed effective version and the
  // systems that run it. Many systems run the very same software, so a criteria is compared once per
  // distinct CPE rather than once per system.
  struct Variant {
    Cpe cpe;
    PackageVersion version;
    PackageVersion release;  ///< a pre-release's version without that part (`2.0-beta9` → `2.0`); empty otherwise
    std::vector<std::uint32_t> entries;
  };
  // The variants of one vendor:product. Those with a plain version (a string without wildcards, an
  // update without wildcards) are also kept in version order, so a criteria whose other attributes
  // are ANY finds the versions in its range, or equal to its version, by binary search instead of
  // comparing every variant (the national inventory runs thousands of versions of common products).
  struct Bucket {
    std::vector<Variant> variants;
    std::unordered_map<std::string, std::uint32_t> by_name;  ///< formatted CPE → variant
    std::vector<std::uint32_t> ordered;      ///< plain variants by effective version
    std::vector<std::uint32_t> prereleases;  ///< plain pre-release variants by release()
    std::vector<std::uint32_t> irregular;    ///< the other variants (ANY, NA or wildcard version or update)
  };
  void add_variant(Bucket& bucket, const Cpe& c) const;
  static void sort_bucket(Bucket& bucket);
  // The bucket of the CPE's vendor:product (`key` is scratch space); null when there is none.
  const Bucket* find_bucket(const Cpe& c, std::string& key) const;
  // Adds the systems of every variant of `bucket` that `m` matches to `out`.
  static void add_matching(const CpeMatch& m, const Bucket& bucket, std::vector<std::uint32_t>& out);
  // The systems for which `node` is true (`truth`) and those for which it also holds vulnerable
  // evidence as evaluate() counts it (`evidence`), both ascending, computed from each criteria's
  // systems in the buckets; false when the node must be evaluated system by system (a negation, an
  // empty node, a criteria that cannot be looked up by vendor:product).
  bool node_sets(const ConfigNode& node, std::vector<std::uint32_t>& truth, std::vector<std::uint32_t>& evidence) const;
  // Every indexed system `configs` apply to, by set operations over node_sets; false when a node
  // cannot be answered that way. Systems in unindexed_ are not settled by this.
  bool exposed_by_sets(const std::vector<Configuration>& configs, std::vector<std::uint32_t>& out) const;
  // Sorts `out` ascending without duplicates.
  void ascending_unique(std::vector<std::uint32_t>& out) const;
  std::vector<InventoryEntry> entries_;
  std::vector<std::vector<PackageVersion>> effective_;  ///< by position: the effective version of each CPE
  std::unordered_map<std::string, std::uint32_t> by_id_;
  std::unordered_map<std::string, Bucket> by_product_;
  std::vector<std::uint32_t> unindexed_;  ///< ascending
  bool bulk_ = false;                     ///< the constructor is indexing a whole inventory
};

/// True when a CPE can be looked up by its vendor:product (both literal, no wildcards).
bool indexable_cpe(const Cpe& c);
/// "vendor:product" of a CPE, the key of the index's buckets.
std::string cpe_product_key(const Cpe& c);
/// The same written into `key` (reused, so a hot loop does not allocate a key per CPE).
void assign_product_key(const Cpe& c, std::string& key);
/// The vendor:product keys of every vulnerable criteria of `configs`; false when one of them is not
/// indexable (its CVE must then be checked against every system).
bool vulnerable_product_keys(const std::vector<Configuration>& configs, std::vector<std::string>& keys);

/// One-off exposure of a record against an inventory list (builds an index; reuse ExposureIndex
/// when checking many CVEs).
std::vector<ExposedSystem> exposure(const VulnRecord& record, const std::vector<InventoryEntry>& inventory);

}  // namespace khien
