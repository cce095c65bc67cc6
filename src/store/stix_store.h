// STIX objects kept whole (JSON text) with their versions, and the TAXII 2.1 server's API roots,
// collections and status resources, in SQLite tables of the state database.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

struct sqlite3;

namespace khien {

/// One stored version of one STIX object in one collection.
struct StixRecord {
  std::int64_t seq = 0;  ///< unique, increasing in insertion order (the pagination tie-break)
  std::string collection, id, type, spec_version;
  std::string created, modified;  ///< as written in the object; empty when absent
  /// The version key in microseconds since the epoch: `modified`, else `created`, else 0 for
  /// objects without versions (SCOs), whose TAXII version is then their date_added.
  std::int64_t version_us = 0;
  std::int64_t added_us = 0;  ///< server time the version was added (TAXII date_added); 0 on insert = now
  bool revoked = false;
  std::string tlp;     ///< "clear", "green", "amber", "amber+strict", "red"
  std::string source;  ///< who supplied it (import source name, TAXII caller organisation)
  std::optional<std::int64_t> valid_from_us, valid_until_us;  ///< indicators
  std::string json;                                           ///< the whole object; empty in metadata-only answers
};

/// Which versions of each object a query returns (TAXII `match[version]`). Nothing set means `last`.
struct StixVersionFilter {
  bool first = false, last = false, all = false;
  std::vector<std::int64_t> exact;  ///< version_us values
};

/// A TAXII-style selection of records in one collection.
struct StixQuery {
  std::string collection;
  std::optional<std::int64_t> added_after_us;  ///< strictly after
  std::vector<std::string> ids, types;
  std::vector<std::string> spec_versions;  ///< empty: each object's latest spec_version only
  StixVersionFilter versions;
  std::size_t limit = 0;                                       ///< 0: no limit
  std::optional<std::pair<std::int64_t, std::int64_t>> after;  ///< resume after (added_us, seq)
  std::function<bool(const StixRecord&)> visible;              ///< the caller's access rule; unset: all visible
  bool with_json = true;
};

struct StixPage {
  std::vector<StixRecord> records;  ///< ordered by date added
  bool more = false;
};

/// A TAXII API root (TAXII 2.1 section 4.2).
struct TaxiiApiRootRow {
  std::string name;  ///< the path segment under /taxii2/
  std::string title, description;
  std::vector<std::string> versions{"application/taxii+json;version=2.1"};
  std::int64_t max_content_length = 256ll << 20;
};

/// A TAXII collection (section 5.2) with khien's access list.
struct TaxiiCollectionRow {
  std::string id, api_root, title, description, alias;
  bool can_read = true, can_write = false;  ///< what the collection allows at all
  std::vector<std::string> media_types{"application/stix+json;version=2.1"};
  std::string default_tlp = "amber";  ///< applied to objects posted without a TLP marking
  std::vector<std::string> readers;   ///< organisations that may read; empty: every authenticated caller
  std::vector<std::string> writers;   ///< organisations that may write; empty: every caller allowed to read
  /// Organisations named as recipients of the collection's TLP:RED and TLP:AMBER+STRICT objects;
  /// nobody else (administrators aside) sees those objects.
  std::vector<std::string> recipients;
};

/// SQLite tables `stix_objects`, `taxii_api_roots`, `taxii_collections`, `taxii_status` and
/// `taxii_meta`, in the state database (its own connection). SQL is what SQLite and PostgreSQL
/// both accept. Threading: any thread; calls are serialised by one mutex. Several instances, in
/// one process or several, may write the same database: row numbers are assigned inside each
/// write transaction.
class StixStore {
 public:
  static Result<std::unique_ptr<StixStore>> open(const std::filesystem::path& db_path);
  ~StixStore();

  /// Adds records in one transaction: all or none. A record whose (collection, id, version)
  /// exists is left alone (re-import is a no-op). Returns, per record, whether it was added;
  /// added records get their seq and added_us filled in.
  Result<std::vector<bool>> add(std::vector<StixRecord>& records);

  /// True if any collection holds a version of `id`.
  bool contains(const std::string& id);
  /// The latest version of `id` in any collection, with its JSON.
  std::optional<StixRecord> latest(const std::string& id);

  /// Records selected by `query` (see StixQuery), ordered by (added_us, seq).
  Result<StixPage> query(const StixQuery& query);
  /// Deletes the records `query` selects (limit and cursor ignored); returns how many.
  Result<std::size_t> remove(const StixQuery& query);
  /// Number of records (all versions) in a collection.
  std::int64_t count(const std::string& collection);

  /// Active indicators for the matcher: the latest version of each indicator id across
  /// collections, not revoked, with valid_from <= now_us < valid_until.
  std::vector<StixRecord> active_indicators(std::int64_t now_us);

  Status put_api_root(const TaxiiApiRootRow& root);
  std::vector<TaxiiApiRootRow> api_roots();
  std::optional<TaxiiApiRootRow> api_root(const std::string& name);
  Status put_collection(const TaxiiCollectionRow& collection);
  std::vector<TaxiiCollectionRow> collections(const std::string& api_root);
  std::optional<TaxiiCollectionRow> collection(const std::string& api_root, const std::string& id);

  /// Status resources (stored as their JSON text).
  Status put_status(const std::string& api_root, const std::string& id, std::int64_t created_us,
                    const std::string& json);
  std::optional<std::string> status(const std::string& api_root, const std::string& id);

  /// Server-wide values (the discovery resource's JSON, under "discovery").
  Status put_meta(const std::string& key, const std::string& value);
  std::optional<std::string> meta(const std::string& key);

 private:
  explicit StixStore(sqlite3* db) : db_(db) {}
  Status exec(const char* sql);
  Status migrate();
  Result<std::vector<StixRecord>> select(const StixQuery& query);

  sqlite3* db_;
  std::mutex mutex_;
};

}  // namespace khien
