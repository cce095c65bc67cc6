// Elastic Common Schema → common schema.
#include "decode/ecs_decoder.h"

#include <span>
#include <string_view>
#include <vector>

#include "core/field_dictionary.h"
#include "decode/eve_decoder.h"

namespace khien {

namespace {

constexpr FieldMapping kEcs[] = {
    {"event.id", field::metadata_uid},
    {"event.dataset", field::metadata_log_name},
    {"event.action", field::activity_name},
    {"event.outcome", field::status},
    {"event.severity", field::severity},
    {"log.level", field::severity},
    {"ecs.version", field::metadata_version},
    {"observer.product", field::metadata_product_name},
    {"observer.vendor", field::metadata_product_vendor_name},
    {"observer.name", field::observer_name},
    {"observer.hostname", field::observer_name},
    {"source.ip", field::src_endpoint_ip},
    {"source.address", field::src_endpoint_ip},
    {"client.ip", field::src_endpoint_ip},
    {"source.port", field::src_endpoint_port},
    {"client.port", field::src_endpoint_port},
    {"source.domain", field::src_endpoint_hostname},
    {"source.mac", field::src_endpoint_mac, MapAs::Lower},
    {"destination.ip", field::dst_endpoint_ip},
    {"destination.address", field::dst_endpoint_ip},
    {"server.ip", field::dst_endpoint_ip},
    {"destination.port", field::dst_endpoint_port},
    {"server.port", field::dst_endpoint_port},
    {"destination.domain", field::dst_endpoint_hostname},
    {"destination.mac", field::dst_endpoint_mac, MapAs::Lower},
    {"network.transport", field::connection_info_protocol_name, MapAs::Lower},
    {"network.protocol", field::app_name, MapAs::Lower},
    {"network.direction", field::connection_info_direction, MapAs::Lower},
    {"network.community_id", field::connection_info_uid},
    {"source.bytes", field::traffic_bytes_out},
    {"destination.bytes", field::traffic_bytes_in},
    {"source.packets", field::traffic_packets_out},
    {"destination.packets", field::traffic_packets_in},
    {"network.bytes", field::traffic_bytes},
    {"network.packets", field::traffic_packets},
    {"user.name", field::actor_user_name},
    {"user.domain", field::actor_user_domain},
    {"process.command_line", field::process_cmd_line},
    {"process.executable", field::process_file_path},
    {"process.executable", field::process_name, MapAs::Basename},
    {"process.user.name", field::process_user_name},
    {"process.parent.command_line", field::actor_process_cmd_line},
    {"process.parent.executable", field::actor_process_file_path},
    {"process.parent.name", field::actor_process_name},
    {"process.parent.executable", field::actor_process_name, MapAs::Basename},
    {"process.parent.pid", field::actor_process_pid},
    {"process.hash.md5", field::file_hashes_md5, MapAs::Lower},
    {"process.hash.sha1", field::file_hashes_sha1, MapAs::Lower},
    {"process.hash.sha256", field::file_hashes_sha256, MapAs::Lower},
    {"file.hash.md5", field::file_hashes_md5, MapAs::Lower},
    {"file.hash.sha1", field::file_hashes_sha1, MapAs::Lower},
    {"file.hash.sha256", field::file_hashes_sha256, MapAs::Lower},
    {"file.hash.sha512", field::file_hashes_sha512, MapAs::Lower},
    {"file.path", field::file_name, MapAs::Basename},
    {"url.full", field::url_url_string},
    {"url.original", field::url_url_string},
    {"url.domain", field::url_hostname},
    {"url.query", field::url_query_string},
    {"http.request.method", field::http_request_http_method, MapAs::Upper},
    {"user_agent.original", field::http_request_user_agent},
    {"http.request.referrer", field::http_request_referrer},
    {"http.response.status_code", field::http_response_code},
    {"dns.question.name", field::query_hostname},
    {"dns.question.type", field::query_type, MapAs::Upper},
    {"dns.response_code", field::rcode},
    {"dns.answers.data", field::answers_rdata},
    {"tls.client.server_name", field::tls_sni},
    {"tls.client.ja3", field::tls_ja3_hash, MapAs::Lower},
    {"tls.server.x509.subject.distinguished_name", field::tls_certificate_subject},
    {"tls.server.subject", field::tls_certificate_subject},
    {"tls.server.x509.issuer.distinguished_name", field::tls_certificate_issuer},
    {"tls.server.issuer", field::tls_certificate_issuer},
    {"tls.server.hash.sha1", field::tls_certificate_fingerprint, MapAs::Lower},
    {"host.hostname", field::device_hostname},
    {"host.name", field::device_hostname},
    {"winlog.computer_name", field::device_hostname},
    {"host.ip", field::device_ip},
    {"host.os.name", field::device_os_name},
    {"rule.name", field::finding_info_title},
    {"rule.id", field::finding_info_uid},
    {"rule.category", field::finding_info_types},
    {"rule.ruleset", field::finding_info_analytic_name},
    {"threat.technique.id", field::attacks_technique_uid, MapAs::Upper},
    {"threat.technique.subtechnique.id", field::attacks_technique_uid, MapAs::Upper},
    {"email.from.address", field::email_from},
    {"email.to.address", field::email_to},
    {"email.subject", field::email_subject},
    {"winlog.channel", field::winlog_channel},
    {"winlog.channel", field::metadata_log_name},
    {"winlog.event_id", field::winlog_event_id},
    {"winlog.provider_name", field::winlog_provider_name},
    {"winlog.record_id", field::winlog_record_id},
};

// The values of event.kind, event.category and event.type that decide the class, as bits.
enum EcsMark : unsigned {
  kAlert = 1u << 0,
  kIntrusionDetection = 1u << 1,
  kMalware = 1u << 2,
  kThreat = 1u << 3,
  kProcess = 1u << 4,
  kAuthentication = 1u << 5,
  kFile = 1u << 6,
  kNetwork = 1u << 7,
  kStart = 1u << 8,
  kEnd = 1u << 9,
  kCreation = 1u << 10,
  kDeletion = 1u << 11,
  kChange = 1u << 12,
};

struct EcsMarkValue {
  std::string_view text;
  unsigned mark;
};
constexpr EcsMarkValue kCategoryMarks[] = {{"intrusion_detection", kIntrusionDetection}, {"malware", kMalware},
                                           {"threat", kThreat},   {"process", kProcess},
                                           {"authentication", kAuthentication}, {"file", kFile},
                                           {"network", kNetwork}};
constexpr EcsMarkValue kTypeMarks[] = {{"start", kStart},       {"end", kEnd},         {"creation", kCreation},
                                       {"deletion", kDeletion}, {"change", kChange}};

unsigned mark_of(std::string_view text, std::span<const EcsMarkValue> marks) {
  for (const auto& m : marks)
    if (m.text == text) return m.mark;
  return 0;
}

}  // namespace

EcsDecoder::EcsDecoder()
    : mapper_(kEcs), windows_("winlog.event_data."), timestamp_(intern_field("@timestamp")),
      category_(intern_field("event.category")), type_(intern_field("event.type")),
      kind_(intern_field("event.kind")), agent_type_(intern_field("agent.type")) {
  // The raw record stays with the event: originals only the table maps go to the mapper without
  // becoming slots, and those nobody reads stay in the record. Windows event data is kept whole
  // for the Windows mapper (and Windows Sigma rules).
  flattener_.keep_only_originals({timestamp_, category_, type_, kind_, agent_type_}, mapper_.originals(),
                                 {"winlog.event_data."});
}

void EcsDecoder::set_class_from_category(Event& e) const {
  if (e.has(field::class_uid)) return;
  // One pass over the slots marks the values present (the fields are originals, and may repeat),
  // where a search per value read every slot a dozen times.
  unsigned m = 0;
  for (const auto& slot : e) {
    if (slot.value.type != FieldType::String) continue;
    if (slot.field == category_) m |= mark_of(slot.value.s, kCategoryMarks);
    else if (slot.field == type_) m |= mark_of(slot.value.s, kTypeMarks);
    else if (slot.field == kind_ && slot.value.s == "alert") m |= kAlert;
  }
  if ((m & (kAlert | kIntrusionDetection | kMalware | kThreat)) != 0) {
    set_class(e, 2004, 1, "Create");
  } else if ((m & kProcess) != 0) {
    if ((m & kStart) != 0) set_class(e, 1007, 1, "Launch");
    else if ((m & kEnd) != 0) set_class(e, 1007, 2, "Terminate");
    else set_class(e, 1007, 99, "Other");
  } else if ((m & kAuthentication) != 0) {
    if ((m & kEnd) != 0) set_class(e, 3002, 2, "Logoff");
    else set_class(e, 3002, 1, "Logon");
  } else if ((m & kFile) != 0) {
    if ((m & kCreation) != 0) set_class(e, 1001, 1, "Create");
    else if ((m & kDeletion) != 0) set_class(e, 1001, 4, "Delete");
    else if ((m & kChange) != 0) set_class(e, 1001, 3, "Update");
    else set_class(e, 1001, 99, "Other");
  } else if (e.has(field::query_hostname)) {
    set_class(e, 4003, 1, "Query");
  } else if (e.has(field::http_request_http_method)) {
    set_class(e, 4002, http_activity(e.get_string(field::http_request_http_method)));
  } else if ((m & kNetwork) != 0) {
    set_class(e, 4001, 6, "Traffic");
  }
}

Status EcsDecoder::decode_object(simdjson::dom::object root, Event& event) {
  flattener_.flatten(root, event);
  return map_flattened(event);
}

Status EcsDecoder::map_flattened(Event& event) {
  if (auto st = set_time_from(event, timestamp_, "@timestamp", EpochUnit::Milliseconds); !st) return st;
  mapper_.apply(event, flattener_.staged());
  if (const Value* id = event.get(field::winlog_event_id))
    windows_.apply(event, id->i, event.get_string(field::winlog_provider_name));
  set_class_from_category(event);
  std::string_view agent = event.get_string(agent_type_);
  set_product(event, agent.empty() ? std::string_view("Elastic Agent") : agent, "Elastic");
  return {};
}

std::unique_ptr<Decoder> make_ecs_decoder() { return std::make_unique<EcsDecoder>(); }

}  // namespace khien
