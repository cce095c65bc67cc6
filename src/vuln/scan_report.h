// Results of external scans of the national address space (nmap, nuclei, Shadowserver), normalized.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/ip_address.h"

namespace khien {

/// One exposed service or detected weakness on one host.
struct ScanService {
  std::string ip;          ///< canonical text of the address
  int port = 0;            ///< 0 when the scanner did not name one
  std::string protocol;    ///< "tcp", "udp"
  std::string service;     ///< nmap service name, nuclei template id, Shadowserver report tag
  std::string product, version;
  std::vector<std::string> cpes;  ///< as the scanner wrote them (CPE 2.2 URIs from nmap)
  std::vector<std::string> cves;  ///< named by the scanner itself (nuclei classification, Shadowserver tag)
  std::string evidence;    ///< a short human-readable line: banner, matched URL, report row
};

/// Which ports of which protocol a scan probed, so an absent service can be told from an unprobed one.
struct ScannedPorts {
  std::string protocol;
  std::vector<std::pair<int, int>> ranges;  ///< inclusive
  bool contains(int port) const;
};

/// A whole scan file. `complete_snapshot` is true when the scanner reports only positives, so a
/// service missing from a later report of the same scanner means it is gone (nuclei, Shadowserver);
/// false when coverage is explicit (nmap lists the hosts and ports it probed).
struct ScanReport {
  std::string format;  ///< "nmap", "nuclei", "shadowserver"
  std::int64_t started_us = 0;  ///< scan time from the file; 0 when the file has none
  bool complete_snapshot = false;
  std::vector<std::string> hosts;  ///< hosts the scan reached (nmap: every <host> listed)
  std::vector<ScannedPorts> scanned;
  std::vector<ScanService> services;
  std::vector<std::string> errors;  ///< records skipped, each "line N: field: reason" or "host X: reason"
};

/// nmap XML output (`-oX`). Only open ports are services.
Result<ScanReport> read_nmap_xml(std::string_view text);
/// nuclei JSON lines output (`-jsonl`): one finding per line.
Result<ScanReport> read_nuclei_jsonl(std::string_view text);
/// Shadowserver CSV report: a header line, then one row per exposed service.
Result<ScanReport> read_shadowserver_csv(std::string_view text);
/// Dispatches on `format` ("nmap", "nuclei", "shadowserver"), or guesses it from the content when "auto".
Result<ScanReport> read_scan_report(std::string_view text, std::string_view format);

/// CVE ids written anywhere in `text` ("cve-2021-44228", "CVE-2021-44228"), uppercased, in order, unique.
std::vector<std::string> cve_ids_in(std::string_view text);

}  // namespace khien
