// TrafficDetector: flow events → TrafficDetectors → "traffic" alerts.
#include "app/traffic_detector.h"

#include <fmt/format.h>

#include "core/schema.h"

namespace khien {

namespace {

// OCSF severity word (the IOC detector's scale).
std::string_view level_of(int severity_id) {
  switch (severity_id) {
    case 1: return "informational";
    case 2: return "low";
    case 3: return "medium";
    case 4: return "high";
    default: return "critical";
  }
}

std::uint64_t non_negative(const Value* v) { return v && v->type == FieldType::Int && v->i > 0 ? static_cast<std::uint64_t>(v->i) : 0; }

}  // namespace

const std::vector<TrafficOptionKey>& traffic_option_keys() {
  static const std::vector<TrafficOptionKey> keys{
      {"enabled", "Run the traffic detectors (scans, DDoS, beaconing) on flow events"},
      {"scan_window_seconds", "Tumbling window of the scan counters, seconds"},
      {"horizontal_scan_hosts", "Distinct destination hosts on one port from one source within the window: horizontal scan"},
      {"vertical_scan_ports", "Distinct ports on one destination from one source within the window: vertical scan"},
      {"scan_max_packets", "Only flows of at most this many packets count as probes (0: every flow)"},
      {"ddos_min_score", "Anomaly score (vs the destination's EWMA baseline per minute) that makes a DDoS"},
      {"ddos_min_bytes_per_minute", "Absolute floor: bytes per minute to one national destination"},
      {"ddos_min_packets_per_minute", "Absolute floor: packets per minute to one national destination"},
      {"ddos_min_flows_per_minute", "Absolute floor: flows per minute to one national destination"},
      {"ddos_warmup_minutes", "Minutes of baseline before scores count (until then: 10 x a floor)"},
      {"beacon_min_connections", "Connections of one (source, destination, port) before beaconing is judged"},
      {"beacon_max_cv", "Largest coefficient of variation of the gaps between connections (jitter tolerance)"},
      {"beacon_min_interval_seconds", "Gaps shorter than this are one burst, not separate calls"},
      {"beacon_max_interval_seconds", "Gaps longer than this restart the series"},
      {"beacon_suppress_seconds", "One beaconing alert per key per this many seconds"},
      {"max_keys", "Entries per detector table; the least recently seen are evicted (memory: about 194 bytes per key over all tables, 51 MB at the default)"},
  };
  return keys;
}

std::string traffic_option_text(const TrafficDetectorOptions& o, std::string_view name) {
  if (name == "enabled") return o.enabled ? "true" : "false";
  if (name == "scan_window_seconds") return std::to_string(o.scan_window_seconds);
  if (name == "horizontal_scan_hosts") return std::to_string(o.horizontal_scan_hosts);
  if (name == "vertical_scan_ports") return std::to_string(o.vertical_scan_ports);
  if (name == "scan_max_packets") return std::to_string(o.scan_max_packets);
  if (name == "ddos_min_score") return fmt::format("{}", o.ddos_min_score);
  if (name == "ddos_min_bytes_per_minute") return std::to_string(o.ddos_min_bytes_per_minute);
  if (name == "ddos_min_packets_per_minute") return std::to_string(o.ddos_min_packets_per_minute);
  if (name == "ddos_min_flows_per_minute") return std::to_string(o.ddos_min_flows_per_minute);
  if (name == "ddos_warmup_minutes") return std::to_string(o.ddos_warmup_minutes);
  if (name == "beacon_min_connections") return std::to_string(o.beacon_min_connections);
  if (name == "beacon_max_cv") return fmt::format("{}", o.beacon_max_cv);
  if (name == "beacon_min_interval_seconds") return std::to_string(o.beacon_min_interval_seconds);
  if (name == "beacon_max_interval_seconds") return std::to_string(o.beacon_max_interval_seconds);
  if (name == "beacon_suppress_seconds") return std::to_string(o.beacon_suppress_seconds);
  if (name == "max_keys") return std::to_string(o.max_keys);
  return "";
}

Status set_traffic_option(TrafficDetectorOptions& o, std::string_view name, bool is_bool, double value) {
  if (name == "enabled") {
    if (!is_bool) return fail("traffic.enabled: expected true or false");
    o.enabled = value != 0;
    return {};
  }
  if (is_bool) return fail(fmt::format("traffic.{}: expected a number", name));
  // Fractional options first; every other one is a whole number in its range.
  if (name == "ddos_min_score" || name == "beacon_max_cv") {
    double hi = name == "beacon_max_cv" ? 10 : 1e6;
    if (!(value > 0 && value <= hi)) return fail(fmt::format("traffic.{}: expected a number above 0 and at most {}", name, hi));
    (name == "ddos_min_score" ? o.ddos_min_score : o.beacon_max_cv) = value;
    return {};
  }
  struct Range {
    std::string_view key;
    double lo, hi;
  };
  static constexpr Range kRanges[] = {
      {"scan_window_seconds", 1, 86400},      {"horizontal_scan_hosts", 2, 1e7},       {"vertical_scan_ports", 2, 65536},
      {"scan_max_packets", 0, 1e9},           {"ddos_min_bytes_per_minute", 0, 1e15},  {"ddos_min_packets_per_minute", 0, 1e13},
      {"ddos_min_flows_per_minute", 0, 1e12}, {"ddos_warmup_minutes", 1, 10080},       {"beacon_min_connections", 3, 1e6},
      {"beacon_min_interval_seconds", 0, 86400}, {"beacon_max_interval_seconds", 1, 7 * 86400}, {"beacon_suppress_seconds", 0, 30 * 86400},
      {"max_keys", 1024, 1e9},
  };
  for (const auto& r : kRanges) {
    if (r.key != name) continue;
    if (value != static_cast<double>(static_cast<std::int64_t>(value)) || value < r.lo || value > r.hi)
      return fail(fmt::format("traffic.{}: expected a whole number from {} to {}", name, r.lo, r.hi));
    auto v = static_cast<std::int64_t>(value);
    if (name == "scan_window_seconds") o.scan_window_seconds = v;
    else if (name == "horizontal_scan_hosts") o.horizontal_scan_hosts = static_cast<std::uint32_t>(v);
    else if (name == "vertical_scan_ports") o.vertical_scan_ports = static_cast<std::uint32_t>(v);
    else if (name == "scan_max_packets") o.scan_max_packets = static_cast<std::uint32_t>(v);
    else if (name == "ddos_min_bytes_per_minute") o.ddos_min_bytes_per_minute = static_cast<std::uint64_t>(v);
    else if (name == "ddos_min_packets_per_minute") o.ddos_min_packets_per_minute = static_cast<std::uint64_t>(v);
    else if (name == "ddos_min_flows_per_minute") o.ddos_min_flows_per_minute = static_cast<std::uint64_t>(v);
    else if (name == "ddos_warmup_minutes") o.ddos_warmup_minutes = static_cast<std::uint32_t>(v);
    else if (name == "beacon_min_connections") o.beacon_min_connections = static_cast<std::uint32_t>(v);
    else if (name == "beacon_min_interval_seconds") o.beacon_min_interval_seconds = v;
    else if (name == "beacon_max_interval_seconds") o.beacon_max_interval_seconds = v;
    else if (name == "beacon_suppress_seconds") o.beacon_suppress_seconds = v;
    else if (name == "max_keys") o.max_keys = static_cast<std::uint32_t>(v);
    return {};
  }
  return fail(fmt::format("traffic.{}: unknown key", name));
}

std::uint8_t protocol_number(std::string_view name) {
  if (name == "tcp") return 6;
  if (name == "udp") return 17;
  if (name == "icmp") return 1;
  if (name == "ipv6-icmp" || name == "icmpv6") return 58;
  if (name == "gre") return 47;
  if (name == "esp") return 50;
  if (name == "sctp") return 132;
  return 0;
}

namespace {

// The FlowRecord of a flow event (class 4001 with both addresses and a time); false for other events.
bool flow_of(const Event& event, FlowRecord& flow) {
  const Value* cls = event.get(field::class_uid);
  if (!cls || cls->type != FieldType::Int || cls->i != 4001) return false;
  const Value* src = event.get(field::src_endpoint_ip);
  const Value* dst = event.get(field::dst_endpoint_ip);
  if (!src || !dst || src->type != FieldType::Ip || dst->type != FieldType::Ip) return false;
  const Value* t = event.get(field::time);
  if (!t || t->type != FieldType::Timestamp) return false;
  flow.time = t->t;
  flow.src = src->ip;
  flow.dst = dst->ip;
  flow.src_port = static_cast<std::uint16_t>(non_negative(event.get(field::src_endpoint_port)));
  flow.dst_port = static_cast<std::uint16_t>(non_negative(event.get(field::dst_endpoint_port)));
  flow.protocol = protocol_number(event.get_string(field::connection_info_protocol_name));
  flow.bytes = non_negative(event.get(field::traffic_bytes));
  flow.packets = non_negative(event.get(field::traffic_packets));
  if (flow.bytes == 0) flow.bytes = non_negative(event.get(field::traffic_bytes_in)) + non_negative(event.get(field::traffic_bytes_out));
  if (flow.packets == 0)
    flow.packets = non_negative(event.get(field::traffic_packets_in)) + non_negative(event.get(field::traffic_packets_out));
  flow.national_destination = event.get_string(field::khien_victim_basis).starts_with("dst_");
  return true;
}

void append_alert(TrafficFinding& f, const Event& event, std::vector<Alert>& out) {
  std::string_view victim_org = event.get_string(field::khien_victim_org);
  std::string_view victim_sector = event.get_string(field::khien_victim_sector);
  Alert a;
  a.kind = "traffic";
  a.rule_id = std::string(traffic_rule_id(f.rule));
  a.title = std::move(f.title);
  a.severity_id = f.severity_id;
  a.level = std::string(level_of(f.severity_id));
  a.source = "khien.traffic";
  a.matched = f.subject.to_string();
  a.matched_field = f.rule == TrafficRule::Ddos ? "dst_endpoint.ip" : "src_endpoint.ip";
  a.tags = std::move(f.tags);
  if (!victim_org.empty()) a.tags.push_back(fmt::format("victim_org:{}", victim_org));
  if (!victim_sector.empty()) a.tags.push_back(fmt::format("victim_sector:{}", victim_sector));
  out.push_back(std::move(a));
}

}  // namespace

void TrafficDetector::begin_batch(std::span<const Event* const> events) {
  batch_.assign(events.begin(), events.end());
  cursor_ = 0;
  batch_alerts_.clear();
  batch_owner_.clear();
  next_alert_ = 0;
  detect_batch(events, batch_alerts_, batch_owner_);
}

void TrafficDetector::detect(const Event& event, std::vector<Alert>& out) {
  // An event of the batch begun: its alerts were found there already (events the caller skipped
  // lose theirs).
  while (cursor_ < batch_.size() && batch_[cursor_] != &event) ++cursor_;
  if (cursor_ < batch_.size()) {
    const std::size_t i = cursor_++;
    while (next_alert_ < batch_owner_.size() && batch_owner_[next_alert_] < i) ++next_alert_;
    while (next_alert_ < batch_owner_.size() && batch_owner_[next_alert_] == i) out.push_back(std::move(batch_alerts_[next_alert_++]));
    return;
  }
  FlowRecord flow;
  if (!flow_of(event, flow)) return;
  findings_.clear();
  detectors_.observe(flow, findings_);
  for (auto& f : findings_) append_alert(f, event, out);
}

void TrafficDetector::detect_batch(std::span<const Event* const> events, std::vector<Alert>& out,
                                   std::vector<std::size_t>& owner) {
  flows_.clear();
  flow_event_.clear();
  for (std::size_t i = 0; i < events.size(); ++i) {
    FlowRecord flow;
    if (!flow_of(*events[i], flow)) continue;
    flows_.push_back(flow);
    flow_event_.push_back(i);
  }
  findings_.clear();
  finding_flow_.clear();
  detectors_.observe_batch(flows_, findings_, &finding_flow_);
  for (std::size_t k = 0; k < findings_.size(); ++k) {
    const std::size_t i = flow_event_[finding_flow_[k]];
    append_alert(findings_[k], *events[i], out);
    owner.push_back(i);
  }
}

}  // namespace khien
