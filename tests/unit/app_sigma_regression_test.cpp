// SigmaHQ regression data through the real winlog decoder: every case (info.yml + evtx-dump JSON)
// matches its rule at least match_count times.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include <yaml-cpp/yaml.h>

#include "decode/decoder.h"
#include "decode/json_documents.h"
#include "detect/field_pipeline.h"
#include "detect/rule_set.h"
#include "detect/rules_check.h"
#include "test_files.h"

namespace khien {
namespace {

namespace fs = std::filesystem;
const std::string kSigma = std::string(KHIEN_CORPUS_DIR) + "/sigma";

TEST(SigmaRegression, EveryCaseMatchesItsRule) {
  if (!fs::exists(kSigma + "/regression_data")) GTEST_SKIP() << "no regression data";
  auto pipeline = FieldPipeline::load_default(KHIEN_SOURCE_DIR);
  ASSERT_TRUE(pipeline) << pipeline.error().message;
  LoadedRules all = load_rules({kSigma + "/rules", kSigma + "/rules-emerging-threats", kSigma + "/rules-threat-hunting",
                                kSigma + "/rules-compliance"});
  std::map<std::string, const SigmaRule*> by_id;
  for (const auto& r : all.rules) by_id.emplace(r.id, &r);

  auto decoder = make_decoder("winlog");
  ASSERT_TRUE(decoder) << decoder.error().message;
  std::size_t cases = 0;
  for (const auto& de : fs::recursive_directory_iterator(kSigma + "/regression_data")) {
    if (de.path().filename() != "info.yml") continue;
    const YAML::Node info = YAML::LoadFile(de.path().string());
    const std::string rule_id = info["rule_metadata"][0]["id"].as<std::string>();
    SCOPED_TRACE(de.path().string());
    auto it = by_id.find(rule_id);
    ASSERT_NE(it, by_id.end()) << "rule " << rule_id << " not in the corpus";
    auto set = compile_rules({*it->second}, *pipeline);
    ASSERT_TRUE(set) << set.error().message;
    ASSERT_EQ(set->size(), 1u) << (set->skipped().empty() ? "" : set->skipped()[0].reason);
    for (const auto& test : info["regression_tests_info"]) {
      // Cases without match_count expect at least one match.
      const std::size_t want = test["match_count"] ? test["match_count"].as<std::size_t>() : 1;
      const fs::path json = de.path().parent_path() / fs::path(test["path"].as<std::string>()).filename().replace_extension(".json");
      const std::string text = test::read_text_file(json);
      ASSERT_FALSE(text.empty()) << "missing " << json;
      Arena arena;
      std::vector<Event> events;
      for (std::string_view doc : split_json_documents(text)) {
        Event e(arena);
        auto st = (*decoder)->decode(doc, e);
        ASSERT_TRUE(st) << json << ": " << st.error().message;
        events.push_back(e);
      }
      const auto matches = rules_test(*set, events);
      EXPECT_GE(matches.size(), want) << it->second->title << " (" << it->second->file << ") over " << events.size()
                                      << " events";
      ++cases;
    }
  }
  EXPECT_GT(cases, 90u);
}

}  // namespace
}  // namespace khien
