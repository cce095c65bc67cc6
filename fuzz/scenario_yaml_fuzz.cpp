// Fuzz target for the scenario loader: the input is one scenario file, next to a fixed valid one.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "app/scenario.h"

namespace {

// A second file so that duplicate ids across files are exercised too.
const char* const kOther =
    "id: scan-fixed\n"
    "title: Fixed\n"
    "kind: scanning\n"
    "attacker_ips: [203.0.113.0/24]\n"
    "ports: [22]\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::map<std::string, std::string_view> files{{"fuzz.yaml", text}, {"other.yaml", kOther}};
  auto result = khien::parse_scenarios(files);
  if (result) {
    for (const auto& s : *result) {
      // What the loader accepts, the generator relies on.
      if (s.id.empty() || s.title.empty() || s.duration_s <= 0 || s.events_per_second <= 0 || s.max_targets == 0)
        __builtin_trap();
      for (int port : s.ports)
        if (port < 1 || port > 65535) __builtin_trap();
    }
  } else if (result.error().message.empty()) {
    __builtin_trap();  // a rejection must always say why
  }
  return 0;
}
