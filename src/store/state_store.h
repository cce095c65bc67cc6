// The state store: registry (sectors, provinces, organisations, SOC connectors and their keys) in SQLite.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"

struct sqlite3;

namespace khien {

struct SectorRow {
  std::string id, name, name_en, lead_org;
  int criticality = 3;
};

struct ProvinceRow {
  std::string id, name, name_en, kind, region;
  double lat = 0, lon = 0;
};

struct OrgRow {
  std::string id, name, name_en, type, sector, province, parent;
  std::vector<std::string> ip_ranges;
  std::vector<std::int64_t> asns;
  std::vector<std::string> domains;
};

struct SocRow {
  std::int64_t row_id = 0;  ///< stable numeric id carried in spool records
  std::string id, name, org;
  std::vector<std::string> sender_ranges;
  std::vector<std::string> formats;
  std::string transport;
  bool has_key = false;
  bool revoked = false;
  TimeNs created = 0;
  std::string syslog_local_time;  ///< UTC offset of its RFC 3164 timestamps ("+07:00"); empty: the server's
};

/// SHA-256 of `text` as lower-case hex.
std::string sha256_hex(std::string_view text);
/// `bytes` random bytes from the OS CSPRNG, as lower-case hex.
std::string random_hex(std::size_t bytes);

/// SQLite (WAL) state. Threading: every method may be called from any thread; calls are
/// serialised by one mutex (state changes are rare next to events, which never come here).
class StateStore {
 public:
  static Result<std::unique_ptr<StateStore>> open(const std::filesystem::path& db_path);
  ~StateStore();

  /// True once the registry YAML has been imported (it is imported at first start only).
  bool registry_loaded();
  /// Imports sectors, provinces, organisations and SOCs in one transaction and marks the registry loaded.
  Status import_registry(const std::vector<SectorRow>& sectors, const std::vector<ProvinceRow>& provinces,
                         const std::vector<OrgRow>& orgs, const std::vector<SocRow>& socs);

  std::vector<SectorRow> sectors();
  std::vector<ProvinceRow> provinces();
  std::vector<OrgRow> organisations();
  std::optional<OrgRow> organisation(const std::string& id);
  std::vector<SocRow> socs();
  std::optional<SocRow> soc(const std::string& id);

  /// Registers a SOC connector and returns its new API key; only its hash is stored. A SOC of
  /// `org` already registered without a working key (one of the registry's connectors, or a
  /// revoked one) is issued its key, taking `name` and `sender_ranges` when given. Refused when
  /// `id` belongs to another organisation or already has a working key (rotate_soc_key() replaces
  /// a key: a second `add` must not silently cut off the SOC holding the first).
  Result<std::string> add_soc(const std::string& org, const std::string& id, const std::string& name,
                              const std::vector<std::string>& sender_ranges);
  /// Replaces a SOC's syslog sender ranges.
  Status set_soc_ranges(const std::string& id, const std::vector<std::string>& sender_ranges);
  /// Sets the UTC offset of a SOC's RFC 3164 timestamps ("+07:00"; empty: the server's default).
  Status set_soc_syslog_local_time(const std::string& id, const std::string& offset);
  /// Issues a new key for an existing SOC (the old one stops working).
  Result<std::string> rotate_soc_key(const std::string& id);
  Status revoke_soc(const std::string& id);
  /// The SOC whose (unrevoked) key is `key`.
  std::optional<SocRow> soc_by_key(std::string_view key);

  /// Bumped on every registry change so readers know to refresh their snapshots.
  std::uint64_t generation();

 private:
  explicit StateStore(sqlite3* db) : db_(db) {}
  Status exec(const char* sql);
  Status migrate();
  std::vector<SocRow> query_socs(const char* where, const std::string& arg);
  // Sets one column (a name from the code, never from input) of SOC `id`; the caller holds mutex_.
  Status set_soc_column(const char* column, const std::string& value, const std::string& id);

  sqlite3* db_;
  std::mutex mutex_;
  std::atomic<std::uint64_t> generation_{1};
};

}  // namespace khien
