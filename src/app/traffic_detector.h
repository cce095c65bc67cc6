// The traffic detectors (scans, DDoS, beaconing) as a pipeline Detector over network-activity events.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/alert.h"
#include "core/error.h"
#include "correlate/traffic_detectors.h"

namespace khien {

/// Turns each flow event (class_uid 4001 with both addresses) into a FlowRecord for
/// TrafficDetectors and its findings into "traffic" alerts: rule_id traffic.scan.horizontal,
/// traffic.scan.vertical, traffic.ddos or traffic.beacon; matched the attacker address (scans,
/// beaconing) or the victim address (DDoS); the figures and the victim organisation
/// ("victim_org:<id>") in the tags. Traffic to indicator addresses is IntelDetector's (it
/// matches src_endpoint.ip and dst_endpoint.ip of every event, flows included).
///
/// Threading: one instance per pipeline worker (its state is that worker's); detect() never blocks.
class TrafficDetector : public Detector {
 public:
  explicit TrafficDetector(const TrafficDetectorOptions& options = {}) : detectors_(options) {}
  std::string_view name() const override { return "traffic"; }
  void detect(const Event& event, std::vector<Alert>& out) override;
  const TrafficDetectors& detectors() const { return detectors_; }

 private:
  TrafficDetectors detectors_;
  std::vector<TrafficFinding> findings_;
};

/// The `[traffic]` config keys (docs/TRAFFIC.md): name and meaning, in display order.
struct TrafficOptionKey {
  const char* name;
  const char* description;
};
const std::vector<TrafficOptionKey>& traffic_option_keys();
/// The TOML text of option `name`'s value ("true", "100", "0.2").
std::string traffic_option_text(const TrafficDetectorOptions& options, std::string_view name);
/// Sets option `name` from a TOML boolean (`enabled`) or number; the message names the key and
/// the accepted range.
Status set_traffic_option(TrafficDetectorOptions& options, std::string_view name, bool is_bool, double value);

/// IANA protocol number of an OCSF protocol name ("tcp" 6, "udp" 17, "icmp" 1, ...); 0 if unknown.
std::uint8_t protocol_number(std::string_view name);

}  // namespace khien
