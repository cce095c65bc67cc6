// The vulnerability targets measured at full scale, through the code the CLI and the server run:
// ~250,000 generated NVD records written as NVD API pages of 2,000 and imported with
// VulnService::import_files (what `khien vuln import` calls), then 100,000 information systems
// against all of them, then one new CVE arriving through VulnService::import_text (what
// POST /api/v1/vulns/import calls) and one system edited. The benchmarks share one state and run in
// the order registered, once each (KHIEN_VULN_BENCH_CVES / _SYSTEMS scale it down for a quick look).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <tuple>

#include <unistd.h>

#include "app/registry_import.h"
#include "app/vuln_service.h"
#include "nvd_generator.h"

namespace khien {
namespace {

std::size_t env_size(const char* name, std::size_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? static_cast<std::size_t>(std::strtoull(v, nullptr, 10)) : fallback;
}

struct Scale {
  std::size_t cves = env_size("KHIEN_VULN_BENCH_CVES", 250000);
  std::size_t systems = env_size("KHIEN_VULN_BENCH_SYSTEMS", 100000);
  bench::NvdGenerator generator;
  // KHIEN_VULN_BENCH_DIR: a directory a previous run imported into (kept), to measure the later
  // stages alone with --benchmark_filter.
  bool keep = std::getenv("KHIEN_VULN_BENCH_DIR") != nullptr;
  std::filesystem::path dir = keep ? std::filesystem::path(std::getenv("KHIEN_VULN_BENCH_DIR"))
                                   : std::filesystem::temp_directory_path() / ("khien-vuln-scale-" + std::to_string(getpid()));
  std::vector<std::filesystem::path> pages;
  std::unique_ptr<VulnService> service;
  std::size_t next_cve = 0;

  ~Scale() {
    service.reset();
    std::error_code ec;
    if (!keep) std::filesystem::remove_all(dir, ec);
  }
};

Scale& scale() {
  static Scale s;
  return s;
}

std::vector<InformationSystem> inventory(std::size_t n, const bench::NvdGenerator& g) {
  auto registry = load_registry({});
  std::vector<std::string> orgs;
  for (const auto& o : registry->organisations) orgs.push_back(o.id);
  std::vector<InformationSystem> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    out[i].id = "sys-" + std::to_string(i);
    out[i].name = "system " + std::to_string(i);
    out[i].owner = orgs[i % orgs.size()];
    out[i].security_level = 1 + static_cast<int>(i % 5);
    out[i].national_critical = i % 997 == 0;
    out[i].software = g.system_software(i);
  }
  return out;
}

void BM_GenerateNvdPages(benchmark::State& state) {
  auto& s = scale();
  std::size_t bytes = 0;
  for (auto _ : state) s.pages = s.generator.write_pages(s.dir / "nvd", s.cves, 2000, &bytes);
  state.counters["records"] = static_cast<double>(s.cves);
  state.counters["pages"] = static_cast<double>(s.pages.size());
  state.counters["MB"] = static_cast<double>(bytes) / 1e6;
  state.counters["bytes_per_record"] = static_cast<double>(bytes) / static_cast<double>(s.cves);
}
BENCHMARK(BM_GenerateNvdPages)->Iterations(1)->Unit(benchmark::kSecond);

// Parse, validate, hash and store every page (SQLite, one transaction per page), as `khien vuln import`.
void BM_ImportWholeNvd(benchmark::State& state) {
  auto& s = scale();
  std::size_t added = 0, rejected = 0;
  for (auto _ : state) {
    auto service = VulnService::open(s.dir / "data");
    if (!service) {
      state.SkipWithError(service.error().message.c_str());
      return;
    }
    auto reports = (*service)->import_files(s.pages);
    if (!reports) {
      state.SkipWithError(reports.error().message.c_str());
      return;
    }
    for (const auto& r : *reports) {
      added += r["added"].get<std::size_t>();
      rejected += r["rejected"].get<std::size_t>();
    }
  }
  state.counters["added"] = static_cast<double>(added);
  state.counters["rejected"] = static_cast<double>(rejected);
  state.counters["records_per_s"] = benchmark::Counter(static_cast<double>(added), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ImportWholeNvd)->Iterations(1)->Unit(benchmark::kSecond);

// A server start: every stored part replayed from SQLite into the database.
void BM_LoadStoredNvd(benchmark::State& state) {
  auto& s = scale();
  for (auto _ : state) {
    s.service.reset();
    auto service = VulnService::open(s.dir / "data");
    if (!service) {
      state.SkipWithError(service.error().message.c_str());
      return;
    }
    s.service = std::move(*service);
  }
}
BENCHMARK(BM_LoadStoredNvd)->Iterations(1)->Unit(benchmark::kSecond);

// The whole inventory replaced, then the exposure of every CVE computed (the first question asks).
void BM_ExposureWholeInventory(benchmark::State& state) {
  auto& s = scale();
  auto systems = inventory(s.systems, s.generator);
  std::size_t exposing = 0, pairs = 0;
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
  for (auto _ : state) {
    // Three phases, reported apart: indexing the inventory, the exposure of every CVE (on every
    // core), and ranking every exposed CVE for the first page of GET /api/v1/exposure.
    auto t0 = Clock::now();
    s.service->set_inventory(systems);
    auto t1 = Clock::now();
    std::tie(exposing, pairs) = s.service->exposure_counts();
    auto t2 = Clock::now();
    auto top = s.service->exposure("", "", 0, 1);
    benchmark::DoNotOptimize(top);
    auto t3 = Clock::now();
    state.counters["index_s"] = seconds(t1 - t0);
    state.counters["all_cves_s"] = seconds(t2 - t1);
    state.counters["rank_s"] = seconds(t3 - t2);
  }
  state.counters["systems"] = static_cast<double>(s.systems);
  state.counters["cves_exposing"] = static_cast<double>(exposing);
  state.counters["exposed_pairs"] = static_cast<double>(pairs);
}
// CPU time of the whole process: the exposure of every CVE runs on every core.
BENCHMARK(BM_ExposureWholeInventory)->Iterations(1)->MeasureProcessCPUTime()->UseRealTime()->Unit(benchmark::kSecond);

// GET /api/v1/exposure's work once the exposure is current: the top 1,000 described.
void BM_ExposureListTop1000(benchmark::State& state) {
  auto& s = scale();
  for (auto _ : state) benchmark::DoNotOptimize(s.service->exposure("", "", 0, 1000));
}
BENCHMARK(BM_ExposureListTop1000)->Iterations(3)->Unit(benchmark::kMillisecond);

// One new CVE (a page of one record) through the upload path: parse, store, exposure of that CVE
// against the 100,000 systems, wide-scale check.
void BM_NewCveExposure(benchmark::State& state) {
  auto& s = scale();
  std::size_t exposed = 0;
  // A kept directory may hold the CVEs an earlier run added: start after them.
  while (s.service->show(bench::NvdGenerator::cve_id(s.cves + s.next_cve))) ++s.next_cve;
  for (auto _ : state) {
    std::size_t i = s.cves + s.next_cve++;
    auto text = s.generator.page(i, 1, 1);
    auto r = s.service->import_text(text, "new-cve");
    if (!r || (*r)["added"].get<int>() != 1) {
      state.SkipWithError("the new CVE was not added");
      return;
    }
    state.PauseTiming();
    if (auto d = s.service->show(bench::NvdGenerator::cve_id(i))) exposed += (*d)["exposure"]["systems"].size();
    state.ResumeTiming();
  }
  state.counters["exposed_per_cve"] = static_cast<double>(exposed) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_NewCveExposure)->Iterations(50)->Unit(benchmark::kMillisecond);

// One information system edited through the API: its exposure re-evaluated against every CVE that
// names one of its products.
void BM_SystemEdit(benchmark::State& state) {
  auto& s = scale();
  auto systems = inventory(200, s.generator);
  std::size_t i = 0;
  for (auto _ : state) {
    auto sys = systems[i % systems.size()];
    sys.software = s.generator.system_software(s.systems + i++);
    s.service->upsert_system(sys);
  }
}
BENCHMARK(BM_SystemEdit)->Iterations(200)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace khien

BENCHMARK_MAIN();
