// AutoDecoder: detects the format of each record (JSON layouts by their keys, CEF and LEEF by header).
#pragma once

#include <memory>
#include <string_view>

#include <simdjson.h>

#include "decode/decoder.h"
#include "decode/ecs_decoder.h"
#include "decode/eve_decoder.h"
#include "decode/ocsf_decoder.h"
#include "decode/wazuh_decoder.h"
#include "decode/winlog_decoder.h"
#include "decode/zeek_decoder.h"

namespace khien {

/// The format a parsed JSON object looks like, by its keys, in this order: class_uid → ocsf;
/// event_type with src_ip, flow_id or timestamp → eve; rule and agent (with manager, or without
/// @timestamp) → wazuh; Event.System, or EventID with Channel → winlog; @timestamp, ecs or winlog →
/// ecs; _path, ts with uid or id.orig_h, or fuid → zeek. Empty when none fits.
std::string_view detect_json_format(simdjson::dom::object root);

/// The format of one record: a JSON layout as above, "cef" or "leef" for text whose header starts
/// the record or follows a syslog header, empty when undecidable (including malformed JSON).
std::string_view detect_format(std::string_view record);

/// Decodes each record with the decoder of its detected format. JSON is parsed once and handed to
/// that decoder's decode_object(). Threading: as Decoder (one instance per worker thread).
class AutoDecoder final : public Decoder {
 public:
  AutoDecoder();
  std::string_view name() const override { return "auto"; }
  Status decode(std::string_view record, Event& event) override;
  /// The format the last record was detected as (empty when detection failed).
  std::string_view last_format() const { return last_format_; }

 private:
  simdjson::dom::parser parser_;
  std::string_view last_format_;
  OcsfDecoder ocsf_;
  EcsDecoder ecs_;
  EveDecoder eve_;
  ZeekDecoder zeek_;
  WazuhDecoder wazuh_;
  WinlogDecoder winlog_;
  std::unique_ptr<Decoder> cef_;
  std::unique_ptr<Decoder> leef_;
};

/// A new auto-detecting decoder.
std::unique_ptr<Decoder> make_auto_decoder();

}  // namespace khien
