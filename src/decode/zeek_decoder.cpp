// Zeek JSON logs → common schema, one mapping table per log.
#include "decode/zeek_decoder.h"

#include <cmath>

#include "core/field_dictionary.h"
#include "decode/eve_decoder.h"

namespace khien {

namespace {

constexpr FieldMapping kCommon[] = {
    {"uid", field::connection_info_uid},
    {"id.orig_h", field::src_endpoint_ip},
    {"id.orig_p", field::src_endpoint_port},
    {"id.resp_h", field::dst_endpoint_ip},
    {"id.resp_p", field::dst_endpoint_port},
    {"proto", field::connection_info_protocol_name, MapAs::Lower},
    {"_system_name", field::observer_name},
};

constexpr FieldMapping kConn[] = {
    {"service", field::app_name, MapAs::Lower},
    {"orig_bytes", field::traffic_bytes_out},
    {"resp_bytes", field::traffic_bytes_in},
    {"orig_pkts", field::traffic_packets_out},
    {"resp_pkts", field::traffic_packets_in},
    {"conn_state", field::status},
    {"orig_l2_addr", field::src_endpoint_mac, MapAs::Lower},
    {"resp_l2_addr", field::dst_endpoint_mac, MapAs::Lower},
};

constexpr FieldMapping kDns[] = {
    {"query", field::query_hostname},
    {"qtype_name", field::query_type, MapAs::Upper},
    {"rcode_name", field::rcode},
    {"answers", field::answers_rdata},
};

constexpr FieldMapping kHttp[] = {
    {"method", field::http_request_http_method, MapAs::Upper},
    {"host", field::url_hostname},
    {"user_agent", field::http_request_user_agent},
    {"referrer", field::http_request_referrer},
    {"status_code", field::http_response_code},
    {"username", field::actor_user_name},
};

constexpr FieldMapping kSsl[] = {
    {"server_name", field::tls_sni},
    {"version", field::tls_version},
    {"subject", field::tls_certificate_subject},
    {"issuer", field::tls_certificate_issuer},
    {"ja3", field::tls_ja3_hash, MapAs::Lower},
};

constexpr FieldMapping kFiles[] = {
    {"fuid", field::metadata_uid},
    {"tx_hosts", field::src_endpoint_ip},
    {"rx_hosts", field::dst_endpoint_ip},
    {"filename", field::file_name},
    {"mime_type", field::file_mime_type},
    {"total_bytes", field::file_size},
    {"seen_bytes", field::file_size},
    {"md5", field::file_hashes_md5, MapAs::Lower},
    {"sha1", field::file_hashes_sha1, MapAs::Lower},
    {"sha256", field::file_hashes_sha256, MapAs::Lower},
    {"source", field::app_name, MapAs::Lower},
};

constexpr FieldMapping kNotice[] = {
    {"note", field::finding_info_uid},
    {"msg", field::finding_info_title},
    {"msg", field::message},
    {"sub", field::finding_info_types},
    {"src", field::src_endpoint_ip},
    {"dst", field::dst_endpoint_ip},
    {"p", field::dst_endpoint_port},
    {"actions", field::action},
};

constexpr FieldMapping kWeird[] = {
    {"name", field::finding_info_uid},
    {"name", field::finding_info_title},
    {"addl", field::message},
    {"source", field::app_name, MapAs::Lower},
};

constexpr std::string_view kLogNames[] = {"conn", "dns", "http", "ssl", "files", "notice", "weird"};

}  // namespace

ZeekDecoder::ZeekDecoder()
    : common_(kCommon), conn_(kConn), dns_(kDns), http_(kHttp), ssl_(kSsl), files_(kFiles), notice_(kNotice),
      weird_(kWeird), path_(intern_field("_path")), ts_(intern_field("ts")), id_orig_h_(intern_field("id.orig_h")),
      proto_(intern_field("proto")), conn_state_(intern_field("conn_state")),
      query_(intern_field("query")), method_(intern_field("method")), uri_(intern_field("uri")),
      host_(intern_field("host")), server_name_(intern_field("server_name")), version_(intern_field("version")),
      cipher_(intern_field("cipher")), fuid_(intern_field("fuid")), note_(intern_field("note")),
      name_(intern_field("name")) {
  flattener_.set_schema_names(false);
}

ZeekLog ZeekDecoder::detect(const Event& e, bool has_duration) const {
  if (const Value* p = e.get(path_); p && p->type == FieldType::String) {
    for (std::size_t i = 0; i < std::size(kLogNames); ++i)
      if (p->s == kLogNames[i]) return static_cast<ZeekLog>(i);
    return ZeekLog::Other;
  }
  if (e.has(id_orig_h_) && e.has(proto_) && (e.has(conn_state_) || has_duration)) return ZeekLog::Conn;
  if (e.has(query_)) return ZeekLog::Dns;
  if (e.has(method_) || e.has(uri_) || e.has(host_)) return ZeekLog::Http;
  if (e.has(server_name_) || e.has(cipher_) || (e.has(version_) && e.has(id_orig_h_))) return ZeekLog::Ssl;
  if (e.has(fuid_)) return ZeekLog::Files;
  if (e.has(note_)) return ZeekLog::Notice;
  if (e.has(name_)) return ZeekLog::Weird;
  return ZeekLog::Other;
}

Status ZeekDecoder::decode_object(simdjson::dom::object root, Event& event) {
  flattener_.flatten(root, event);
  // Zeek writes epoch seconds as numbers with a fraction; whole integers come from TS_MILLIS.
  const Value* ts = event.get(ts_);
  EpochUnit unit = ts && ts->type == FieldType::Int ? EpochUnit::Milliseconds : EpochUnit::Seconds;
  if (auto st = set_time_from(event, ts_, "ts", unit); !st) return st;
  simdjson::dom::element duration;
  const bool has_duration = root["duration"].get(duration) == simdjson::SUCCESS;
  const ZeekLog log = detect(event, has_duration);
  if (const Value* p = event.get(path_); p && p->type == FieldType::String)
    put_value(event, field::metadata_log_name, *p);
  else if (log != ZeekLog::Other)
    event.set(field::metadata_log_name, Value::of_string(kLogNames[static_cast<std::size_t>(log)]));
  common_.apply(event);
  switch (log) {
    case ZeekLog::Conn: {
      conn_.apply(event);
      set_class(event, 4001, 6, "Traffic");
      // duration is an interval in seconds; the schema counts milliseconds. The name is a schema
      // name, so the flattener left it in the record.
      double secs = 0;
      if (has_duration && duration.get(secs) == simdjson::SUCCESS && std::isfinite(secs) && std::fabs(secs) < 9e15)
        event.set_int(field::duration, std::llround(secs * 1000));
      break;
    }
    case ZeekLog::Dns:
      dns_.apply(event);
      set_class(event, 4003, 6, "Traffic");
      break;
    case ZeekLog::Http: {
      http_.apply(event);
      set_class(event, 4002, http_activity(event.get_string(field::http_request_http_method)));
      set_url_parts(event, "http", event.get_string(host_), event.get_string(uri_));
      break;
    }
    case ZeekLog::Ssl:
      ssl_.apply(event);
      if (!event.has(field::app_name)) event.set(field::app_name, Value::of_string("tls"));
      set_class(event, 4001, 6, "Traffic");
      break;
    case ZeekLog::Files:
      files_.apply(event);
      set_class(event, 4010, 0, "Unknown");
      break;
    case ZeekLog::Notice:
      notice_.apply(event);
      set_class(event, 2004, 1, "Create");
      event.set_int(field::severity_id, 3);
      event.set(field::finding_info_analytic_name, Value::of_string("Zeek notice"));
      break;
    case ZeekLog::Weird:
      weird_.apply(event);
      set_class(event, 2004, 1, "Create");
      event.set_int(field::severity_id, 1);
      event.set(field::finding_info_analytic_name, Value::of_string("Zeek weird"));
      break;
    case ZeekLog::Other: break;
  }
  set_product(event, "Zeek", "Zeek");
  return {};
}

std::unique_ptr<Decoder> make_zeek_decoder() { return std::make_unique<ZeekDecoder>(); }

}  // namespace khien
