// STIX bundle import: corpus bundles load fully, invalid bundles are rejected whole, versions,
// TLP and source, references, size limit, and the medallion data loader.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "intel/stix_bundle_importer.h"
#include "test_files.h"

namespace khien {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

class StixBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = StixStore::open(dir_ / "state.db");
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
  }
  std::int64_t total() { return store_->count(std::string(kDefaultStixCollection)); }

  test::ScratchDir scratch_{"stix-bundle"};
  std::filesystem::path dir_ = scratch_.path();
  std::unique_ptr<StixStore> store_;
};

std::string bundle(const std::vector<json>& objects) {
  return json{{"type", "bundle"}, {"id", "bundle--44af6c39-c09b-49c5-9de2-394224b04982"}, {"objects", json(objects)}}
      .dump();
}

json indicator(const std::string& modified, const std::string& value = "10.0.0.1") {
  return json{{"type", "indicator"},
              {"spec_version", "2.1"},
              {"id", "indicator--33fe3b22-0201-47cf-85d0-97c02164528d"},
              {"created", "2014-05-08T09:00:00.000Z"},
              {"modified", modified},
              {"pattern_type", "stix"},
              {"pattern", "[ipv4-addr:value = '" + value + "']"},
              {"valid_from", "2014-05-08T09:00:00Z"}};
}

TEST_F(StixBundleTest, AttackBundlesLoadFully) {
  for (const char* name : {"ics-attack-18.1.json", "mobile-attack-17.0.json"}) {
    fs::path p = fs::path(KHIEN_CORPUS_DIR) / "stix" / "attack" / name;
    std::string text = test::read_text_file(p);
    ASSERT_FALSE(text.empty()) << p;
    std::size_t expected = json::parse(text)["objects"].size();
    StixBundleImporter importer(store_.get());
    StixImportOptions options;
    options.source = "mitre-attack";
    options.default_tlp = Tlp::clear;
    options.require_resolved_references = true;  // every reference resolves within the bundle
    auto r = importer.import_bundle(text, options);
    ASSERT_TRUE(r) << name << ": " << r.error().message;
    EXPECT_EQ(r->objects, expected);
    EXPECT_EQ(r->added + r->unchanged, expected) << name;
    EXPECT_TRUE(r->unresolved_references.empty()) << r->unresolved_references.front();
  }
  // The two matrices share MITRE's identity, its marking-definition and one intrusion-set version.
  EXPECT_EQ(total(), 1826 + 2150 - 3);
}

TEST_F(StixBundleTest, OasisExamplesLoadFully) {
  fs::path dir = fs::path(KHIEN_CORPUS_DIR) / "stix" / "cti-stix2-json-schemas" / "examples";
  int bundles = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    std::string text = test::read_text_file(e.path());
    if (json::parse(text).value("type", "") != "bundle") continue;  // single objects are not bundles
    ++bundles;
    StixBundleImporter importer(store_.get());
    StixImportOptions options;
    options.require_resolved_references = true;
    auto r = importer.import_bundle(text, options);
    ASSERT_TRUE(r) << e.path() << ": " << r.error().message;
    EXPECT_EQ(r->objects, r->added + r->unchanged);
  }
  EXPECT_EQ(bundles, 7);
}

TEST_F(StixBundleTest, InvalidBundleIsRejectedWhole) {
  StixBundleImporter importer(store_.get());
  json good = indicator("2014-05-08T09:00:00.000Z");
  json bad = good;
  bad["id"] = "indicator--0000000a-0201-47cf-85d0-97c02164528d";
  bad.erase("valid_from");
  auto r = importer.import_bundle(bundle({good, bad}), {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("object 1"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("indicator--0000000a-0201-47cf-85d0-97c02164528d"), std::string::npos);
  EXPECT_NE(r.error().message.find("'valid_from'"), std::string::npos);
  EXPECT_EQ(total(), 0);

  json marked = good;
  marked["object_marking_refs"] = {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ec"};
  r = importer.import_bundle(bundle({marked}), {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("unknown marking-definition"), std::string::npos) << r.error().message;
  EXPECT_EQ(total(), 0);

  for (const char* text :
       {"", "[]", "{\"type\":\"bundle\"}",
        "{\"type\":\"bundle\",\"id\":\"bundle--44af6c39-c09b-49c5-9de2-394224b04982\",\"objects\":{}}",
        "{\"type\":\"report\",\"id\":\"bundle--44af6c39-c09b-49c5-9de2-394224b04982\"}"}) {
    EXPECT_FALSE(importer.import_bundle(text, {})) << text;
  }
  std::string deep(100000, '[');
  r = importer.import_bundle(deep, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "bundle is not valid JSON: JSON nested deeper than 128 levels at byte 128");
}

TEST_F(StixBundleTest, SizeLimit) {
  StixBundleImporter importer(store_.get());
  StixImportOptions options;
  options.max_bytes = 100;
  auto r = importer.import_bundle(bundle({indicator("2014-05-08T09:00:00.000Z")}), options);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("larger than the import limit of 100 bytes"), std::string::npos)
      << r.error().message;
}

TEST_F(StixBundleTest, VersionsSourceTlpAndActiveIndicators) {
  StixBundleImporter importer(store_.get());
  StixImportOptions options;
  options.source = "cert-vn";
  options.default_tlp = Tlp::green;
  auto r = importer.import_bundle(bundle({indicator("2014-05-08T09:00:00.000Z")}), options);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->added, 1u);
  r = importer.import_bundle(bundle({indicator("2014-05-08T09:00:00.000Z")}), options);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->added, 0u);
  EXPECT_EQ(r->unchanged, 1u);
  EXPECT_EQ(total(), 1);
  json newer = indicator("2015-01-01T00:00:00.000Z", "10.0.0.2");
  newer["object_marking_refs"] = {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"};
  r = importer.import_bundle(bundle({newer}), options);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->added, 1u);
  EXPECT_EQ(total(), 2);
  auto latest = store_->latest("indicator--33fe3b22-0201-47cf-85d0-97c02164528d");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->tlp, "red");
  EXPECT_EQ(latest->source, "cert-vn");
  EXPECT_NE(latest->json.find("10.0.0.2"), std::string::npos);
  auto now = *parse_stix_timestamp("2020-01-01T00:00:00Z");
  auto active = store_->active_indicators(now);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].modified, "2015-01-01T00:00:00.000Z");

  // An expired indicator stops being active; a revoked one is kept but flagged and inactive.
  json expiring = indicator("2016-01-01T00:00:00.000Z");
  expiring["id"] = "indicator--44fe3b22-0201-47cf-85d0-97c02164528d";
  expiring["valid_until"] = "2019-01-01T00:00:00Z";
  json revoked = indicator("2016-01-01T00:00:00.000Z");
  revoked["revoked"] = true;
  r = importer.import_bundle(bundle({expiring, revoked}), options);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(store_->latest("indicator--33fe3b22-0201-47cf-85d0-97c02164528d")->revoked);
  EXPECT_TRUE(store_->active_indicators(now).empty());
  ASSERT_EQ(store_->active_indicators(*parse_stix_timestamp("2018-01-01T00:00:00Z")).size(), 1u);
  EXPECT_EQ(store_->latest("indicator--44fe3b22-0201-47cf-85d0-97c02164528d")->tlp, "green");
}

TEST_F(StixBundleTest, References) {
  StixBundleImporter importer(store_.get());
  json rel{{"type", "relationship"},
           {"spec_version", "2.1"},
           {"id", "relationship--2f9a9aa9-108a-4333-83e2-4fb25add0463"},
           {"created", "2014-05-08T09:00:00.000Z"},
           {"modified", "2014-05-08T09:00:00.000Z"},
           {"relationship_type", "indicates"},
           {"source_ref", "indicator--33fe3b22-0201-47cf-85d0-97c02164528d"},
           {"target_ref", "malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec"}};
  StixImportOptions strict;
  strict.require_resolved_references = true;
  auto r = importer.import_bundle(bundle({rel}), strict);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("source_ref"), std::string::npos) << r.error().message;
  r = importer.import_bundle(bundle({rel}), {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->unresolved_references.size(), 2u);
  // Once the endpoints are in the store, a later bundle resolves against it.
  json malware{{"type", "malware"},
               {"spec_version", "2.1"},
               {"id", "malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec"},
               {"created", "2017-01-27T13:49:53.997Z"},
               {"modified", "2017-01-27T13:49:53.997Z"},
               {"name", "Poison Ivy"},
               {"is_family", true}};
  ASSERT_TRUE(importer.import_bundle(bundle({indicator("2014-05-08T09:00:00.000Z"), malware}), {}));
  rel["modified"] = "2015-05-08T09:00:00.000Z";
  r = importer.import_bundle(bundle({rel}), strict);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->unresolved_references.empty());
  // A custom TLP marking-definition in the bundle sets the TLP of the objects that use it.
  json marking{{"type", "marking-definition"},
               {"spec_version", "2.1"},
               {"id", "marking-definition--11111111-2222-4333-8444-555555555555"},
               {"created", "2017-01-20T00:00:00.000Z"},
               {"definition_type", "tlp"},
               {"definition", {{"tlp", "amber"}}}};
  malware["modified"] = "2018-01-01T00:00:00.000Z";
  malware["object_marking_refs"] = {marking["id"]};
  r = importer.import_bundle(bundle({marking, malware}), {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(store_->latest("malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec")->tlp, "amber");
}

TEST_F(StixBundleTest, MedallionData) {
  auto st = load_medallion_data(fs::path(KHIEN_CORPUS_DIR) / "taxii" / "default_data.json", *store_);
  ASSERT_TRUE(st) << st.error().message;
  auto roots = store_->api_roots();
  ASSERT_EQ(roots.size(), 3u);
  EXPECT_EQ(roots[2].name, "trustgroup1");
  EXPECT_EQ(roots[2].title, "Malware Research Group");
  EXPECT_EQ(store_->collections("trustgroup1").size(), 5u);
  EXPECT_EQ(store_->count("91a7b528-80eb-42ed-a74d-c6fbd5a26116"), 8);
  EXPECT_TRUE(store_->status("trustgroup1", "2d086da7-4bdc-4f91-900e-d77486753710"));
  EXPECT_TRUE(store_->meta("discovery"));
}

}  // namespace
}  // namespace khien
