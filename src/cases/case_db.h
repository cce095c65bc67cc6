// The cases database: one SQLite connection shared by the audit log, systems, incidents, directives and compliance.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "core/error.h"

struct sqlite3;

namespace khien {

/// Owns the connection and the schema. Threading: any thread may call; every read and every
/// transaction holds one recursive mutex, so a state change and its audit entry are never interleaved
/// with another writer in this process (other processes are kept out by SQLite's write lock).
class CaseDb {
 public:
  /// An open transaction; rolls back on destruction unless commit() succeeded. Holds the mutex.
  class Transaction {
   public:
    explicit Transaction(CaseDb& db);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();
    /// False when BEGIN failed; the reason is in error().
    bool ok() const { return began_; }
    const std::string& error() const { return error_; }
    Status commit();

   private:
    CaseDb& db_;
    std::unique_lock<std::recursive_mutex> lock_;
    bool began_ = false;
    bool done_ = false;
    std::string error_;
  };

  /// Opens (creating if needed) the database at `path` in WAL mode and creates the tables.
  static Result<std::unique_ptr<CaseDb>> open(const std::filesystem::path& path);
  ~CaseDb();
  CaseDb(const CaseDb&) = delete;
  CaseDb& operator=(const CaseDb&) = delete;

  sqlite3* handle() { return db_; }
  std::recursive_mutex& mutex() { return mutex_; }
  /// The last SQLite error message, for error values.
  std::string last_error() const;
  /// Runs SQL without results.
  Status exec(const char* sql);
  /// Returns the next value of the named counter (1, 2, ...); call inside a transaction.
  Result<std::int64_t> next_counter(const std::string& name);

 private:
  explicit CaseDb(sqlite3* db) : db_(db) {}
  Status migrate();

  sqlite3* db_;
  std::recursive_mutex mutex_;
};

}  // namespace khien
