// TrafficDetector: flow events → TrafficDetectors → "traffic" alerts.
#include "app/traffic_detector.h"

#include <fmt/format.h>

#include "app/intel_detector.h"
#include "core/field_dictionary.h"
#include "core/schema.h"

namespace khien {

namespace {

struct VictimFields {
  FieldId org = intern_field("khien.victim_org");
  FieldId sector = intern_field("khien.victim_sector");
  FieldId basis = intern_field("khien.victim_basis");
};

const VictimFields& victim_fields() {
  static const VictimFields f;
  return f;
}

std::uint64_t non_negative(const Value* v) { return v && v->type == FieldType::Int && v->i > 0 ? static_cast<std::uint64_t>(v->i) : 0; }

}  // namespace

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

void TrafficDetector::detect(const Event& event, std::vector<Alert>& out) {
  const Value* cls = event.get(field::class_uid);
  if (!cls || cls->type != FieldType::Int || cls->i != 4001) return;
  const Value* src = event.get(field::src_endpoint_ip);
  const Value* dst = event.get(field::dst_endpoint_ip);
  if (!src || !dst || src->type != FieldType::Ip || dst->type != FieldType::Ip) return;
  const Value* t = event.get(field::time);
  if (!t || t->type != FieldType::Timestamp) return;

  FlowRecord flow;
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
  const auto& vf = victim_fields();
  std::string_view basis = event.get_string(vf.basis);
  flow.national_destination = basis.starts_with("dst_");

  findings_.clear();
  detectors_.observe(flow, findings_);
  if (findings_.empty()) return;
  std::string_view victim_org = event.get_string(vf.org);
  std::string_view victim_sector = event.get_string(vf.sector);
  for (auto& f : findings_) {
    Alert a;
    a.kind = "traffic";
    a.rule_id = std::string(traffic_rule_id(f.rule));
    a.title = std::move(f.title);
    a.severity_id = f.severity_id;
    a.level = std::string(level_for_severity(f.severity_id));
    a.source = "khien.traffic";
    a.matched = f.subject.to_string();
    a.matched_field = f.rule == TrafficRule::Ddos ? "dst_endpoint.ip" : "src_endpoint.ip";
    a.tags = std::move(f.tags);
    if (!victim_org.empty()) a.tags.push_back(fmt::format("victim_org:{}", victim_org));
    if (!victim_sector.empty()) a.tags.push_back(fmt::format("victim_sector:{}", victim_sector));
    out.push_back(std::move(a));
  }
}

}  // namespace khien
