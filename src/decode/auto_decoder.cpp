// Per-record format detection: one JSON parse, then the matching decoder's mapping.
#include "decode/auto_decoder.h"

#include "decode/cef_decoder.h"
#include "decode/json_record.h"
#include "decode/leef_decoder.h"

namespace khien {

namespace {

bool has(simdjson::dom::object o, std::string_view key) {
  simdjson::dom::element e;
  return o[key].get(e) == simdjson::SUCCESS;
}

// Position of a "CEF:"/"LEEF:" header at the start of the text or after a space (syslog header).
std::size_t header_at(std::string_view text, std::string_view tag) {
  for (std::size_t pos = text.find(tag); pos != std::string_view::npos; pos = text.find(tag, pos + 1))
    if (pos == 0 || text[pos - 1] == ' ') return pos;
  return std::string_view::npos;
}

std::size_t first_non_space(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) ++i;
  return i;
}

std::string_view detect_text_format(std::string_view record) {
  std::size_t cef = header_at(record, "CEF:");
  std::size_t leef = header_at(record, "LEEF:");
  if (cef == std::string_view::npos && leef == std::string_view::npos) return {};
  return cef < leef ? "cef" : "leef";
}

constexpr std::string_view kUnknownText = "unknown format: not JSON and no CEF/LEEF header (use format=...)";
constexpr std::string_view kUnknownJson =
    "unknown format: a JSON object without the keys of any known layout (class_uid, event_type, rule+agent, "
    "Event.System, EventID+Channel, @timestamp, _path, ts+uid) (use format=...)";

}  // namespace

std::string_view detect_json_format(simdjson::dom::object o) {
  if (has(o, "class_uid")) return "ocsf";
  if (has(o, "event_type") && (has(o, "src_ip") || has(o, "flow_id") || has(o, "timestamp"))) return "eve";
  if (has(o, "rule") && has(o, "agent") && (has(o, "manager") || !has(o, "@timestamp"))) return "wazuh";
  simdjson::dom::object event;
  if ((o["Event"].get(event) == simdjson::SUCCESS && has(event, "System")) || (has(o, "EventID") && has(o, "Channel")))
    return "winlog";
  if (has(o, "@timestamp") || has(o, "ecs") || has(o, "winlog")) return "ecs";
  if (has(o, "_path") || (has(o, "ts") && (has(o, "uid") || has(o, "id.orig_h"))) || has(o, "fuid")) return "zeek";
  return {};
}

std::string_view detect_format(std::string_view record) {
  std::size_t start = first_non_space(record);
  if (start < record.size() && record[start] == '{') {
    simdjson::dom::parser parser;
    simdjson::dom::object root;
    if (parser.parse(record.data(), record.size(), true).get(root) != simdjson::SUCCESS) return {};
    return detect_json_format(root);
  }
  return detect_text_format(record);
}

AutoDecoder::AutoDecoder() : cef_(make_cef_decoder()), leef_(make_leef_decoder()) {}

Status AutoDecoder::decode(std::string_view record, Event& event) {
  last_format_ = {};
  std::size_t start = first_non_space(record);
  if (start < record.size() && record[start] == '{') {
    auto root = parse_json_record(parser_, record, event);
    if (!root) return tl::unexpected(root.error());
    std::string_view format = detect_json_format(*root);
    last_format_ = format;
    JsonDecoder* decoder = format == "ocsf"     ? static_cast<JsonDecoder*>(&ocsf_)
                           : format == "eve"    ? static_cast<JsonDecoder*>(&eve_)
                           : format == "wazuh"  ? static_cast<JsonDecoder*>(&wazuh_)
                           : format == "winlog" ? static_cast<JsonDecoder*>(&winlog_)
                           : format == "ecs"    ? static_cast<JsonDecoder*>(&ecs_)
                           : format == "zeek"   ? static_cast<JsonDecoder*>(&zeek_)
                                                : nullptr;
    if (decoder == nullptr) return fail(std::string(kUnknownJson));
    return decoder->decode_object(*root, event);
  }
  std::string_view format = detect_text_format(record);
  last_format_ = format;
  if (format == "cef") return cef_->decode(record, event);
  if (format == "leef") return leef_->decode(record, event);
  // Zeek's default logs are tab-separated with '#' header lines; say what to change.
  if ((start < record.size() && record[start] == '#') || record.find('\t') != std::string_view::npos)
    return fail(std::string(kUnknownText) +
                "; tab-separated text or a '#' header line: for Zeek, write JSON logs (LogAscii::use_json=T)");
  return fail(std::string(kUnknownText));
}

std::unique_ptr<Decoder> make_auto_decoder() { return std::make_unique<AutoDecoder>(); }

}  // namespace khien
