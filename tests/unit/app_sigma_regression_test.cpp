// SigmaHQ regression data through the real winlog decoder: every case (info.yml + evtx-dump JSON)
// matches its rule at least match_count times; matching the samples in batches against every rule
// reports what matching them one at a time does.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <utility>

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

LoadedRules corpus_rules() {
  return load_rules({kSigma + "/rules", kSigma + "/rules-emerging-threats", kSigma + "/rules-threat-hunting",
                     kSigma + "/rules-compliance"});
}

TEST(SigmaRegression, EveryCaseMatchesItsRule) {
  if (!fs::exists(kSigma + "/regression_data")) GTEST_SKIP() << "no regression data";
  auto pipeline = FieldPipeline::load_default(KHIEN_SOURCE_DIR);
  ASSERT_TRUE(pipeline) << pipeline.error().message;
  LoadedRules all = corpus_rules();
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

// Every sample of the regression data (process creations and the rest: registry, network, DNS,
// PowerShell...) against all rules at once, one event at a time and in batches of several sizes:
// the same (event, rule) pairs in the same order.
TEST(SigmaRegression, BatchesMatchAsOneEventAtATime) {
  if (!fs::exists(kSigma + "/regression_data")) GTEST_SKIP() << "no regression data";
  auto pipeline = FieldPipeline::load_default(KHIEN_SOURCE_DIR);
  ASSERT_TRUE(pipeline) << pipeline.error().message;
  LoadedRules all = corpus_rules();
  auto set = compile_rules(std::move(all.rules), *pipeline);
  ASSERT_TRUE(set) << set.error().message;
  auto decoder = make_decoder("winlog");
  ASSERT_TRUE(decoder) << decoder.error().message;
  Arena arena;
  std::vector<std::string> texts;
  std::vector<Event> events;
  for (const auto& de : fs::recursive_directory_iterator(kSigma + "/regression_data")) {
    if (de.path().extension() != ".json") continue;
    texts.push_back(test::read_text_file(de.path()));
    for (std::string_view doc : split_json_documents(texts.back())) {
      Event e(arena);
      if ((*decoder)->decode(doc, e)) events.push_back(e);
    }
  }
  ASSERT_GT(events.size(), 100u);
  using Pairs = std::vector<std::pair<std::size_t, std::size_t>>;
  Pairs one_by_one;
  auto scratch = set->make_scratch();
  for (std::size_t i = 0; i < events.size(); ++i)
    set->match(events[i], scratch, [&](std::size_t r) { one_by_one.emplace_back(i, r); });
  EXPECT_GE(one_by_one.size(), events.size());  // the samples are attacks: most match several rules

  std::vector<const Event*> pointers;
  for (const auto& e : events) pointers.push_back(&e);
  for (std::size_t batch : {std::size_t{1}, std::size_t{7}, std::size_t{64}, pointers.size()}) {
    SCOPED_TRACE("batches of " + std::to_string(batch));
    Pairs batched;
    for (std::size_t from = 0; from < pointers.size(); from += batch) {
      const std::span<const Event* const> part(pointers.data() + from, std::min(batch, pointers.size() - from));
      set->match_batch(part, scratch, [&](std::size_t e, std::size_t r) { batched.emplace_back(from + e, r); });
    }
    EXPECT_EQ(batched, one_by_one);
    // A batch and single events interleave on one scratch without one leaking into the other.
    Pairs again;
    set->match(events[0], scratch, [&](std::size_t r) { again.emplace_back(0, r); });
    EXPECT_EQ(again, Pairs(one_by_one.begin(), std::find_if(one_by_one.begin(), one_by_one.end(),
                                                            [](const auto& p) { return p.first != 0; })));
  }
  set->match_batch({}, scratch, [&](std::size_t, std::size_t) { ADD_FAILURE() << "a match in an empty batch"; });
}

}  // namespace
}  // namespace khien
