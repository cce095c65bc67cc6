// Information systems registry over the cases database.
#include "cases/system_registry.h"

#include <fmt/format.h>

#include "store/sql_statement.h"

namespace khien {

namespace {
Status invalid(const std::string& id, const std::vector<FieldProblem>& problems) {
  std::string msg = fmt::format("information system '{}':", id);
  for (const auto& p : problems) msg += fmt::format(" {}: {};", p.field, p.reason);
  msg.pop_back();
  return fail(msg);
}
}  // namespace

Status SystemRegistry::write(const InformationSystem& s, const std::string& actor, TimeNs now, const char* action) {
  // Caller holds a transaction.
  if (auto problems = validate_system(s, registry_); !problems.empty()) return invalid(s.id, problems);
  std::string before = "null";
  {
    SqlStatement read(db_.handle(), "SELECT doc FROM info_systems WHERE id = ?");
    read.bind(1, s.id);
    if (read.step() == SQLITE_ROW) before = read.text(0);
  }
  std::string action_name = action;
  if (action_name == "system.create" && before != "null")
    return fail(fmt::format("information system '{}' already exists (use update)", s.id));
  if (action_name == "system.update" && before == "null")
    return fail(fmt::format("unknown information system '{}'", s.id));
  if (action_name == "system.import") action_name = before == "null" ? "system.create" : "system.update";
  std::string after = system_to_json(s);
  if (before == after) return {};
  SqlStatement del(db_.handle(), "DELETE FROM info_systems WHERE id = ?");
  del.bind(1, s.id);
  SqlStatement ins(db_.handle(), "INSERT INTO info_systems (id, owner, security_level, doc) VALUES (?, ?, ?, ?)");
  ins.bind(1, s.id).bind(2, s.owner).bind(3, s.security_level).bind(4, after);
  if (!del.run() || !ins.run()) return fail(fmt::format("information system '{}': {}", s.id, db_.last_error()));
  if (auto e = audit_.append(now, actor, action_name, "system", s.id, before, after); !e)
    return tl::unexpected(e.error());
  return {};
}

Status SystemRegistry::create(const InformationSystem& s, const std::string& actor, TimeNs now) {
  return import_all({s}, actor, now, "system.create");
}

Status SystemRegistry::update(const InformationSystem& s, const std::string& actor, TimeNs now) {
  return import_all({s}, actor, now, "system.update");
}

Status SystemRegistry::import(const std::vector<InformationSystem>& systems, const std::string& actor, TimeNs now) {
  return import_all(systems, actor, now, "system.import");
}

Status SystemRegistry::import_all(const std::vector<InformationSystem>& systems, const std::string& actor, TimeNs now,
                                  const char* action) {
  {
    CaseDb::Transaction tx(db_);
    if (!tx.ok()) return fail(tx.error());
    for (const auto& s : systems)
      if (auto st = write(s, actor, now, action); !st) return st;
    if (auto st = tx.commit(); !st) return st;
  }
  if (listener_)
    for (const auto& s : systems) listener_(s.id, &s);
  return {};
}

Status SystemRegistry::remove(const std::string& id, const std::string& actor, TimeNs now) {
  {
    CaseDb::Transaction tx(db_);
    if (!tx.ok()) return fail(tx.error());
    SqlStatement read(db_.handle(), "SELECT doc FROM info_systems WHERE id = ?");
    read.bind(1, id);
    if (read.step() != SQLITE_ROW) return fail(fmt::format("unknown information system '{}'", id));
    std::string before = read.text(0);
    SqlStatement del(db_.handle(), "DELETE FROM info_systems WHERE id = ?");
    del.bind(1, id);
    if (!del.run()) return fail(fmt::format("information system '{}': {}", id, db_.last_error()));
    if (auto e = audit_.append(now, actor, "system.delete", "system", id, before, "null"); !e)
      return tl::unexpected(e.error());
    if (auto st = tx.commit(); !st) return st;
  }
  if (listener_) listener_(id, nullptr);
  return {};
}

std::optional<InformationSystem> SystemRegistry::get(const std::string& id) {
  std::lock_guard lock(db_.mutex());
  SqlStatement read(db_.handle(), "SELECT doc FROM info_systems WHERE id = ?");
  read.bind(1, id);
  if (read.step() != SQLITE_ROW) return std::nullopt;
  auto s = system_from_json(read.text(0));
  if (!s) return std::nullopt;
  return *s;
}

std::vector<InformationSystem> SystemRegistry::list(const std::string& owner) {
  std::lock_guard lock(db_.mutex());
  SqlStatement st(db_.handle(), owner.empty() ? "SELECT doc FROM info_systems ORDER BY id"
                                              : "SELECT doc FROM info_systems WHERE owner = ? ORDER BY id");
  if (!owner.empty()) st.bind(1, owner);
  std::vector<InformationSystem> out;
  while (st.step() == SQLITE_ROW) {
    if (auto s = system_from_json(st.text(0))) out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace khien
