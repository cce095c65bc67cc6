// Sigma detection in the pipeline: the compiled rule set (shipped rules and pipelines, plus a rule
// directory) and its correlation state, published as generations, run by a Detector.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/alert.h"
#include "core/batch_hits.h"
#include "core/time.h"
#include "detect/correlation_engine.h"
#include "detect/rule_set.h"

namespace khien {

/// The field-mapping pipelines and khien's own rules, as built into the binary.
const std::map<std::string, std::string_view>& embedded_pipeline_files();
const std::map<std::string, std::string_view>& embedded_rule_files();

/// What one load of the rules produced: the compiled set (null when it could not be built at
/// all) and every document that failed, with file, line and reason.
struct SigmaLoad {
  std::shared_ptr<const RuleSet> rules;
  std::vector<SigmaLoadError> failures;
  std::string error;  ///< why `rules` is null
};

/// Loads the built-in pipelines, the built-in rules and every rule under `rules_dir` (if not
/// empty) and compiles them. Bad documents are listed in `failures` and skipped; the others load.
SigmaLoad load_sigma_rule_set(const std::string& rules_dir);

/// load_sigma_rule_set() with the failures logged (file and line); an error only when nothing compiled.
Result<std::shared_ptr<const RuleSet>> load_sigma_rules(const std::string& rules_dir);

/// One published rule set with the correlation state bound to it.
///
/// Threading: `rules` is immutable and read without a lock. The correlation engine is shared by
/// every detector running this generation and guarded by `correlation_mutex`: hits for one
/// group-by key then meet in one place whatever worker saw the event. A new generation starts
/// with empty correlation windows.
struct SigmaGeneration {
  SigmaGeneration(std::shared_ptr<const RuleSet> rules, std::uint64_t version, CorrelationOptions options = {});

  std::shared_ptr<const RuleSet> rules;
  std::uint64_t version = 0;
  TimeNs loaded_at = 0;
  std::mutex correlation_mutex;
  CorrelationEngine correlation;  ///< guarded by correlation_mutex
};

/// Holds the live generation. get() and publish() may be called from any thread; version() is a
/// lock-free load so a detector checks it per event and takes the lock only when it changed.
class SigmaRulesHolder {
 public:
  explicit SigmaRulesHolder(std::shared_ptr<SigmaGeneration> initial);
  std::shared_ptr<SigmaGeneration> get() const;
  /// Makes a generation of `rules` current and returns it (its version is the previous + 1).
  std::shared_ptr<SigmaGeneration> publish(std::shared_ptr<const RuleSet> rules);
  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }
  CorrelationOptions correlation_options() const { return options_; }
  void set_correlation_options(CorrelationOptions options) { options_ = options; }

 private:
  std::mutex publish_mutex_;
  mutable std::mutex mutex_;
  std::shared_ptr<SigmaGeneration> current_;
  std::atomic<std::uint64_t> version_{0};
  CorrelationOptions options_;
};

/// Runs the current rule set on each event; base-rule hits feed the generation's correlation
/// rules, whose hits become "sigma-correlation" alerts. One instance per pipeline worker (it owns
/// the scratch). It picks up a newly published generation at its next event.
class SigmaDetector : public Detector {
 public:
  /// A fixed rule set (tests, `khien ingest`).
  explicit SigmaDetector(std::shared_ptr<const RuleSet> rules);
  /// Follows `holder` (which must outlive the detector).
  explicit SigmaDetector(const SigmaRulesHolder& holder);
  std::string_view name() const override { return "sigma"; }
  /// Matches the batch's events together (RuleSet::match_batch: each field's database scans the
  /// whole batch in turn); detect() then reports each event's rules from it.
  void begin_batch(std::span<const Event* const> events) override;
  /// An event of the current batch takes its rules from begin_batch; any other is matched alone.
  void detect(const Event& event, std::vector<Alert>& out) override;
  /// Version of the generation the detector last ran.
  std::uint64_t version() const { return current_ ? current_->version : 0; }

 private:
  void refresh();

  const SigmaRulesHolder* holder_ = nullptr;
  std::shared_ptr<SigmaGeneration> current_;
  RuleSet::Scratch scratch_;
  std::vector<std::size_t> matched_;  // rules that matched the current event
  std::vector<CorrelationHit> hits_;
  // The batch begun by begin_batch: its generation (kept until the batch is done, whatever a
  // reload publishes) and the rules each of its events matched.
  std::shared_ptr<SigmaGeneration> batch_generation_;
  BatchHits<std::uint32_t> batch_;
};

/// OCSF severity for a Sigma level (informational 1 … critical 5).
int severity_for_level(std::string_view level);

}  // namespace khien
