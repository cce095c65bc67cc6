// The On-Demand way through a flattening JSON decoder, with the DOM way for what it does not take.
#include "decode/json_decoder.h"

namespace khien {

namespace {

// Walks a one-line record kept in the event's arena with On-Demand into the flattener. False for
// a record on several lines and on any error (the event is then partly filled).
bool flatten_on_demand(simdjson::ondemand::parser& parser, JsonFlattener& flattener, std::string_view record,
                       Event& event) {
  bool backslash = true;
  const char* text = padded_copy(record, event.arena(), &backslash);
  if (text == nullptr) return false;
  // Strings without escapes become views into this copy: it is the raw record from here on.
  event.set_raw(std::string_view(text, record.size()), RawKind::Json);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object root;
  if (parser.iterate(text, record.size(), record.size() + simdjson::SIMDJSON_PADDING).get(doc) ||
      doc.get_object().get(root) || flattener.flatten(root, event, backslash))
    return false;
  const char* after = nullptr;  // text after the object: the DOM parse says what is wrong
  return doc.current_location().get(after) == simdjson::OUT_OF_BOUNDS;
}

}  // namespace

Status JsonDecoder::decode_flattened(std::string_view record, Event& event) {
  if (flatten_on_demand(on_demand_, flattener_, record, event)) return map_flattened(event);
  event.clear();
  return JsonDecoder::decode(record, event);
}

Status JsonDecoder::map_flattened(Event&) { return {}; }

}  // namespace khien
