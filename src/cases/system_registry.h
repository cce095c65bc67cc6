// The information systems registry: create, read, update, delete and bulk import, each change audited.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cases/audit_log.h"
#include "cases/case_db.h"
#include "cases/information_system.h"

namespace khien {

struct RegistryData;

/// Threading: as CaseDb. `registry` (may be null) validates owners, addresses and domains; it must
/// outlive this object.
class SystemRegistry {
 public:
  SystemRegistry(CaseDb& db, AuditLog& audit, const RegistryData* registry)
      : db_(db), audit_(audit), registry_(registry) {}

  /// Adds a new system; fails if the id exists or a field is invalid.
  Status create(const InformationSystem& s, const std::string& actor, TimeNs now);
  /// Replaces an existing system (same id).
  Status update(const InformationSystem& s, const std::string& actor, TimeNs now);
  Status remove(const std::string& id, const std::string& actor, TimeNs now);
  /// Inserts or replaces every system in one transaction: all of them or none.
  Status import(const std::vector<InformationSystem>& systems, const std::string& actor, TimeNs now);

  /// Called after every committed change, outside the database lock, with the system as it now is
  /// (null when removed): the vulnerability exposure follows the inventory this way. Set it before
  /// the routes serve.
  using Listener = std::function<void(const std::string& id, const InformationSystem* system)>;
  void set_listener(Listener listener) { listener_ = std::move(listener); }

  std::optional<InformationSystem> get(const std::string& id);
  /// All systems, or those of one owner, ordered by id.
  std::vector<InformationSystem> list(const std::string& owner = {});

 private:
  Status write(const InformationSystem& s, const std::string& actor, TimeNs now, const char* action);
  // Writes every system in one transaction, then tells the listener.
  Status import_all(const std::vector<InformationSystem>& systems, const std::string& actor, TimeNs now, const char* action);

  CaseDb& db_;
  AuditLog& audit_;
  const RegistryData* registry_;
  Listener listener_;
};

}  // namespace khien
