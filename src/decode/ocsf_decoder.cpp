// OCSF JSON → common schema: identity by name, plus the derived class fields and the time.
#include "decode/ocsf_decoder.h"

namespace khien {

Status OcsfDecoder::decode_object(simdjson::dom::object root, Event& event) {
  flattener_.flatten(root, event);
  // The flattener never takes `time` from a record (its JSON type differs from the schema's).
  simdjson::dom::element time;
  if (root["time"].get(time) == simdjson::SUCCESS && time.type() != simdjson::dom::element_type::NULL_VALUE) {
    auto v = scalar_value(time, event.arena());
    Value bad = Value::of_string(time.is_object() ? "{...}" : "[...]");
    if (auto st = set_time_from_value(event, v ? &*v : &bad, "time", EpochUnit::Milliseconds); !st) return st;
  }
  if (const Value* cls = event.get(field::class_uid)) {
    const std::int64_t class_uid = cls->i;
    const Value* act = event.get(field::activity_id);
    const std::int64_t activity = act ? act->i : 0;
    if (!event.has(field::class_name)) {
      std::string_view name = ocsf_class_name(class_uid);
      if (!name.empty()) event.set(field::class_name, Value::of_string(name));
    }
    if (!event.has(field::category_uid) && class_uid < 10000) event.set_int(field::category_uid, class_uid / 1000);
    if (!event.has(field::type_uid)) event.set_int(field::type_uid, class_uid * 100 + activity);
  }
  set_product(event, "OCSF", "unknown");
  return {};
}

std::unique_ptr<Decoder> make_ocsf_decoder() { return std::make_unique<OcsfDecoder>(); }

}  // namespace khien
