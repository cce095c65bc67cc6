// Flow exporters (NetFlow/IPFIX routers, firewalls, probes) registered to organisations: exporters.yaml and its lookup.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/ip_address.h"

namespace khien {

/// One registered exporter. Its flows are filed under `soc` and attributed to `org`.
struct FlowExporter {
  std::string id;                    ///< registry id (`exp-<org>-<device>`)
  std::string name;                  ///< display name
  std::string org;                   ///< organisation id the exporter belongs to
  std::string soc;                   ///< SOC id its flows are filed under (default: the organisation's SOC)
  std::vector<IpPrefix> addresses;   ///< source addresses its export packets come from
};

/// What the loader checks references against: organisation ids and SOC id → organisation id.
struct ExporterReferences {
  std::vector<std::string> organisations;
  std::map<std::string, std::string> soc_orgs;
};

/// The registered exporters, looked up by packet source address (longest prefix wins).
///
/// Threading: immutable after parse; share it between threads freely.
class ExporterRegistry {
 public:
  /// Parses exporters.yaml (`exporters:` list of id, name, org, soc, addresses) and checks it
  /// against `refs`. Errors name `<label>:<line>:<column>: <field path>: <reason>`, one per line,
  /// every problem at once. A missing `soc` takes the first SOC of the organisation.
  static Result<ExporterRegistry> parse(std::string_view yaml, const ExporterReferences& refs,
                                        std::string_view label = "exporters.yaml");

  /// The exporter whose addresses hold `ip` most specifically, or nullptr.
  const FlowExporter* find(const IpAddress& ip) const;
  const FlowExporter* find_id(std::string_view id) const;
  const std::vector<FlowExporter>& exporters() const { return exporters_; }

 private:
  std::vector<FlowExporter> exporters_;
};

}  // namespace khien
