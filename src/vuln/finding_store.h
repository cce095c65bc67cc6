// Findings from external scans: exposed vulnerable services per organisation, opened by a scan,
// closed by a later scan that no longer shows them, with remediation times and notifications.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "vuln/scan_report.h"

struct sqlite3;

namespace khien {

/// A service of a scan, attributed to an organisation and matched to CVEs.
struct AttributedService {
  ScanService service;
  std::string org;
  std::vector<std::string> cves;  ///< the scanner's own plus those matched through CPEs
};

struct Finding {
  std::int64_t id = 0;
  std::string scanner, ip, protocol, org, service, product, version, evidence;
  int port = 0;
  std::vector<std::string> cves;
  std::int64_t first_seen_us = 0, last_seen_us = 0, closed_us = 0;  ///< closed_us 0: open
  std::int64_t first_scan = 0, last_scan = 0;
};

/// What one scan changed.
struct ScanOutcome {
  std::int64_t scan_id = 0;
  std::size_t opened = 0, updated = 0, closed = 0;
  std::vector<std::int64_t> notifications;  ///< ids of the notifications created (one per organisation with new findings)
};

struct FindingQuery {
  std::string org;
  std::string state;  ///< "open", "closed" or "" for both
  std::string cve;
  std::int64_t after_id = 0;
  std::size_t limit = 500;
};

/// Per-organisation notification listing the hosts a scan found newly exposed.
struct ScanNotification {
  std::int64_t id = 0, scan_id = 0, created_us = 0;
  std::string org, body_json;
};

/// Threading: one connection with SQLite's serialized mode; callers serialize writes.
class FindingStore {
 public:
  static Result<std::unique_ptr<FindingStore>> open(const std::filesystem::path& db_path);
  ~FindingStore();

  /// Applies one scan in a transaction: services with CVEs open findings (or refresh open ones);
  /// open findings of the same scanner that this scan covered but no longer shows are closed at
  /// `scan_time_us`. Coverage: nmap → the host was listed and the port probed; complete snapshots
  /// (nuclei, Shadowserver) → every finding of that scanner.
  Result<ScanOutcome> record_scan(const std::string& scanner, const ScanReport& report,
                                  const std::vector<AttributedService>& services, std::int64_t scan_time_us,
                                  std::size_t unattributed);
  std::vector<Finding> findings(const FindingQuery& q);
  std::vector<ScanNotification> notifications(const std::string& org, std::size_t limit);
  /// Mean seconds from first seen to closed of the organisation's closed findings; -1 when none.
  double mean_remediation_seconds(const std::string& org);

 private:
  explicit FindingStore(sqlite3* db) : db_(db) {}
  Status exec(const char* sql);
  sqlite3* db_;
};

}  // namespace khien
