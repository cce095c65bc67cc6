// The opening of a record in each format and small naming helpers shared by the simulator's renderers.
#include "app/simulated_record_heads.h"

#include <fmt/format.h>

#include <algorithm>

namespace khien::sim {

std::string url_of(std::string_view scheme, std::string_view host, std::string_view target) {
  return fmt::format("{}://{}{}", scheme, host, target);
}

std::string basename_of(std::string_view path) {
  std::size_t p = path.find_last_of("\\/");
  return std::string(p == std::string_view::npos ? path : path.substr(p + 1));
}

std::string guid(std::string_view seed) {
  const std::string h = stable_hex(seed, 32);
  return fmt::format("{{{}-{}-{}-{}-{}}}", h.substr(0, 8), h.substr(8, 4), h.substr(12, 4), h.substr(16, 4),
                     h.substr(20));
}

std::string zeek_version(std::string_view tls) {
  return tls == "TLS 1.2" ? "TLSv12" : "TLSv13";
}

std::string sysmon_hashes(std::string_view sha1, std::string_view md5, std::string_view sha256, std::string_view seed) {
  std::string out;
  if (!sha1.empty()) out += fmt::format("SHA1={},", sha1);
  if (!md5.empty()) out += fmt::format("MD5={},", md5);
  out += fmt::format("SHA256={},IMPHASH={}", sha256, stable_hex(fmt::format("imp:{}", seed), 32));
  // Sysmon prints the digests in upper-case hex.
  for (char& c : out)
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 32);
  return out;
}

// Common beginnings of each JSON format.
JsonLine ocsf_base(const Context& c, int class_uid, int activity_id, int severity_id, std::string_view product,
                   std::string_view vendor) {
  JsonLine j;
  j.num("time", epoch_ms(c.now))
      .num("class_uid", class_uid)
      .num("activity_id", activity_id)
      .num("severity_id", severity_id)
      .obj("metadata")
      .str("version", "1.1.0")
      .str("uid", fmt::format("{}-{}", c.soc.id, c.record))
      .obj("product")
      .str("name", product)
      .str("vendor_name", vendor)
      .close()
      .close();
  return j;
}

void ocsf_endpoints(JsonLine& j, const IpAddress& src, int sport, const IpAddress& dst, int dport,
                    std::string_view proto, std::string_view direction) {
  j.obj("src_endpoint").str("ip", src.to_string());
  if (sport > 0) j.num("port", sport);
  j.close().obj("dst_endpoint").str("ip", dst.to_string());
  if (dport > 0) j.num("port", dport);
  j.close().obj("connection_info").str("protocol_name", proto);
  if (!direction.empty()) j.str("direction", direction);
  j.close();
}

JsonLine ecs_base(const Context& c, const EcsEvent& e) {
  JsonLine j;
  j.str("@timestamp", format_rfc3339(c.now, 3)).obj("ecs").str("version", "8.11.0").close();
  j.obj("event").str("kind", e.kind).strs("category", e.categories).strs("type", e.types).str("dataset", e.dataset);
  if (!e.action.empty()) j.str("action", e.action);
  if (!e.outcome.empty()) j.str("outcome", e.outcome);
  if (!e.code.empty()) j.str("code", e.code);
  if (e.severity > 0) j.num("severity", e.severity);
  j.str("id", fmt::format("{:x}", c.ids.flow_id)).close();
  j.obj("agent").str("type", e.agent).str("version", "8.11.0").close();
  j.obj("observer").str("hostname", c.sensor).close();
  return j;
}

void ecs_endpoints(JsonLine& j, const IpAddress& src, int sport, const IpAddress& dst, int dport) {
  j.obj("source").str("ip", src.to_string());
  if (sport > 0) j.num("port", sport);
  j.close().obj("destination").str("ip", dst.to_string());
  if (dport > 0) j.num("port", dport);
  j.close();
}

JsonLine eve_base(const Context& c, std::string_view event_type, const IpAddress& src, int sport, const IpAddress& dst,
                  int dport, std::string_view proto) {
  JsonLine j;
  j.str("timestamp", iso_with_offset(c.now, 6))
      .num("flow_id", static_cast<std::int64_t>(c.ids.flow_id))
      .str("in_iface", "ens192")
      .str("event_type", event_type)
      .str("src_ip", src.to_string());
  if (sport > 0) j.num("src_port", sport);
  j.str("dest_ip", dst.to_string());
  if (dport > 0) j.num("dest_port", dport);
  std::string p = proto == "udp" ? "UDP" : proto == "icmp" ? "ICMP" : "TCP";
  j.str("proto", p).str("host", c.sensor);
  return j;
}

JsonLine zeek_base(const Context& c, std::string_view path, const IpAddress& src, int sport, const IpAddress& dst,
                   int dport) {
  JsonLine j;
  j.str("_path", path)
      .str("_system_name", c.sensor)
      .literal("ts", zeek_time(c.now))
      .str("uid", c.ids.zeek_uid)
      .str("id.orig_h", src.to_string())
      .num("id.orig_p", sport)
      .str("id.resp_h", dst.to_string())
      .num("id.resp_p", dport);
  return j;
}

JsonLine wazuh_base(const Context& c, std::string_view rule_id, int level, std::string_view description,
                    const std::vector<std::string>& groups, std::string_view agent_name, const IpAddress& agent_ip) {
  JsonLine j;
  j.str("timestamp", iso_with_offset(c.now, 3));
  j.obj("rule")
      .num("level", level)
      .str("description", description)
      .str("id", rule_id)
      .num("firedtimes", static_cast<std::int64_t>(1 + c.record % 40))
      .boolean("mail", level >= 12)
      .strs("groups", groups)
      .close();
  j.obj("agent")
      .str("id", fmt::format("{:03}", 1 + fnv1a(agent_name) % 400))
      .str("name", agent_name)
      .str("ip", agent_ip.to_string())
      .close();
  j.obj("manager").str("name", fmt::format("wazuh-manager.{}", c.domain)).close();
  j.str("id", fmt::format("{}.{}", c.now / 1000000000, c.record));
  return j;
}

JsonLine winlog_base(const Context& c, int event_id, bool sysmon, std::string_view host, std::string_view event_type) {
  JsonLine j;
  j.str("EventTime", windows_time(c.now, 0)).str("Hostname", fmt::format("{}.{}", host, c.domain));
  j.str("EventType", event_type).num("SeverityValue", 2).str("Severity", "INFO").num("EventID", event_id);
  if (sysmon) {
    j.str("SourceName", "Microsoft-Windows-Sysmon")
        .str("ProviderGuid", "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}")
        .str("Channel", "Microsoft-Windows-Sysmon/Operational")
        .num("Level", 4);
  } else {
    j.str("SourceName", "Microsoft-Windows-Security-Auditing")
        .str("ProviderGuid", "{54849625-5478-4994-A5BA-3E3B0328C30D}")
        .str("Channel", "Security");
  }
  j.num("RecordNumber", static_cast<std::int64_t>(c.record)).num("ProcessID", sysmon ? 3124 : 788);
  return j;
}

std::string fortigate_class(std::string_view kind) {
  // FortiGate log ids, by log type.
  if (kind == "traffic") return "0000000013";
  if (kind == "webfilter") return "0317013312";
  if (kind == "ips") return "0419016384";
  if (kind == "virus") return "0211008192";
  return "0100032001";
}

CefLine cef_base(const Context& c, std::string_view kind, std::string_view name, int severity) {
  CefLine l("Fortinet", "FortiGate", "7.2.8", fortigate_class(kind), name, severity);
  l.kv("rt", epoch_ms(c.now)).kv("deviceExternalId", fmt::format("FG1K0F{}", c.code)).kv("dvchost", c.sensor);
  return l;
}

LeefLine leef_base(const Context& c, std::string_view event_id, std::string_view category) {
  LeefLine l("Palo Alto Networks", "PAN-OS Syslog Integration", "11.0.3", event_id);
  l.kv("devTime", leef_time(c.now)).kv("devTimeFormat", "MMM dd yyyy HH:mm:ss").kv("cat", category);
  return l;
}

// --- DNS ---

}  // namespace khien::sim
