// Sigma engine throughput: Windows process-creation events (SigmaHQ regression samples, decoded
// by the winlog decoder) matched against 100, 1,000 and all SigmaHQ rules, on one core; and the
// same samples diluted in the simulator's benign process creations (one in 20 events an attack).
// KHIEN_CORPUS_DIR (environment) points at ../shared/corpus; the default is next to the source tree.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>

#include "app/event_generator.h"
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
  std::vector<std::string_view> documents;  // the JSON document of each of `events`
  // The attack samples, each followed by kBenignPerAttack benign process creations of the
  // simulator (distinct hosts, users, process ids and times; seven programs).
  static constexpr std::size_t kBenignPerAttack = 19;
  std::vector<Event> mixed;
  std::deque<std::string> generated;

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
        if (id && id->type == FieldType::Int && id->i == 1) {
          events.push_back(e);
          documents.push_back(doc);
        }
      }
    std::vector<SimulatedSoc> socs;
    for (int i = 0; i < 40; ++i)
      socs.push_back({"soc-" + std::to_string(i), "org-" + std::to_string(i), "energy", "hanoi", "syslog", {"winlog"}, {},
                      "ministry", {"org" + std::to_string(i) + ".vn"}});
    EventGenerator gen(std::move(socs), {}, 7);
    std::vector<Event> benign;
    const TimeNs start = 1'763'900'000'000'000'000;
    for (std::uint64_t k = 0; benign.size() < kBenignPerAttack * events.size() && k < 10'000'000; ++k) {
      GeneratedRecord r = gen.next(start + static_cast<TimeNs>(k) * 1'000'000, static_cast<double>(k) / 1000.0);
      Event e(arena);
      const std::string& line = generated.emplace_back(std::move(r.line));
      const Value* id = (*decoder)->decode(line, e) ? e.get(field::winlog_event_id) : nullptr;
      if (id && id->type == FieldType::Int && id->i == 1) benign.push_back(e);
      else generated.pop_back();
    }
    for (std::size_t k = 0; k < events.size(); ++k) {
      mixed.push_back(events[k]);
      for (std::size_t b = 0; b < kBenignPerAttack && k * kBenignPerAttack + b < benign.size(); ++b)
        mixed.push_back(benign[k * kBenignPerAttack + b]);
    }
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// The first `n` rules (0: all), compiled once per size for every benchmark.
Result<RuleSet>& compiled_rules(Fixture& f, std::int64_t n_arg) {
  const std::size_t n = n_arg == 0 ? f.rules.size() : std::min<std::size_t>(n_arg, f.rules.size());
  static std::map<std::size_t, Result<RuleSet>> compiled;
  auto found = compiled.find(n);
  if (found == compiled.end()) {
    std::vector<SigmaRule> subset(f.rules.begin(), f.rules.begin() + static_cast<std::ptrdiff_t>(n));
    found = compiled.emplace(n, compile_rules(std::move(subset), f.pipeline)).first;
  }
  return found->second;
}

// The rule set of the benchmark's first argument, or null with the benchmark skipped.
const RuleSet* rules_or_skip(benchmark::State& state) {
  auto& set = compiled_rules(fixture(), state.range(0));
  if (set) return &*set;
  state.SkipWithError(set.error().message.c_str());
  return nullptr;
}

void match_stream(benchmark::State& state, const std::vector<Event>& events) {
  const RuleSet* set = rules_or_skip(state);
  if (!set) return;
  auto scratch = set->make_scratch();
  std::size_t hits = 0, i = 0;
  for (auto _ : state) {
    set->match(events[i], scratch, [&](std::size_t) { ++hits; });
    if (++i == events.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["rules"] = static_cast<double>(set->size());
  state.counters["patterns"] = static_cast<double>(set->pattern_count());
  state.counters["sample_events"] = static_cast<double>(events.size());
  state.counters["hits_per_event"] = benchmark::Counter(static_cast<double>(hits), benchmark::Counter::kAvgIterations);
}

// Attack samples only (1.24 matches per event with all rules): the worst case.
void BM_SigmaProcessCreation(benchmark::State& state) { match_stream(state, fixture().events); }
BENCHMARK(BM_SigmaProcessCreation)->Arg(100)->Arg(1000)->Arg(0)->Unit(benchmark::kMicrosecond);

// As the pipeline's detector matches: a batch of events at a time (RuleSet::match_batch), each
// field's database scanned for the whole batch in turn. Arguments: rules (0: all), batch size.
// The time column is per batch; items_per_second and us_per_event are per event.
void match_stream_batched(benchmark::State& state, const std::vector<Event>& events) {
  const RuleSet* set = rules_or_skip(state);
  if (!set) return;
  auto scratch = set->make_scratch();
  const auto batch = static_cast<std::size_t>(state.range(1));
  std::vector<const Event*> ring;  // the events, then the first `batch` again so that every batch is contiguous
  for (std::size_t k = 0; k < events.size() + batch; ++k) ring.push_back(&events[k % events.size()]);
  std::size_t hits = 0, i = 0;
  for (auto _ : state) {
    set->match_batch(std::span<const Event* const>(ring.data() + i, batch), scratch,
                     [&](std::size_t, std::size_t) { ++hits; });
    i = (i + batch) % events.size();
  }
  const auto matched = static_cast<std::int64_t>(state.iterations() * batch);
  state.SetItemsProcessed(matched);
  state.counters["hits_per_event"] = static_cast<double>(hits) / static_cast<double>(matched);
  state.counters["us_per_event"] = benchmark::Counter(static_cast<double>(matched), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
void BM_SigmaProcessCreationBatch(benchmark::State& state) { match_stream_batched(state, fixture().events); }
BENCHMARK(BM_SigmaProcessCreationBatch)->Args({0, 16})->Args({0, 64})->Args({0, 256})->Args({0, 1024})->Args({1000, 64})->Unit(benchmark::kMicrosecond);
void BM_SigmaProcessCreationMixedBatch(benchmark::State& state) { match_stream_batched(state, fixture().mixed); }
BENCHMARK(BM_SigmaProcessCreationMixedBatch)->Args({0, 32})->Args({0, 64})->Args({0, 128})->Args({0, 1024})->Unit(benchmark::kMicrosecond);

// As the pipeline sees an event: decoded just before it is matched, so its slots are in cache (the
// benchmarks above cycle through events decoded long before, whose slots the cache has lost). The
// matching alone costs this benchmark's time less BM_SigmaDecodeOnly's.
void decode_stream(benchmark::State& state, bool match) {
  Fixture& f = fixture();
  auto& set = compiled_rules(f, state.range(0));
  auto decoder = make_decoder("winlog");
  if (!set || !decoder) {
    state.SkipWithError("rules or decoder");
    return;
  }
  auto scratch = set->make_scratch();
  Arena arena;
  std::size_t hits = 0, i = 0;
  for (auto _ : state) {
    arena.reset();
    Event e(arena);
    if (!(*decoder)->decode(f.documents[i], e)) state.SkipWithError("a sample no longer decodes");
    if (match) set->match(e, scratch, [&](std::size_t) { ++hits; });
    benchmark::DoNotOptimize(e.size());
    if (++i == f.documents.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["hits_per_event"] = benchmark::Counter(static_cast<double>(hits), benchmark::Counter::kAvgIterations);
}
void BM_SigmaDecodeAndMatch(benchmark::State& state) { decode_stream(state, true); }
BENCHMARK(BM_SigmaDecodeAndMatch)->Arg(0)->Unit(benchmark::kMicrosecond);
void BM_SigmaDecodeOnly(benchmark::State& state) { decode_stream(state, false); }
BENCHMARK(BM_SigmaDecodeOnly)->Arg(0)->Unit(benchmark::kMicrosecond);

// One attack sample in 20 events, the rest benign process creations from the simulator.
void BM_SigmaProcessCreationMixed(benchmark::State& state) { match_stream(state, fixture().mixed); }
BENCHMARK(BM_SigmaProcessCreationMixed)->Arg(0)->Unit(benchmark::kMicrosecond);

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
