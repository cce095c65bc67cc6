// `khien audit verify --data DIR`: walks DIR/cases.db's audit chain and names the first broken entry.
#include "app/cli_audit.h"

#include <filesystem>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cases/audit_log.h"
#include "cases/case_db.h"

namespace khien {

std::function<int()> add_audit_commands(CLI::App& app) {
  auto* audit = app.add_subcommand("audit", "The hash-chained audit log of incidents, directives, systems and compliance");
  audit->require_subcommand(1);
  struct Options {
    std::string data = "khien-data";
  };
  auto o = std::make_shared<Options>();
  auto* verify = audit->add_subcommand(
      "verify", "Check every entry's hash and link; exit 1 naming the first edited, deleted or reordered entry");
  verify->add_option("--data", o->data, "Data directory");
  return [=]() -> int {
    if (!*verify) return -1;
    auto path = std::filesystem::path(o->data) / "cases.db";
    // Opening would create an empty store; a missing one is an error, not an intact chain.
    if (!std::filesystem::exists(path)) {
      std::cerr << "khien: " << path.string() << " does not exist (no cases store in this data directory)\n";
      return 2;
    }
    auto db = CaseDb::open(path);
    if (!db) {
      std::cerr << "khien: " << db.error().message << "\n";
      return 2;
    }
    AuditLog log(**db);
    auto v = log.verify();
    if (!v.ok) {
      std::cout << fmt::format("audit chain BROKEN at entry {}: {} ({} entries checked before it)\n", v.broken_seq,
                               v.reason, v.broken_seq > 0 ? v.broken_seq - 1 : 0);
      return 1;
    }
    std::cout << fmt::format("audit chain intact: {} entries, head {}\n", v.entries,
                             v.head_hash.empty() ? "(empty)" : v.head_hash);
    return 0;
  };
}

}  // namespace khien
