// Searches the event archive: filters by SOC, organisation, sector, province, time and a query, newest first, with cursors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"

namespace khien {

struct SearchRequest {
  std::set<std::string> socs;       ///< empty: all
  std::set<std::string> orgs;       ///< matched against khien.org
  std::set<std::string> sectors;    ///< matched against khien.sector
  std::set<std::string> provinces;  ///< matched against khien.province
  std::optional<TimeNs> since;      ///< event time >= since
  std::optional<TimeNs> until;      ///< event time < until
  std::string query;                ///< EventQuery text
  std::size_t limit = 100;
  std::string cursor;               ///< from a previous SearchResult::next_cursor
  /// Stop counting `total` after this many matches (the count is then a lower bound).
  std::uint64_t max_total = 10'000'000;
  /// Stop reading the archive at this time (now_ns()): the answer is then `partial`.
  std::optional<TimeNs> deadline;
};

struct SearchResult {
  std::vector<std::string> events;  ///< archived event JSON lines, newest first
  std::uint64_t total = 0;          ///< matches in the whole archive for this request
  bool total_is_exact = true;
  std::string next_cursor;          ///< empty when there is nothing more
  /// The deadline came first: `events` may be fewer than the limit, `total` is a lower bound,
  /// and `next_cursor` continues where reading stopped.
  bool partial = false;
};

/// Reads what ArchiveWriter wrote. Safe to run while a writer appends (it reads only committed
/// journal lines) and while the server is stopped.
Result<SearchResult> search_archive(const std::filesystem::path& archive_dir, const SearchRequest& request);

}  // namespace khien
