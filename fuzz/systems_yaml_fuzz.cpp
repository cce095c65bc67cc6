// Fuzz target for the information systems importers: the input is parsed as systems YAML and as CSV.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cases/system_import.h"

// fuzz/CMakeLists.txt links the decode, ingest and store layers but not cases; the importer's two sources
// are compiled into this target so it links either way (were khien_cases linked too, the archive
// members would not be pulled in, as nothing would be left undefined).
#include "cases/information_system.cpp"  // NOLINT(bugprone-suspicious-include)
#include "cases/system_import.cpp"       // NOLINT(bugprone-suspicious-include)

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto parse : {&khien::parse_systems_yaml, &khien::parse_systems_csv}) {
    auto result = parse(text, "fuzz", nullptr);
    if (result) {
      for (const auto& s : *result) {
        // Whatever was accepted must round-trip through its JSON form.
        auto back = khien::system_from_json(khien::system_to_json(s));
        if (!back || !(*back == s)) __builtin_trap();
      }
    } else if (result.error().message.empty()) {
      __builtin_trap();  // a rejection must always say why
    }
  }
  return 0;
}
