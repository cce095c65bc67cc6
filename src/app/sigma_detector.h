// Sigma detection in the pipeline: the compiled rule set (shipped rules and pipelines, plus a rule directory) as a Detector.
#pragma once

#include <memory>
#include <string>

#include "core/alert.h"
#include "detect/rule_set.h"

namespace khien {

/// The field-mapping pipelines and khien's own rules, as built into the binary.
const std::map<std::string, std::string_view>& embedded_pipeline_files();
const std::map<std::string, std::string_view>& embedded_rule_files();

/// Loads the built-in pipelines, the built-in rules and every rule under `rules_dir` (if not
/// empty) and compiles them. Rules that fail to load are logged with file and line and skipped.
Result<std::shared_ptr<const RuleSet>> load_sigma_rules(const std::string& rules_dir);

/// Runs a shared RuleSet on each event. One instance per pipeline worker (it owns the scratch).
class SigmaDetector : public Detector {
 public:
  explicit SigmaDetector(std::shared_ptr<const RuleSet> rules);
  std::string_view name() const override { return "sigma"; }
  void detect(const Event& event, std::vector<Alert>& out) override;

 private:
  std::shared_ptr<const RuleSet> rules_;
  RuleSet::Scratch scratch_;
};

/// OCSF severity for a Sigma level (informational 1 … critical 5).
int severity_for_level(std::string_view level);

}  // namespace khien
