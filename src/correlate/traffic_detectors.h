// Memory-bounded detectors over flow records: horizontal and vertical scans, volumetric DDoS
// against national destinations, and periodic beaconing (C2).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.h"
#include "core/time.h"
#include "correlate/baseline.h"
#include "correlate/space_saving.h"

namespace khien {

/// One flow as the traffic detectors see it (built from a network-activity event).
struct FlowRecord {
  TimeNs time = 0;
  IpAddress src, dst;
  std::uint16_t src_port = 0, dst_port = 0;
  std::uint8_t protocol = 0;  ///< IANA number (6 tcp, 17 udp, 1 icmp); 0 unknown
  std::uint64_t bytes = 0, packets = 0;
  /// The destination is a national (registered) address: the victim side of the flow is the
  /// destination (khien.victim_basis dst_ip / dst_asn). Only such destinations get a volume baseline.
  bool national_destination = false;
};

/// Thresholds of the traffic detectors (`[traffic]` in the config; docs/TRAFFIC.md).
struct TrafficDetectorOptions {
  bool enabled = true;
  std::int64_t scan_window_seconds = 300;       ///< tumbling window of the scan counters
  std::uint32_t horizontal_scan_hosts = 100;    ///< distinct destination hosts on one port from one source
  std::uint32_t vertical_scan_ports = 100;      ///< distinct ports on one destination from one source
  std::uint32_t scan_max_packets = 4;           ///< only flows this small count as probes (0: every flow)
  double ddos_min_score = 6;                    ///< anomaly score vs the destination's EWMA baseline
  std::uint64_t ddos_min_bytes_per_minute = 500'000'000;   ///< absolute floors: below all three, never DDoS
  std::uint64_t ddos_min_packets_per_minute = 500'000;
  std::uint64_t ddos_min_flows_per_minute = 50'000;
  std::uint32_t ddos_warmup_minutes = 5;        ///< minutes of baseline before scores count (cold: 10 x floor)
  std::uint32_t beacon_min_connections = 8;     ///< connections of one (src, dst, dport) before judging
  double beacon_max_cv = 0.2;                   ///< coefficient of variation of inter-arrival times
  std::int64_t beacon_min_interval_seconds = 5;     ///< shorter gaps: the same burst, not a new call
  std::int64_t beacon_max_interval_seconds = 3600;  ///< longer gaps restart the series
  std::int64_t beacon_suppress_seconds = 3600;      ///< one alert per key per this long
  std::uint32_t max_keys = 262'144;             ///< entries per detector table (least recently seen evicted)
};

/// What a traffic detector found.
enum class TrafficRule : std::uint8_t { HorizontalScan, VerticalScan, Ddos, Beacon };

/// "traffic.scan.horizontal", "traffic.scan.vertical", "traffic.ddos", "traffic.beacon".
std::string_view traffic_rule_id(TrafficRule rule);

/// One finding, with its figures.
struct TrafficFinding {
  TrafficRule rule = TrafficRule::HorizontalScan;
  IpAddress subject;        ///< the attacker (scan source, beaconing host) or the victim (DDoS destination)
  std::string title;        ///< the finding with its figures, for people
  std::vector<std::string> tags;  ///< the figures as name:value
  int severity_id = 3;
};

/// Set-associative table of fixed capacity keyed by a 64-bit hash: 8 ways per bucket, the least
/// recently seen way evicted on a miss. Memory never grows after construction. The keys of a
/// bucket sit together (one cache line), apart from the entries, so a lookup reads one line of
/// keys and then only the entry it wants.
template <typename Entry>
class BoundedTable {
 public:
  static constexpr std::size_t kWays = 8;
  explicit BoundedTable(std::size_t capacity) {
    std::size_t buckets = 1;
    while (buckets * kWays < capacity) buckets <<= 1;
    keys_.resize(buckets * kWays);
    stamps_.resize(buckets * kWays);
    entries_.resize(buckets * kWays);
    mask_ = buckets - 1;
  }
  /// The entry of `key`, a default one when absent (`fresh` set), evicting if needed.
  Entry& find(std::uint64_t key, TimeNs now, bool& fresh) {
    key |= 1;  // 0 marks an empty way
    const std::size_t base = (key >> 20 & mask_) * kWays;
    const std::uint64_t* keys = &keys_[base];
    for (std::size_t i = 0; i < kWays; ++i) {
      if (keys[i] == key) {
        fresh = false;
        stamps_[base + i] = std::max(stamps_[base + i], now);
        return entries_[base + i];
      }
    }
    std::size_t victim = base;
    for (std::size_t i = base; i < base + kWays; ++i) {
      if (keys_[i] == 0) {
        victim = i;
        break;
      }
      if (stamps_[i] < stamps_[victim]) victim = i;
    }
    if (keys_[victim] != 0) ++evictions_;
    else ++size_;
    keys_[victim] = key;
    stamps_[victim] = now;
    entries_[victim] = Entry{};
    fresh = true;
    return entries_[victim];
  }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return entries_.size(); }
  std::uint64_t evictions() const { return evictions_; }
  std::size_t memory_bytes() const {
    return entries_.capacity() * sizeof(Entry) + keys_.capacity() * sizeof(std::uint64_t) + stamps_.capacity() * sizeof(TimeNs);
  }

 private:
  std::vector<std::uint64_t> keys_;
  std::vector<TimeNs> stamps_;
  std::vector<Entry> entries_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
  std::uint64_t evictions_ = 0;
};

/// A 64-register HyperLogLog held inline in a table entry (13 % standard error, linear counting
/// below 160): enough to tell 20 hosts from 200, in 64 bytes per key instead of 16 KiB.
struct SmallHll {
  std::uint8_t registers[64] = {};
  /// Adds a uniform 64-bit hash; true when a register changed (the estimate may have moved).
  bool add_hash(std::uint64_t hash);
  double estimate() const;
};

/// Scans: one source probing many hosts on one port (horizontal) or many ports on one host
/// (vertical), counted per tumbling window with a SmallHll per key; one finding per key per window.
class ScanDetector {
 public:
  explicit ScanDetector(const TrafficDetectorOptions& options);
  void observe(const FlowRecord& flow, std::vector<TrafficFinding>& out);
  std::size_t memory_bytes() const { return horizontal_.memory_bytes() + vertical_.memory_bytes(); }
  std::size_t keys() const { return horizontal_.size() + vertical_.size(); }
  std::uint64_t evictions() const { return horizontal_.evictions() + vertical_.evictions(); }

 private:
  struct Entry {
    TimeNs window = 0;
    bool alerted = false;
    SmallHll distinct;
  };
  TrafficDetectorOptions options_;
  TimeNs window_ns_;
  BoundedTable<Entry> horizontal_, vertical_;
};

/// Volumetric DDoS: bytes, packets and flows per national destination per minute against the
/// destination's own EWMA baselines; fires when a figure is above its absolute floor and its
/// anomaly score reaches the threshold (before the baseline is warm: 10 x the floor). One finding
/// per destination per minute. The heaviest destinations of the hour are kept by Space-Saving.
class VolumeDetector {
 public:
  explicit VolumeDetector(const TrafficDetectorOptions& options);
  void observe(const FlowRecord& flow, std::vector<TrafficFinding>& out);
  /// The heaviest national destinations by bytes over the closed minutes of the current hour
  /// (keys are the addresses' canonical text).
  std::vector<SpaceSaving::Item> heavy_destinations(std::size_t k) const { return heavy_.top(k); }
  std::size_t memory_bytes() const { return table_.memory_bytes() + 64 * 96; }
  std::size_t keys() const { return table_.size(); }

 private:
  struct Entry {
    TimeNs minute = 0;
    TimeNs alerted_minute = -1;
    std::uint64_t bytes = 0, packets = 0, flows = 0;
    std::uint32_t anomalous_run = 0;  // alerted minutes in a row kept out of the baseline
    IpAddress address;
    EwmaBaseline baseline[3]{EwmaBaseline(), EwmaBaseline(), EwmaBaseline()};
  };
  void close_minute(Entry& e, TimeNs next_minute);
  TrafficDetectorOptions options_;
  BoundedTable<Entry> table_;
  SpaceSaving heavy_{64};
  TimeNs heavy_hour_ = 0;
};

/// Periodic beaconing: one (src, dst, dport) whose new connections (a new source port each time;
/// records of one long connection split by the exporter's active timeout do not count) come at
/// near-constant intervals: at least `beacon_min_connections`, coefficient of variation of the
/// gaps at most `beacon_max_cv`.
class BeaconDetector {
 public:
  explicit BeaconDetector(const TrafficDetectorOptions& options);
  void observe(const FlowRecord& flow, std::vector<TrafficFinding>& out);
  std::size_t memory_bytes() const { return table_.memory_bytes(); }
  std::size_t keys() const { return table_.size(); }

 private:
  struct Entry {
    TimeNs last_connection = 0;
    TimeNs suppressed_until = 0;
    std::uint32_t gaps = 0;
    std::uint16_t last_src_port = 0;
    double mean = 0, m2 = 0;  // Welford over the gaps in seconds
  };
  TrafficDetectorOptions options_;
  BoundedTable<Entry> table_;
};

/// The traffic detectors together. Threading: none; one owner (a pipeline worker).
class TrafficDetectors {
 public:
  explicit TrafficDetectors(const TrafficDetectorOptions& options = {})
      : scan_(options), volume_(options), beacon_(options) {}
  void observe(const FlowRecord& flow, std::vector<TrafficFinding>& out) {
    scan_.observe(flow, out);
    volume_.observe(flow, out);
    beacon_.observe(flow, out);
  }
  std::size_t memory_bytes() const { return scan_.memory_bytes() + volume_.memory_bytes() + beacon_.memory_bytes(); }
  const ScanDetector& scan() const { return scan_; }
  const VolumeDetector& volume() const { return volume_; }
  const BeaconDetector& beacon() const { return beacon_; }

 private:
  ScanDetector scan_;
  VolumeDetector volume_;
  BeaconDetector beacon_;
};

/// Hash of an address for keyed state.
std::uint64_t hash_ip(const IpAddress& ip);

}  // namespace khien
