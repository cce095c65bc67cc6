// Fuzz target for the JSON decoders, auto-detection and document splitting: any bytes in, no crash,
// and every decoded event serializes to JSON.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.h"
#include "core/event.h"
#include "core/json_writer.h"
#include "decode/decoder.h"
#include "decode/json_documents.h"

namespace {

std::vector<std::unique_ptr<khien::Decoder>>& decoders() {
  static std::vector<std::unique_ptr<khien::Decoder>> all = [] {
    std::vector<std::unique_ptr<khien::Decoder>> v;
    for (const char* name : {"auto", "ocsf", "ecs", "eve", "zeek", "wazuh", "winlog"}) {
      auto d = khien::make_decoder(name);
      if (d) v.push_back(std::move(*d));
    }
    return v;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  khien::Arena arena(4096);
  std::string out;
  for (auto& decoder : decoders()) {
    khien::Event event(arena);
    if (decoder->decode(input, event)) khien::append_event_json(out, event);
    out.clear();
  }
  for (auto doc : khien::split_json_documents(input)) {
    khien::Event event(arena);
    if (decoders().front()->decode(doc, event)) khien::append_event_json(out, event);
    out.clear();
  }
  return 0;
}
