// Wazuh alerts.json → common schema.
#include "decode/wazuh_decoder.h"

#include "core/field_dictionary.h"

namespace khien {

namespace {

constexpr FieldMapping kWazuh[] = {
    {"id", field::metadata_uid},
    {"rule.description", field::finding_info_title},
    {"rule.id", field::finding_info_uid},
    {"rule.groups", field::finding_info_types},
    {"rule.mitre.id", field::attacks_technique_uid, MapAs::Upper},
    {"rule.level", field::severity},
    {"agent.name", field::device_hostname},
    {"agent.ip", field::device_ip},
    {"manager.name", field::observer_name},
    {"location", field::metadata_log_name},
    {"full_log", field::message},
    {"data.srcip", field::src_endpoint_ip},
    {"data.src_ip", field::src_endpoint_ip},
    {"data.srcport", field::src_endpoint_port},
    {"data.dstip", field::dst_endpoint_ip},
    {"data.dst_ip", field::dst_endpoint_ip},
    {"data.dstport", field::dst_endpoint_port},
    {"data.protocol", field::connection_info_protocol_name, MapAs::Lower},
    {"data.srcuser", field::actor_user_name},
    {"data.dstuser", field::actor_user_name},
    {"data.action", field::action},
    {"data.url", field::url_url_string},
    {"data.id", field::http_response_code},
    // Windows events forwarded by the agent (eventchannel decoder, lowerCamel names)
    {"data.win.system.eventID", field::winlog_event_id},
    {"data.win.system.channel", field::winlog_channel},
    {"data.win.system.providerName", field::winlog_provider_name},
    {"data.win.system.eventRecordID", field::winlog_record_id},
    {"data.win.eventdata.image", field::process_file_path},
    {"data.win.eventdata.image", field::process_name, MapAs::Basename},
    {"data.win.eventdata.commandLine", field::process_cmd_line},
    {"data.win.eventdata.parentImage", field::actor_process_file_path},
    {"data.win.eventdata.parentImage", field::actor_process_name, MapAs::Basename},
    {"data.win.eventdata.parentCommandLine", field::actor_process_cmd_line},
    {"data.win.eventdata.user", field::process_user_name},
    {"data.win.eventdata.targetUserName", field::actor_user_name},
    // file integrity monitoring
    {"syscheck.path", field::file_path},
    {"syscheck.path", field::file_name, MapAs::Basename},
    {"syscheck.size_after", field::file_size},
    {"syscheck.md5_after", field::file_hashes_md5, MapAs::Lower},
    {"syscheck.sha1_after", field::file_hashes_sha1, MapAs::Lower},
    {"syscheck.sha256_after", field::file_hashes_sha256, MapAs::Lower},
    {"syscheck.uname_after", field::actor_user_name},
};

}  // namespace

std::int64_t wazuh_severity(std::int64_t level) {
  if (level <= 3) return 1;
  if (level <= 7) return 2;
  if (level <= 11) return 3;
  if (level <= 14) return 4;
  return 5;
}

WazuhDecoder::WazuhDecoder()
    : mapper_(kWazuh), timestamp_(intern_field("timestamp")), level_(intern_field("rule.level")) {}

Status WazuhDecoder::decode_object(simdjson::dom::object root, Event& event) {
  flattener_.flatten(root, event);
  if (auto st = set_time_from(event, timestamp_, "timestamp", EpochUnit::Seconds); !st) return st;
  mapper_.apply(event);
  set_class(event, 2004, 1, "Create");
  std::int64_t level = 0;
  if (const Value* v = event.get(level_); v && value_int(*v, level))
    event.set_int(field::severity_id, wazuh_severity(level));
  event.set(field::finding_info_analytic_name, Value::of_string("Wazuh"));
  set_product(event, "Wazuh", "Wazuh");
  return {};
}

std::unique_ptr<Decoder> make_wazuh_decoder() { return std::make_unique<WazuhDecoder>(); }

}  // namespace khien
