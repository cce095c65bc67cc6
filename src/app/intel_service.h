// Threat intelligence on the live stream: imports (STIX, MISP, CSV) into the STIX store, the
// indicator matcher rebuilt from the store's active indicators and hot-swapped, sightings, and
// the /api/v1/intel routes.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/http_server.h"
#include "app/intel_detector.h"
#include "core/error.h"
#include "intel/matcher_holder.h"
#include "intel/tlp.h"
#include "store/sighting_store.h"
#include "store/state_store.h"
#include "store/stix_store.h"

namespace khien {

struct ApiContext;

class WarninglistSet;
class TaxiiFeedPoller;
struct TaxiiFeedConfig;

/// What one matcher build found in the store.
struct IntelBuildReport {
  std::size_t indicators = 0;     ///< active indicators read (latest versions, not revoked, valid now)
  std::size_t compiled = 0;       ///< indicators with at least one observable in the matcher
  std::size_t observables = 0;    ///< (value, indicator) pairs in the matcher
  std::size_t warninglisted = 0;  ///< observables left out because a warninglist names them
  /// Indicators whose pattern is not a set of simple observables (or not a STIX pattern at all):
  /// (STIX id, reason). They raise no alert; the list is what an analyst must look at.
  std::vector<std::pair<std::string, std::string>> not_evaluated;
  TimeNs built_at = 0;
  double build_ms = 0;
  std::size_t memory_bytes = 0;  ///< matcher and catalog
};

/// A matcher with its catalog, ready to publish.
struct BuiltIntel {
  std::shared_ptr<const IndicatorMatcher> matcher;
  std::shared_ptr<const IndicatorCatalog> catalog;
  IntelBuildReport report;
};

/// Compiles `indicators` (StixStore records with their JSON) into a matcher and catalog.
/// Observables listed on `warninglists` (may be null) are left out and counted.
BuiltIntel build_intel_matcher(const std::vector<StixRecord>& indicators, const WarninglistSet* warninglists);

/// The input formats of an import.
enum class IntelFormat { stix, misp, misp_feed, csv };

/// "stix", "misp", "misp-feed", "csv"; nullopt for anything else.
std::optional<IntelFormat> parse_intel_format(std::string_view name);

struct IntelImportRequest {
  IntelFormat format = IntelFormat::stix;
  std::string source;           ///< recorded with every object; "" means "import"
  std::optional<Tlp> tlp;       ///< for objects without a TLP marking (default AMBER)
  std::string csv_mapping;      ///< csv: the column mapping (see csv_to_stix)
  std::string text;             ///< stix, misp, csv: the document
  std::filesystem::path feed_dir;  ///< misp-feed: the feed directory (manifest.json and events)
};

/// Converts (when not STIX) and imports into `store` through the bundle importer: validation,
/// references and TLP as for any STIX bundle; an invalid bundle is refused whole with the reason
/// and the object id. Returns the report (objects, added, unchanged, conversion errors, skipped).
Result<nlohmann::json> import_intel(StixStore& store, const IntelImportRequest& request,
                                    const WarninglistSet* warninglists = nullptr);

struct IntelServiceOptions {
  std::int64_t rebuild_interval_ms = 60'000;  ///< periodic rebuild, so valid_until expiry takes effect
  std::int64_t sighting_flush_ms = 1'000;     ///< how often sighting counts reach the store
  std::filesystem::path warninglists;         ///< MISP warninglists directory; empty: none
};

/// Threading: one background thread rebuilds the matcher (on request and periodically) and
/// flushes sighting counts; workers read the matcher through holder() and are never paused: a
/// rebuild builds aside and publishes with one pointer swap. Every other method may be called
/// from any thread.
class IntelService {
 public:
  /// `registry` (may be null) names organisations in the STIX sighting export. `stix` must be the
  /// process's one StixStore (it numbers the rows it adds), shared with the TAXII routes.
  IntelService(StixStore& stix, SightingStore& sightings, StateStore* registry, IntelServiceOptions options = {});
  /// The same, with its own SightingStore on `db_path` (the state database).
  static Result<std::unique_ptr<IntelService>> open(StixStore& stix, const std::filesystem::path& db_path,
                                                    StateStore* registry, IntelServiceOptions options = {});
  ~IntelService();
  IntelService(const IntelService&) = delete;
  IntelService& operator=(const IntelService&) = delete;

  /// Loads the warninglists, builds and publishes the first matcher, starts the thread.
  Status start();
  /// Stops the thread and flushes pending sightings.
  void stop();

  MatcherHolder& holder() { return holder_; }
  SightingCounter& sighting_counter() { return counter_; }
  /// A detector for one pipeline worker, reading this service's matcher.
  std::unique_ptr<Detector> make_detector();
  /// A poller of `feeds` into this service's StixStore whose polls that add objects request a
  /// rebuild at once, as imports do (not started; it must not outlive the service).
  std::unique_ptr<TaxiiFeedPoller> make_feed_poller(std::vector<TaxiiFeedConfig> feeds);

  /// Asks the thread for a rebuild (imports call this); returns at once.
  void request_rebuild();
  /// Builds and publishes now on the calling thread; returns the new matcher version.
  Result<std::uint64_t> rebuild();
  /// Waits until a matcher newer than `version` is published and its build report (status_json)
  /// recorded, up to `timeout_ms`.
  bool wait_for_version_above(std::uint64_t version, std::int64_t timeout_ms);

  /// Imports, then requests a rebuild. The report gains "matcher_version" (the version current
  /// at import time: a later one includes the import).
  Result<nlohmann::json> import(const IntelImportRequest& request);

  Status flush_sightings();
  /// GET /api/v1/intel/status: indicator counts, not-evaluated patterns, matcher version, build time.
  nlohmann::json status_json();
  /// Sightings as JSON rows.
  Result<nlohmann::json> sightings_json(const SightingQuery& query);
  /// Sightings as a STIX 2.1 bundle: sighting objects created by the national centre's identity,
  /// where_sighted_refs the organisation's identity, with both identities included.
  Result<nlohmann::json> sightings_stix(const SightingQuery& query);

 private:
  void loop();

  std::unique_ptr<SightingStore> owned_sightings_;
  StixStore& stix_;
  SightingStore& sightings_;
  StateStore* registry_;
  IntelServiceOptions options_;
  std::unique_ptr<WarninglistSet> warninglists_;
  MatcherHolder holder_;
  SightingCounter counter_;

  std::mutex build_mutex_;  // one build at a time
  std::mutex mutex_;        // guards the fields below
  std::condition_variable wake_;
  bool rebuild_requested_ = false;
  bool stopping_ = false;
  IntelBuildReport last_report_;
  std::string last_error_;
  std::uint64_t rebuilds_ = 0;
  std::uint64_t reported_version_ = 0;  // the matcher version last_report_ describes
  std::thread thread_;
};

/// POST /api/v1/intel/import, POST /api/v1/intel/reload, GET /api/v1/intel/status and
/// GET /api/v1/intel/sightings, all behind the administrator token (sha256 `admin_token_hash`).
void register_intel_routes(Router& router, IntelService& service, const ApiContext& api);

}  // namespace khien
