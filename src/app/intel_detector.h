// Indicator matching in the pipeline: the catalog of indicators behind a published matcher, the
// IntelDetector that turns matcher hits into "ioc" alerts, and the sighting counter it feeds.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/alert.h"
#include "core/batch_hits.h"
#include "intel/indicator_matcher.h"
#include "intel/matcher_holder.h"
#include "intel/tlp.h"
#include "store/sighting_store.h"

namespace khien {

/// What an alert needs to know about one indicator, as views into the catalog.
struct IndicatorView {
  std::string_view stix_id;  ///< "indicator--…"
  std::string_view name;     ///< the indicator's name, else its pattern
  std::string_view source;   ///< who supplied it (import source, TAXII caller)
  std::string_view tags;     ///< indicator_types and labels, '\n'-separated
  /// The observables compiled for it, one per line as "<kind char><value>" (i ip, d domain,
  /// u url, h hash, e e-mail), so an alert can name the one that matched.
  std::string_view observables;
  Tlp tlp = Tlp::amber;
  int confidence = -1;  ///< STIX confidence 0..100; -1 when the indicator states none
};

/// IndicatorId → indicator facts, built with the matcher and published with it. Compact: every
/// string lives in one pool; per indicator a 24-byte entry (sources are shared by index).
class IndicatorCatalog {
 public:
  /// Adds an indicator and returns its id (0, 1, 2, … in call order).
  IndicatorId add(std::string_view stix_id, std::string_view name, std::string_view source, Tlp tlp, int confidence,
                  std::string_view tags);
  /// Records an observable of the last added indicator (matched-value reporting).
  void add_observable(ObservableKind kind, std::string_view value);
  IndicatorView at(IndicatorId id) const;
  std::size_t size() const { return entries_.size(); }
  std::size_t memory_bytes() const;

 private:
  struct Entry {
    std::uint64_t offset;  // into pool_: id, name, tags, observables back to back
    std::uint16_t id_len, name_len, tags_len, source;
    std::uint32_t observables_len;
    Tlp tlp;
    std::int8_t confidence;
  };
  std::vector<Entry> entries_;
  std::string pool_;
  std::vector<std::string> sources_;
  std::map<std::string, std::uint16_t, std::less<>> source_index_;
};

/// Publishes `matcher` with its catalog on `holder` in one swap, so a worker never pairs a new
/// matcher with an old catalog. The catalog rides in the shared_ptr's deleter (see catalog_of):
/// MatcherHolder stays a plain matcher holder for every other reader. Returns the new version.
std::uint64_t publish_intel(MatcherHolder& holder, std::shared_ptr<const IndicatorMatcher> matcher,
                            std::shared_ptr<const IndicatorCatalog> catalog);

/// The catalog published with `matcher` by publish_intel, or null (e.g. the holder's initial
/// empty matcher).
const IndicatorCatalog* catalog_of(const std::shared_ptr<const IndicatorMatcher>& matcher);

/// OCSF severity for an indicator's STIX confidence: none 3 (medium), 0..29 2 (low), 30..69 3,
/// 70..89 4 (high), 90..100 5 (critical).
int severity_for_confidence(int confidence);
/// The level word of that severity ("low", "medium", "high", "critical").
std::string_view level_for_severity(int severity_id);

/// Hit counts per (indicator, organisation) gathered by the detectors between flushes.
/// Threading: hit() from any pipeline worker, drain() from the flushing thread; one mutex (hits
/// are rare next to events).
class SightingCounter {
 public:
  void hit(std::string_view indicator_id, std::string_view org, TimeNs when);
  /// The counts gathered since the last drain, as deltas for SightingStore::add.
  std::vector<SightingRow> drain();
  /// Puts drained rows back (a flush that failed), merged with what arrived meanwhile.
  void restore(std::vector<SightingRow> rows);

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, SightingRow, std::less<>> pending_;
};

/// Matches each event against the holder's current matcher and raises one alert per (indicator,
/// event): kind "ioc", rule_id the STIX id, title the indicator name, its TLP and source, the
/// indicator value that matched and the event field it matched on, severity from confidence.
/// One instance per pipeline worker; the holder and counter are shared.
class IntelDetector : public Detector {
 public:
  explicit IntelDetector(const MatcherHolder& holder, SightingCounter* sightings = nullptr)
      : holder_(holder), sightings_(sightings) {}
  std::string_view name() const override { return "ioc"; }
  /// Looks up every event of the batch in one match_events call (the batched, prefetching path)
  /// against the matcher current now; detect() then reports each event's share of the hits.
  void begin_batch(std::span<const Event* const> events) override;
  /// An event of the current batch takes its hits from begin_batch; any other is looked up alone.
  void detect(const Event& event, std::vector<Alert>& out) override;

 private:
  void raise(const IndicatorCatalog& catalog, const EventMatch& m, const Event& event, TimeNs when,
             std::vector<Alert>& out);

  const MatcherHolder& holder_;
  SightingCounter* sightings_;
  std::vector<IndicatorId> seen_;  // indicators already alerted for the current event
  // The batch begun by begin_batch: its matcher (kept with its catalog until the batch is done)
  // and its events' hits.
  std::shared_ptr<const IndicatorMatcher> batch_matcher_;
  BatchHits<EventMatch> batch_;
};

}  // namespace khien
