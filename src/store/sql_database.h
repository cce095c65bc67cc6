// Opening SQLite databases and running plain SQL the same way in every SQLite store.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace khien {

/// Opens (creating it if needed) the database at `path` for the store called `what` (used in messages), with
/// serialized threading and a 5 s busy timeout (another connection, even another process, may hold the write
/// lock for a moment), then runs `setup` (pragmas and schema). Errors name the store, the file and SQLite's
/// reason. The caller owns the handle and closes it with sqlite3_close.
Result<sqlite3*> open_sqlite(const std::filesystem::path& path, std::string_view what, const char* setup);

/// Runs statements that return no rows; an error reads "<what>: <reason>".
Status exec_sql(sqlite3* db, const char* sql, std::string_view what);

/// "<what>: <SQLite's last error on db>", for a statement that failed.
tl::unexpected<Error> sqlite_failure(sqlite3* db, std::string_view what);

/// Appends " AND column IN (?, ?, ...)" to a WHERE clause and the values to bind, in order; nothing when empty.
void append_in_clause(std::string& where, std::vector<std::string>& args, const char* column,
                      const std::vector<std::string>& values);

}  // namespace khien
