// Sigma engine throughput: Windows process-creation events (SigmaHQ regression samples, decoded
// by the winlog decoder) matched against 100, 1,000 and all SigmaHQ rules, on one core.
// KHIEN_CORPUS_DIR (environment) points at ../shared/corpus; the default is next to the source tree.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>

#include "decode/decoder.h"
#include "decode/json_documents.h"
#include "detect/field_pipeline.h"
#include "detect/rule_set.h"
#include "detect/rules_check.h"

namespace {

using namespace khien;
namespace fs = std::filesystem;

fs::path source_dir() { return fs::path(__FILE__).parent_path().parent_path(); }

fs::path corpus_dir() {
  if (const char* env = std::getenv("KHIEN_CORPUS_DIR")) return env;
  return source_dir().parent_path() / "shared" / "corpus";
}

struct Fixture {
  FieldPipeline pipeline;
  std::vector<SigmaRule> rules;  // shuffled with a fixed seed
  Arena arena;
  std::vector<Event> events;
  std::vector<std::string> texts;

  Fixture() {
    auto p = FieldPipeline::load_default(source_dir().string());
    if (!p) throw std::runtime_error(p.error().message);
    pipeline = std::move(*p);
    LoadedRules loaded = load_rules({(corpus_dir() / "sigma" / "rules").string()});
    rules = std::move(loaded.rules);
    std::mt19937 rng(42);
    std::shuffle(rules.begin(), rules.end(), rng);
    auto decoder = make_decoder("winlog");
    if (!decoder) throw std::runtime_error(decoder.error().message);
    for (const auto& de : fs::recursive_directory_iterator(corpus_dir() / "sigma" / "regression_data")) {
      if (de.path().extension() != ".json") continue;
      std::ifstream in(de.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      texts.push_back(ss.str());
    }
    for (const auto& t : texts)
      for (std::string_view doc : split_json_documents(t)) {
        Event e(arena);
        if (!(*decoder)->decode(doc, e)) continue;
        // Process creation only (Sysmon EventID 1).
        const Value* id = e.get(field::winlog_event_id);
        if (id && id->type == FieldType::Int && id->i == 1) events.push_back(e);
      }
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_SigmaProcessCreation(benchmark::State& state) {
  Fixture& f = fixture();
  const std::size_t n = state.range(0) == 0 ? f.rules.size() : std::min<std::size_t>(state.range(0), f.rules.size());
  // Google Benchmark calls this once per trial iteration count; compile each size once.
  static std::map<std::size_t, Result<RuleSet>> compiled;
  auto found = compiled.find(n);
  if (found == compiled.end()) {
    std::vector<SigmaRule> subset(f.rules.begin(), f.rules.begin() + static_cast<std::ptrdiff_t>(n));
    found = compiled.emplace(n, compile_rules(std::move(subset), f.pipeline)).first;
  }
  auto& set = found->second;
  if (!set) {
    state.SkipWithError(set.error().message.c_str());
    return;
  }
  auto scratch = set->make_scratch();
  std::size_t hits = 0, i = 0;
  for (auto _ : state) {
    set->match(f.events[i], scratch, [&](std::size_t) { ++hits; });
    if (++i == f.events.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["rules"] = static_cast<double>(set->size());
  state.counters["patterns"] = static_cast<double>(set->pattern_count());
  state.counters["sample_events"] = static_cast<double>(f.events.size());
  state.counters["hits_per_event"] = benchmark::Counter(static_cast<double>(hits), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_SigmaProcessCreation)->Arg(100)->Arg(1000)->Arg(0)->Unit(benchmark::kMicrosecond);

void BM_SigmaCompileAll(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    auto set = compile_rules(f.rules, f.pipeline);
    benchmark::DoNotOptimize(set);
  }
}
BENCHMARK(BM_SigmaCompileAll)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
