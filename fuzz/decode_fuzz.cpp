// Fuzz target for the JSON decoders, auto-detection and document splitting: any bytes in, no crash,
// every decoded event serializes to JSON, and the EVE and ECS decoders' On-Demand walk gives what
// auto-detection, which hands them the DOM, gives.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.h"
#include "core/event.h"
#include "core/json_writer.h"
#include "decode/auto_decoder.h"
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
  std::vector<std::string> results;  // per decoder: the event line or the error
  for (auto& decoder : decoders()) {
    khien::Event event(arena);
    auto st = decoder->decode(input, event);
    if (st) khien::append_event_json(out, event);
    results.push_back(st ? out : "ERROR: " + st.error().message);
    out.clear();
  }
  const std::string_view detected = static_cast<khien::AutoDecoder&>(*decoders().front()).last_format();
  for (std::size_t i = 1; i < decoders().size(); ++i)
    if ((detected == "eve" || detected == "ecs") && decoders()[i]->name() == detected && results[i] != results[0])
      __builtin_trap();
  for (auto doc : khien::split_json_documents(input)) {
    khien::Event event(arena);
    if (decoders().front()->decode(doc, event)) khien::append_event_json(out, event);
    out.clear();
  }
  return 0;
}
