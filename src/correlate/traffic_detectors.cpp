// Traffic detectors implementation: scans, volumetric DDoS, beaconing.
#include "correlate/traffic_detectors.h"

#include <array>
#include <bit>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "correlate/hashing.h"
#include "correlate/windows.h"

namespace khien {

namespace {

constexpr TimeNs kSecond = 1'000'000'000;
constexpr TimeNs kMinute = 60 * kSecond;
constexpr TimeNs kHour = 60 * kMinute;

// Distinct seeds keep the keys of different tables (and the distinct-value hashes) independent.
constexpr std::uint64_t kHorizontalSeed = 0x6a09e667f3bcc909ULL;
constexpr std::uint64_t kVerticalSeed = 0xbb67ae8584caa73bULL;
constexpr std::uint64_t kVolumeSeed = 0x3c6ef372fe94f82bULL;
constexpr std::uint64_t kBeaconSeed = 0xa54ff53a5f1d36f1ULL;

// Seconds since the epoch in 32 bits (until 2106), clamped.
std::uint32_t seconds_of(TimeNs t) { return static_cast<std::uint32_t>(std::clamp<TimeNs>(t / kSecond, 0, TimeNs{0xFFFFFFFF})); }

std::uint64_t combine(std::uint64_t a, std::uint64_t b) { return mix64(a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2))); }

std::string human_bytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) {
    b /= 1000;
    ++u;
  }
  return fmt::format("{:.1f} {}", b, units[u]);
}

}  // namespace

std::string_view traffic_rule_id(TrafficRule rule) {
  switch (rule) {
    case TrafficRule::HorizontalScan: return "traffic.scan.horizontal";
    case TrafficRule::VerticalScan: return "traffic.scan.vertical";
    case TrafficRule::Ddos: return "traffic.ddos";
    case TrafficRule::Beacon: return "traffic.beacon";
  }
  return "traffic";
}

std::uint64_t hash_ip(const IpAddress& ip) {
  std::uint64_t hi, lo;
  std::memcpy(&hi, ip.bytes.data(), 8);
  std::memcpy(&lo, ip.bytes.data() + 8, 8);
  return mix64(hi ^ mix64(lo ^ 0x94d049bb133111ebULL));
}

namespace {

// The table keys of a flow, shared by the lookups and their prefetches.
std::uint64_t horizontal_key(std::uint64_t src, const FlowRecord& f) {
  return combine(src ^ kHorizontalSeed, std::uint64_t{f.dst_port} << 8 | f.protocol);
}
std::uint64_t vertical_key(std::uint64_t src, std::uint64_t dst) { return combine(src ^ kVerticalSeed, dst); }
std::uint64_t volume_key(const FlowHashes& h) { return h.dst ^ kVolumeSeed; }
std::uint64_t beacon_key(const FlowRecord& f, const FlowHashes& h) {
  return combine(combine(h.src ^ kBeaconSeed, h.dst), std::uint64_t{f.dst_port} << 8 | f.protocol);
}

}  // namespace

namespace {

// Eight 5-bit registers in five bytes, little-endian.
std::uint64_t load_group(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 4; i >= 0; --i) v = v << 8 | p[i];
  return v;
}
void store_group(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 5; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

}  // namespace

std::uint8_t SmallHll::rank(std::size_t index) const {
  return static_cast<std::uint8_t>(load_group(packed + index / 8 * 5) >> (index % 8 * 5) & 31);
}

void SmallHll::set_rank(std::size_t index, std::uint8_t rank) {
  std::uint8_t* p = packed + index / 8 * 5;
  const unsigned shift = static_cast<unsigned>(index % 8 * 5);
  store_group(p, (load_group(p) & ~(std::uint64_t{31} << shift)) | std::uint64_t{rank} << shift);
}

bool SmallHll::add_hash(std::uint64_t hash) {
  const std::size_t index = hash >> 58;
  const std::uint64_t rest = (hash << 6) | (std::uint64_t{1} << 5);
  const auto rank = static_cast<std::uint8_t>(std::min(std::countl_zero(rest) + 1, 31));
  if (rank <= this->rank(index)) return false;
  set_rank(index, rank);
  return true;
}

double SmallHll::estimate() const {
  constexpr double m = kRegisters;
  // With 19 or more empty registers the raw estimate is below 2.5 m whatever the others hold
  // (0.709 m² / 19 < 160), so the answer is linear counting, m ln(m / zeros): a table lookup after
  // counting the empty registers, a lane test per group, instead of summing 64 powers. A scan's
  // keys spend nearly all their lives there.
  static const auto kLinear = [] {
    std::array<double, kRegisters + 1> e{};
    for (std::size_t z = 1; z <= kRegisters; ++z) e[z] = m * std::log(m / static_cast<double>(z));
    return e;
  }();
  constexpr std::uint64_t kLaneLowBits = 0x0842108421ULL;  // bit 0 of each of the eight 5-bit lanes
  int nonzero = 0;
  for (std::size_t g = 0; g < kRegisters / 8; ++g) {
    const std::uint64_t v = load_group(packed + g * 5);
    nonzero += std::popcount((v | v >> 1 | v >> 2 | v >> 3 | v >> 4) & kLaneLowBits);
  }
  const int empty = static_cast<int>(kRegisters) - nonzero;
  if (empty >= 19) return kLinear[static_cast<std::size_t>(empty)];
  // 2^-r by table: ldexp was a tenth of the detectors' time.
  static const auto kPow = [] {
    std::array<double, 32> p{};
    for (std::size_t r = 0; r < p.size(); ++r) p[r] = std::ldexp(1.0, -static_cast<int>(r));
    return p;
  }();
  double sum = 0;
  for (std::size_t g = 0; g < kRegisters / 8; ++g) {
    const std::uint64_t v = load_group(packed + g * 5);
    for (unsigned j = 0; j < 8; ++j) sum += kPow[v >> (j * 5) & 31];
  }
  const double e = 0.709 * m * m / sum;
  if (e <= 2.5 * m && empty > 0) return kLinear[static_cast<std::size_t>(empty)];
  return e;
}

ScanDetector::ScanDetector(const TrafficDetectorOptions& options)
    : options_(options),
      window_ns_(std::max<std::int64_t>(options.scan_window_seconds, 1) * kSecond),
      horizontal_(options.max_keys),
      vertical_(options.max_keys) {}

void ScanDetector::observe(const FlowRecord& flow, const FlowHashes& hashes, std::vector<TrafficFinding>& out) {
  if (options_.scan_max_packets != 0 && flow.packets > options_.scan_max_packets) return;
  // The window's index (31 bits: at 1-second windows that lasts until 2038; times before 1970 fall in window 0).
  const std::uint32_t window = static_cast<std::uint32_t>(
      std::clamp<TimeNs>(window_start(flow.time, window_ns_) / window_ns_, 0, TimeNs{0x7FFFFFFF}));
  const std::uint64_t src = hashes.src, dst = hashes.dst;

  // Returns the entry's distinct count after adding `item` when it crossed `threshold` for the
  // first time in this window, else 0.
  auto count = [&](BoundedTable<Entry>& table, std::uint64_t key, std::uint64_t item, std::uint32_t threshold) -> double {
    bool fresh = false;
    Entry& e = table.find(key, flow.time, fresh);
    if (fresh || window > e.window) {
      // A new window: a record for an older one (late) is counted in the current one instead.
      e.window = window & 0x7FFFFFFF;
      e.alerted = 0;
      e.distinct = SmallHll{};
    }
    if (!e.distinct.add_hash(item) || e.alerted) return 0;
    double n = e.distinct.estimate();
    if (n < threshold) return 0;
    e.alerted = 1;
    return n;
  };

  const auto window_min = options_.scan_window_seconds / 60.0;
  if (double n = count(horizontal_, horizontal_key(src, flow), dst, options_.horizontal_scan_hosts); n > 0) {
    TrafficFinding f;
    f.rule = TrafficRule::HorizontalScan;
    f.subject = flow.src;
    f.title = fmt::format("Horizontal scan: {} probed ~{:.0f} hosts on port {} within {:.0f} min", flow.src.to_string(), n,
                          flow.dst_port, window_min);
    f.tags = {fmt::format("hosts:{:.0f}", n), fmt::format("port:{}", flow.dst_port), "attack.t1046"};
    f.severity_id = 3;
    out.push_back(std::move(f));
  }
  if (double n = count(vertical_, vertical_key(src, dst), std::uint64_t{flow.dst_port} * 0x9e3779b97f4a7c15ULL ^ kVerticalSeed,
                       options_.vertical_scan_ports);
      n > 0) {
    TrafficFinding f;
    f.rule = TrafficRule::VerticalScan;
    f.subject = flow.src;
    f.title = fmt::format("Vertical scan: {} probed ~{:.0f} ports on {} within {:.0f} min", flow.src.to_string(), n,
                          flow.dst.to_string(), window_min);
    f.tags = {fmt::format("ports:{:.0f}", n), fmt::format("target:{}", flow.dst.to_string()), "attack.t1046"};
    f.severity_id = 3;
    out.push_back(std::move(f));
  }
}

VolumeDetector::VolumeDetector(const TrafficDetectorOptions& options)
    : options_(options), table_(std::max<std::uint32_t>(options.max_keys / 4, 1024)) {}

void VolumeDetector::close_minute(Entry& e, TimeNs next_minute) {
  // An attack minute would inflate the baseline and hide the rest of the attack, so alerted
  // minutes stay out of it; after kAcceptShift of them in a row the new level is accepted as normal.
  constexpr std::uint32_t kAcceptShift = 30;
  if (e.alerted_minute == e.minute && e.anomalous_run < kAcceptShift) {
    ++e.anomalous_run;
  } else {
    e.anomalous_run = 0;
    e.baseline[0].observe(static_cast<double>(e.bytes));
    e.baseline[1].observe(static_cast<double>(e.packets));
    e.baseline[2].observe(static_cast<double>(e.flows));
  }
  // Quiet minutes are data too (up to an hour of them; beyond that the baseline is already ~0).
  TimeNs quiet = std::min<TimeNs>((next_minute - e.minute) / kMinute - 1, 60);
  for (TimeNs i = 0; i < quiet; ++i)
    for (auto& b : e.baseline) b.observe(0);
  TimeNs hour = window_start(e.minute, kHour);
  if (hour > heavy_hour_) {
    heavy_.clear();
    heavy_hour_ = hour;
  }
  if (hour == heavy_hour_) heavy_.offer(e.address.to_string(), e.bytes);
  e.bytes = e.packets = e.flows = 0;
  e.minute = next_minute;
}

void VolumeDetector::observe(const FlowRecord& flow, const FlowHashes& hashes, std::vector<TrafficFinding>& out) {
  if (!flow.national_destination) return;
  const TimeNs minute = window_start(flow.time, kMinute);
  bool fresh = false;
  Entry& e = table_.find(volume_key(hashes), flow.time, fresh);
  if (fresh) {
    e.minute = minute;
    e.address = flow.dst;
    for (auto& b : e.baseline) b = EwmaBaseline(0.1, options_.ddos_warmup_minutes);
  } else if (minute > e.minute) {
    close_minute(e, minute);
  }
  // A late record (older minute) is counted in the current minute: it was traffic all the same.
  e.bytes += flow.bytes;
  e.packets += flow.packets;
  e.flows += 1;
  if (e.alerted_minute == e.minute) return;

  const double values[3] = {static_cast<double>(e.bytes), static_cast<double>(e.packets), static_cast<double>(e.flows)};
  const double floors[3] = {static_cast<double>(options_.ddos_min_bytes_per_minute),
                            static_cast<double>(options_.ddos_min_packets_per_minute),
                            static_cast<double>(options_.ddos_min_flows_per_minute)};
  static constexpr const char* kNames[3] = {"bytes", "packets", "flows"};
  int worst = -1;
  double worst_score = 0;
  for (int i = 0; i < 3; ++i) {
    if (values[i] < floors[i]) continue;
    const EwmaBaseline& b = e.baseline[i];
    double score = b.warm() ? b.score(values[i]) : (values[i] >= 10 * floors[i] ? options_.ddos_min_score : 0);
    if (score >= options_.ddos_min_score && score > worst_score) {
      worst = i;
      worst_score = score;
    }
  }
  if (worst < 0) return;
  e.alerted_minute = e.minute;
  TrafficFinding f;
  f.rule = TrafficRule::Ddos;
  f.subject = flow.dst;
  const EwmaBaseline& b = e.baseline[worst];
  // The figure that tripped it, then all three for the minute so far.
  std::string now = worst == 0 ? human_bytes(values[0]) : fmt::format("{:.0f} {}", values[worst], kNames[worst]);
  std::string usual = worst == 0 ? human_bytes(b.mean()) : fmt::format("{:.0f} {}", b.mean(), kNames[worst]);
  f.title = fmt::format("Volumetric DDoS against {}: {} in one minute, usual {} (score {:.1f}); {} packets, {} flows",
                        flow.dst.to_string(), now, usual, worst_score, e.packets, e.flows);
  f.tags = {fmt::format("bytes:{}", e.bytes), fmt::format("packets:{}", e.packets), fmt::format("flows:{}", e.flows),
            fmt::format("metric:{}", kNames[worst]), fmt::format("baseline:{:.0f}", b.mean()), fmt::format("score:{:.1f}", worst_score),
            "attack.t1498"};
  f.severity_id = worst_score >= 4 * options_.ddos_min_score ? 5 : 4;
  out.push_back(std::move(f));
}

BeaconDetector::BeaconDetector(const TrafficDetectorOptions& options) : options_(options), table_(options.max_keys) {}

void BeaconDetector::observe(const FlowRecord& flow, const FlowHashes& hashes, std::vector<TrafficFinding>& out) {
  bool fresh = false;
  Entry& e = table_.find(beacon_key(flow, hashes), flow.time, fresh);
  if (fresh) {
    e.last_connection = flow.time;
    e.last_src_port = flow.src_port;
    return;
  }
  // The same source port again: another record of the same connection (active timeout), not a call.
  if (flow.src_port == e.last_src_port && flow.src_port != 0) return;
  const TimeNs gap = flow.time - e.last_connection;
  if (gap < options_.beacon_min_interval_seconds * kSecond) return;  // part of the same burst (or late)
  e.last_connection = flow.time;
  e.last_src_port = flow.src_port;
  if (gap > options_.beacon_max_interval_seconds * kSecond) {
    e.gaps = 0;
    e.mean = e.m2 = 0;
    return;
  }
  const auto g = static_cast<float>(static_cast<double>(gap) / kSecond);
  ++e.gaps;
  const float d = g - e.mean;
  e.mean += d / static_cast<float>(e.gaps);
  e.m2 += d * (g - e.mean);
  if (e.gaps + 1 < options_.beacon_min_connections || seconds_of(flow.time) < e.suppressed_until) return;
  const double cv = std::sqrt(static_cast<double>(e.m2) / e.gaps) / static_cast<double>(e.mean);
  if (cv > options_.beacon_max_cv) return;
  e.suppressed_until = seconds_of(flow.time + options_.beacon_suppress_seconds * kSecond);
  TrafficFinding f;
  f.rule = TrafficRule::Beacon;
  f.subject = flow.src;
  f.title = fmt::format("Beaconing: {} called {} port {} {} times every {:.0f} s (jitter {:.0f} %)", flow.src.to_string(),
                        flow.dst.to_string(), flow.dst_port, e.gaps + 1, e.mean, cv * 100);
  f.tags = {fmt::format("connections:{}", e.gaps + 1), fmt::format("interval_s:{:.0f}", e.mean), fmt::format("cv:{:.3f}", cv),
            fmt::format("destination:{}", flow.dst.to_string()), fmt::format("port:{}", flow.dst_port), "attack.t1071"};
  f.severity_id = 4;
  out.push_back(std::move(f));
  // A fresh series after an alert: the next alert (after the suppression) judges new gaps.
  e.gaps = 0;
  e.mean = e.m2 = 0;
}

void ScanDetector::prefetch(const FlowRecord& flow, const FlowHashes& hashes, bool entries) const {
  if (options_.scan_max_packets != 0 && flow.packets > options_.scan_max_packets) return;
  const std::uint64_t h = horizontal_key(hashes.src, flow), v = vertical_key(hashes.src, hashes.dst);
  if (entries) {
    horizontal_.prefetch_entry(h, flow.time);
    vertical_.prefetch_entry(v, flow.time);
  } else {
    horizontal_.prefetch(h);
    vertical_.prefetch(v);
  }
}

void VolumeDetector::prefetch(const FlowRecord& flow, const FlowHashes& hashes, bool entries) const {
  if (!flow.national_destination) return;
  if (entries) table_.prefetch_entry(volume_key(hashes), flow.time);
  else table_.prefetch(volume_key(hashes));
}

void BeaconDetector::prefetch(const FlowRecord& flow, const FlowHashes& hashes, bool entries) const {
  if (entries) table_.prefetch_entry(beacon_key(flow, hashes), flow.time);
  else table_.prefetch(beacon_key(flow, hashes));
}

void TrafficDetectors::observe_batch(std::span<const FlowRecord> flows, std::vector<TrafficFinding>& out,
                                     std::vector<std::size_t>* from) {
  // Bucket heads kAhead * 2 flows ahead, then (heads cached by then) the entries kAhead ahead: the
  // table lookups of a dozen flows are in flight at once instead of one after another.
  constexpr std::size_t kAhead = 6;
  const std::size_t n = flows.size();
  // Each address is hashed once here; the five lookups and their two prefetches per flow reuse it.
  hashes_.resize(n);
  for (std::size_t i = 0; i < n; ++i) hashes_[i] = hashes_of(flows[i]);
  auto heads = [&](std::size_t i) {
    scan_.prefetch(flows[i], hashes_[i], false);
    volume_.prefetch(flows[i], hashes_[i], false);
    beacon_.prefetch(flows[i], hashes_[i], false);
  };
  auto entries = [&](std::size_t i) {
    scan_.prefetch(flows[i], hashes_[i], true);
    volume_.prefetch(flows[i], hashes_[i], true);
    beacon_.prefetch(flows[i], hashes_[i], true);
  };
  for (std::size_t i = 0; i < std::min(n, 2 * kAhead); ++i) heads(i);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + 2 * kAhead < n) heads(i + 2 * kAhead);
    if (i + kAhead < n) entries(i + kAhead);
    observe(flows[i], hashes_[i], out);
    if (from) from->resize(out.size(), i);
  }
}

}  // namespace khien
