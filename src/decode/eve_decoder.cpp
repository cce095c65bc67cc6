// Suricata EVE JSON → common schema.
#include "decode/eve_decoder.h"

#include <string>
#include <vector>

#include "core/field_dictionary.h"

namespace khien {

namespace {

constexpr FieldMapping kEve[] = {
    {"flow_id", field::connection_info_uid},
    {"src_ip", field::src_endpoint_ip},
    {"src_port", field::src_endpoint_port},
    {"dest_ip", field::dst_endpoint_ip},
    {"dest_port", field::dst_endpoint_port},
    {"proto", field::connection_info_protocol_name, MapAs::Lower},
    {"app_proto", field::app_name, MapAs::Lower},
    {"event_type", field::metadata_log_name},
    {"host", field::observer_name},
    {"direction", field::connection_info_direction},
    // alert
    {"alert.signature", field::finding_info_title},
    {"alert.signature_id", field::finding_info_uid},
    {"alert.category", field::finding_info_types},
    {"alert.action", field::action},
    {"alert.metadata.mitre_technique_id", field::attacks_technique_uid, MapAs::Upper},
    // anomaly
    {"anomaly.event", field::finding_info_title},
    {"anomaly.type", field::finding_info_types},
    // dns: v1 (rrname at the top), v2 answers, v3 queries array
    {"dns.rrname", field::query_hostname},
    {"dns.queries.rrname", field::query_hostname},
    {"dns.query.rrname", field::query_hostname},
    {"dns.rrtype", field::query_type, MapAs::Upper},
    {"dns.queries.rrtype", field::query_type, MapAs::Upper},
    {"dns.query.rrtype", field::query_type, MapAs::Upper},
    {"dns.rcode", field::rcode},
    {"dns.answers.rdata", field::answers_rdata},
    {"dns.rdata", field::answers_rdata},
    // http
    {"http.hostname", field::url_hostname},
    {"http.http_port", field::url_port},
    {"http.http_method", field::http_request_http_method, MapAs::Upper},
    {"http.status", field::http_response_code},
    {"http.http_user_agent", field::http_request_user_agent},
    {"http.http_refer", field::http_request_referrer},
    // tls
    {"tls.sni", field::tls_sni},
    {"tls.version", field::tls_version},
    {"tls.subject", field::tls_certificate_subject},
    {"tls.issuerdn", field::tls_certificate_issuer},
    {"tls.fingerprint", field::tls_certificate_fingerprint, MapAs::Lower},
    {"tls.ja3.hash", field::tls_ja3_hash, MapAs::Lower},
    // fileinfo
    {"fileinfo.filename", field::file_path},
    {"fileinfo.filename", field::file_name, MapAs::Basename},
    {"fileinfo.size", field::file_size},
    {"fileinfo.md5", field::file_hashes_md5, MapAs::Lower},
    {"fileinfo.sha1", field::file_hashes_sha1, MapAs::Lower},
    {"fileinfo.sha256", field::file_hashes_sha256, MapAs::Lower},
    {"fileinfo.mimetype", field::file_mime_type},
    // flow / netflow counters: "toserver" is what the initiator sent
    {"flow.bytes_toserver", field::traffic_bytes_out},
    {"flow.bytes_toclient", field::traffic_bytes_in},
    {"flow.pkts_toserver", field::traffic_packets_out},
    {"flow.pkts_toclient", field::traffic_packets_in},
    {"netflow.bytes", field::traffic_bytes},
    {"netflow.pkts", field::traffic_packets},
    {"flow.state", field::status},
};

}  // namespace

std::int64_t http_activity(std::string_view m) {
  constexpr std::string_view kMethods[] = {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "TRACE"};
  for (std::size_t i = 0; i < std::size(kMethods); ++i)
    if (m == kMethods[i]) return static_cast<std::int64_t>(i) + 1;
  return 99;
}

void set_url_parts(Event& event, std::string_view scheme, std::string_view host, std::string_view target) {
  if (target.empty()) return;
  std::size_t q = target.find('?');
  if (!event.has(field::url_path)) event.set_string(field::url_path, target.substr(0, q));
  if (q != std::string_view::npos && q + 1 < target.size() && !event.has(field::url_query_string))
    event.set_string(field::url_query_string, target.substr(q + 1));
  if (host.empty() || event.has(field::url_url_string)) return;
  std::string url;
  url.reserve(scheme.size() + 3 + host.size() + target.size());
  url.append(scheme).append("://").append(host);
  if (target.front() != '/') url.push_back('/');
  url.append(target);
  event.set_string(field::url_url_string, url);
  if (!event.has(field::url_scheme)) event.set(field::url_scheme, Value::of_string(scheme));
}

EveDecoder::EveDecoder()
    : mapper_(kEve),
      event_type_(intern_field("event_type")),
      timestamp_(intern_field("timestamp")),
      alert_severity_(intern_field("alert.severity")),
      dns_type_(intern_field("dns.type")),
      http_url_(intern_field("http.url")),
      http_hostname_(intern_field("http.hostname")) {
  // The raw record stays with the event: originals only the table maps go to the mapper without
  // becoming slots, and those nobody reads stay in the record.
  flattener_.keep_only_originals({event_type_, timestamp_, alert_severity_, dns_type_, http_url_, http_hostname_},
                                 mapper_.originals(), {});
}

Status EveDecoder::decode_object(simdjson::dom::object root, Event& event) {
  flattener_.flatten(root, event);
  return map_flattened(event);
}

Status EveDecoder::map_flattened(Event& event) {
  if (auto st = set_time_from(event, timestamp_, "timestamp", EpochUnit::Seconds); !st) return st;
  mapper_.apply(event, flattener_.staged());
  const std::string_view type = event.get_string(event_type_);
  if (type == "alert") {
    set_class(event, 2004, 1, "Create");
    // Suricata: 1 is the most severe; rules may use larger numbers for the least.
    std::int64_t sev = 0;
    if (const Value* v = event.get(alert_severity_); v && value_int(*v, sev))
      event.set_int(field::severity_id, sev == 1 ? 4 : sev == 2 ? 3 : sev == 3 ? 2 : 1);
    event.set(field::finding_info_analytic_name, Value::of_string("Suricata"));
  } else if (type == "anomaly") {
    set_class(event, 2004, 1, "Create");
    event.set_int(field::severity_id, 1);
  } else if (type == "dns") {
    const std::string_view dns_type = event.get_string(dns_type_);
    if (dns_type == "query") set_class(event, 4003, 1, "Query");
    else if (dns_type == "answer") set_class(event, 4003, 2, "Response");
    else set_class(event, 4003, 6, "Traffic");
  } else if (type == "http") {
    set_class(event, 4002, http_activity(event.get_string(field::http_request_http_method)));
  } else if (type == "fileinfo") {
    set_class(event, 4010, 0, "Unknown");
  } else if (type == "flow" || type == "netflow") {
    set_class(event, 4001, 6, "Traffic");
  } else if (!type.empty() && type != "stats" && event.has(field::src_endpoint_ip)) {
    set_class(event, 4001, 6, "Traffic");  // tls, ssh, smb, ...: activity on a connection
  }
  const std::string_view url = event.get_string(http_url_);
  if (!url.empty()) {
    std::string_view host = event.get_string(http_hostname_);
    set_url_parts(event, "http", host, url);
  }
  set_product(event, "Suricata", "OISF");
  return {};
}

std::unique_ptr<Decoder> make_eve_decoder() { return std::make_unique<EveDecoder>(); }

}  // namespace khien
