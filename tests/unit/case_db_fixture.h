// Shared set-up of the cases layer's tests: the shipped registry, the shipped systems, a fresh case database.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include "cases/audit_log.h"
#include "cases/case_db.h"
#include "cases/system_import.h"
#include "cases/system_registry.h"
#include "store/registry_data.h"
#include "test_files.h"

namespace khien {

/// The registry shipped under data/registry, loaded once per test binary.
inline const RegistryData& shipped_registry() {
  static const RegistryData reg = [] {
    auto r = load_registry_yaml(std::filesystem::path(KHIEN_SOURCE_DIR) / "data/registry");
    if (!r) throw std::runtime_error(r.error().message);
    return *r;
  }();
  return reg;
}

/// A test with its own case database and audit log, in a directory named after the test and removed after it.
class CaseDbTest : public ::testing::Test {
 protected:
  // The database closes in the destructor, not in TearDown: a derived fixture's services hold prepared
  // statements on it, and they are destroyed (with the derived members) before the base's members.
  ~CaseDbTest() override {
    audit_.reset();
    db_.reset();
    scratch_.reset();
  }

  /// Opens cases.db in a new directory; a derived SetUp calls it first, then ASSERTs nothing failed.
  void open_case_db(const std::string& prefix) {
    scratch_.emplace(prefix);
    dir_ = scratch_->path();
    auto db = CaseDb::open(dir_ / "cases.db");
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<AuditLog>(*db_);
  }

  /// Imports data/registry/systems.yaml into `systems` at time `now`.
  static void import_shipped_systems(SystemRegistry& systems, TimeNs now) {
    std::ifstream in(std::filesystem::path(KHIEN_SOURCE_DIR) / "data/registry/systems.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = parse_systems_yaml(ss.str(), "systems.yaml", &shipped_registry());
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_TRUE(systems.import(*parsed, "loader", now));
  }

  std::optional<test::ScratchDir> scratch_;
  std::filesystem::path dir_;
  std::unique_ptr<CaseDb> db_;
  std::unique_ptr<AuditLog> audit_;
};

}  // namespace khien
