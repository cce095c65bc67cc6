// Sightings of threat-intelligence indicators: hit counts per (indicator, organisation) with the
// first and last time seen, in a table of the state database.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"

struct sqlite3;

namespace khien {

/// Hits of one indicator (STIX id) in one organisation's events. As a delta passed to add(), the
/// count is added and the times widen the stored range.
struct SightingRow {
  std::string indicator_id;  ///< "indicator--…"
  std::string org;           ///< registry organisation id; "" when the event had no known SOC
  TimeNs first_seen = 0, last_seen = 0;
  std::uint64_t count = 0;
  TimeNs updated = 0;  ///< server time of the last add() that touched the row (read only)
};

struct SightingQuery {
  std::vector<std::string> indicators, orgs;  ///< empty: all
  std::size_t limit = 1000;                  ///< 0: no limit; rows ordered by last_seen, newest first
};

/// SQLite table `intel_sightings` in the state database (its own connection). SQL is what SQLite
/// and PostgreSQL both accept. Threading: any thread; calls are serialised by one mutex.
class SightingStore {
 public:
  static Result<std::unique_ptr<SightingStore>> open(const std::filesystem::path& db_path);
  ~SightingStore();

  /// Merges deltas in one transaction: counts add up, first_seen/last_seen widen.
  Status add(const std::vector<SightingRow>& deltas);
  Result<std::vector<SightingRow>> query(const SightingQuery& query);
  /// Total hits over every row.
  std::uint64_t total();

 private:
  explicit SightingStore(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::mutex mutex_;
};

}  // namespace khien
