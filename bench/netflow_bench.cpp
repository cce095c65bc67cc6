// Benchmark: NetFlow v5, v9 and IPFIX decoding throughput on one core, in flow records per second.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "ingest/netflow_decoder.h"
#include "netflow_packets.h"

namespace {

using khien::bench::Bytes;
using khien::bench::data_packet;
using khien::bench::template_packet;
using khien::bench::v5_packet;

void run(benchmark::State& state, int version, bool original_fields) {
  khien::NetflowDecoderOptions options;
  options.original_fields = original_fields;
  khien::NetflowDecoder decoder(options);
  khien::Arena arena(1 << 20);
  std::vector<khien::Event> events;
  const khien::IpAddress exporter = khien::IpAddress::from_v4(0xC0000201);
  const khien::TimeNs now = 1'700'000'000LL * 1'000'000'000;
  Bytes packet;
  if (version == 5) {
    packet = v5_packet();
  } else {
    Bytes tpl = template_packet(version == 10);
    (void)decoder.decode(tpl, exporter, now, arena, events);
    packet = data_packet(version == 10, 0);
  }
  std::int64_t records = 0;
  for (auto _ : state) {
    events.clear();
    arena.reset();
    auto r = decoder.decode(packet, exporter, now, arena, events);
    if (!r) state.SkipWithError(r.error().message.c_str());
    records += static_cast<std::int64_t>(events.size());
    benchmark::DoNotOptimize(events.data());
  }
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(packet.size()));
}

void BM_NetflowV5(benchmark::State& s) {
  run(s, 5, true);
}
void BM_NetflowV9(benchmark::State& s) {
  run(s, 9, true);
}
void BM_Ipfix(benchmark::State& s) {
  run(s, 10, true);
}
void BM_IpfixSchemaOnly(benchmark::State& s) {
  run(s, 10, false);
}

}  // namespace

BENCHMARK(BM_NetflowV5);
BENCHMARK(BM_NetflowV9);
BENCHMARK(BM_Ipfix);
BENCHMARK(BM_IpfixSchemaOnly);
BENCHMARK_MAIN();
