// Scan report format dispatch and port coverage.
#include "vuln/scan_report.h"

#include <fmt/format.h>

namespace khien {

bool ScannedPorts::contains(int port) const {
  for (auto [lo, hi] : ranges)
    if (port >= lo && port <= hi) return true;
  return false;
}

Result<ScanReport> read_scan_report(std::string_view text, std::string_view format) {
  if (format == "auto") {
    auto start = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    if (start == std::string_view::npos) return fail("scan report: the file is empty");
    format = text[start] == '<' ? "nmap" : text[start] == '{' ? "nuclei" : "shadowserver";
  }
  if (format == "nmap") return read_nmap_xml(text);
  if (format == "nuclei") return read_nuclei_jsonl(text);
  if (format == "shadowserver") return read_shadowserver_csv(text);
  return fail(fmt::format("unknown scan format '{}'; known: nmap, nuclei, shadowserver, auto", format));
}

}  // namespace khien
