// The traffic detectors (scans, DDoS, beaconing) as a pipeline Detector over network-activity events.
#pragma once

#include <span>
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
  /// Runs the detectors over the whole batch at once (detect_batch) and keeps each event's alerts
  /// for its detect() call; an event detect() is given outside a batch is judged on its own.
  void begin_batch(std::span<const Event* const> events) override;
  void detect(const Event& event, std::vector<Alert>& out) override;
  /// detect() on each event in order, the detectors' table lookups overlapped across the batch
  /// (TrafficDetectors::observe_batch); `owner` receives, for each alert appended, the index of its event.
  void detect_batch(std::span<const Event* const> events, std::vector<Alert>& out, std::vector<std::size_t>& owner);
  const TrafficDetectors& detectors() const { return detectors_; }

 private:
  TrafficDetectors detectors_;
  std::vector<TrafficFinding> findings_;
  std::vector<FlowRecord> flows_;
  std::vector<std::size_t> flow_event_, finding_flow_;
  // The batch begun and its alerts, handed out by detect() in order.
  std::vector<const Event*> batch_;
  std::size_t cursor_ = 0;
  std::vector<Alert> batch_alerts_;
  std::vector<std::size_t> batch_owner_;
  std::size_t next_alert_ = 0;
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
