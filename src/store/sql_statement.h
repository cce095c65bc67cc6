// A prepared SQLite statement that finalises itself, shared by every SQLite store.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace khien {

/// One prepared statement; bind with 1-based indexes, read columns with 0-based ones.
class SqlStatement {
 public:
  SqlStatement(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  SqlStatement(sqlite3* db, const std::string& sql) : SqlStatement(db, sql.c_str()) {}
  SqlStatement(const SqlStatement&) = delete;
  SqlStatement& operator=(const SqlStatement&) = delete;
  ~SqlStatement() { sqlite3_finalize(stmt_); }

  /// False when the SQL did not compile (the step then returns SQLITE_MISUSE).
  bool ok() const { return rc_ == SQLITE_OK; }
  SqlStatement& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  SqlStatement& bind(int i, const char* v) { return bind(i, std::string(v)); }
  SqlStatement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  SqlStatement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  SqlStatement& bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  int step() { return stmt_ ? sqlite3_step(stmt_) : SQLITE_MISUSE; }
  /// Makes the statement ready to run again with new bindings (reusing it in a loop saves re-preparing).
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  /// Steps once and reports whether the statement finished without error.
  bool run() { return step() == SQLITE_DONE; }
  std::string text(int col) {
    auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  std::int64_t integer(int col) { return sqlite3_column_int64(stmt_, col); }
  double real(int col) { return sqlite3_column_double(stmt_, col); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

}  // namespace khien
