// National warnings in the state database: one row per warning (updated in place as the campaign
// grows), the events that are its evidence, and the alert aggregates the national picture needs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"

struct sqlite3;

namespace khien {

/// A warning as stored: the columns the API filters on, and the whole warning as a JSON document.
struct WarningRecord {
  std::int64_t id = 0;
  std::string kind, key, severity;
  int severity_id = 0;
  bool active = true;
  TimeNs first_seen = 0, last_seen = 0, updated = 0;
  std::vector<std::string> sectors;
  std::vector<std::string> orgs;  ///< affected organisations (tenant filter of org-soc readers)
  std::string tlp = "amber";      ///< clear, green, amber, amber+strict or red
  /// For TLP:RED, the organisation and sector ids it is addressed to; empty: the affected
  /// organisations. Other tenants never see a RED warning.
  std::vector<std::string> recipients;
  std::string document;  ///< JSON object with every field of the warning
  /// Non-zero: this warning was merged into that one while it settled; lists leave it out and its
  /// evidence moved there.
  std::int64_t merged_into = 0;
};

/// One event whose alerts are evidence for a warning.
struct WarningEvidenceRow {
  std::uint64_t event_seq = 0;
  TimeNs time = 0;
  std::string org;
};

struct WarningQuery {
  std::optional<bool> active;
  std::string kind, sector;
  std::string org;        ///< only warnings affecting this organisation
  std::string recipient;  ///< set for tenant readers: RED warnings only when addressed to this id
  std::size_t limit = 100;
  std::int64_t before_id = 0;  ///< cursor: only warnings with id < before_id (0: newest)
};

struct WarningPage {
  std::vector<WarningRecord> warnings;
  std::uint64_t total = 0;
  std::int64_t next_before_id = 0;
};

/// An alert of a warning's evidence, as the API shows it.
struct EvidenceAlert {
  std::int64_t id = 0;
  std::string kind, rule_id, title, matched, org, sector, province;
  int severity_id = 0;
  TimeNs time = 0;
  std::uint64_t event_seq = 0;
};

/// Threading: writes from the warning service's thread, reads from API threads; one connection
/// serialised by a mutex.
class WarningStore {
 public:
  static Result<std::unique_ptr<WarningStore>> open(const std::filesystem::path& db_path);
  ~WarningStore();
  /// Inserts or replaces `warning` and adds its new evidence, in one transaction.
  Status upsert(const WarningRecord& warning, const std::vector<WarningEvidenceRow>& evidence);
  Result<WarningPage> query(const WarningQuery& q);
  std::optional<WarningRecord> get(std::int64_t id);
  /// Active warnings (to resume after a restart).
  std::vector<WarningRecord> active();
  /// The newest warning of this kind and key (external warnings are updated through it).
  std::optional<WarningRecord> find(const std::string& kind, const std::string& key);
  std::int64_t max_id();
  /// Alerts of the evidence events of warning `id`, oldest first.
  std::vector<EvidenceAlert> evidence_alerts(std::int64_t id, std::size_t limit);
  std::uint64_t evidence_count(std::int64_t id);
  /// Alert counts since `since` grouped by `column` (org, sector or province), largest first.
  Result<std::vector<std::pair<std::string, std::uint64_t>>> alert_counts(const std::string& column, TimeNs since, std::size_t limit);
  /// Source-address fields of alert events since `since` (event JSON), newest first, at most `limit`.
  std::vector<std::string> alert_events(TimeNs since, std::size_t limit);

 private:
  explicit WarningStore(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::mutex mutex_;
};

}  // namespace khien
