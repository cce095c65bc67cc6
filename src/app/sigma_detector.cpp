// Sigma detector: rule loading from the embedded defaults and a directory; alerts per match.
#include "app/sigma_detector.h"

#include <spdlog/spdlog.h>

#include "detect/rules_check.h"

namespace khien {

int severity_for_level(std::string_view level) {
  if (level == "informational") return 1;
  if (level == "low") return 2;
  if (level == "medium") return 3;
  if (level == "high") return 4;
  if (level == "critical") return 5;
  return 3;
}

Result<std::shared_ptr<const RuleSet>> load_sigma_rules(const std::string& rules_dir) {
  FieldPipeline pipeline;
  for (const auto& [name, text] : embedded_pipeline_files())
    if (auto st = pipeline.load_text(text, "data/pipelines/" + name); !st) return tl::unexpected(st.error());
  std::vector<SigmaRule> rules;
  std::vector<SigmaLoadError> errors;
  for (const auto& [name, text] : embedded_rule_files()) parse_sigma_text(text, "data/rules/" + name, rules, errors);
  if (!rules_dir.empty()) {
    auto loaded = load_rules({rules_dir});
    for (auto& r : loaded.rules) rules.push_back(std::move(r));
    for (auto& e : loaded.errors) errors.push_back(std::move(e));
  }
  for (const auto& e : errors) spdlog::warn("sigma: {}:{}: {}", e.file, e.line, e.reason);
  auto set = compile_rules(std::move(rules), pipeline);
  if (!set) return tl::unexpected(set.error());
  for (const auto& s : set->skipped()) spdlog::debug("sigma: {}:{}: {} not run: {}", s.file, s.line, s.id, s.reason);
  spdlog::info("sigma: {} rules compiled, {} cannot run here, {} failed to load", set->size(), set->skipped().size(), errors.size());
  return std::make_shared<const RuleSet>(std::move(*set));
}

SigmaDetector::SigmaDetector(std::shared_ptr<const RuleSet> rules) : rules_(std::move(rules)), scratch_(rules_->make_scratch()) {}

void SigmaDetector::detect(const Event& event, std::vector<Alert>& out) {
  rules_->match(event, scratch_, [&](std::size_t index) {
    if (!rules_->generates_alerts(index)) return;
    const SigmaRule& rule = rules_->rule(index);
    Alert a;
    a.kind = "sigma";
    a.rule_id = rule.id.empty() ? rule.name : rule.id;
    a.title = rule.title;
    a.level = rule.level;
    a.severity_id = severity_for_level(rule.level);
    a.source = rule.file;
    for (const auto& tag : rule.tags) {
      // attack.t1059.001 → T1059.001; other tags kept as written.
      if (tag.rfind("attack.t", 0) == 0) {
        std::string t = tag.substr(7);
        for (auto& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        a.tags.push_back(t);
      } else {
        a.tags.push_back(tag);
      }
    }
    out.push_back(std::move(a));
  });
}

}  // namespace khien
