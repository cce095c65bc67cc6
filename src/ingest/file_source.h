// File replay: records from files (NDJSON, one record per line) appended to the spool for one SOC.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ingest/source.h"

namespace khien {

struct FileIngestReport {
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;
  std::vector<std::string> errors;  ///< "FILE:LINE: reason", at most 1000
};

/// Reads each file line by line (a `.gz` or `.zst` file is decompressed first) and appends the
/// valid lines, durably, in batches. Threading: runs on the caller's thread.
Result<FileIngestReport> ingest_files(const SourceContext& context, const std::vector<std::filesystem::path>& files,
                                      const std::string& format, std::uint32_t soc_row, const std::string& soc_id);

}  // namespace khien
