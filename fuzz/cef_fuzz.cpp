// Fuzz target: the CEF decoder on arbitrary records, and the JSON it produces.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json_writer.h"
#include "decode/cef_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static auto decoder = khien::make_cef_decoder();
  khien::Arena arena(4096);
  khien::Event event(arena);
  std::string_view record(reinterpret_cast<const char*>(data), size);
  if (decoder->decode(record, event)) {
    std::string json;
    khien::append_event_json(json, event);
  }
  return 0;
}
