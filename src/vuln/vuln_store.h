// Persistence of the vulnerability database in SQLite: one row per (CVE, source) part with its content
// hash and the feed's own JSON, so a restart replays exactly what was imported.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "core/error.h"
#include "vuln/vuln_database.h"

struct sqlite3;

namespace khien {

/// SQLite (WAL) store of vulnerability parts. Threading: every method may be called from any thread;
/// calls are serialised by one mutex. SQL is kept to what SQLite and PostgreSQL both accept.
class VulnStore {
 public:
  static Result<std::unique_ptr<VulnStore>> open(const std::filesystem::path& db_path);
  ~VulnStore();

  /// Writes the changes of an import (VulnDatabase::set_keep_changes) in one transaction: upserts
  /// added/changed parts, deletes removed ones.
  Status apply(const std::vector<SourceChange>& changes);
  /// Loads every stored part into `db`; returns how many parts were loaded.
  Result<std::size_t> load(VulnDatabase& db);
  /// Number of stored parts.
  std::size_t part_count();

 private:
  explicit VulnStore(sqlite3* db) : db_(db) {}
  Status exec(const char* sql);

  sqlite3* db_;
  std::mutex mutex_;
};

}  // namespace khien
