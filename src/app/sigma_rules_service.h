// The live Sigma rule set of `serve`: initial load, a watcher that recompiles the rule directory
// when it changes and publishes the new set without pausing the workers, and the status/reload routes.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/http_server.h"
#include "app/sigma_detector.h"
#include "core/periodic_worker.h"

namespace khien {

class IdentityService;

struct SigmaRulesOptions {
  std::string rules_dir;    ///< extra rules; empty: the shipped ones only (nothing to watch)
  int reload_seconds = 5;   ///< poll interval of the directory; 0: reload only on request
  CorrelationOptions correlation;
};

/// What GET /api/v1/rules/status answers.
struct SigmaRulesStatus {
  std::uint64_t version = 0;  ///< generation running now (1 = loaded at start)
  TimeNs loaded_at = 0;       ///< when it was published
  std::string rules_dir;
  std::size_t rules = 0, correlations = 0, skipped = 0;
  std::vector<SigmaLoadError> failures;  ///< documents of the running set that failed, and bad correlation references
  std::vector<SkippedRule> skipped_rules;
  TimeNs last_attempt = 0;
  bool last_ok = true;
  std::string last_error;  ///< why the last reload kept the old set
  std::uint64_t reloads = 0, failed_reloads = 0;
};

/// Threading: reload() may be called from any thread (reloads are serialised); the watcher
/// thread polls the directory's file names, sizes and modification times every reload_seconds
/// and reloads on a change. Compilation runs on the reloading thread, never on a worker; the
/// workers see the new set at their next event (SigmaRulesHolder).
class SigmaRulesService {
 public:
  /// Loads and compiles the rules once; an error only when nothing could be compiled.
  static Result<std::unique_ptr<SigmaRulesService>> open(SigmaRulesOptions options);
  ~SigmaRulesService();

  /// Starts the watcher (when there is a directory and reload_seconds > 0).
  void start();
  void stop();
  /// Loads and compiles the rules now. On success publishes the new set; when nothing compiles
  /// (or the directory is gone) keeps the old set and says why in last_error. Returns the status.
  SigmaRulesStatus reload();
  /// Reloads if the directory changed since the last load; returns whether it did.
  bool reload_if_changed();
  SigmaRulesStatus status() const;
  const SigmaRulesHolder& holder() const { return *holder_; }
  /// A detector following this service's published rule sets.
  std::unique_ptr<Detector> make_detector() const;

 private:
  explicit SigmaRulesService(SigmaRulesOptions options);
  void record(const SigmaLoad& load, const SigmaGeneration& generation);

  SigmaRulesOptions options_;
  std::unique_ptr<SigmaRulesHolder> holder_;
  std::mutex reload_mutex_;  // one reload at a time
  mutable std::mutex status_mutex_;
  SigmaRulesStatus status_;
  std::string fingerprint_;  // guarded by reload_mutex_
  PeriodicWorker watcher_;  // last: stops before the state its task reads is destroyed
};

/// Names, sizes and modification times of the rule files under `dir` (changes when any rule
/// file is added, removed or rewritten).
std::string rules_dir_fingerprint(const std::string& dir);

/// GET /api/v1/rules/status and POST /api/v1/rules/reload (national-admin, national-analyst;
/// auditors may read the status).
void register_sigma_rules_routes(Router& router, SigmaRulesService& service, IdentityService& identity);

}  // namespace khien
