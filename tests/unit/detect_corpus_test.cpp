// SigmaHQ corpus: at least 99% of the rules parse (each failure is listed with its reason), the
// whole corpus compiles into one rule set, and khien's own rules load and pass their examples.
#include <gtest/gtest.h>

#include <filesystem>

#include "detect/field_pipeline.h"
#include "detect/rule_set.h"
#include "detect/rules_check.h"

namespace khien {
namespace {

const std::string kSigma = std::string(KHIEN_CORPUS_DIR) + "/sigma";

std::vector<std::string> corpus_dirs() {
  return {kSigma + "/rules", kSigma + "/rules-emerging-threats", kSigma + "/rules-threat-hunting",
          kSigma + "/rules-compliance"};
}

TEST(SigmaCorpus, AtLeast99PercentParse) {
  if (!std::filesystem::exists(kSigma + "/rules")) GTEST_SKIP() << "no Sigma corpus at " << kSigma;
  RulesCheckReport r = check_rules(corpus_dirs());
  for (const auto& f : r.failures) std::printf("FAILED %s:%d: %s\n", f.file.c_str(), f.line, f.reason.c_str());
  std::printf("parsed %zu of %zu documents in %zu files\n", r.loaded, r.documents, r.files);
  ASSERT_GT(r.documents, 3000u);
  EXPECT_GE(static_cast<double>(r.loaded), 0.99 * static_cast<double>(r.documents));
  EXPECT_GT(r.by_modifier["contains"], 1000u);
}

TEST(SigmaCorpus, CompilesWithDefaultPipelines) {
  if (!std::filesystem::exists(kSigma + "/rules")) GTEST_SKIP() << "no Sigma corpus at " << kSigma;
  auto pipeline = FieldPipeline::load_default(KHIEN_SOURCE_DIR);
  ASSERT_TRUE(pipeline) << pipeline.error().message;
  LoadedRules loaded = load_rules({kSigma + "/rules"});
  auto set = compile_rules(std::move(loaded.rules), *pipeline);
  ASSERT_TRUE(set) << set.error().message;
  std::map<std::string, int> reasons;
  for (const auto& s : set->skipped()) ++reasons[s.reason];
  for (const auto& [why, n] : reasons) std::printf("not runnable (%d): %s\n", n, why.c_str());
  std::printf("compiled %zu rules, %zu databases, %zu patterns\n", set->size(), set->database_count(), set->pattern_count());
  EXPECT_GT(set->size(), 2000u);
  // Every Windows rule whose logsource khien maps must compile.
  for (const auto& s : set->skipped())
    EXPECT_EQ(s.reason.find("no field-mapping pipeline"), 0u) << s.file << ": " << s.reason;
}

TEST(SigmaCorpus, KhienRulesLoad) {
  auto pipeline = FieldPipeline::load_default(KHIEN_SOURCE_DIR);
  ASSERT_TRUE(pipeline) << pipeline.error().message;
  RulesCheckReport r = check_rules({std::string(KHIEN_SOURCE_DIR) + "/data/rules"}, &*pipeline);
  EXPECT_TRUE(r.ok()) << r.to_text();
  EXPECT_GE(r.loaded, 3u);
  EXPECT_TRUE(r.unsupported.empty()) << r.to_text();
}

}  // namespace
}  // namespace khien
