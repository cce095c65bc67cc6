// Benchmark: flow records per second through the traffic detectors (scans, DDoS, beaconing) on one
// core, with 1 M distinct sources, as FlowRecords and as flow events through the pipeline Detector.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "app/traffic_detector.h"
#include "core/arena.h"
#include "core/field_dictionary.h"
#include "core/schema.h"
#include "correlate/traffic_detectors.h"

namespace {

using namespace khien;

constexpr std::size_t kRecords = 1 << 22;     // 4 M records, replayed in order
constexpr std::uint32_t kSources = 1'000'000;  // distinct source addresses
constexpr khien::TimeNs kT0 = 1'767'225'600'000'000'000;

// Internet sources toward a national /16, a few hundred ports, small and large flows, half of the
// destinations attributed (national), 1 000 records per simulated second.
std::vector<FlowRecord> make_flows() {
  std::mt19937_64 rng(42);
  std::vector<FlowRecord> flows(kRecords);
  static const std::uint16_t kPorts[] = {80, 443, 22, 445, 3389, 53, 25, 8080, 23, 123};
  for (std::size_t i = 0; i < kRecords; ++i) {
    FlowRecord& f = flows[i];
    std::uint64_t r = rng();
    f.time = kT0 + static_cast<TimeNs>(i) * 1'000'000;
    f.src = IpAddress::from_v4(0x40000000u + static_cast<std::uint32_t>(r % kSources) * 7);
    f.dst = IpAddress::from_v4(0x0EB10000u + static_cast<std::uint32_t>((r >> 20) & 0xFFFF));
    f.src_port = static_cast<std::uint16_t>(1024 + (r >> 36) % 60000);
    f.dst_port = (r >> 52) % 4 == 0 ? static_cast<std::uint16_t>(1 + (r >> 40) % 1024) : kPorts[(r >> 56) % 10];
    f.protocol = 6;
    f.packets = 1 + (r >> 44) % 20;
    f.bytes = f.packets * 400;
    f.national_destination = (r >> 60) & 1;
  }
  return flows;
}

void BM_TrafficDetectors(benchmark::State& state) {
  static const std::vector<FlowRecord> flows = make_flows();
  TrafficDetectors detectors;
  std::vector<TrafficFinding> out;
  std::size_t i = 0;
  for (auto _ : state) {
    detectors.observe(flows[i], out);
    if (++i == flows.size()) i = 0;
    if (out.size() > 1024) out.clear();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["state_MB"] = static_cast<double>(detectors.memory_bytes()) / 1e6;
}
BENCHMARK(BM_TrafficDetectors);

// The same records as events (schema fields plus the attribution fields), through TrafficDetector.
void BM_TrafficDetectorEvents(benchmark::State& state) {
  static const std::vector<FlowRecord> flows = make_flows();
  constexpr std::size_t kEvents = 1 << 20;
  static Arena arena(64 << 20);
  static std::vector<Event> events = [] {
    std::vector<Event> v;
    v.reserve(kEvents);
    FieldId victim_org = intern_field("khien.victim_org"), basis = intern_field("khien.victim_basis");
    for (std::size_t i = 0; i < kEvents; ++i) {
      const FlowRecord& f = flows[i];
      Event& e = v.emplace_back(arena);
      e.set_int(field::class_uid, 4001);
      e.set_time(field::time, f.time);
      e.set_ip(field::src_endpoint_ip, f.src);
      e.set_ip(field::dst_endpoint_ip, f.dst);
      e.set_int(field::src_endpoint_port, f.src_port);
      e.set_int(field::dst_endpoint_port, f.dst_port);
      e.set_string(field::connection_info_protocol_name, "tcp");
      e.set_int(field::traffic_bytes, static_cast<std::int64_t>(f.bytes));
      e.set_int(field::traffic_packets, static_cast<std::int64_t>(f.packets));
      if (f.national_destination) {
        e.set_string(victim_org, "bo-cong-an");
        e.set_string(basis, "dst_ip");
      }
    }
    return v;
  }();
  TrafficDetector detector;
  std::vector<Alert> out;
  std::size_t i = 0;
  for (auto _ : state) {
    detector.detect(events[i], out);
    if (++i == events.size()) i = 0;
    if (out.size() > 1024) out.clear();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_TrafficDetectorEvents);

}  // namespace

BENCHMARK_MAIN();
