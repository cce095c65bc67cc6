// Benchmarks of the vulnerability engine: NVD import throughput (records/s, to extrapolate to the
// ~250,000 CVEs of the whole NVD), exposure of a 100,000-system inventory against every loaded CVE,
// and the exposure latency of one new CVE. Synthetic CVEs are built from the real corpus records
// (the 38-CVE NVD page and the Log4Shell excerpt) with fresh ids and products spread over 20,000
// vendor:product pairs, so the index sees realistic bucket sizes.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vuln/exposure_index.h"
#include "vuln/vuln_database.h"

#ifndef KHIEN_CORPUS_DIR
#define KHIEN_CORPUS_DIR "../shared/corpus"
#endif

namespace khien {
namespace {

constexpr int kProducts = 20000;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path corpus() {
  if (const char* env = std::getenv("KHIEN_CORPUS_DIR")) return env;
  return KHIEN_CORPUS_DIR;
}

// Every criteria's vendor:product is replaced by one of kProducts synthetic pairs.
void retarget(nlohmann::json& j, std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, kProducts - 1);
  if (j.is_object()) {
    if (j.contains("criteria") && j["criteria"].is_string()) {
      auto cpe = Cpe::parse(j["criteria"].get<std::string>());
      if (cpe) {
        int p = pick(rng);
        cpe->set(CpeAttribute::vendor, CpeValue::literal("vendor" + std::to_string(p % 4000)));
        cpe->set(CpeAttribute::product, CpeValue::literal("product" + std::to_string(p)));
        j["criteria"] = cpe->to_formatted();
      }
    }
    for (auto& [k, v] : j.items()) retarget(v, rng);
  } else if (j.is_array()) {
    for (auto& v : j) retarget(v, rng);
  }
}

// An NVD API 2.0 page of `n` CVEs with ids CVE-2099-<first..>.
std::string synthetic_page(std::size_t first, std::size_t n, unsigned seed) {
  auto page = nlohmann::json::parse(slurp(corpus() / "vuln/nvd/nvd-api2-page-38cves.json"));
  auto log4 = nlohmann::json::parse(slurp(corpus() / "vuln/nvd/nvd-api2-CVE-2021-44228-excerpt.json"));
  std::vector<nlohmann::json> templates;
  for (const auto& v : page["vulnerabilities"])
    if (v["cve"].contains("configurations")) templates.push_back(v);
  templates.push_back(log4["vulnerabilities"][0]);
  std::mt19937 rng(seed);
  nlohmann::json out = page;
  out["vulnerabilities"] = nlohmann::json::array();
  for (std::size_t i = 0; i < n; ++i) {
    auto v = templates[i % templates.size()];
    v["cve"]["id"] = "CVE-2099-" + std::to_string(100000 + first + i);
    retarget(v["cve"]["configurations"], rng);
    out["vulnerabilities"].push_back(std::move(v));
  }
  out["resultsPerPage"] = n;
  out["totalResults"] = n;
  return out.dump();
}

// `systems` systems with `per_system` CPEs each, over the same product space, random versions.
std::vector<InventoryEntry> synthetic_inventory(std::size_t systems, std::size_t per_system) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> pick(0, kProducts - 1), major(0, 12), minor(0, 20);
  std::vector<InventoryEntry> out;
  out.reserve(systems);
  for (std::size_t s = 0; s < systems; ++s) {
    InventoryEntry e{"sys-" + std::to_string(s), "org-" + std::to_string(s % 136), {}};
    for (std::size_t k = 0; k < per_system; ++k) {
      int p = pick(rng);
      Cpe c = Cpe::parse("cpe:2.3:a:x:y:*:*:*:*:*:*:*:*").value();
      c.set(CpeAttribute::vendor, CpeValue::literal("vendor" + std::to_string(p % 4000)));
      c.set(CpeAttribute::product, CpeValue::literal("product" + std::to_string(p)));
      c.set(CpeAttribute::version, CpeValue::literal(std::to_string(major(rng)) + "." + std::to_string(minor(rng)) + ".1"));
      e.cpes.push_back(std::move(c));
    }
    out.push_back(std::move(e));
  }
  return out;
}

void BM_ImportNvdPage(benchmark::State& state) {
  auto text = synthetic_page(0, static_cast<std::size_t>(state.range(0)), 1);
  std::size_t records = 0;
  for (auto _ : state) {
    VulnDatabase db;
    auto r = db.import_nvd(text, "bench");
    if (!r || r->rejected) state.SkipWithError("import failed");
    records += r ? r->added : 0;
    benchmark::DoNotOptimize(db.size());
  }
  state.counters["records_per_s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
  state.counters["bytes_per_record"] = static_cast<double>(text.size()) / static_cast<double>(state.range(0));
}
BENCHMARK(BM_ImportNvdPage)->Arg(2000)->Unit(benchmark::kMillisecond);

// One loaded database shared by the exposure benchmarks.
struct Loaded {
  VulnDatabase db;
  std::unique_ptr<ExposureIndex> index;
  Loaded(std::size_t cves, std::size_t systems, std::size_t per_system) {
    for (std::size_t first = 0; first < cves; first += 2000) {
      auto r = db.import_nvd(synthetic_page(first, std::min<std::size_t>(2000, cves - first), static_cast<unsigned>(first + 7)), "bench");
      if (!r) std::abort();
    }
    index = std::make_unique<ExposureIndex>(synthetic_inventory(systems, per_system));
  }
};

Loaded& loaded() {
  static Loaded l(50000, 100000, 3);
  return l;
}

void BM_ExposureAllCves(benchmark::State& state) {
  auto& l = loaded();
  std::size_t hits = 0, pairs = 0;
  for (auto _ : state) {
    auto all = l.index->exposure_all(l.db);
    hits = all.size();
    pairs = 0;
    for (const auto& [id, systems] : all) pairs += systems.size();
  }
  state.counters["cves"] = static_cast<double>(l.db.size());
  state.counters["systems"] = static_cast<double>(l.index->inventory().size());
  state.counters["cves_exposing"] = static_cast<double>(hits);
  state.counters["exposed_pairs"] = static_cast<double>(pairs);
}
BENCHMARK(BM_ExposureAllCves)->Iterations(3)->Unit(benchmark::kMillisecond);

void BM_SingleCveExposure(benchmark::State& state) {
  auto& l = loaded();
  auto ids = l.db.ids();
  std::size_t i = 0, exposed = 0;
  for (auto _ : state) {
    const auto* rec = l.db.find(ids[i++ % ids.size()]);
    auto systems = l.index->exposure(*rec);
    exposed += systems.size();
    benchmark::DoNotOptimize(systems);
  }
  state.counters["exposed_per_cve"] = static_cast<double>(exposed) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_SingleCveExposure)->Unit(benchmark::kMicrosecond);

void BM_BuildInventoryIndex(benchmark::State& state) {
  auto inv = synthetic_inventory(100000, 3);
  for (auto _ : state) {
    ExposureIndex index(inv);
    benchmark::DoNotOptimize(index.inventory().size());
  }
}
BENCHMARK(BM_BuildInventoryIndex)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace khien

BENCHMARK_MAIN();
