// Benchmark: the whole per-record path of a flow on one core (NetFlow v9 packet decoding and binary spool records in
// the collector, the records decoded into events as the pipeline does, the traffic detectors), and the detectors'
// state for 10 million distinct keys.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "app/traffic_detector.h"
#include "core/arena.h"
#include "core/field_dictionary.h"
#include "core/flow_record.h"
#include "correlate/traffic_detectors.h"
#include "decode/netflow_record_decoder.h"
#include "ingest/netflow_udp_source.h"
#include "netflow_packets.h"

namespace {

using namespace khien;
using bench::Bytes;
using bench::kFields;  // a typical router template (17 elements, 57 bytes)
using bench::kRecordsPerPacket;
using bench::put16;
using bench::put32;
using bench::put64;

constexpr std::size_t kPackets = 43'000;   // ~1 M records, replayed in order
constexpr std::uint32_t kSources = 1'000'000;
constexpr std::uint32_t kBaseSeconds = 1'767'225'600;  // 2026-01-01T00:00:00Z

void v9_header(Bytes& b, std::uint32_t count, std::uint32_t uptime_ms, std::uint32_t seconds, std::uint32_t sequence) {
  put16(b, 9);
  put16(b, count);
  put32(b, uptime_ms);
  put32(b, seconds);
  put32(b, sequence);
  put32(b, 1);
}

Bytes template_packet() {
  Bytes b;
  v9_header(b, 1, 100'000, kBaseSeconds, 0);
  put16(b, 0);
  put16(b, static_cast<std::uint32_t>(8 + 4 * std::size(kFields)));
  put16(b, 256);
  put16(b, static_cast<std::uint32_t>(std::size(kFields)));
  for (const auto& f : kFields) {
    put16(b, f[0]);
    put16(b, f[1]);
  }
  return b;
}

// Internet sources (1 M distinct) toward a national /16, a few hundred ports, small and large
// flows, 1 000 records per simulated second, as in traffic_bench.
std::vector<Bytes> data_packets() {
  std::mt19937_64 rng(42);
  static const std::uint16_t kPorts[] = {80, 443, 22, 445, 3389, 53, 25, 8080, 23, 123};
  std::vector<Bytes> packets(kPackets);
  for (std::size_t p = 0; p < kPackets; ++p) {
    Bytes& b = packets[p];
    const std::uint64_t ms = p * kRecordsPerPacket;  // one record per simulated millisecond
    const auto uptime = static_cast<std::uint32_t>(100'000 + ms);
    v9_header(b, kRecordsPerPacket, uptime, kBaseSeconds + static_cast<std::uint32_t>(ms / 1000), static_cast<std::uint32_t>(p + 1));
    std::size_t set_at = b.size();
    put16(b, 256);
    put16(b, 0);
    for (int i = 0; i < kRecordsPerPacket; ++i) {
      std::uint64_t r = rng();
      const auto packets_n = static_cast<std::uint32_t>(1 + (r >> 44) % 20);
      put32(b, 0x40000000u + static_cast<std::uint32_t>(r % kSources) * 7);
      put32(b, 0x0EB10000u + static_cast<std::uint32_t>((r >> 20) & 0xFFFF));
      put16(b, static_cast<std::uint32_t>(1024 + (r >> 36) % 60000));
      put16(b, (r >> 52) % 4 == 0 ? static_cast<std::uint32_t>(1 + (r >> 40) % 1024) : kPorts[(r >> 56) % 10]);
      b.push_back(6);
      b.push_back(0x1B);
      b.push_back(0);
      put32(b, 3);
      put32(b, 7);
      put64(b, packets_n);
      put64(b, packets_n * 400ULL);
      put32(b, 0xC0000201u);
      put32(b, 64500);
      put32(b, 64501);
      b.push_back(0);
      put32(b, uptime - 9000);
      put32(b, uptime - static_cast<std::uint32_t>(i));
    }
    std::size_t set_len = b.size() - set_at;
    b[set_at + 2] = static_cast<std::uint8_t>(set_len >> 8);
    b[set_at + 3] = static_cast<std::uint8_t>(set_len);
  }
  return packets;
}

SourceContext collector_context() {
  SourceContext ctx;
  ctx.exporter_for_address = [](const IpAddress&) -> std::optional<ExporterMatch> {
    return ExporterMatch{1, "soc-vnpt", "exp-vnpt-border", "vnpt"};
  };
  return ctx;
}

// Per iteration: kBatchPackets export packets through the collector's packet path (decoding,
// exporter fields, binary spool records; the spool write itself is BM_SpoolAppend's), then the
// records as the pipeline takes them: decoded into events, the attribution's victim fields added
// (half the destinations national; attribution is measured elsewhere), and the traffic detectors
// over the batch (begin_batch, then detect per event).
void BM_FlowPath(benchmark::State& state) {
  static const std::vector<Bytes> packets = data_packets();
  const auto batch_packets = static_cast<std::size_t>(state.range(0));
  NetflowPacketHandler collector(collector_context());
  const IpAddress exporter = IpAddress::from_v4(0x0EA00021);
  const TimeNs now = TimeNs{kBaseSeconds} * 1'000'000'000;
  collector.handle(template_packet(), exporter, now);
  collector.flush();
  NetflowRecordDecoder decoder;
  TrafficDetector detector;
  const FieldId victim_org = field::khien_victim_org, basis = field::khien_victim_basis;
  Arena arena(8 << 20);
  std::vector<Event> events;
  events.reserve(batch_packets * kRecordsPerPacket);
  std::vector<const Event*> batch;
  std::vector<Alert> alerts;
  std::size_t p = 0, records = 0, bytes = 0;
  for (auto _ : state) {
    for (std::size_t k = 0; k < batch_packets; ++k) {
      collector.handle(packets[p], exporter, now);
      if (++p == packets.size()) p = 0;
    }
    arena.reset();
    events.clear();
    batch.clear();
    for (std::size_t i = 0; i < collector.pending(); ++i) {
      std::string_view record = collector.pending_record(i);
      bytes += record.size();
      Event& e = events.emplace_back(arena);
      if (auto st = decoder.decode(record, e); !st) {
        state.SkipWithError(st.error().message.c_str());
        return;
      }
      if (e.get(field::dst_endpoint_ip)->ip.bytes[15] & 1) {
        e.set_string(victim_org, "bo-cong-an");
        e.set_string(basis, "dst_ip");
      }
    }
    records += events.size();
    collector.flush();
    for (const Event& e : events) batch.push_back(&e);
    detector.begin_batch(batch);
    for (const Event& e : events) detector.detect(e, alerts);
    if (alerts.size() > 1024) alerts.clear();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(records));
  state.counters["record_bytes"] = records ? static_cast<double>(bytes) / static_cast<double>(records) : 0;
  state.counters["state_MB"] = static_cast<double>(detector.detectors().memory_bytes()) / 1e6;
}
BENCHMARK(BM_FlowPath)->Arg(1)->Arg(16)->Arg(128);

// The binary spool record alone: encoding a decoded flow event and decoding it back.
// The flow events of one packet, as the collector's decoder makes them.
std::vector<Event> sample_events(NetflowDecoder& packet_decoder, Arena& arena) {
  static const std::vector<Bytes> packets = data_packets();
  std::vector<Event> events;
  const IpAddress exporter = IpAddress::from_v4(0x0EA00021);
  const TimeNs now = TimeNs{kBaseSeconds} * 1'000'000'000;
  (void)packet_decoder.decode(template_packet(), exporter, now, arena, events);
  events.clear();
  (void)packet_decoder.decode(packets[0], exporter, now, arena, events);
  return events;
}

void BM_FlowRecordEncode(benchmark::State& state) {
  NetflowDecoder packet_decoder;
  Arena arena(1 << 20);
  const std::vector<Event> events = sample_events(packet_decoder, arena);
  std::string out;
  std::size_t i = 0;
  for (auto _ : state) {
    out.clear();
    append_flow_record(out, events[i]);
    benchmark::DoNotOptimize(out.data());
    if (++i == events.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["record_bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_FlowRecordEncode);

void BM_FlowRecordDecode(benchmark::State& state) {
  NetflowDecoder packet_decoder;
  Arena arena(1 << 20), read_arena(1 << 20);
  const std::vector<Event> events = sample_events(packet_decoder, arena);
  std::vector<std::string> records;
  for (const Event& e : events) append_flow_record(records.emplace_back(), e);
  NetflowRecordDecoder decoder;
  std::size_t i = 0;
  for (auto _ : state) {
    read_arena.reset();
    Event e(read_arena);
    if (auto st = decoder.decode(records[i], e); !st) state.SkipWithError(st.error().message.c_str());
    benchmark::DoNotOptimize(e.size());
    if (++i == records.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_FlowRecordDecode);

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * 4096;
}

// The detectors' state with max_keys = 10 M and 10 M distinct sources, each probing one host of a
// national /8 (so every table, DDoS's included, sees more distinct keys than it holds): the
// counted table bytes and the process's resident growth once every table line has been written.
void BM_StateFor10MKeys(benchmark::State& state) {
  constexpr std::uint32_t kKeys = 10'000'000;
  for (auto _ : state) {
    const std::size_t before = resident_bytes();
    TrafficDetectorOptions options;
    options.max_keys = kKeys;
    TrafficDetectors detectors(options);
    std::vector<TrafficFinding> out;
    std::vector<FlowRecord> flows(4096);
    const TimeNs t0 = TimeNs{kBaseSeconds} * 1'000'000'000;
    for (std::uint32_t i = 0; i < kKeys; i += 4096) {
      for (std::uint32_t k = 0; k < 4096; ++k) {
        FlowRecord& f = flows[k];
        const std::uint32_t n = i + k;
        f.time = t0 + TimeNs{n} * 10'000;
        f.src = IpAddress::from_v4(0x40000000u + n);
        f.dst = IpAddress::from_v4(0x0E000000u + (n * 2654435761u >> 8));
        f.src_port = static_cast<std::uint16_t>(1024 + n % 60000);
        f.dst_port = 445;
        f.protocol = 6;
        f.packets = 1;
        f.bytes = 60;
        f.national_destination = true;
      }
      detectors.observe_batch(flows, out);
      out.clear();
    }
    const std::size_t after = resident_bytes();
    state.counters["state_MB"] = static_cast<double>(detectors.memory_bytes()) / 1e6;
    state.counters["rss_growth_MB"] = static_cast<double>(after - before) / 1e6;
    state.counters["bytes_per_key"] = static_cast<double>(detectors.memory_bytes()) / kKeys;
    state.counters["scan_keys_M"] = static_cast<double>(detectors.scan().keys()) / 1e6;
    state.counters["beacon_keys_M"] = static_cast<double>(detectors.beacon().keys()) / 1e6;
  }
}
BENCHMARK(BM_StateFor10MKeys)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
