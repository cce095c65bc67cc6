// ZeekDecoder: Zeek JSON logs (conn, dns, http, ssl, files, notice, weird).
#pragma once

#include <memory>

#include "decode/field_mapper.h"
#include "decode/json_decoder.h"

namespace khien {

/// Which Zeek log a record belongs to.
enum class ZeekLog : std::uint8_t { Conn, Dns, Http, Ssl, Files, Notice, Weird, Other };

/// Decodes one Zeek JSON record. The log is `_path` when the writer included it, else guessed from
/// the fields present (conn: id.orig_h + proto + conn_state or duration; dns: query; http:
/// method/uri/host; ssl: server_name/version/cipher; files: fuid; notice: note; weird: name).
/// `ts` may be epoch seconds (a number), epoch milliseconds (an integer, JSON::TS_MILLIS) or ISO 8601.
class ZeekDecoder final : public JsonDecoder {
 public:
  ZeekDecoder();
  std::string_view name() const override { return "zeek"; }
  Status decode_object(simdjson::dom::object root, Event& event) override;

 private:
  ZeekLog detect(const Event& event, bool has_duration) const;

  FieldMapper common_;
  FieldMapper conn_, dns_, http_, ssl_, files_, notice_, weird_;
  FieldId path_, ts_, id_orig_h_, proto_, conn_state_, query_, method_, uri_, host_, server_name_,
      version_, cipher_, fuid_, note_, name_;
};

/// A new Zeek decoder.
std::unique_ptr<Decoder> make_zeek_decoder();

}  // namespace khien
