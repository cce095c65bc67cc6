// Synthetic member-SOC traffic for the simulator: benign background noise plus injected attack scenarios.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "app/scenario.h"
#include "core/ip_address.h"
#include "core/time.h"
#include "store/registry_data.h"

namespace khien {

/// One record as a member SOC would send it.
struct GeneratedRecord {
  std::size_t soc_index;  ///< index into the SOC list given to the generator
  std::string format;     ///< ocsf|ecs|eve|zeek|wazuh|winlog|cef|leef
  std::string line;       ///< ONE line (no newline): JSON for JSON formats, CEF/LEEF text for cef/leef
  std::string scenario;   ///< scenario id, empty for background noise
};

/// A member SOC as the generator sees it: who it is, what it sends, which addresses its organisation owns.
struct SimulatedSoc {
  std::string id, org, sector, province, transport;
  std::vector<std::string> formats;
  std::vector<IpPrefix> org_ranges;
  std::string org_type;                  ///< organisation type as spelled in the registry (ministry, isp, ...)
  std::vector<std::string> org_domains;  ///< the organisation's domains, used for its internal host names
};

/// Produces records one at a time, deterministically for a seed and a sequence of calls.
///
/// Threading: one instance per thread; next() does not block and draws all randomness from the
/// instance's own generator (no clock reads: the time comes from the caller).
class EventGenerator {
 public:
  EventGenerator(std::vector<SimulatedSoc> socs, std::vector<Scenario> scenarios, std::uint64_t seed);
  ~EventGenerator();
  EventGenerator(EventGenerator&&) noexcept;
  EventGenerator& operator=(EventGenerator&&) noexcept;

  /// The next record at simulated time `now` (seconds since start `elapsed_s`): scenario events at their
  /// configured rates while active, otherwise background noise from a SOC chosen with realistic weights.
  GeneratedRecord next(TimeNs now, double elapsed_s);

  /// Builds the SimulatedSoc list from a loaded registry (all SOCs, or the first `limit`; 0 means all).
  static std::vector<SimulatedSoc> socs_from_registry(const RegistryData& registry, std::size_t limit);

  /// The SOCs given at construction.
  const std::vector<SimulatedSoc>& socs() const { return socs_; }
  /// The scenarios given at construction, in order.
  const std::vector<Scenario>& scenarios() const { return scenarios_; }
  /// SOC indices scenario `index` hits, at most one per organisation and `max_targets` in all; each is hit
  /// once before any is hit twice, so a scenario reaches them all after this many events.
  const std::vector<std::size_t>& scenario_targets(std::size_t index) const;

 private:
  struct SocProfile;  // per-SOC constants derived at construction (host naming, internal subnet, vendor)
  struct Campaign;    // a scenario's targets and progress

  GeneratedRecord background(TimeNs now);
  GeneratedRecord scenario_event(std::size_t campaign, TimeNs now);

  std::vector<SimulatedSoc> socs_;
  std::vector<Scenario> scenarios_;
  std::vector<SocProfile> profiles_;
  std::vector<Campaign> campaigns_;
  std::vector<double> cumulative_weights_;  // background SOC choice: running sum of the SOC weights
  std::mt19937_64 rng_;
};

}  // namespace khien
