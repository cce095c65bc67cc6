// Indicator matcher at national scale: build time, memory per indicator and lookups per second with
// 10 million mixed indicators (IPv4 hosts and CIDRs, IPv6 prefixes, domains, URLs, digests).
// KHIEN_INTEL_BENCH_INDICATORS overrides the count (for a quick run).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/event.h"
#include "intel/indicator_matcher.h"

namespace khien {
namespace {

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The kinds in the indicator mix, by share of the total (per mille).
enum class Kind { V4Host, V4Net, V6, Domain, Url, Hash };
struct Share {
  Kind kind;
  int per_mille;
};
constexpr Share kMix[] = {{Kind::V4Host, 200}, {Kind::V4Net, 100}, {Kind::V6, 25},
                          {Kind::Domain, 300}, {Kind::Url, 200},   {Kind::Hash, 175}};

std::string label(std::uint64_t r, int len) {
  std::string s;
  for (int i = 0; i < len; ++i) {
    s += static_cast<char>('a' + r % 26);
    r = r / 26 + (static_cast<std::uint64_t>(i) * 0x9e37);
  }
  return s;
}

// Indicator i of kind k is a pure function of (k, i), so the benchmark can recreate hits.
std::string domain_value(std::uint64_t i) {
  static const char* kTlds[] = {"com", "net", "vn", "com.vn", "org", "info", "xyz", "top"};
  std::uint64_t r = mix64(i * 3 + 1);
  std::string d = label(r, 6 + static_cast<int>(r % 7));
  d += std::to_string(i % 1000);
  d += '.';
  d += kTlds[(r >> 40) % 8];
  return d;
}
std::string url_value(std::uint64_t i) {
  std::uint64_t r = mix64(i * 5 + 2);
  std::string u = (r & 1) ? "https://" : "http://";
  u += domain_value(i + 0x100000000ULL);
  u += '/';
  u += label(r >> 8, 4 + static_cast<int>(r % 6));
  u += '/';
  u += label(r >> 20, 6 + static_cast<int>((r >> 4) % 10));
  u += (r & 2) ? ".php?id=" + std::to_string(r % 100000) : ".html";
  return u;
}
std::string hash_value(std::uint64_t i) {
  static const int kDigits[] = {32, 40, 64, 64};
  std::uint64_t r = mix64(i * 7 + 3);
  int n = kDigits[r % 4];
  std::string h;
  for (int k = 0; k < n; ++k) {
    if (k % 16 == 0) r = mix64(r + static_cast<std::uint64_t>(k));
    h += "0123456789abcdef"[(r >> ((k % 16) * 4)) & 15];
  }
  return h;
}
std::uint32_t v4_host(std::uint64_t i) {
  return static_cast<std::uint32_t>(mix64(i * 11 + 4));
}
IpPrefix v4_net(std::uint64_t i) {
  std::uint64_t r = mix64(i * 13 + 5);
  // /22../31: feeds list networks of hosting ranges, not whole /16s that would cover the address space.
  IpPrefix p{IpAddress::from_v4(static_cast<std::uint32_t>(r)), 22 + static_cast<int>((r >> 32) % 10)};
  return *IpPrefix::parse(p.to_string());
}
IpPrefix v6_net(std::uint64_t i) {
  std::uint64_t r = mix64(i * 17 + 6), s = mix64(r);
  IpAddress a;
  a.bytes[0] = 0x20;
  a.bytes[1] = 0x01;
  for (int k = 2; k < 10; ++k) a.bytes[k] = static_cast<std::uint8_t>(r >> ((k - 2) * 8));
  for (int k = 10; k < 16; ++k) a.bytes[k] = static_cast<std::uint8_t>(s >> ((k - 10) * 8));
  int bits = (r >> 60) % 4 == 0 ? 128 : 32 + static_cast<int>(s >> 58);
  return *IpPrefix::parse(IpPrefix{a, bits}.to_string());
}

std::size_t rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  long pages = 0, resident = 0;
  if (f) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<std::size_t>(resident) * 4096;
}

struct World {
  std::size_t total = 0;
  std::size_t counts[6] = {};
  std::shared_ptr<const IndicatorMatcher> matcher;
  double build_seconds = 0;
  double build_cpu_seconds = 0;  // the process's CPU time: on a shared machine the wall time says little
  std::size_t rss_growth = 0;
  std::size_t heap_growth = 0;
};

// Bytes the allocator has handed out and not had back (heap chunks plus mmapped blocks).
std::size_t allocated_bytes() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

World& world() {
  static World* w = [] {
    auto* x = new World();
    const char* env = std::getenv("KHIEN_INTEL_BENCH_INDICATORS");
    x->total = env ? std::strtoull(env, nullptr, 10) : 10'000'000;
    for (int k = 0; k < 6; ++k) x->counts[k] = x->total * static_cast<std::size_t>(kMix[k].per_mille) / 1000;
    malloc_trim(0);
    std::size_t rss_before = rss_bytes();
    std::size_t heap_before = allocated_bytes();
    auto start = std::chrono::steady_clock::now();
    std::clock_t cpu_start = std::clock();
    IndicatorMatcher::Builder b;
    IndicatorId id = 0;
    for (std::size_t i = 0; i < x->counts[0]; ++i) b.add_prefix(IpPrefix{IpAddress::from_v4(v4_host(i)), 32}, id++);
    for (std::size_t i = 0; i < x->counts[1]; ++i) b.add_prefix(v4_net(i), id++);
    for (std::size_t i = 0; i < x->counts[2]; ++i) b.add_prefix(v6_net(i), id++);
    for (std::size_t i = 0; i < x->counts[3]; ++i) (void)b.add_domain(domain_value(i), id++);
    for (std::size_t i = 0; i < x->counts[4]; ++i) (void)b.add_url(url_value(i), id++);
    for (std::size_t i = 0; i < x->counts[5]; ++i) (void)b.add_hash(hash_value(i), id++);
    x->matcher = b.build();
    x->build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    x->build_cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    malloc_trim(0);
    std::size_t rss_after = rss_bytes();
    x->rss_growth = rss_after > rss_before ? rss_after - rss_before : 0;
    std::size_t heap_after = allocated_bytes();
    x->heap_growth = heap_after > heap_before ? heap_after - heap_before : 0;
    const auto& st = x->matcher->stats();
    std::fprintf(stderr,
                 "intel matcher: %zu indicators (%zu distinct values) built in %.2f s, %.2f s of CPU (generation "
                 "included); "
                 "memory %.1f MB accounted, values %.1f MB, %.1f bytes/indicator beyond the values; RSS growth "
                 "%.1f MB (%.1f bytes/indicator in total); allocator in use %.1f MB (%.1f bytes/indicator, %.1f "
                 "beyond the values)\n",
                 st.observables, st.distinct_values, x->build_seconds, x->build_cpu_seconds, st.memory_bytes / 1e6, st.value_bytes / 1e6,
                 static_cast<double>(st.memory_bytes - st.value_bytes) / static_cast<double>(st.observables),
                 x->rss_growth / 1e6, static_cast<double>(x->rss_growth) / static_cast<double>(st.observables),
                 x->heap_growth / 1e6, static_cast<double>(x->heap_growth) / static_cast<double>(st.observables),
                 static_cast<double>(x->heap_growth - st.value_bytes) / static_cast<double>(st.observables));
    return x;
  }();
  return *w;
}

// Pre-generated lookups of one kind: `hit_per_mille` of them hit an indicator.
// Query texts live in one buffer in query order, as values of a decoded batch do, so reading them is
// sequential and the measured misses are the matcher's own.
struct Query {
  Kind kind;
  IpAddress ip;
  std::string text;
};
struct QuerySet {
  struct Item {
    Kind kind;
    IpAddress ip;
    std::uint32_t offset;
    std::uint32_t length;
  };
  std::vector<Item> items;
  std::string texts;
};

QuerySet make_queries(int hit_per_mille, std::size_t n, int only_kind = -1) {
  World& w = world();
  QuerySet set;
  set.items.reserve(n);
  // Lookup mix as events produce it: two addresses per flow, a domain, a URL, a digest now and then.
  static const Kind kLookupMix[] = {Kind::V4Host, Kind::V4Host, Kind::V4Host, Kind::V6,  Kind::Domain,
                                    Kind::Domain, Kind::Domain, Kind::Url,    Kind::Url, Kind::Hash};
  for (std::size_t q = 0; q < n; ++q) {
    std::uint64_t r = mix64(q + 0xabcdef);
    Kind kind = only_kind >= 0 ? static_cast<Kind>(only_kind) : kLookupMix[q % 10];
    bool hit = static_cast<int>(r % 1000) < hit_per_mille;
    Query query{kind, {}, {}};
    std::uint64_t pick = r >> 20;
    switch (kind) {
      case Kind::V4Host:
      case Kind::V4Net:
        if (hit && (r & (1u << 12))) {
          query.ip = IpAddress::from_v4(v4_host(pick % w.counts[0]));
        } else if (hit) {
          IpPrefix p = v4_net(pick % w.counts[1]);
          query.ip = IpAddress::from_v4(p.address.v4_host_order() | static_cast<std::uint32_t>(r & 0xff));
        } else {
          query.ip = IpAddress::from_v4(static_cast<std::uint32_t>(mix64(r)));  // almost always a miss
        }
        break;
      case Kind::V6: {
        IpPrefix p = v6_net(pick % std::max<std::size_t>(1, w.counts[2]));
        query.ip = p.address;
        if (!hit) query.ip.bytes[1] = 0x02;  // 2002::/16 holds no indicator
        break;
      }
      case Kind::Domain:
        query.text = hit ? "www.cdn." + domain_value(pick % w.counts[3]) : "www." + label(r, 10) + ".example.com";
        break;
      case Kind::Url:
        query.text =
            hit ? url_value(pick % w.counts[4]) : "http://" + label(r, 12) + ".vn/index.php?q=" + label(r >> 7, 8);
        break;
      case Kind::Hash:
        query.text = hit ? hash_value(pick % w.counts[5]) : hash_value(w.total * 10 + q);
        break;
    }
    set.items.push_back({query.kind, query.ip, static_cast<std::uint32_t>(set.texts.size()),
                         static_cast<std::uint32_t>(query.text.size())});
    set.texts += query.text;
  }
  return set;
}

void run_lookups(benchmark::State& state, int hit_per_mille, int only_kind = -1) {
  World& w = world();
  // A million distinct lookups: far more than the caches hold, like a day of traffic.
  QuerySet queries = make_queries(hit_per_mille, 1 << 20, only_kind);
  const IndicatorMatcher& m = *w.matcher;
  std::vector<IndicatorId> out;
  out.reserve(64);
  std::size_t i = 0, hits = 0, done = 0;
  for (auto _ : state) {
    const auto& q = queries.items[i];
    i = (i + 1) & (queries.items.size() - 1);
    std::string_view text(queries.texts.data() + q.offset, q.length);
    out.clear();
    switch (q.kind) {
      case Kind::V4Host:
      case Kind::V4Net:
      case Kind::V6:
        m.match_ip(q.ip, out);
        break;
      case Kind::Domain:
        m.match_domain(text, out);
        break;
      case Kind::Url:
        m.match_url(text, out);
        break;
      case Kind::Hash:
        m.match_hash(text, out);
        break;
    }
    hits += !out.empty();
    ++done;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(done));
  state.counters["hit_ratio"] = done ? static_cast<double>(hits) / static_cast<double>(done) : 0;
  state.counters["indicators"] = static_cast<double>(m.stats().observables);
  state.counters["build_s"] = w.build_seconds;
  state.counters["bytes_per_indicator_beyond_values"] =
      static_cast<double>(m.stats().memory_bytes - m.stats().value_bytes) / static_cast<double>(m.stats().observables);
  state.counters["rss_bytes_per_indicator"] =
      static_cast<double>(w.rss_growth) / static_cast<double>(m.stats().observables);
  state.counters["allocated_bytes_per_indicator"] =
      static_cast<double>(w.heap_growth) / static_cast<double>(m.stats().observables);
}

// The same lookups through match_batch, as the pipeline issues them for a batch of events.
void run_batched(benchmark::State& state, int hit_per_mille) {
  World& w = world();
  QuerySet queries = make_queries(hit_per_mille, 1 << 20);
  std::vector<LookupRequest> requests;
  requests.reserve(queries.items.size());
  for (const auto& q : queries.items) {
    LookupRequest r;
    switch (q.kind) {
      case Kind::V4Host:
      case Kind::V4Net:
      case Kind::V6:
        r.kind = ObservableKind::Ip;
        break;
      case Kind::Domain:
        r.kind = ObservableKind::Domain;
        break;
      case Kind::Url:
        r.kind = ObservableKind::Url;
        break;
      case Kind::Hash:
        r.kind = ObservableKind::Hash;
        break;
    }
    r.ip = q.ip;
    r.text = std::string_view(queries.texts.data() + q.offset, q.length);
    requests.push_back(r);
  }
  const IndicatorMatcher& m = *w.matcher;
  const auto batch = static_cast<std::size_t>(state.range(0));
  std::vector<BatchHit> out;
  out.reserve(batch * 4);
  std::size_t at = 0, done = 0, hit_requests = 0;
  for (auto _ : state) {
    out.clear();
    m.match_batch(std::span<const LookupRequest>(requests.data() + at, batch), out);
    std::uint32_t last = ~0u;
    for (const auto& h : out)
      if (h.request != last) ++hit_requests, last = h.request;
    at += batch;
    if (at + batch > requests.size()) at = 0;
    done += batch;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(done));
  state.counters["hit_ratio"] = done ? static_cast<double>(hit_requests) / static_cast<double>(done) : 0;
}
void BM_LookupMixBatched_10pctHits(benchmark::State& state) {
  run_batched(state, 100);
}
BENCHMARK(BM_LookupMixBatched_10pctHits)->Arg(16)->Arg(64)->Arg(256);
void BM_LookupMixBatched_50pctHits(benchmark::State& state) {
  run_batched(state, 500);
}
BENCHMARK(BM_LookupMixBatched_50pctHits)->Arg(64);
void BM_LookupMixBatched_AllMiss(benchmark::State& state) {
  run_batched(state, 0);
}
BENCHMARK(BM_LookupMixBatched_AllMiss)->Arg(64);

void BM_Build(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(world().matcher.get());
  state.counters["build_s"] = world().build_seconds;
  state.counters["build_cpu_s"] = world().build_cpu_seconds;
}
BENCHMARK(BM_Build)->Iterations(1);

void BM_LookupMix_10pctHits(benchmark::State& state) {
  run_lookups(state, 100);
}
BENCHMARK(BM_LookupMix_10pctHits);
void BM_LookupMix_50pctHits(benchmark::State& state) {
  run_lookups(state, 500);
}
BENCHMARK(BM_LookupMix_50pctHits);
void BM_LookupMix_AllMiss(benchmark::State& state) {
  run_lookups(state, 0);
}
BENCHMARK(BM_LookupMix_AllMiss);

// One kind at a time (10% hits): where the time of the mix goes.
void BM_LookupKind_10pctHits(benchmark::State& state) {
  static const char* kNames[] = {"ipv4", "", "ipv6", "domain", "url", "hash"};
  state.SetLabel(kNames[state.range(0)]);
  run_lookups(state, 100, static_cast<int>(state.range(0)));
}
BENCHMARK(BM_LookupKind_10pctHits)->Arg(0)->Arg(2)->Arg(3)->Arg(4)->Arg(5);

// A network event as a sensor reports it: two addresses, a DNS name / SNI, a URL.
void BM_MatchEvent(benchmark::State& state) {
  World& w = world();
  const IndicatorMatcher& m = *w.matcher;
  Arena arena;
  std::vector<std::unique_ptr<Event>> events;
  for (std::uint64_t k = 0; k < 4096; ++k) {
    auto e = std::make_unique<Event>(arena);
    std::uint64_t r = mix64(k + 99);
    e->set_ip(field::src_endpoint_ip, IpAddress::from_v4(0x0a000000u | static_cast<std::uint32_t>(r & 0xffffff)));
    e->set_ip(field::dst_endpoint_ip,
              IpAddress::from_v4(k % 10 == 0 ? v4_host(r % w.counts[0]) : static_cast<std::uint32_t>(mix64(r))));
    e->set_string(field::tls_sni, k % 10 == 1 ? domain_value(r % w.counts[3]) : "api." + label(r, 9) + ".com");
    e->set_string(field::url_url_string,
                  k % 10 == 2 ? url_value(r % w.counts[4]) : "https://" + label(r, 9) + ".com/x/y");
    events.push_back(std::move(e));
  }
  std::size_t i = 0, hits = 0;
  for (auto _ : state) {
    m.match_event(*events[i], [&](const EventMatch&) { ++hits; });
    i = (i + 1) & 4095;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["lookups_per_event"] = 4;
  benchmark::DoNotOptimize(hits);
}
BENCHMARK(BM_MatchEvent);

// The batch form the pipeline uses: 64 events per call.
void BM_MatchEvents64(benchmark::State& state) {
  World& w = world();
  const IndicatorMatcher& m = *w.matcher;
  Arena arena;
  std::vector<std::unique_ptr<Event>> storage;
  std::vector<const Event*> events;
  for (std::uint64_t k = 0; k < (1 << 16); ++k) {
    auto e = std::make_unique<Event>(arena);
    std::uint64_t r = mix64(k + 77);
    e->set_ip(field::src_endpoint_ip, IpAddress::from_v4(0x0a000000u | static_cast<std::uint32_t>(r & 0xffffff)));
    e->set_ip(field::dst_endpoint_ip,
              IpAddress::from_v4(k % 10 == 0 ? v4_host(r % w.counts[0]) : static_cast<std::uint32_t>(mix64(r))));
    e->set_string(field::tls_sni, k % 10 == 1 ? domain_value(r % w.counts[3]) : "api." + label(r, 9) + ".com");
    e->set_string(field::url_hostname, "cdn." + label(r >> 3, 7) + ".net");
    e->set_string(field::url_url_string,
                  k % 10 == 2 ? url_value(r % w.counts[4]) : "https://" + label(r, 9) + ".com/x/y");
    events.push_back(e.get());
    storage.push_back(std::move(e));
  }
  std::size_t at = 0, hits = 0;
  for (auto _ : state) {
    m.match_events(std::span<const Event* const>(events.data() + at, 64),
                   [&](std::size_t, const EventMatch&) { ++hits; });
    at = (at + 64) & ((1 << 16) - 1);
  }
  state.SetItemsProcessed(state.iterations() * 64);
  state.counters["lookups_per_event"] = 5;
  benchmark::DoNotOptimize(hits);
}
BENCHMARK(BM_MatchEvents64);

}  // namespace
}  // namespace khien

BENCHMARK_MAIN();
