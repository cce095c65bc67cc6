// Attack scenarios for drills and the traffic simulator: the campaign model and its YAML loader.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace khien {

/// One injected attack campaign: what it carries, whom it hits, when and how fast.
///
/// The YAML keys are the member names below; see data/scenarios/README.md.
struct Scenario {
  std::string id, title, description;
  std::string kind;          ///< phishing-domains | malware-hash | scanning | cve-exploitation
  double start_after_s = 0;  ///< seconds after the simulation starts
  double duration_s = 60;
  double events_per_second = 5;  ///< across all targeted SOCs
  /// Who is hit: each non-empty filter must match (AND); an organisation passes a filter when its value is in the list.
  std::vector<std::string> target_sectors, target_provinces, target_org_types, target_orgs;
  std::size_t max_targets = 20;  ///< at most this many distinct organisations
  /// What it carries, by kind: domains / urls for phishing, hashes (sha256 + md5 + file names) for malware,
  /// attacker IPs / CIDRs and ports for scanning, a CVE id + attacker IPs + URL paths / user agents for exploitation.
  std::vector<std::string> domains, urls, sha256, md5, file_names, attacker_ips, cves, paths, user_agents;
  std::vector<int> ports;
};

/// The four scenario kinds, as spelled in YAML.
inline constexpr std::string_view kScenarioKinds[] = {"phishing-domains", "malware-hash", "scanning",
                                                      "cve-exploitation"};

/// Parses scenario files (file name → YAML text). A file holds one scenario mapping, or a mapping with
/// the single key `scenarios` holding a list of them. Every problem found is reported, one per line,
/// as `<file>:<line>: <field>: <reason>`; unknown keys, wrong types, bad indicators, a kind without the
/// indicators it needs and ids repeated across files are rejected. Scenarios come out in file-name order.
Result<std::vector<Scenario>> parse_scenarios(const std::map<std::string, std::string_view>& files);

}  // namespace khien
