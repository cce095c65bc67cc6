// Shared by the export writer tests: a scratch StixStore filled through the bundle importer with
// indicators of chosen TLP, confidence, dates and patterns.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "intel/export_selection.h"
#include "intel/stix_bundle_importer.h"
#include "intel/stix_object.h"
#include "intel/tlp.h"
#include "store/stix_store.h"
#include "test_files.h"

// Test indicators name only the fields that matter to each case; the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace khien::test {

/// The export tests' "now": 2026-03-01T00:00:00Z.
inline std::int64_t export_now() { return *parse_stix_timestamp("2026-03-01T00:00:00Z"); }

struct IndicatorSpec {
  int n = 0;  ///< makes the id
  std::string pattern;
  std::optional<Tlp> tlp = Tlp::green;
  std::optional<int> confidence;
  std::string modified = "2026-02-01T00:00:00.000Z";
  std::string valid_from = "2026-02-01T00:00:00Z";
  std::string valid_until;
  bool revoked = false;
  std::string created_by;
};

inline std::string indicator_id(int n) { return fmt::format("indicator--00000000-0000-4000-8000-{:012d}", n); }

inline nlohmann::json indicator(const IndicatorSpec& s) {
  nlohmann::json j{{"type", "indicator"},     {"spec_version", "2.1"},      {"id", indicator_id(s.n)},
                   {"created", s.modified}, {"modified", s.modified}, {"pattern_type", "stix"},
                   {"pattern", s.pattern},    {"valid_from", s.valid_from}};
  if (s.tlp) j["object_marking_refs"] = {std::string(tlp_marking_id(*s.tlp))};
  if (s.confidence) j["confidence"] = *s.confidence;
  if (!s.valid_until.empty()) j["valid_until"] = s.valid_until;
  if (s.revoked) j["revoked"] = true;
  if (!s.created_by.empty()) j["created_by_ref"] = s.created_by;
  return j;
}

class ExportStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = StixStore::open(dir_ / "state.db");
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
  }
  void import(const nlohmann::json& objects) {
    StixBundleImporter importer(store_.get());
    StixImportOptions options;
    options.source = "test";
    auto r = importer.import_objects(objects, options);
    ASSERT_TRUE(r) << r.error().message;
  }
  void add(const IndicatorSpec& s) { import(nlohmann::json::array({indicator(s)})); }
  ExportSelection select(ExportFilter f = {}) {
    if (f.now_us == 0) f.now_us = export_now();
    auto s = select_for_export(*store_, f);
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(*s) : ExportSelection{};
  }
  static ExportFilter filter() {
    ExportFilter f;
    f.now_us = export_now();
    return f;
  }

  test::ScratchDir scratch_{"export"};
  std::filesystem::path dir_ = scratch_.path();
  std::unique_ptr<StixStore> store_;
};

}  // namespace khien::test
