// Campaign detector benchmarks: keyed state for 10 million distinct keys (keys, bytes, bytes per
// key, resident memory) and alert throughput with and without sighting extraction.
#include <benchmark/benchmark.h>

#include <fstream>
#include <string>

#include <fmt/format.h>

#include "correlate/campaign_detector.h"
#include "correlate/hashing.h"
#include "correlate/hyper_log_log.h"
#include "correlate/space_saving.h"

namespace khien {
namespace {

constexpr TimeNs kSec = 1'000'000'000;
constexpr TimeNs kT0 = 1'760'000'000LL * kSec;

std::size_t resident_bytes() {
  std::ifstream in("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * 4096;
}

// 10 M distinct keys, each seen at one organisation: nothing crosses a threshold, all stay live.
void BM_TenMillionKeys(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    std::size_t before = resident_bytes();
    CampaignOptions o;
    o.max_keys = n;
    CampaignDetector d(o);
    Alert a;
    a.org = "org-1";
    a.sector = "s";
    std::vector<Sighting> s{{CampaignKind::ip, ""}};
    for (std::size_t i = 0; i < n; ++i) {
      a.time = kT0 + static_cast<TimeNs>(i / 10000) * kSec;
      a.org = i % 2 ? "org-1" : "org-2";
      s[0].value = fmt::format("{}.{}.{}.0/24", (i >> 16) & 255, (i >> 8) & 255, i & 255) + std::to_string(i >> 24);
      d.observe(a, s);
    }
    auto st = d.stats();
    state.counters["keys"] = static_cast<double>(st.keys);
    state.counters["state_MB"] = static_cast<double>(st.state_bytes) / 1e6;
    state.counters["bytes_per_key"] = static_cast<double>(st.state_bytes) / static_cast<double>(st.keys);
    state.counters["rss_growth_MB"] = static_cast<double>(resident_bytes() - before) / 1e6;
    state.counters["dropped"] = static_cast<double>(st.dropped_keys);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_TenMillionKeys)->Arg(10'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);

// Alerts as the pipeline hands them over: event JSON parsed, keys extracted, state updated;
// 200 campaigns over 120 organisations among background keys.
void BM_AlertsWithExtraction(benchmark::State& state) {
  CampaignDetector d;
  std::vector<Alert> batch;
  for (int i = 0; i < 4096; ++i) {
    Alert a;
    a.kind = i % 3 ? "sigma" : "ioc";
    a.rule_id = fmt::format("rule-{}", i % 200);
    a.severity_id = 4;
    a.org = fmt::format("org-{}", i % 120);
    a.sector = fmt::format("sector-{}", i % 11);
    a.province = fmt::format("p-{}", i % 63);
    a.event_json = fmt::format(
        R"({{"class_uid":4001,"src_endpoint.ip":"45.{}.{}.{}","dst_endpoint.ip":"14.177.1.{}","dst_endpoint.port":443,)"
        R"("query.hostname":"host{}.example-{}.top","khien.org":"org-{}","message":"connection attempt"}})",
        i % 200, i % 7, i % 250, i % 250, i, i % 200, i % 120);
    a.event_seq = static_cast<std::uint64_t>(i);
    batch.push_back(std::move(a));
  }
  std::int64_t n = 0;
  for (auto _ : state) {
    for (auto& a : batch) a.time = kT0 + n / 1000 * kSec;
    d.observe(batch);
    d.take_changes();
    n += static_cast<std::int64_t>(batch.size());
  }
  state.SetItemsProcessed(n);
  state.counters["warnings"] = static_cast<double>(d.stats().warnings_raised);
}
BENCHMARK(BM_AlertsWithExtraction)->Unit(benchmark::kMillisecond);

// Pre-extracted sightings (the keyed state alone).
void BM_SightingsOnly(benchmark::State& state) {
  CampaignDetector d;
  Alert a;
  a.sector = "s";
  std::vector<Sighting> s{{CampaignKind::domain, ""}, {CampaignKind::ip, ""}};
  std::int64_t i = 0;
  for (auto _ : state) {
    a.org = fmt::format("org-{}", i % 120);
    a.time = kT0 + i / 10000 * kSec;
    s[0].value = fmt::format("d{}.top", i % 1'000'000);
    s[1].value = fmt::format("45.{}.{}.0/24", (i / 7) % 256, i % 256);
    d.observe(a, s);
    ++i;
  }
  state.SetItemsProcessed(i);
}
BENCHMARK(BM_SightingsOnly);

void BM_HyperLogLogAdd(benchmark::State& state) {
  HyperLogLog h(14);
  std::uint64_t i = 0;
  for (auto _ : state) h.add_hash(mix64(++i));
  state.SetItemsProcessed(static_cast<std::int64_t>(i));
}
BENCHMARK(BM_HyperLogLogAdd);

void BM_SpaceSavingOffer(benchmark::State& state) {
  SpaceSaving s(256);
  std::vector<std::string> keys;
  for (int i = 0; i < 10000; ++i) keys.push_back(fmt::format("10.{}.{}.{}", i % 7, i % 13, i % 251));
  std::size_t i = 0;
  for (auto _ : state) s.offer(keys[(i++ * 7919) % keys.size()]);
  state.SetItemsProcessed(static_cast<std::int64_t>(i));
}
BENCHMARK(BM_SpaceSavingOffer);

}  // namespace
}  // namespace khien

BENCHMARK_MAIN();
