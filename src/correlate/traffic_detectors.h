// Memory-bounded detectors over flow records: horizontal and vertical scans, volumetric DDoS
// against national destinations, and periodic beaconing (C2).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.h"
#include "core/time.h"
#include "correlate/baseline.h"
#include "core/huge_page_allocator.h"
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

/// The address hashes (hash_ip) of a flow, computed once for every table that keys on them.
struct FlowHashes {
  std::uint64_t src = 0, dst = 0;
};

/// Hash of an address for keyed state.
std::uint64_t hash_ip(const IpAddress& ip);
inline FlowHashes hashes_of(const FlowRecord& flow) { return FlowHashes{hash_ip(flow.src), hash_ip(flow.dst)}; }

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
/// recently seen way evicted on a miss. Memory never grows after construction. A bucket's head
/// (8 key tags and 8 last-seen stamps, 64 bytes) is one cache line apart from the entries, so a
/// lookup reads one line of tags and then only the entry it wants; prefetch() fetches that line
/// ahead of a lookup. Per entry: 8 bytes besides the Entry itself.
///
/// The key's low 32 bits choose the bucket (any number of buckets, not only powers of two: the
/// capacity is what was asked for, rounded up to a multiple of 8), its high 32 bits are the tag
/// (two keys of one bucket sharing a tag, odds about 2^-29 per lookup, share an entry). Stamps
/// are the time in units of 2^20 ns (~1 ms), compared modulo 2^32 (~52 days).
template <typename Entry>
class BoundedTable {
 public:
  static constexpr std::size_t kWays = 8;
  explicit BoundedTable(std::size_t capacity) : buckets_(std::max<std::size_t>((capacity + kWays - 1) / kWays, 1)) {
    heads_.resize(buckets_);
    entries_.resize(buckets_ * kWays);
  }
  /// Starts loading the bucket head of `key` into the cache.
  void prefetch(std::uint64_t key) const { __builtin_prefetch(&heads_[bucket_of(key)]); }
  /// Starts loading the entry find(key, now) will return (its bucket head should be cached by
  /// now): the key's own, or when absent the way it will evict, which find() then overwrites.
  void prefetch_entry(std::uint64_t key, TimeNs now) const {
    const std::size_t b = bucket_of(key);
    const std::uint32_t tag = tag_of(key);
    const Head& h = heads_[b];
    for (std::size_t i = 0; i < kWays; ++i) {
      if (h.tags[i] == tag) {
        __builtin_prefetch(&entries_[b * kWays + i]);
        return;
      }
    }
    __builtin_prefetch(&entries_[b * kWays + victim_way(h, stamp_of(now))], 1);
  }
  /// The entry of `key`, a default one when absent (`fresh` set), evicting if needed.
  Entry& find(std::uint64_t key, TimeNs now, bool& fresh) {
    const std::size_t b = bucket_of(key);
    const std::uint32_t tag = tag_of(key);
    const std::uint32_t stamp = stamp_of(now);
    Head& h = heads_[b];
    for (std::size_t i = 0; i < kWays; ++i) {
      if (h.tags[i] == tag) {
        fresh = false;
        // A late record does not make the key look older than it is.
        if (static_cast<std::int32_t>(stamp - h.stamps[i]) > 0) h.stamps[i] = stamp;
        return entries_[b * kWays + i];
      }
    }
    const std::size_t victim = victim_way(h, stamp);
    if (h.tags[victim] != 0) ++evictions_;
    else ++size_;
    h.tags[victim] = tag;
    h.stamps[victim] = stamp;
    Entry& e = entries_[b * kWays + victim];
    e = Entry{};
    fresh = true;
    return e;
  }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return entries_.size(); }
  std::uint64_t evictions() const { return evictions_; }
  std::size_t memory_bytes() const { return heads_.capacity() * sizeof(Head) + entries_.capacity() * sizeof(Entry); }

 private:
  struct alignas(64) Head {
    std::uint32_t tags[kWays] = {};  // 0: an empty way
    std::uint32_t stamps[kWays] = {};
  };
  // The way a missing key takes: the first empty one, else the least recently seen.
  static std::size_t victim_way(const Head& h, std::uint32_t stamp) {
    std::size_t victim = 0;
    std::uint32_t oldest = 0;
    for (std::size_t i = 0; i < kWays; ++i) {
      if (h.tags[i] == 0) return i;
      const std::uint32_t age = stamp - h.stamps[i];
      if (age > oldest && static_cast<std::int32_t>(age) >= 0) {
        oldest = age;
        victim = i;
      }
    }
    return victim;
  }
  std::size_t bucket_of(std::uint64_t key) const { return static_cast<std::size_t>((key & 0xFFFFFFFFULL) * buckets_ >> 32); }
  static std::uint32_t tag_of(std::uint64_t key) { return static_cast<std::uint32_t>(key >> 32) | 1; }
  static std::uint32_t stamp_of(TimeNs now) { return static_cast<std::uint32_t>(static_cast<std::uint64_t>(now) >> 20); }

  std::size_t buckets_;
  // On huge pages: every lookup lands on a random line of tens of megabytes.
  std::vector<Head, HugePageAllocator<Head>> heads_;
  std::vector<Entry, HugePageAllocator<Entry>> entries_;
  std::size_t size_ = 0;
  std::uint64_t evictions_ = 0;
};

/// A 64-register HyperLogLog held inline in a table entry (13 % standard error, linear counting
/// below 160): enough to tell 20 hosts from 200, in 40 bytes per key instead of 16 KiB. Registers
/// are 5 bits (ranks up to 31, exact for counts far beyond any scan threshold), packed eight to
/// five bytes.
struct SmallHll {
  static constexpr std::size_t kRegisters = 64;
  std::uint8_t packed[kRegisters * 5 / 8] = {};
  /// Adds a uniform 64-bit hash; true when a register changed (the estimate may have moved).
  bool add_hash(std::uint64_t hash);
  double estimate() const;
  std::uint8_t rank(std::size_t index) const;

 private:
  void set_rank(std::size_t index, std::uint8_t rank);
};

/// Scans: one source probing many hosts on one port (horizontal) or many ports on one host
/// (vertical), counted per tumbling window with a SmallHll per key; one finding per key per window.
class ScanDetector {
 public:
  explicit ScanDetector(const TrafficDetectorOptions& options);
  void observe(const FlowRecord& flow, const FlowHashes& hashes, std::vector<TrafficFinding>& out);
  /// Starts loading the table bucket head (`entries` false) or entry (true) observe() will need.
  void prefetch(const FlowRecord& flow, const FlowHashes& hashes, bool entries) const;
  std::size_t memory_bytes() const { return horizontal_.memory_bytes() + vertical_.memory_bytes(); }
  std::size_t keys() const { return horizontal_.size() + vertical_.size(); }
  std::uint64_t evictions() const { return horizontal_.evictions() + vertical_.evictions(); }

 private:
  struct Entry {
    std::uint32_t window : 31 = 0;  // window index (start / window length)
    std::uint32_t alerted : 1 = 0;
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
  void observe(const FlowRecord& flow, const FlowHashes& hashes, std::vector<TrafficFinding>& out);
  /// Starts loading the table bucket head (`entries` false) or entry (true) observe() will need.
  void prefetch(const FlowRecord& flow, const FlowHashes& hashes, bool entries) const;
  /// The heaviest national destinations by bytes over the closed minutes of the current hour
  /// (keys are the addresses' canonical text).
  std::vector<SpaceSaving::Item> heavy_destinations(std::size_t k) const { return heavy_.top(k); }
  std::size_t memory_bytes() const { return table_.memory_bytes() + 64 * 96; }
  std::size_t keys() const { return table_.size(); }

 private:
  // Aligned to a cache line: every flow reads `minute` and adds to the three counters, which then
  // sit in the entry's first line (the one prefetch_entry fetches) instead of straddling two lines
  // for most entries of a 184-byte stride.
  struct alignas(64) Entry {
    TimeNs minute = 0;
    TimeNs alerted_minute = -1;
    std::uint64_t bytes = 0, packets = 0, flows = 0;
    std::uint32_t anomalous_run = 0;  // alerted minutes in a row kept out of the baseline
    IpAddress address;
    EwmaBaseline baseline[3]{EwmaBaseline(), EwmaBaseline(), EwmaBaseline()};
  };
  static_assert(sizeof(Entry) % 64 == 0 && offsetof(Entry, address) + sizeof(IpAddress) <= 64,
                "a volume entry fills whole lines, the fields each flow touches in its first");
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
  void observe(const FlowRecord& flow, const FlowHashes& hashes, std::vector<TrafficFinding>& out);
  /// Starts loading the table bucket head (`entries` false) or entry (true) observe() will need.
  void prefetch(const FlowRecord& flow, const FlowHashes& hashes, bool entries) const;
  std::size_t memory_bytes() const { return table_.memory_bytes(); }
  std::size_t keys() const { return table_.size(); }

 private:
  struct Entry {
    TimeNs last_connection = 0;
    std::uint32_t suppressed_until = 0;  // seconds since the epoch
    std::uint32_t gaps = 0;
    std::uint16_t last_src_port = 0;
    float mean = 0, m2 = 0;  // Welford over the gaps in seconds (float: 7 digits are plenty for a CV)
  };
  TrafficDetectorOptions options_;
  BoundedTable<Entry> table_;
};

/// The traffic detectors together. Threading: none; one owner (a pipeline worker).
class TrafficDetectors {
 public:
  explicit TrafficDetectors(const TrafficDetectorOptions& options = {})
      : scan_(options), volume_(options), beacon_(options) {}
  void observe(const FlowRecord& flow, std::vector<TrafficFinding>& out) { observe(flow, hashes_of(flow), out); }
  void observe(const FlowRecord& flow, const FlowHashes& hashes, std::vector<TrafficFinding>& out) {
    scan_.observe(flow, hashes, out);
    volume_.observe(flow, hashes, out);
    beacon_.observe(flow, hashes, out);
  }
  /// observe() on each flow in order, with the table lines of the next flows prefetched: the
  /// tables are far larger than the caches, and their lookups then overlap. `from`, when given,
  /// receives for each finding appended the index of its flow.
  void observe_batch(std::span<const FlowRecord> flows, std::vector<TrafficFinding>& out,
                     std::vector<std::size_t>* from = nullptr);
  std::size_t memory_bytes() const { return scan_.memory_bytes() + volume_.memory_bytes() + beacon_.memory_bytes(); }
  const ScanDetector& scan() const { return scan_; }
  const VolumeDetector& volume() const { return volume_; }
  const BeaconDetector& beacon() const { return beacon_; }

 private:
  ScanDetector scan_;
  VolumeDetector volume_;
  BeaconDetector beacon_;
  std::vector<FlowHashes> hashes_;  // of the batch's flows, one pass before the lookups
};

}  // namespace khien
