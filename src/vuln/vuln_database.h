// The in-memory vulnerability database: CVE id → VulnRecord, filled by incremental imports of NVD,
// CVE JSON 5, KEV and EPSS feeds.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "vuln/feed_parsers.h"
#include "vuln/vuln_record.h"

namespace khien {

/// A record (or file) an import refused, and why.
struct ImportRejection {
  std::string record_id;  ///< the CVE id, or `file[index]` / `line N` when no id could be read
  std::string reason;
};

/// One source part of a record that an import added, changed or removed (empty body), for persistence.
struct SourceChange {
  std::string id;
  VulnSource source = VulnSource::nvd;
  std::string hash;  ///< SHA-256 of the canonical body
  std::string body;  ///< the part as JSON (the feed's own item); empty when the part was removed
};

/// What one import did. A record counts as added when the database had no part from this source for
/// it, changed when the part's content hash differs, unchanged otherwise.
struct ImportReport {
  FeedKind kind = FeedKind::unknown;
  std::string origin;  ///< file name or caller's label
  std::size_t records = 0, added = 0, changed = 0, unchanged = 0, removed = 0, rejected = 0;
  std::vector<std::string> added_ids, changed_ids, removed_ids;
  std::vector<ImportRejection> rejections;
  std::vector<std::string> notes;     ///< file-level remarks (KEV count mismatch, EPSS model version)
  std::string catalog_version;        ///< KEV catalogVersion, EPSS model_version
  std::vector<SourceChange> changes;  ///< filled when VulnDatabase::set_keep_changes(true)

  /// Adds another report's counts and lists to this one.
  void merge(const ImportReport& other);
};

/// CVE id → record. Threading: not synchronised; one thread imports, and readers must not run
/// concurrently with an import (callers swap a new database in, or hold their own lock).
class VulnDatabase {
 public:
  /// An NVD CVE API 2.0 response (`format` NVD_CVE, `version` 2.x, `vulnerabilities[].cve`).
  Result<ImportReport> import_nvd(std::string_view json_text, std::string_view origin = {});
  /// One CVE JSON 5 record, or a JSON array of them.
  Result<ImportReport> import_cve5(std::string_view json_text, std::string_view origin = {});
  /// The CISA KEV catalogue. Entries of an earlier catalogue missing from this one lose their KEV part.
  Result<ImportReport> import_kev(std::string_view json_text, std::string_view origin = {});
  /// An EPSS CSV: optional `#model_version:...,score_date:...` line, header `cve,epss,percentile`.
  Result<ImportReport> import_epss(std::string_view csv_text, std::string_view origin = {});
  /// Recognises the kind (detect_feed_kind) and imports; a file of no known kind is an error.
  Result<ImportReport> import_any(std::string_view text, std::string_view origin = {});
  /// Imports a file, or every *.json / *.csv file under a directory (sorted by path). A file that
  /// cannot be read or is of no known kind becomes a rejection naming it; the others proceed.
  Result<ImportReport> import_path(const std::filesystem::path& path);

  /// Re-applies a persisted part (VulnStore::load); an empty body removes the part.
  Status apply_change(const SourceChange& change);

  /// When set, reports carry the bodies of added/changed parts (VulnStore persists them).
  void set_keep_changes(bool keep) { keep_changes_ = keep; }

  const VulnRecord* find(std::string_view id) const;
  std::size_t size() const { return records_.size(); }
  /// All CVE ids, sorted.
  std::vector<std::string> ids() const;
  /// Calls `fn(const VulnRecord&)` for every record (unordered).
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const auto& [id, rec] : records_) fn(rec);
  }

 private:
  // Stores a parsed part if its hash changed; updates the report.
  template <typename Part>
  void store_part(const std::string& id, VulnSource source, Part&& part, const std::string& hash, const std::string& body,
                  ImportReport& report);
  void count_part(const std::string& id, VulnSource source, const std::string& hash, const std::string& body, ImportReport& report);

  std::unordered_map<std::string, VulnRecord> records_;
  bool keep_changes_ = false;
};

}  // namespace khien
