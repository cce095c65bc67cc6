// Alerts in the state database: batched inserts from the pipeline, filtered and paged reads for the API.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/alert.h"
#include "core/error.h"

struct sqlite3;

namespace khien {

struct AlertQuery {
  std::vector<std::string> kinds, orgs, sectors, provinces, socs;
  std::string rule_id;
  std::optional<TimeNs> since, until;
  int min_severity = 0;
  std::size_t limit = 100;
  std::int64_t before_id = 0;  ///< cursor: only alerts with id < before_id (0: newest)
};

struct StoredAlert {
  std::int64_t id = 0;
  Alert alert;
};

struct AlertPage {
  std::vector<StoredAlert> alerts;
  std::uint64_t total = 0;
  std::int64_t next_before_id = 0;  ///< 0 when there is nothing more
};

/// Threading: insert() runs on the pipeline thread, reads on API threads; one connection,
/// serialised by a mutex (SQLite WAL keeps readers of other processes unblocked).
class AlertStore {
 public:
  static Result<std::unique_ptr<AlertStore>> open(const std::filesystem::path& db_path);
  ~AlertStore();
  /// Inserts a batch in one transaction.
  Status insert(const std::vector<Alert>& alerts);
  Result<AlertPage> query(const AlertQuery& q);
  std::optional<StoredAlert> get(std::int64_t id);
  /// Sightings: alert counts per (rule_id) and per (rule_id, org).
  std::vector<std::pair<std::string, std::uint64_t>> counts_by_rule(const std::string& kind);

 private:
  explicit AlertStore(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::mutex mutex_;
};

}  // namespace khien
