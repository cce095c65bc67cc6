// Opening SQLite databases and running plain SQL the same way in every SQLite store.
#include "store/sql_database.h"

#include <fmt/format.h>

namespace khien {

Result<sqlite3*> open_sqlite(const std::filesystem::path& path, std::string_view what, const char* setup) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return fail(fmt::format("{}: cannot open {}: {}", what, path.string(), why));
  }
  sqlite3_busy_timeout(db, 5000);
  if (auto st = exec_sql(db, setup, what); !st) {
    sqlite3_close(db);
    return tl::unexpected(st.error());
  }
  return db;
}

Status exec_sql(sqlite3* db, const char* sql, std::string_view what) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    return fail(fmt::format("{}: {}", what, why));
  }
  return {};
}

tl::unexpected<Error> sqlite_failure(sqlite3* db, std::string_view what) {
  return fail(fmt::format("{}: {}", what, sqlite3_errmsg(db)));
}

void append_in_clause(std::string& where, std::vector<std::string>& args, const char* column,
                      const std::vector<std::string>& values) {
  if (values.empty()) return;
  where += fmt::format(" AND {} IN (", column);
  for (std::size_t i = 0; i < values.size(); ++i) {
    where += i ? ", ?" : "?";
    args.push_back(values[i]);
  }
  where += ")";
}

}  // namespace khien
