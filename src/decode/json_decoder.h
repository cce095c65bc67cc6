// JsonDecoder: the base of the decoders whose records are JSON objects (parse once, then map).
#pragma once

#include <simdjson.h>

#include "decode/decoder.h"
#include "decode/json_flattener.h"
#include "decode/json_record.h"

namespace khien {

/// A decoder of JSON records. decode() parses with this instance's parser and calls
/// decode_object(); the auto decoder parses once itself and calls decode_object() directly.
/// Threading: as Decoder (one instance per worker thread).
class JsonDecoder : public Decoder {
 public:
  Status decode(std::string_view record, Event& event) override {
    auto root = parse_json_record(parser_, record, event);
    if (!root) return tl::unexpected(root.error());
    return decode_object(*root, event);
  }

  /// Maps an already-parsed record into `event` (whose raw the caller has set): flattens every
  /// leaf into original fields, then maps them to the schema.
  virtual Status decode_object(simdjson::dom::object root, Event& event) = 0;

 protected:
  /// decode() for a decoder whose decode_object() is flatten() then map_flattened(): a one-line
  /// record goes through an On-Demand walk (no DOM tape, strings without escapes left in the kept
  /// record); a record on several lines, or one the walk fails on, goes the DOM way, so a bad
  /// record fails with the DOM parse's message.
  Status decode_flattened(std::string_view record, Event& event);
  /// The mapping after flatten() (only for decoders calling decode_flattened()).
  virtual Status map_flattened(Event& event);

  JsonFlattener flattener_;

 private:
  simdjson::dom::parser parser_;
  simdjson::ondemand::parser on_demand_;
};

}  // namespace khien
