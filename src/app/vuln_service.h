// Vulnerability exposure for the CLI and the API: CVE data (persisted) against the information systems inventory.
#pragma once

#include <filesystem>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cases/information_system.h"
#include "core/error.h"
#include "store/registry_data.h"
#include "vuln/exposure_cache.h"
#include "vuln/exposure_index.h"
#include "vuln/finding_store.h"
#include "vuln/vuln_database.h"
#include "vuln/vuln_store.h"

namespace khien {

/// A CVE an import made newly exploited (KEV) or newly critical (CVSS >= 9) that touches at least
/// one national critical system or at least `wide_min_orgs` organisations.
struct WideVulnerability {
  std::string cve;
  bool kev = false, national_critical = false;
  double priority = 0;
  std::vector<std::string> orgs, sectors, provinces;
  nlohmann::json description;  ///< as GET /api/v1/vulns/{cve} shows it
};

/// Threading: every method takes the service's mutex; imports replace the database in place.
/// Exposure is computed once for every CVE (at the first question after a start or after the whole
/// inventory was replaced) and then kept current: an import re-evaluates the CVEs it changed, a
/// system change re-evaluates that system.
class VulnService {
 public:
  /// Opens DATA/state.db, loads stored CVE data, and a first systems inventory (`systems_file`, or
  /// the shipped data/registry/systems.yaml when empty); the server replaces it with the cases
  /// store's systems (set_inventory) and follows their changes (upsert_system, remove_system).
  /// `registry_dir` empty: the embedded registry (attribution of scanned addresses to organisations).
  static Result<std::unique_ptr<VulnService>> open(const std::filesystem::path& data_dir, const std::filesystem::path& systems_file = {},
                                                   const std::filesystem::path& registry_dir = {});

  /// Imports NVD 2.0, CVE JSON 5, KEV or EPSS files (kind detected per file) and stores the changes.
  Result<nlohmann::json> import_files(const std::vector<std::filesystem::path>& files);
  /// Imports one feed document given as text (API uploads); the kind is detected from the content.
  Result<nlohmann::json> import_text(std::string_view text, const std::string& origin);
  /// Replaces the whole inventory (the information systems users maintain through the API).
  void set_inventory(const std::vector<InformationSystem>& systems);
  /// A system was added or edited: its exposure is re-evaluated against the CVEs naming its products.
  void upsert_system(const InformationSystem& system);
  /// A system was removed: it leaves every CVE's exposure.
  void remove_system(const std::string& id);
  /// Called after each import, outside the service's lock, once per wide-scale vulnerability it
  /// revealed (reports also list them under "wide_scale").
  void set_wide_vulnerability_handler(std::function<void(const WideVulnerability&)> handler, std::size_t min_orgs);
  /// The CVE with its exposure and priority; nullopt when unknown.
  std::optional<nlohmann::json> show(const std::string& cve);
  /// How many CVEs expose at least one system, and how many (CVE, system) pairs there are.
  std::pair<std::size_t, std::size_t> exposure_counts();
  /// Exposed CVEs filtered by sector/province and minimum priority, highest priority first.
  nlohmann::json exposure(const std::string& sector, const std::string& province, double min_priority, std::size_t limit);

  /// Imports an external scan (nmap XML, nuclei JSONL, Shadowserver CSV; `format` may be "auto"):
  /// attributes each service to its organisation by address, matches it to CVEs (through its CPEs
  /// and the CVE ids the scanner named), opens/closes findings and notifies each organisation with
  /// new findings. `scanner` names the feed whose later scans close its findings (default: format).
  Result<nlohmann::json> import_scan(std::string_view text, std::string_view format, std::string scanner);
  /// Findings as JSON (`q.state` open/closed/""), with age in days for open ones.
  nlohmann::json findings(const FindingQuery& q);
  /// The same findings as CSV, one line per finding, with a header.
  std::string findings_csv(const FindingQuery& q);
  nlohmann::json notifications(const std::string& org, std::size_t limit);

 private:
  // The CVE with its exposure: breadth over every exposed system, and the first `max_systems` of them
  // listed with the CPEs that matched.
  nlohmann::json describe(const VulnRecord& record, const std::vector<std::uint32_t>& positions,
                          std::size_t max_systems = SIZE_MAX) const;
  // How many systems each CVE of the exposure list shows (the count and breadth cover them all;
  // GET /api/v1/vulns/{cve} lists every one): a common product's CVE exposes tens of thousands.
  static constexpr std::size_t kListedSystems = 100;
  // The exposure of every CVE, computed in full when the inventory was replaced since.
  const ExposureCache& fresh_cache();
  std::vector<std::uint32_t> exposed_positions(const std::string& cve);
  // Applies one import report under the lock: stores its changes, describes it, and collects the
  // wide-scale vulnerabilities it revealed.
  Result<nlohmann::json> apply_report(const ImportReport& report, const std::string& origin, std::vector<WideVulnerability>& wide);
  void announce(const std::vector<WideVulnerability>& wide);
  std::function<void(const WideVulnerability&)> on_wide_;
  std::size_t wide_min_orgs_ = 3;
  std::mutex mutex_;
  std::unique_ptr<VulnStore> store_;
  VulnDatabase db_;
  RegistryData registry_;
  std::unordered_map<std::string, InformationSystem> systems_;  ///< by id
  // What ranking needs of the system at each index position, so ranking every exposed CVE reads
  // integers instead of looking systems and organisations up by name for each (CVE, system) pair.
  struct PositionFacts {
    std::uint32_t org = 0;  ///< into org_ids_
    int security_level = 0;
    bool national_critical = false;
  };
  void note_position(std::uint32_t position, const InformationSystem& system);
  std::vector<PositionFacts> facts_;
  std::vector<std::string> org_ids_;
  std::unordered_map<std::string, std::uint32_t> org_numbers_;
  ExposureIndex index_;
  ExposureCache cache_;
  bool cache_stale_ = true;
  std::unique_ptr<FindingStore> findings_;
};

/// Priority 0..100 (docs/VULNERABILITIES.md): 40 if exploited (KEV), + 25 × EPSS, + 20 × CVSS/10,
/// + 10 × min(1, organisations exposed / 10), + 5 × (highest security level exposed / 5).
double vulnerability_priority(bool kev, double epss, double cvss, std::size_t orgs, int max_level);

}  // namespace khien
