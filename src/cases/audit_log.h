// The hash-chained audit log: every state change of the cases layer, each entry committing to the one before.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cases/case_db.h"
#include "core/error.h"
#include "core/time.h"

namespace khien {

/// One appended entry. `before` and `after` are JSON documents ("null" when the object did not or no
/// longer exists); `hash` = SHA-256 over canonical_audit_text(entry).
struct AuditEntry {
  std::int64_t seq = 0;
  TimeNs time = 0;
  std::string actor;
  std::string action;       ///< dotted verb, e.g. "incident.transition"
  std::string object_type;  ///< "incident", "directive", "system", ...
  std::string object_id;
  std::string before = "null";
  std::string after = "null";
  std::string prev_hash;  ///< hash of entry seq-1; 64 zeros for the first entry
  std::string hash;
};

/// The outcome of verify(): ok, or the first broken entry and why.
struct AuditVerification {
  bool ok = true;
  std::int64_t entries = 0;     ///< entries checked
  std::int64_t broken_seq = 0;  ///< first broken entry (0 when ok)
  std::string reason;           ///< what is wrong with it
  std::string head_hash;        ///< hash of the last entry checked
};

/// The bytes the hash covers: a JSON array of a version tag and every field but `hash`, so no two
/// different entries serialise the same way (each string is quoted and escaped).
std::string canonical_audit_text(const AuditEntry& e);

/// The chain of zeros that the first entry commits to.
inline constexpr const char* kAuditGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

/// Appends to and verifies the chain stored in the CaseDb. Threading: as CaseDb.
class AuditLog {
 public:
  explicit AuditLog(CaseDb& db) : db_(db) {}

  /// Appends one entry; call inside the CaseDb transaction that makes the change, so the change and
  /// its record commit together. Fills seq, prev_hash and hash of the returned entry.
  Result<AuditEntry> append(TimeNs time, const std::string& actor, const std::string& action,
                            const std::string& object_type, const std::string& object_id, const std::string& before,
                            const std::string& after);

  /// Entries with seq > after_seq, oldest first, at most `limit`; optionally only for one object.
  std::vector<AuditEntry> list(std::int64_t after_seq, std::size_t limit, const std::string& object_type = {},
                               const std::string& object_id = {});

  /// Walks the whole chain: detects an edited field, a deleted, inserted or reordered entry, and a
  /// truncated tail (against the stored head), naming the first broken entry.
  AuditVerification verify();

 private:
  CaseDb& db_;
};

}  // namespace khien
