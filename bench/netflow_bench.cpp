// Benchmark: NetFlow v5, v9 and IPFIX decoding throughput on one core, in flow records per second.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "ingest/netflow_decoder.h"
#include "netflow_packets.h"

namespace {

using khien::bench::Bytes;
using khien::bench::put16;
using khien::bench::put32;
using khien::bench::put64;

// A typical router flow: addresses, ports, protocol, TCP flags, ToS, interfaces, counters and
// timestamps (17 elements, 57 bytes), the kind of template Cisco, Juniper and nProbe send.
const std::uint16_t kFields[][2] = {{8, 4}, {12, 4}, {7, 2},  {11, 2}, {4, 1},  {6, 1},  {5, 1},  {10, 4}, {14, 4},
                                    {2, 8}, {1, 8},  {15, 4}, {16, 4}, {17, 4}, {61, 1}, {22, 4}, {21, 4}};
constexpr int kRecordsPerPacket = 24;  // 24 × 57 bytes fit a 1500-byte MTU

Bytes template_packet(bool ipfix) {
  Bytes b;
  Bytes set;
  put16(set, 256);
  put16(set, sizeof kFields / sizeof kFields[0]);
  for (const auto& f : kFields) {
    put16(set, f[0]);
    put16(set, f[1]);
  }
  if (ipfix) {
    put16(b, 10);
    put16(b, 0);
    put32(b, 1'700'000'000);
    put32(b, 0);
    put32(b, 1);
  } else {
    put16(b, 9);
    put16(b, 1);
    put32(b, 100'000);
    put32(b, 1'700'000'000);
    put32(b, 0);
    put32(b, 1);
  }
  put16(b, ipfix ? 2 : 0);
  put16(b, static_cast<std::uint32_t>(set.size() + 4));
  b.insert(b.end(), set.begin(), set.end());
  if (ipfix) {
    b[2] = static_cast<std::uint8_t>(b.size() >> 8);
    b[3] = static_cast<std::uint8_t>(b.size());
  }
  return b;
}

Bytes data_packet(bool ipfix, std::uint32_t sequence) {
  Bytes b;
  if (ipfix) {
    put16(b, 10);
    put16(b, 0);
    put32(b, 1'700'000'000);
    put32(b, sequence);
    put32(b, 1);
  } else {
    put16(b, 9);
    put16(b, kRecordsPerPacket);
    put32(b, 100'000);
    put32(b, 1'700'000'000);
    put32(b, sequence);
    put32(b, 1);
  }
  std::size_t set_at = b.size();
  put16(b, 256);
  put16(b, 0);
  for (int i = 0; i < kRecordsPerPacket; ++i) {
    put32(b, 0x0A000000u + static_cast<std::uint32_t>(i));
    put32(b, 0xCB007105u);
    put16(b, 40000 + static_cast<std::uint32_t>(i));
    put16(b, 443);
    b.push_back(6);
    b.push_back(0x1B);
    b.push_back(0);
    put32(b, 3);
    put32(b, 7);
    put64(b, 12);
    put64(b, 9000);
    put32(b, 0xC0000201u);
    put32(b, 64500);
    put32(b, 64501);
    b.push_back(0);
    put32(b, 90'000);
    put32(b, 99'000);
  }
  while ((b.size() - set_at) % 4) b.push_back(0);
  std::size_t set_len = b.size() - set_at;
  b[set_at + 2] = static_cast<std::uint8_t>(set_len >> 8);
  b[set_at + 3] = static_cast<std::uint8_t>(set_len);
  if (ipfix) {
    b[2] = static_cast<std::uint8_t>(b.size() >> 8);
    b[3] = static_cast<std::uint8_t>(b.size());
  }
  return b;
}

Bytes v5_packet() {
  Bytes b;
  put16(b, 5);
  put16(b, 30);
  put32(b, 100'000);
  put32(b, 1'700'000'000);
  put32(b, 0);
  put32(b, 0);
  put32(b, 0);
  for (int i = 0; i < 30; ++i) {
    put32(b, 0x0A000000u + static_cast<std::uint32_t>(i));
    put32(b, 0xCB007105u);
    put32(b, 0);
    put16(b, 3);
    put16(b, 7);
    put32(b, 12);
    put32(b, 9000);
    put32(b, 90'000);
    put32(b, 99'000);
    put16(b, 40000);
    put16(b, 443);
    b.push_back(0);
    b.push_back(0x1B);
    b.push_back(6);
    b.push_back(0);
    put16(b, 64500);
    put16(b, 64501);
    b.push_back(24);
    b.push_back(24);
    put16(b, 0);
  }
  return b;
}

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
