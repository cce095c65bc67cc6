// CEF decoding: header split on unescaped '|', extension pairs mapped to the common schema.
#include "decode/cef_decoder.h"

#include <array>
#include <string>

#include "core/field_dictionary.h"
#include "fmt/format.h"

namespace khien {

namespace {

constexpr std::array<std::string_view, 7> kHeaderNames = {
    "Version", "Device Vendor", "Device Product", "Device Version", "Device Event Class ID", "Name", "Severity"};
constexpr std::array<std::string_view, 7> kHeaderFields = {"cef.version",        "cef.device_vendor", "cef.device_product",
                                                           "cef.device_version", "cef.signature_id",  "cef.name",
                                                           "cef.severity"};

// How an extension key maps to the schema.
enum class Map : std::uint8_t {
  Schema,        // set_text_as_schema (converts to the field's type; bad values are left out)
  Port,          // 0..65535
  Protocol,      // name or IANA number → lower-case name
  Hash,          // field by hash length
  Lower,         // lower-cased string
  Direction,     // 0 inbound, 1 outbound
  IfAbsent,      // only when the field is not set by a preferred key
};

struct KeyMap {
  std::string_view key;
  FieldId field;
  Map how;
};

// Keys as CEF senders write them (the short "key names" of the CEF standard).
// in/out: the standard defines bytesIn as data flowing from source to destination and bytesOut as
// destination to source, which are OCSF's bytes_out and bytes_in respectively.
// duser (the target account) stands in as actor.user.name only when suser is absent.
constexpr KeyMap kKeys[] = {
    {"src", field::src_endpoint_ip, Map::Schema},
    {"dst", field::dst_endpoint_ip, Map::Schema},
    {"spt", field::src_endpoint_port, Map::Port},
    {"dpt", field::dst_endpoint_port, Map::Port},
    {"shost", field::src_endpoint_hostname, Map::Schema},
    {"dhost", field::dst_endpoint_hostname, Map::Schema},
    {"smac", field::src_endpoint_mac, Map::Schema},
    {"dmac", field::dst_endpoint_mac, Map::Schema},
    {"proto", field::connection_info_protocol_name, Map::Protocol},
    {"app", field::app_name, Map::Lower},
    {"deviceDirection", field::connection_info_direction, Map::Direction},
    {"in", field::traffic_bytes_out, Map::Schema},
    {"out", field::traffic_bytes_in, Map::Schema},
    {"suser", field::actor_user_name, Map::Schema},
    {"sntdom", field::actor_user_domain, Map::Schema},
    {"sproc", field::actor_process_name, Map::Schema},
    {"spid", field::actor_process_pid, Map::Schema},
    {"dproc", field::process_name, Map::Schema},
    {"dpid", field::process_pid, Map::Schema},
    {"request", field::url_url_string, Map::Schema},
    {"requestMethod", field::http_request_http_method, Map::Schema},
    {"requestClientApplication", field::http_request_user_agent, Map::Schema},
    {"requestContext", field::http_request_referrer, Map::Schema},
    {"fileHash", field::none, Map::Hash},
    {"fname", field::file_name, Map::Schema},
    {"fsize", field::file_size, Map::Schema},
    {"filePath", field::file_path, Map::Schema},
    {"act", field::action, Map::Schema},
    {"outcome", field::status, Map::Schema},
    {"msg", field::message, Map::Schema},
    {"externalId", field::metadata_uid, Map::Schema},
    {"dvchost", field::device_hostname, Map::Schema},
    {"dvc", field::device_ip, Map::Schema},
    {"cat", field::finding_info_types, Map::Schema},
    {"duser", field::actor_user_name, Map::IfAbsent},
};

std::string_view find_value(const std::vector<KeyValue>& pairs, std::string_view key) {
  for (const auto& kv : pairs)
    if (kv.key == key) return kv.value;
  return {};
}

// Resolves the header escapes \| and \\ (into the arena, only when the field has a backslash).
std::string_view unescape_header(std::string_view raw, Arena& arena) {
  if (raw.find('\\') == std::string_view::npos) return raw;
  auto* out = static_cast<char*>(arena.allocate(raw.size(), 1));
  std::size_t w = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\' && i + 1 < raw.size() && (raw[i + 1] == '|' || raw[i + 1] == '\\')) c = raw[++i];
    out[w++] = c;
  }
  return std::string_view(out, w);
}

}  // namespace

Status CefDecoder::decode(std::string_view record, Event& event) {
  while (!record.empty() && (record.back() == '\n' || record.back() == '\r')) record.remove_suffix(1);
  std::size_t start = find_header_tag(record, "CEF:");
  if (start == std::string_view::npos) return fail("CEF: no 'CEF:' header at the start of the record or after a space");
  // Every view below points into the arena copy kept as the raw record, so values need no copy.
  std::string_view raw = event.arena().copy(record);
  event.set_raw(raw, RawKind::Text);
  std::string_view text = raw.substr(start + 4);

  std::array<std::string_view, 7> header;
  std::size_t pos = 0;
  std::string_view extension;
  for (std::size_t f = 0; f < header.size(); ++f) {
    std::size_t begin = pos;
    while (pos < text.size() && text[pos] != '|') pos += text[pos] == '\\' && pos + 1 < text.size() ? 2 : 1;
    if (pos >= text.size() && f + 1 < header.size()) {
      return fail(fmt::format("CEF header: the record ends after {} of the 7 '|'-separated header fields; '{}' is missing",
                              f + 1, kHeaderNames[f + 1]));
    }
    header[f] = unescape_header(text.substr(begin, pos - begin), event.arena());
    ++pos;
  }
  if (pos < text.size()) extension = text.substr(pos);

  std::string_view version = header[0];
  bool numeric = !version.empty();
  for (char c : version) numeric = numeric && c >= '0' && c <= '9';
  if (!numeric) return fail(fmt::format("CEF header field 'Version': '{}' is not a number", version));

  pairs_.clear();
  parse_cef_extension(extension, event.arena(), pairs_);

  // Schema fields first (class, time, severity, product, finding), then the originals.
  std::string_view severity_text = header[6];
  int severity_id = severity_id_from_scale(severity_text);
  set_finding_class(event, severity_id, find_value(pairs_, "cat"), header[5]);
  for (std::string_view key : {"rt", "end", "start"}) {
    std::string_view v = find_value(pairs_, key);
    if (v.empty()) continue;
    if (auto t = parse_device_time(v, now_ns())) {
      event.set_time(field::time, *t);
      break;
    }
  }
  event.set_int(field::severity_id, severity_id);
  if (!severity_text.empty()) event.set(field::severity, Value::of_string(severity_text));
  if (!header[2].empty()) event.set(field::metadata_product_name, Value::of_string(header[2]));
  if (!header[1].empty()) event.set(field::metadata_product_vendor_name, Value::of_string(header[1]));
  event.set(field::metadata_version, Value::of_string(version));
  if (!header[5].empty()) event.set(field::finding_info_title, Value::of_string(header[5]));
  if (!header[4].empty()) event.set(field::finding_info_uid, Value::of_string(header[4]));

  for (const auto& kv : pairs_) {
    if (kv.value.empty()) continue;
    for (const auto& m : kKeys) {
      if (m.key != kv.key) continue;
      switch (m.how) {
        case Map::Schema: event.set_text_as_schema(m.field, kv.value); break;
        case Map::Port: set_port(event, m.field, kv.value); break;
        case Map::Protocol: set_protocol_name(event, kv.value); break;
        case Map::Hash: set_file_hash(event, kv.value); break;
        case Map::Lower: {
          auto* out = static_cast<char*>(event.arena().allocate(kv.value.size(), 1));
          for (std::size_t i = 0; i < kv.value.size(); ++i) {
            char c = kv.value[i];
            out[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
          }
          event.set(m.field, Value::of_string(std::string_view(out, kv.value.size())));
          break;
        }
        case Map::Direction:
          if (kv.value == "0") event.set(m.field, Value::of_string("inbound"));
          else if (kv.value == "1") event.set(m.field, Value::of_string("outbound"));
          break;
        case Map::IfAbsent: break;
      }
      break;
    }
  }
  for (const auto& m : kKeys) {
    if (m.how != Map::IfAbsent || event.has(m.field)) continue;
    std::string_view v = find_value(pairs_, m.key);
    if (!v.empty()) event.set_text_as_schema(m.field, v);
  }
  // The schema has no device id: deviceExternalId goes under device.uid as an original field.
  if (std::string_view v = find_value(pairs_, "deviceExternalId"); !v.empty())
    event.set(intern_field("device.uid"), Value::of_string(v));

  for (std::size_t f = 0; f < header.size(); ++f)
    event.set(intern_field(kHeaderFields[f]), Value::of_string(header[f]));
  for (const auto& kv : pairs_) {
    name_.assign("cef.ext.");
    name_.append(kv.key);
    event.set(intern_field(name_), Value::of_string(kv.value));
  }
  // Custom fields (cs1..cs6, cn1..cn3, cfp1..cfp4, c6a1..c6a4, flexString1..2, deviceCustomDate1..2)
  // name themselves through <key>Label: the value also goes under cef.<label>.
  for (const auto& label : pairs_) {
    if (label.key.size() <= 5 || !label.key.ends_with("Label") || label.value.empty()) continue;
    std::string_view base = label.key.substr(0, label.key.size() - 5);
    for (const auto& kv : pairs_) {
      if (kv.key != base) continue;
      name_.assign("cef.");
      append_field_label(name_, label.value);
      // add, not set: a label may repeat a header name ("name"); both values stay.
      event.add(intern_field(name_), Value::of_string(kv.value));
      break;
    }
  }
  return {};
}

std::unique_ptr<Decoder> make_cef_decoder() { return std::make_unique<CefDecoder>(); }

}  // namespace khien
