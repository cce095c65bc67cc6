// LEEF decoding: five header fields (plus the 2.0 delimiter), delimited attributes mapped to the common schema.
#include "decode/leef_decoder.h"

#include <array>
#include <string>

#include "core/field_dictionary.h"
#include "fmt/format.h"

namespace khien {

namespace {

constexpr std::array<std::string_view, 5> kHeaderNames = {"LEEF Version", "Vendor", "Product", "Version", "EventID"};
constexpr std::array<std::string_view, 5> kHeaderFields = {"leef.version", "leef.vendor", "leef.product",
                                                           "leef.product_version", "leef.event_id"};

enum class Map : std::uint8_t { Schema, Port, Protocol, IfAbsent };

struct KeyMap {
  std::string_view key;
  FieldId field;
  Map how;
};

// The predefined LEEF attributes (IBM's LEEF guide), plus "msg" and "action" which QRadar DSMs
// commonly receive. srcBytes/dstBytes are bytes sent by the source/destination: OCSF bytes_out/in.
// The ident* attributes (identity events) and accountName stand in only when the direct ones are absent.
constexpr KeyMap kKeys[] = {
    {"src", field::src_endpoint_ip, Map::Schema},
    {"dst", field::dst_endpoint_ip, Map::Schema},
    {"srcPort", field::src_endpoint_port, Map::Port},
    {"dstPort", field::dst_endpoint_port, Map::Port},
    {"srcMAC", field::src_endpoint_mac, Map::Schema},
    {"dstMAC", field::dst_endpoint_mac, Map::Schema},
    {"proto", field::connection_info_protocol_name, Map::Protocol},
    {"usrName", field::actor_user_name, Map::Schema},
    {"domain", field::actor_user_domain, Map::Schema},
    {"cat", field::finding_info_types, Map::Schema},
    {"url", field::url_url_string, Map::Schema},
    {"srcBytes", field::traffic_bytes_out, Map::Schema},
    {"dstBytes", field::traffic_bytes_in, Map::Schema},
    {"srcPackets", field::traffic_packets_out, Map::Schema},
    {"dstPackets", field::traffic_packets_in, Map::Schema},
    {"totalPackets", field::traffic_packets, Map::Schema},
    {"msg", field::message, Map::Schema},
    {"action", field::action, Map::Schema},
    {"identSrc", field::src_endpoint_ip, Map::IfAbsent},
    {"identHostName", field::src_endpoint_hostname, Map::IfAbsent},
    {"identUserName", field::actor_user_name, Map::IfAbsent},
    {"accountName", field::actor_user_name, Map::IfAbsent},
};

std::string_view find_value(const std::vector<KeyValue>& pairs, std::string_view key) {
  for (const auto& kv : pairs)
    if (kv.key == key) return kv.value;
  return {};
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The LEEF 2.0 delimiter field: one character, or its code as "x5E", "0x5E", "\x5E".
// Returns -1 when `field` is not a delimiter (then it is the first attribute).
int parse_delimiter(std::string_view field) {
  if (field.size() == 1) return static_cast<unsigned char>(field[0]);
  if (field.starts_with("\\x")) field.remove_prefix(2);
  else if (field.starts_with("0x") || field.starts_with("0X")) field.remove_prefix(2);
  else if (field.starts_with("x") || field.starts_with("X")) field.remove_prefix(1);
  else return -1;
  if (field.empty() || field.size() > 2) return -1;
  int v = 0;
  for (char c : field) {
    int d = hex_digit(c);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v > 0 ? v : -1;
}

}  // namespace

Status LeefDecoder::decode(std::string_view record, Event& event) {
  while (!record.empty() && (record.back() == '\n' || record.back() == '\r')) record.remove_suffix(1);
  std::size_t start = find_header_tag(record, "LEEF:");
  if (start == std::string_view::npos) return fail("LEEF: no 'LEEF:' header at the start of the record or after a space");
  std::string_view raw = event.arena().copy(record);
  event.set_raw(raw, RawKind::Text);
  std::string_view text = raw.substr(start + 5);

  std::array<std::string_view, 5> header;
  std::size_t pos = 0;
  for (std::size_t f = 0; f < header.size(); ++f) {
    std::size_t end = text.find('|', pos);
    if (end == std::string_view::npos) {
      if (f + 1 < header.size())
        return fail(fmt::format("LEEF header: the record ends after {} of the 5 '|'-separated header fields; '{}' is missing",
                                f + 1, kHeaderNames[f + 1]));
      end = text.size();
    }
    header[f] = text.substr(pos, end - pos);
    pos = end + 1;
  }
  std::string_view version = header[0];
  bool v2 = version == "2.0" || version == "2";
  if (!v2 && version != "1.0" && version != "1")
    return fail(fmt::format("LEEF header field 'LEEF Version': '{}' is not 1.0 or 2.0", version));
  std::string_view attributes = pos < text.size() ? text.substr(pos) : std::string_view();

  char delimiter = '\t';
  std::string_view delimiter_field;
  if (v2 && !attributes.empty()) {
    std::size_t end = attributes.find('|');
    // "||" after EventID: the delimiter is '|' itself.
    if (attributes.starts_with("||")) {
      delimiter = '|';
      delimiter_field = attributes.substr(0, 1);
      attributes.remove_prefix(2);
    } else if (end != std::string_view::npos) {
      std::string_view candidate = attributes.substr(0, end);
      if (candidate.empty()) {
        attributes.remove_prefix(1);
      } else if (int d = parse_delimiter(candidate); d >= 0) {
        delimiter = static_cast<char>(d);
        delimiter_field = candidate;
        attributes.remove_prefix(end + 1);
      }
    }
  }

  pairs_.clear();
  if (!v2 && attributes.find('\t') == std::string_view::npos && attributes.find('=') != std::string_view::npos) {
    // LEEF 1.0 demands tabs, but many senders use spaces: split the way CEF extensions split.
    parse_cef_extension(attributes, event.arena(), pairs_);
  } else {
    parse_delimited_pairs(attributes, delimiter, pairs_);
  }

  std::string_view severity_text = find_value(pairs_, "sev");
  int severity_id = severity_id_from_scale(severity_text);
  set_finding_class(event, severity_id, find_value(pairs_, "cat"), header[4]);
  if (std::string_view t = find_value(pairs_, "devTime"); !t.empty()) {
    std::string_view format = find_value(pairs_, "devTimeFormat");
    auto time = format.empty() ? parse_device_time(t, now_ns()) : parse_java_time(t, format, now_ns());
    if (!time && !format.empty()) time = parse_device_time(t, now_ns());
    if (time) event.set_time(field::time, *time);
  }
  event.set_int(field::severity_id, severity_id);
  if (!severity_text.empty()) event.set(field::severity, Value::of_string(severity_text));
  if (!header[2].empty()) event.set(field::metadata_product_name, Value::of_string(header[2]));
  if (!header[1].empty()) event.set(field::metadata_product_vendor_name, Value::of_string(header[1]));
  event.set(field::metadata_version, Value::of_string(version));
  if (!header[4].empty()) event.set(field::finding_info_uid, Value::of_string(header[4]));

  for (const auto& kv : pairs_) {
    if (kv.value.empty()) continue;
    for (const auto& m : kKeys) {
      if (m.key != kv.key) continue;
      if (m.how == Map::Schema) event.set_text_as_schema(m.field, kv.value);
      else if (m.how == Map::Port) set_port(event, m.field, kv.value);
      else if (m.how == Map::Protocol) set_protocol_name(event, kv.value);
      break;
    }
  }
  for (const auto& m : kKeys) {
    if (m.how != Map::IfAbsent || event.has(m.field)) continue;
    std::string_view v = find_value(pairs_, m.key);
    if (!v.empty()) event.set_text_as_schema(m.field, v);
  }

  for (std::size_t f = 0; f < header.size(); ++f)
    event.set(intern_field(kHeaderFields[f]), Value::of_string(header[f]));
  if (!delimiter_field.empty()) event.set(intern_field("leef.delimiter"), Value::of_string(delimiter_field));
  for (const auto& kv : pairs_) {
    name_.assign("leef.");
    name_.append(kv.key);
    event.set(intern_field(name_), Value::of_string(kv.value));
  }
  return {};
}

std::unique_ptr<Decoder> make_leef_decoder() { return std::make_unique<LeefDecoder>(); }

}  // namespace khien
