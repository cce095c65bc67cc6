// OcsfDecoder: records already in OCSF JSON (nested objects whose dotted paths are schema names).
#pragma once

#include <memory>

#include "decode/json_decoder.h"

namespace khien {

/// Decodes one OCSF record. Nested objects flatten to the schema's dotted names, so the fields map
/// by name (converted to the schema types); `time` is epoch milliseconds as OCSF defines it (text
/// in RFC 3339 is accepted too). Missing class_name, category_uid and type_uid are derived from
/// class_uid and activity_id.
class OcsfDecoder final : public JsonDecoder {
 public:
  std::string_view name() const override { return "ocsf"; }
  Status decode_object(simdjson::dom::object root, Event& event) override;
};

/// A new OCSF decoder.
std::unique_ptr<Decoder> make_ocsf_decoder();

}  // namespace khien
