// The Decoder interface: one record of one format in, one event of the common schema out.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/event.h"

namespace khien {

/// Turns one record (one NDJSON line, one syslog message payload) into an event.
///
/// Threading: a Decoder instance belongs to one worker thread and keeps per-thread scratch
/// (parsers, buffers); create one per thread with make_decoder(). decode() never blocks.
/// Strings placed in the event must live in the event's arena (Event::set_string copies).
class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual std::string_view name() const = 0;
  /// Decodes `record` into `event` (which arrives empty). On failure returns a message naming
  /// the field and the reason ("field 'timestamp': not a time"); the event is then discarded.
  virtual Status decode(std::string_view record, Event& event) = 0;
};

struct DecoderInfo {
  std::string_view name;         ///< the `format=` value
  std::string_view description;  ///< one line for docs and `khien ingest --help`
  std::unique_ptr<Decoder> (*make)();
};

/// Every decoder, in the order auto-detection tries them. Defined in register_decoders.cpp.
const std::vector<DecoderInfo>& registered_decoders();

/// A new decoder for `format` ("auto" detects per record), or an error listing the known formats.
Result<std::unique_ptr<Decoder>> make_decoder(std::string_view format);

}  // namespace khien
