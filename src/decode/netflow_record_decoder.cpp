// Flow records → events: binary records field by field; JSON ones (older spools) as a flatten plus the time.
#include "decode/netflow_record_decoder.h"

#include "core/flow_record.h"

namespace khien {

Status NetflowRecordDecoder::decode(std::string_view record, Event& event) {
  if (!is_binary_flow_record(record)) return JsonDecoder::decode(record, event);
  if (auto st = reader_.decode(record, event); !st) return st;
  const Value* time = event.get(field::time);
  if (!time || time->type != FieldType::Timestamp) return fail("flow record: no 'time' timestamp; the collector always writes it");
  const Value* cls = event.get(field::class_uid);
  if (!cls || cls->type != FieldType::Int) return fail("flow record: no integer 'class_uid'; not a flow written by the collector");
  return {};
}

Status NetflowRecordDecoder::decode_object(simdjson::dom::object root, Event& event) {
  flattener_.flatten(root, event);
  simdjson::dom::element time;
  if (root["time"].get(time) != simdjson::SUCCESS) return fail("field 'time': missing; the collector always writes it");
  auto v = scalar_value(time, event.arena());
  if (!v) return fail("field 'time': expected an RFC 3339 string");
  if (auto st = set_time_from_value(event, &*v, "time", EpochUnit::Milliseconds); !st) return st;
  if (!event.has(field::class_uid)) return fail("field 'class_uid': missing; not a flow record written by the collector");
  // The fields are the whole record: keeping it as raw too would store every flow twice.
  event.set_raw({}, RawKind::None);
  return {};
}

std::unique_ptr<Decoder> make_netflow_record_decoder() { return std::make_unique<NetflowRecordDecoder>(); }

}  // namespace khien
