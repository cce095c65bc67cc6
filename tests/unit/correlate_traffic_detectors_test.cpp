// Traffic detectors on synthetic flows with a controlled clock: each fires on its pattern, not on benign mixes.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "correlate/traffic_detectors.h"

namespace khien {
namespace {

constexpr TimeNs kSec = 1'000'000'000;
constexpr TimeNs kMin = 60 * kSec;
constexpr TimeNs kT0 = 1'699'999'980 * kSec;  // 2023-11-14 22:13:00 UTC, on a minute boundary

IpAddress v4(std::uint32_t a) { return IpAddress::from_v4(a); }
IpAddress ip(const char* s) { return *IpAddress::parse(s); }

FlowRecord flow(TimeNs t, IpAddress src, IpAddress dst, std::uint16_t dport, std::uint64_t packets = 1, std::uint64_t bytes = 60,
                std::uint16_t sport = 40000) {
  FlowRecord f;
  f.time = t;
  f.src = src;
  f.dst = dst;
  f.src_port = sport;
  f.dst_port = dport;
  f.protocol = 6;
  f.packets = packets;
  f.bytes = bytes;
  return f;
}

std::size_t count_rule(const std::vector<TrafficFinding>& out, TrafficRule rule) {
  std::size_t n = 0;
  for (const auto& f : out) n += f.rule == rule;
  return n;
}

TEST(TrafficScan, HorizontalScanOfTwoHundredHostsFiresOnce) {
  TrafficDetectors d;
  std::vector<TrafficFinding> out;
  IpAddress attacker = ip("203.0.113.66");
  for (std::uint32_t i = 0; i < 200; ++i) d.observe(flow(kT0 + TimeNs{i} * 100'000'000, attacker, v4(0x0E000000 + i), 445), out);
  ASSERT_EQ(count_rule(out, TrafficRule::HorizontalScan), 1u);
  EXPECT_EQ(count_rule(out, TrafficRule::VerticalScan), 0u);
  const auto& f = out.front();
  EXPECT_EQ(f.subject, attacker);
  EXPECT_EQ(traffic_rule_id(f.rule), "traffic.scan.horizontal");
  EXPECT_NE(f.title.find("203.0.113.66"), std::string::npos) << f.title;
  EXPECT_NE(f.title.find("port 445"), std::string::npos) << f.title;
  // Suppressed for the rest of the window, raised again in the next one.
  for (std::uint32_t i = 200; i < 400; ++i) d.observe(flow(kT0 + 30 * kSec, attacker, v4(0x0E000000 + i), 445), out);
  EXPECT_EQ(count_rule(out, TrafficRule::HorizontalScan), 1u);
  for (std::uint32_t i = 0; i < 200; ++i) d.observe(flow(kT0 + 6 * kMin, attacker, v4(0x0E000000 + i), 445), out);
  EXPECT_EQ(count_rule(out, TrafficRule::HorizontalScan), 2u);
}

TEST(TrafficScan, FewHostsOrSpreadOverWindowsIsNotAScan) {
  TrafficDetectors d;
  std::vector<TrafficFinding> out;
  IpAddress src = ip("198.51.100.1");
  for (std::uint32_t i = 0; i < 60; ++i) d.observe(flow(kT0 + i * kSec, src, v4(0x0E000000 + i), 443), out);
  // 60 hosts in each of several windows: under the threshold of 100 in every window.
  for (std::uint32_t i = 0; i < 60; ++i) d.observe(flow(kT0 + 6 * kMin + TimeNs{i} * kSec, src, v4(0x0E100000 + i), 443), out);
  EXPECT_TRUE(out.empty());
}

TEST(TrafficScan, BusyWebServerWithManyClientsIsNotAScan) {
  TrafficDetectors d;
  std::vector<TrafficFinding> out;
  IpAddress server = ip("14.160.1.10");
  std::mt19937 rng(7);
  for (std::uint32_t i = 0; i < 50'000; ++i) {
    IpAddress client = v4(0x71000000 + (rng() % 20000));
    TimeNs t = kT0 + TimeNs{i} * 10'000'000;
    auto sport = static_cast<std::uint16_t>(1024 + rng() % 60000);
    d.observe(flow(t, client, server, 443, 12, 9000, sport), out);  // request
    d.observe(flow(t, server, client, sport, 14, 40000, 443), out);  // response: many ports, many hosts
  }
  EXPECT_EQ(count_rule(out, TrafficRule::HorizontalScan), 0u);
  EXPECT_EQ(count_rule(out, TrafficRule::VerticalScan), 0u);
}

TEST(TrafficScan, VerticalScanOfOneHost) {
  TrafficDetectors d;
  std::vector<TrafficFinding> out;
  IpAddress attacker = ip("192.0.2.9"), target = ip("14.160.1.10");
  for (std::uint16_t p = 1; p <= 1000; ++p) d.observe(flow(kT0 + TimeNs{p} * 10'000'000, attacker, target, p), out);
  ASSERT_EQ(count_rule(out, TrafficRule::VerticalScan), 1u);
  EXPECT_EQ(count_rule(out, TrafficRule::HorizontalScan), 0u);
  EXPECT_EQ(out.front().subject, attacker);
  EXPECT_NE(out.front().title.find("14.160.1.10"), std::string::npos);
}

TEST(TrafficScan, ThresholdsComeFromOptions) {
  TrafficDetectorOptions o;
  o.horizontal_scan_hosts = 20;
  TrafficDetectors d(o);
  std::vector<TrafficFinding> out;
  for (std::uint32_t i = 0; i < 30; ++i) d.observe(flow(kT0, ip("192.0.2.1"), v4(0x0E000000 + i), 22), out);
  EXPECT_EQ(count_rule(out, TrafficRule::HorizontalScan), 1u);
}

TEST(TrafficScan, LargeFlowsAreSessionsNotProbes) {
  TrafficDetectors d;
  std::vector<TrafficFinding> out;
  // A NAT gateway opening real sessions to 300 web sites.
  for (std::uint32_t i = 0; i < 300; ++i) d.observe(flow(kT0 + TimeNs{i} * kSec / 2, ip("14.160.9.9"), v4(0x5D000000 + i * 7), 443, 40, 60000), out);
  EXPECT_TRUE(out.empty());
}

FlowRecord to_victim(TimeNs t, std::uint64_t bytes, std::uint64_t packets, std::uint32_t client) {
  FlowRecord f = flow(t, v4(0x71000000 + client), ip("14.160.1.10"), 443, packets, bytes);
  f.national_destination = true;
  return f;
}

// One minute of traffic to the victim: `flows` records carrying `bytes` in all.
void minute(TrafficDetectors& d, std::vector<TrafficFinding>& out, TimeNs start, std::uint64_t bytes, std::uint32_t flows) {
  for (std::uint32_t i = 0; i < flows; ++i) d.observe(to_victim(start + i * (kMin / flows), bytes / flows, bytes / flows / 1000 + 1, i), out);
}

TEST(TrafficDdos, SpikeOverBaselineFires) {
  TrafficDetectors d;
  std::vector<TrafficFinding> out;
  for (int m = 0; m < 30; ++m) minute(d, out, kT0 + m * kMin, 200'000'000 + (m % 3) * 10'000'000, 200);
  ASSERT_TRUE(out.empty());
  minute(d, out, kT0 + 30 * kMin, 5'000'000'000, 2000);  // 25x the usual bytes
  ASSERT_EQ(count_rule(out, TrafficRule::Ddos), 1u) << out.back().title;  // once per destination per minute
  EXPECT_EQ(out.front().subject, ip("14.160.1.10"));
  EXPECT_GE(out.front().severity_id, 4);
  EXPECT_NE(out.front().title.find("14.160.1.10"), std::string::npos) << out.front().title;
  // The attack goes on: the alerted minute stays out of the baseline, so the next minute fires too.
  minute(d, out, kT0 + 31 * kMin, 5'000'000'000, 2000);
  EXPECT_EQ(count_rule(out, TrafficRule::Ddos), 2u);
}

TEST(TrafficDdos, DiurnalRiseWithinBaselineDoesNotFire) {
  TrafficDetectors d;
  std::vector<TrafficFinding> out;
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> noise(0.9, 1.1);
  // Two days, per minute: 1 GB at night up to 5 GB at the daily peak, +-10 % noise.
  for (int m = 0; m < 2 * 1440; ++m) {
    double level = 3e9 - 2e9 * std::cos(2 * M_PI * m / 1440.0);
    minute(d, out, kT0 + m * kMin, static_cast<std::uint64_t>(level * noise(rng)), 50);
  }
  EXPECT_EQ(count_rule(out, TrafficRule::Ddos), 0u) << out.front().title;
}

TEST(TrafficDdos, SpikeBelowAbsoluteFloorDoesNotFire) {
  TrafficDetectors d;
  std::vector<TrafficFinding> out;
  for (int m = 0; m < 30; ++m) minute(d, out, kT0 + m * kMin, 1'000'000, 10);
  minute(d, out, kT0 + 30 * kMin, 100'000'000, 100);  // 100x, but a small office line: 13 Mbit/s
  EXPECT_TRUE(out.empty());
}

TEST(TrafficDdos, NonNationalDestinationsHaveNoBaseline) {
  TrafficDetectors d;
  std::vector<TrafficFinding> out;
  for (int i = 0; i < 100; ++i) {
    FlowRecord f = flow(kT0, v4(0x71000000 + i), ip("8.8.8.8"), 53, 1'000'000, 1'000'000'000);
    d.observe(f, out);
  }
  EXPECT_EQ(count_rule(out, TrafficRule::Ddos), 0u);
  EXPECT_EQ(d.volume().keys(), 0u);
}

TEST(TrafficDdos, HeavyDestinationsAreTracked) {
  TrafficDetectors d;
  std::vector<TrafficFinding> out;
  for (int m = 0; m < 3; ++m) {
    for (std::uint32_t i = 0; i < 50; ++i) {
      FlowRecord f = to_victim(kT0 + m * kMin, 1000, 1, i);
      f.dst = v4(0x0E000000 + i);
      f.bytes = (i + 1) * 1000;
      d.observe(f, out);
    }
  }
  auto top = d.volume().heavy_destinations(3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].key, v4(0x0E000000 + 49).to_string());
}

// Calls from `src` at `interval` seconds with uniform jitter of +-`jitter` (fraction).
std::size_t beacons(TrafficDetectors& d, std::vector<TrafficFinding>& out, IpAddress src, double interval, double jitter, int calls,
                    std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> j(-jitter, jitter);
  TimeNs t = kT0;
  for (int i = 0; i < calls; ++i) {
    d.observe(flow(t, src, ip("203.0.113.200"), 443, 6, 900, static_cast<std::uint16_t>(40000 + i)), out);
    t += static_cast<TimeNs>(interval * (1 + j(rng)) * kSec);
  }
  return count_rule(out, TrafficRule::Beacon);
}

TEST(TrafficBeacon, RegularCallsWithJitterFire) {
  TrafficDetectors d;
  std::vector<TrafficFinding> out;
  EXPECT_EQ(beacons(d, out, ip("14.160.3.3"), 60, 0.15, 20, 1), 1u);  // suppressed for an hour after the first
  EXPECT_NE(out.front().title.find("14.160.3.3 called 203.0.113.200 port 443"), std::string::npos) << out.front().title;
  EXPECT_NE(out.front().title.find("every 6"), std::string::npos) << out.front().title;
  EXPECT_EQ(out.front().subject, ip("14.160.3.3"));
}

TEST(TrafficBeacon, RandomCallsDoNotFire) {
  TrafficDetectors d;
  std::vector<TrafficFinding> out;
  std::mt19937 rng(11);
  std::exponential_distribution<double> gap(1.0 / 60);
  TimeNs t = kT0;
  for (int i = 0; i < 500; ++i) {
    d.observe(flow(t, ip("14.160.3.4"), ip("203.0.113.200"), 443, 6, 900, static_cast<std::uint16_t>(40000 + i)), out);
    t += static_cast<TimeNs>((gap(rng) + 5) * kSec);
  }
  EXPECT_EQ(count_rule(out, TrafficRule::Beacon), 0u);
}

TEST(TrafficBeacon, OneLongConnectionSplitByActiveTimeoutIsNotABeacon) {
  TrafficDetectors d;
  std::vector<TrafficFinding> out;
  for (int i = 0; i < 50; ++i) d.observe(flow(kT0 + i * 60 * kSec, ip("14.160.3.5"), ip("203.0.113.9"), 22, 500, 90000, 51515), out);
  EXPECT_TRUE(out.empty());
}

TEST(TrafficBeacon, TooFewCallsDoNotFire) {
  TrafficDetectors d;
  std::vector<TrafficFinding> out;
  EXPECT_EQ(beacons(d, out, ip("14.160.3.6"), 60, 0, 7, 1), 0u);
}

TEST(TrafficMemory, BoundedUnderAMillionDistinctKeys) {
  TrafficDetectorOptions o;
  o.max_keys = 65'536;
  TrafficDetectors d(o);
  std::vector<TrafficFinding> out;
  const std::size_t before = d.memory_bytes();
  for (std::uint32_t i = 0; i < 1'000'000; ++i) {
    FlowRecord f = flow(kT0 + TimeNs{i} * 1000, v4(0x20000000 + i), v4(0x0E000000 + (i % 4096)), static_cast<std::uint16_t>(i % 1000));
    f.national_destination = true;
    d.observe(f, out);
  }
  EXPECT_EQ(d.memory_bytes(), before);
  EXPECT_LE(d.scan().keys(), 2 * 65'536u);
  EXPECT_GT(d.scan().evictions(), 1'000'000u);
  EXPECT_LE(d.beacon().keys(), 65'536u);
  EXPECT_TRUE(out.empty());
  // A scan still stands out after the table churned.
  for (std::uint32_t i = 0; i < 200; ++i) d.observe(flow(kT0 + kSec + TimeNs{i} * 1000, ip("203.0.113.66"), v4(0x0F000000 + i), 23), out);
  EXPECT_EQ(count_rule(out, TrafficRule::HorizontalScan), 1u);
}

TEST(TrafficSketch, SmallHllEstimateEqualsTheFormulaAtEveryFill) {
  // The estimate as HyperLogLog defines it, from the registers one by one.
  auto reference = [](const SmallHll& h) {
    const double m = SmallHll::kRegisters;
    double sum = 0;
    int zeros = 0;
    for (std::size_t i = 0; i < SmallHll::kRegisters; ++i) {
      sum += std::ldexp(1.0, -static_cast<int>(h.rank(i)));
      zeros += h.rank(i) == 0;
    }
    const double e = 0.709 * m * m / sum;
    return e <= 2.5 * m && zeros > 0 ? m * std::log(m / zeros) : e;
  };
  std::mt19937_64 random(20261124);
  for (int round = 0; round < 20; ++round) {
    SmallHll h;
    EXPECT_EQ(h.estimate(), 0.0);
    for (int i = 0; i < 3000; ++i) {
      // Every register from empty to full, with ranks up to 31 (hashes with many leading zeros).
      const std::uint64_t hash = random() >> (i % 7 == 0 ? random() % 40 : 0);
      if (h.add_hash(hash)) {
        ASSERT_DOUBLE_EQ(h.estimate(), reference(h)) << round << " " << i;
      }
    }
  }
}

TEST(TrafficSketch, SmallHllEstimates) {
  for (std::uint64_t n : {10u, 100u, 1000u, 100000u}) {
    SmallHll h;
    for (std::uint64_t i = 0; i < n; ++i) h.add_hash(hash_ip(v4(static_cast<std::uint32_t>(0x0A000000 + i))));
    EXPECT_NEAR(h.estimate(), static_cast<double>(n), 0.35 * static_cast<double>(n)) << n;
  }
}

}  // namespace
}  // namespace khien
