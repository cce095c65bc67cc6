// CorrelationEngine: Sigma correlation rules (event_count, value_count, temporal,
// temporal_ordered) over detection hits, keyed by group-by values, driven by event time.
//
// Threading: one engine per shard (not thread-safe); hits for one group-by key must reach the
// same shard. Memory is bounded: at most `max_groups` groups per correlation rule (least recently
// used evicted first) and at most `max_entries` timestamps or values per group; groups idle
// longer than their timespan (behind the newest event time seen) expire.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/time.h"
#include "detect/rule_set.h"

namespace khien {

/// A correlation rule that held.
struct CorrelationHit {
  std::size_t correlation = 0;  ///< index in RuleSet::correlations()
  std::string group;            ///< group-by values, joined by '|'
  TimeNs time = 0;              ///< event time of the hit that completed it
  std::int64_t count = 0;       ///< events, distinct values or distinct rules counted
};

struct CorrelationOptions {
  std::size_t max_groups = 100000;
  std::size_t max_entries = 10000;
};

class CorrelationEngine {
 public:
  /// Uses the correlation rules of `rules` (which must outlive the engine). References that
  /// name no loaded rule are listed in errors() and the correlation is left out.
  explicit CorrelationEngine(const RuleSet& rules, CorrelationOptions options = {});
  ~CorrelationEngine();

  const std::vector<std::string>& errors() const;
  /// The same errors with the correlation rule's file and line apart (for status reports).
  const std::vector<SigmaLoadError>& reference_errors() const;
  /// Feeds a hit of detection rule `rule` (RuleSet index) on `event` at event time `time`;
  /// appends every correlation hit it completes (chained correlations included).
  void feed(std::size_t rule, const Event& event, TimeNs time, std::vector<CorrelationHit>& hits);
  /// Groups held across all correlation rules.
  std::size_t group_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace khien
