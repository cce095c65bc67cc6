// Fuzz target for the scan readers: nmap XML, nuclei JSONL, Shadowserver CSV. Each input either
// reads or is refused with a reason; every service read has an address and a port in range.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vuln/scan_report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (std::string_view format : {"nmap", "nuclei", "shadowserver", "auto"}) {
    auto r = khien::read_scan_report(text, format);
    if (!r) {
      if (r.error().message.empty()) __builtin_trap();
      continue;
    }
    for (const auto& s : r->services) {
      if (s.ip.empty() || s.port < 0 || s.port > 65535) __builtin_trap();
    }
  }
  khien::cve_ids_in(text);
  return 0;
}
