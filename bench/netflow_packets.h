// Big-endian writers and the NetFlow v5, v9 and IPFIX packets the benchmarks (and the collector's record tests) build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace khien::bench {

using Bytes = std::vector<std::uint8_t>;

inline void put16(Bytes& b, std::uint32_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
inline void put32(Bytes& b, std::uint32_t v) {
  put16(b, v >> 16);
  put16(b, v & 0xFFFF);
}
inline void put64(Bytes& b, std::uint64_t v) {
  put32(b, static_cast<std::uint32_t>(v >> 32));
  put32(b, static_cast<std::uint32_t>(v));
}

// A typical router flow: addresses, ports, protocol, TCP flags, ToS, interfaces, counters and
// timestamps (17 elements, 57 bytes), the kind of template Cisco, Juniper and nProbe send.
inline constexpr std::uint16_t kFields[][2] = {{8, 4}, {12, 4}, {7, 2},  {11, 2}, {4, 1},  {6, 1},  {5, 1},  {10, 4}, {14, 4},
                                    {2, 8}, {1, 8},  {15, 4}, {16, 4}, {17, 4}, {61, 1}, {22, 4}, {21, 4}};
inline constexpr int kRecordsPerPacket = 24;  // 24 × 57 bytes fit a 1500-byte MTU

// The message header of an IPFIX (its length patched by the caller) or NetFlow v9 packet of
// `count` records, exported at 1 700 000 000 s from domain / source id 1.
inline void export_header(Bytes& b, bool ipfix, std::uint32_t count, std::uint32_t sequence) {
  put16(b, ipfix ? 10 : 9);
  put16(b, ipfix ? 0 : count);
  if (!ipfix) put32(b, 100'000);  // sysUpTime
  put32(b, 1'700'000'000);
  put32(b, sequence);
  put32(b, 1);
}

// A NetFlow v9 (or IPFIX) template set of kFields as template 256.
inline Bytes template_packet(bool ipfix) {
  Bytes b;
  Bytes set;
  put16(set, 256);
  put16(set, sizeof kFields / sizeof kFields[0]);
  for (const auto& f : kFields) {
    put16(set, f[0]);
    put16(set, f[1]);
  }
  export_header(b, ipfix, 1, 0);
  put16(b, ipfix ? 2 : 0);
  put16(b, static_cast<std::uint32_t>(set.size() + 4));
  b.insert(b.end(), set.begin(), set.end());
  if (ipfix) {
    b[2] = static_cast<std::uint8_t>(b.size() >> 8);
    b[3] = static_cast<std::uint8_t>(b.size());
  }
  return b;
}

// kRecordsPerPacket records of template 256 (exporter source id / domain 1).
inline Bytes data_packet(bool ipfix, std::uint32_t sequence) {
  Bytes b;
  export_header(b, ipfix, kRecordsPerPacket, sequence);
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

// A NetFlow v5 packet of 30 records.
inline Bytes v5_packet() {
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

}  // namespace khien::bench
