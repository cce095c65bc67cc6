// Alerts (what a detector found in an event) and the Detector interface the pipeline runs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/event.h"

namespace khien {

/// One finding about one event: an indicator hit, a Sigma rule match, a traffic anomaly.
struct Alert {
  std::string kind;        ///< "ioc", "sigma", ...
  std::string rule_id;     ///< indicator id (STIX), Sigma rule id, detector name
  std::string title;
  int severity_id = 3;     ///< OCSF scale 1..6
  std::string level;       ///< source's own level (Sigma: low/medium/high/critical)
  std::string tlp;         ///< TLP of the intelligence behind it (ioc), "" otherwise
  std::string source;      ///< where the indicator or rule came from
  std::string matched;     ///< the value that matched ("evil.vn", "10.0.0.0/8")
  std::string matched_field;
  std::vector<std::string> tags;  ///< ATT&CK technique ids and other tags
  // Filled by the pipeline from the event:
  TimeNs time = 0;
  std::string soc, org, sector, province;
  std::uint64_t event_seq = 0;
  std::string event_json;
};

/// A detection stage run on every event after enrichment.
///
/// Threading: one instance per pipeline worker; detect() runs on that worker's thread and must
/// not block. Compiled state (matchers, rule sets) is shared, immutable, and swapped on reload.
class Detector {
 public:
  virtual ~Detector() = default;
  virtual std::string_view name() const = 0;
  /// Appends alerts for `event` to `out`.
  virtual void detect(const Event& event, std::vector<Alert>& out) = 0;
  /// Called by the pipeline with every event of a batch before detect() runs on each of them, in
  /// this order; the events stay valid until the batch's last detect(). A detector may look the
  /// whole batch up at once here (the IOC detector overlaps its memory reads that way).
  virtual void begin_batch(std::span<const Event* const> events) {}
};

}  // namespace khien
