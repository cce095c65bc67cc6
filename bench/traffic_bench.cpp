// Benchmark: flow records per second through the traffic detectors (scans, DDoS, beaconing) on one
// core, with 1 M distinct sources, as FlowRecords and as flow events through the pipeline Detector.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "app/traffic_detector.h"
#include "core/arena.h"
#include "core/field_dictionary.h"
#include "core/schema.h"
#include "correlate/traffic_detectors.h"
#include "decode/netflow_record_decoder.h"

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

// The same records in batches of 256 through observe_batch (table lines prefetched a dozen flows ahead).
void BM_TrafficDetectorsBatched(benchmark::State& state) {
  static const std::vector<FlowRecord> flows = make_flows();
  constexpr std::size_t kBatch = 256;
  TrafficDetectors detectors;
  std::vector<TrafficFinding> out;
  std::size_t i = 0;
  for (auto _ : state) {
    detectors.observe_batch(std::span<const FlowRecord>(flows.data() + i, kBatch), out);
    i += kBatch;
    if (i + kBatch > flows.size()) i = 0;
    if (out.size() > 1024) out.clear();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_TrafficDetectorsBatched);

// The same records as events (schema fields plus the attribution fields), through TrafficDetector.
void BM_TrafficDetectorEvents(benchmark::State& state) {
  static const std::vector<FlowRecord> flows = make_flows();
  constexpr std::size_t kEvents = 1 << 20;
  static Arena arena(64 << 20);
  static std::vector<Event> events = [] {
    std::vector<Event> v;
    v.reserve(kEvents);
    FieldId victim_org = field::khien_victim_org, basis = field::khien_victim_basis;
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

// The pipeline's share per flow after the collector: the spooled record (as the collector writes it:
// schema fields and 17 netflow.* elements) decoded back into an event, the attribution fields added
// (their cost is measured elsewhere), then TrafficDetector. Add the collector's packet decoding
// (netflow_bench) for the whole per-record cost.
void BM_RecordDecodeAndDetect(benchmark::State& state) {
  static const std::vector<FlowRecord> flows = make_flows();
  constexpr std::size_t kLines = 1 << 18;
  static const std::vector<std::string> lines = [] {
    std::vector<std::string> v;
    v.reserve(kLines);
    for (std::size_t i = 0; i < kLines; ++i) {
      const FlowRecord& f = flows[i];
      v.push_back(fmt::format(
          R"({{"class_uid":4001,"activity_id":6,"category_uid":4,"severity_id":1,"time":"2026-01-01T00:{:02}:{:02}.{:03}Z",)"
          R"("duration":9000,"src_endpoint.ip":"{}","dst_endpoint.ip":"{}","src_endpoint.port":{},"dst_endpoint.port":{},)"
          R"("connection_info.protocol_name":"tcp","traffic.bytes":{},"traffic.packets":{},"device.ip":"14.160.0.33",)"
          R"("observer.name":"exp-vnpt-border","metadata.product.name":"NetFlow v9","connection_info.tcp_flags":27,)"
          R"("src_endpoint.interface_uid":3,"dst_endpoint.interface_uid":7,"netflow.sourceIPv4Address":"{}",)"
          R"("netflow.destinationIPv4Address":"{}","netflow.sourceTransportPort":{},"netflow.destinationTransportPort":{},)"
          R"("netflow.protocolIdentifier":6,"netflow.tcpControlBits":27,"netflow.ipClassOfService":0,"netflow.ingressInterface":3,)"
          R"("netflow.egressInterface":7,"netflow.packetDeltaCount":{},"netflow.octetDeltaCount":{},"netflow.ipNextHopIPv4Address":"192.0.2.1",)"
          R"("netflow.bgpSourceAsNumber":64500,"netflow.bgpDestinationAsNumber":64501,"netflow.sourceIPv4PrefixLength":0,)"
          R"("netflow.flowStartSysUpTime":90000,"netflow.flowEndSysUpTime":99000}})",
          (i / 60000) % 60, (i / 1000) % 60, i % 1000, f.src.to_string(), f.dst.to_string(), f.src_port, f.dst_port, f.bytes,
          f.packets, f.src.to_string(), f.dst.to_string(), f.src_port, f.dst_port, f.packets, f.bytes));
    }
    return v;
  }();
  auto decoder = make_netflow_record_decoder();
  TrafficDetector detector;
  FieldId victim_org = field::khien_victim_org, basis = field::khien_victim_basis;
  Arena arena(1 << 20);
  std::vector<Alert> out;
  std::size_t i = 0;
  for (auto _ : state) {
    arena.reset();
    Event e(arena);
    if (auto st = decoder->decode(lines[i], e); !st) {
      state.SkipWithError(st.error().message.c_str());
      break;
    }
    if (flows[i].national_destination) {
      e.set_string(victim_org, "bo-cong-an");
      e.set_string(basis, "dst_ip");
    }
    detector.detect(e, out);
    if (++i == lines.size()) i = 0;
    if (out.size() > 1024) out.clear();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_RecordDecodeAndDetect);

}  // namespace

BENCHMARK_MAIN();
