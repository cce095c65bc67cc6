// MISP → STIX 2.1 conversion: the misp-stix fixtures of the corpus (expected bundles), TLP tags,
// to_ids, first/last seen, deleted attributes, unknown types, feeds and warninglists.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "intel/intel_import_formats.h"
#include "intel/stix_bundle_importer.h"
#include "intel/stix_object.h"
#include "intel/tlp.h"
#include "intel/warninglist.h"
#include "test_files.h"

namespace khien {
namespace {

using nlohmann::json;

const std::filesystem::path kFixtures = std::filesystem::path(KHIEN_CORPUS_DIR) / "misp" / "misp-stix-tests";

/// Converts collection _1 then _2 with one converter each and merges by id, as misp-stix's
/// tests build the expected bundle from both inputs.
std::vector<json> convert_pair(const std::string& kind, ConvertedIntel* errors_out = nullptr) {
  std::vector<json> all;
  std::set<std::string> ids;
  for (auto part : {"1", "2"}) {
    auto r = misp_event_to_stix(test::read_text_file(kFixtures / ("test_" + kind + "_collection_" + part + ".json")), {});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    if (!r) continue;
    EXPECT_TRUE(r->errors.empty()) << kind << " " << part << ": " << (r->errors.empty() ? "" : r->errors.front());
    for (auto& o : r->objects)
      if (ids.insert(o["id"].get<std::string>()).second) all.push_back(o);
    if (errors_out) errors_out->errors.insert(errors_out->errors.end(), r->errors.begin(), r->errors.end());
  }
  return all;
}

/// What is compared: every object property, after (1) relationship ids, random in misp-stix,
/// are replaced by "relationship--<source>/<target>" everywhere, (2) object_refs are sorted,
/// (3) the labels of the report/grouping (misp-stix's tool labels) are dropped on both sides.
std::map<std::string, json> normalize(std::vector<json> objects) {
  std::map<std::string, std::string> rel_ids;
  for (const auto& o : objects)
    if (o["type"] == "relationship")
      rel_ids[o["id"]] = "relationship--" + o["source_ref"].get<std::string>() + "/" + o["target_ref"].get<std::string>();
  std::map<std::string, json> out;
  for (auto o : objects) {
    if (o["type"] == "relationship") o["id"] = rel_ids[o["id"]];
    if (o.contains("object_refs")) {
      std::vector<std::string> refs;
      for (const auto& r : o["object_refs"]) refs.push_back(rel_ids.count(r) ? rel_ids[r] : r.get<std::string>());
      std::sort(refs.begin(), refs.end());
      o["object_refs"] = refs;
    }
    if (o["type"] == "grouping" || o["type"] == "report") o.erase("labels");
    out[o["id"]] = o;
  }
  return out;
}

void expect_matches_fixture(const std::string& kind) {
  auto mine = normalize(convert_pair(kind));
  auto expected_doc = json::parse(test::read_text_file(kFixtures / ("test_" + kind + "_collection_stix21.json")));
  auto expected = normalize(expected_doc["objects"].get<std::vector<json>>());
  EXPECT_EQ(mine.size(), expected.size()) << kind;
  for (const auto& [id, want] : expected) {
    auto it = mine.find(id);
    ASSERT_NE(it, mine.end()) << kind << ": missing " << id;
    EXPECT_EQ(it->second, want) << kind << ": " << id << "\nmine:     " << it->second.dump() << "\nexpected: " << want.dump();
  }
  for (const auto& [id, o] : mine) EXPECT_TRUE(expected.count(id)) << kind << ": extra " << id;
}

TEST(IntelMispFixtures, AttributesCollectionMatchesExpectedStix21) { expect_matches_fixture("attributes"); }
TEST(IntelMispFixtures, EventsCollectionMatchesExpectedStix21) { expect_matches_fixture("events"); }
TEST(IntelMispFixtures, ObjectsCollectionMatchesExpectedStix21) { expect_matches_fixture("objects"); }

TEST(IntelMispFixtures, EveryCorpusInputConvertsAndImportsAsOneBundle) {
  std::size_t inputs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures)) {
    auto name = entry.path().filename().string();
    if (name.find("_collection_1.json") == std::string::npos && name.find("_collection_2.json") == std::string::npos)
      continue;
    ++inputs;
    auto r = misp_event_to_stix(test::read_text_file(entry.path()), {});
    ASSERT_TRUE(r) << name << ": " << r.error().message;
    EXPECT_TRUE(r->errors.empty()) << name;
    ASSERT_FALSE(r->objects.empty()) << name;
    for (const auto& o : r->objects) EXPECT_TRUE(validate_stix_object(o)) << name << ": " << o.dump();
    json bundle{{"type", "bundle"}, {"id", "bundle--6f0f3a57-55c4-4c58-9a6c-1b1b6d1b0c11"}, {"objects", r->objects}};
    StixBundleImporter importer(nullptr);
    StixImportOptions opts;
    opts.require_resolved_references = true;
    auto checked = importer.check_bundle(bundle.dump(), opts);
    ASSERT_TRUE(checked) << name << ": " << checked.error().message;
    EXPECT_TRUE(checked->unresolved_references.empty()) << name;
  }
  EXPECT_EQ(inputs, 6u);
}

json find(const std::vector<json>& objects, const std::string& id) {
  for (const auto& o : objects)
    if (o["id"] == id) return o;
  return {};
}

const char* kTaggedEvent = R"({"Event": {
  "uuid": "5f1b4f6e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "info": "Phishing wave against ministries", "published": true,
  "timestamp": "1700000000", "publish_timestamp": "1700000100", "date": "2023-11-14",
  "Orgc": {"name": "VNCERT", "uuid": "0c9f5a1e-2b3c-4d5e-8f70-1a2b3c4d5e6f"},
  "Tag": [{"name": "tlp:amber"}, {"name": "misp-galaxy:threat-actor=\"APT32\""}],
  "Attribute": [
    {"uuid": "11111111-1111-4111-8111-111111111111", "type": "ip-dst", "category": "Network activity",
     "value": "203.0.113.0/24", "to_ids": true, "timestamp": "1700000000"},
    {"uuid": "22222222-2222-4222-8222-222222222222", "type": "ip-dst|port", "value": "198.51.100.7|8443",
     "to_ids": "1", "Tag": [{"name": "tlp:red"}]},
    {"uuid": "33333333-3333-4333-8333-333333333333", "type": "hostname", "value": "login.gov-vn.example",
     "to_ids": true, "first_seen": "2023-11-01T00:00:00.000000+07:00", "last_seen": "2023-11-10T12:00:00+00:00"},
    {"uuid": "44444444-4444-4444-8444-444444444444", "type": "filename|sha256",
     "value": "invoice.exe|E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "to_ids": true},
    {"uuid": "55555555-5555-4555-8555-555555555555", "type": "email-src", "value": "it-support@mail.example",
     "to_ids": true, "Tag": [{"name": "tlp:clear"}]},
    {"uuid": "66666666-6666-4666-8666-666666666666", "type": "url", "value": "https://evil.example/a?b='c'",
     "to_ids": false},
    {"uuid": "77777777-7777-4777-8777-777777777777", "type": "domain", "value": "deleted.example", "to_ids": true,
     "deleted": true},
    {"uuid": "88888888-8888-4888-8888-888888888888", "type": "vulnerability", "value": "CVE-2023-1234"},
    {"uuid": "99999999-9999-4999-8999-999999999999", "type": "md5", "value": "not-a-digest", "to_ids": true},
    {"uuid": "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "type": "domain", "value": "dns.google", "to_ids": true}
  ],
  "Object": []}})";

TEST(IntelMispEvent, MapsTypesPatternsMarkingsAndReportsProblemsPerAttribute) {
  auto r = misp_event_to_stix(kTaggedEvent, {});
  ASSERT_TRUE(r) << r.error().message;
  const auto& objs = r->objects;

  auto report = find(objs, "report--5f1b4f6e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
  ASSERT_FALSE(report.is_null());
  EXPECT_EQ(report["name"], "Phishing wave against ministries");
  EXPECT_EQ(report["published"], "2023-11-14T22:15:00Z");
  EXPECT_EQ(report["created_by_ref"], "identity--0c9f5a1e-2b3c-4d5e-8f70-1a2b3c4d5e6f");
  EXPECT_EQ(report["object_marking_refs"], json::array({std::string(tlp_marking_id(Tlp::amber))}));
  EXPECT_EQ(report["labels"], json::array({"misp-galaxy:threat-actor=\"APT32\""}));
  std::set<std::string> ids;
  for (const auto& o : objs) ids.insert(o["id"]);
  for (const auto& ref : report["object_refs"]) EXPECT_TRUE(ids.count(ref)) << ref;
  EXPECT_EQ(find(objs, "identity--0c9f5a1e-2b3c-4d5e-8f70-1a2b3c4d5e6f")["name"], "VNCERT");

  auto cidr = find(objs, "indicator--11111111-1111-4111-8111-111111111111");
  EXPECT_EQ(cidr["pattern"], "[network-traffic:dst_ref.value ISSUBSET '203.0.113.0/24']");
  EXPECT_EQ(cidr["object_marking_refs"][0], tlp_marking_id(Tlp::amber));
  EXPECT_EQ(find(objs, "ipv4-addr--11111111-1111-4111-8111-111111111111")["value"], "203.0.113.0/24");

  auto port = find(objs, "indicator--22222222-2222-4222-8222-222222222222");
  EXPECT_EQ(port["pattern"], "[network-traffic:dst_ref.value = '198.51.100.7' AND network-traffic:dst_port = 8443]");
  EXPECT_EQ(port["object_marking_refs"][0], tlp_marking_id(Tlp::red));  // attribute tag wins over the event's

  auto host = find(objs, "indicator--33333333-3333-4333-8333-333333333333");
  EXPECT_EQ(host["pattern"], "[domain-name:value = 'login.gov-vn.example']");
  EXPECT_EQ(host["valid_from"], "2023-10-31T17:00:00Z");
  EXPECT_EQ(host["valid_until"], "2023-11-10T12:00:00Z");
  auto host_od = find(objs, "observed-data--33333333-3333-4333-8333-333333333333");
  EXPECT_EQ(host_od["first_observed"], "2023-10-31T17:00:00Z");
  EXPECT_EQ(host_od["last_observed"], "2023-11-10T12:00:00Z");

  auto file = find(objs, "indicator--44444444-4444-4444-8444-444444444444");
  EXPECT_EQ(file["pattern"],
            "[file:name = 'invoice.exe' AND file:hashes.'SHA-256' = "
            "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']");
  auto email = find(objs, "indicator--55555555-5555-4555-8555-555555555555");
  EXPECT_EQ(email["pattern"], "[email-message:from_ref.value = 'it-support@mail.example']");
  EXPECT_EQ(email["object_marking_refs"][0], tlp_marking_id(Tlp::clear));

  // Not to_ids: observed-data and its URL only, quote kept as written in the SCO.
  EXPECT_TRUE(find(objs, "indicator--66666666-6666-4666-8666-666666666666").is_null());
  EXPECT_EQ(find(objs, "url--66666666-6666-4666-8666-666666666666")["value"], "https://evil.example/a?b='c'");
  EXPECT_FALSE(find(objs, "observed-data--66666666-6666-4666-8666-666666666666").is_null());

  EXPECT_TRUE(find(objs, "indicator--77777777-7777-4777-8777-777777777777").is_null());
  EXPECT_EQ(r->skipped, 1u);
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0], "attribute 88888888-8888-4888-8888-888888888888 type 'vulnerability': no STIX mapping for this type");
  EXPECT_EQ(r->errors[1],
            "attribute 99999999-9999-4999-8999-999999999999 type 'md5': 'not-a-digest' is not a 32-digit hex MD5 digest");
  for (const auto& o : objs) EXPECT_TRUE(validate_stix_object(o)) << o.dump();
}

TEST(IntelMispEvent, DefaultTlpAppliesOnlyWithoutTags) {
  IntelImportOptions opts;
  opts.default_tlp = Tlp::green;
  auto r = misp_event_to_stix(test::read_text_file(kFixtures / "test_events_collection_1.json"), opts);
  ASSERT_TRUE(r);
  for (const auto& o : r->objects) {
    if (o["type"] == "identity") continue;
    EXPECT_EQ(o["object_marking_refs"], json::array({std::string(tlp_marking_id(Tlp::green))})) << o.dump();
  }
  auto tagged = misp_event_to_stix(kTaggedEvent, opts);
  ASSERT_TRUE(tagged);
  EXPECT_EQ(find(tagged->objects, "report--5f1b4f6e-1c2d-4e5f-8a9b-0c1d2e3f4a5b")["object_marking_refs"][0],
            tlp_marking_id(Tlp::amber));
}

TEST(IntelMispEvent, WarninglistedValuesAreSkipped) {
  WarninglistSet lists;
  ASSERT_TRUE(lists.add_list_json(
      R"({"name": "Public DNS resolver names", "type": "hostname", "matching_attributes": ["domain", "hostname"],
          "list": ["dns.google"]})",
      "test"));
  IntelImportOptions opts;
  opts.warninglists = &lists;
  auto r = misp_event_to_stix(kTaggedEvent, opts);
  ASSERT_TRUE(r);
  EXPECT_TRUE(find(r->objects, "indicator--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa").is_null());
  EXPECT_EQ(r->skipped, 2u);  // the deleted attribute and dns.google
}

TEST(IntelMispEvent, RejectsDocumentsThatAreNotEvents) {
  EXPECT_FALSE(misp_event_to_stix("not json", {}));
  EXPECT_FALSE(misp_event_to_stix("{\"foo\": 1}", {}));
  EXPECT_FALSE(misp_event_to_stix("42", {}));
  auto deep = misp_event_to_stix(std::string(100000, '['), {});
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().message, "not valid JSON: JSON nested deeper than 64 levels at byte 64");
  auto empty = misp_event_to_stix(R"({"Event": {"uuid": "5f1b4f6e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "info": "x"}})", {});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->objects.empty());
  ASSERT_EQ(empty->errors.size(), 1u);
  EXPECT_NE(empty->errors[0].find("no attribute or object could be converted"), std::string::npos);
}

TEST(IntelMispEvent, DuplicateAttributeUuidIsReportedOnce) {
  auto r = misp_event_to_stix(R"({"Event": {"uuid": "5f1b4f6e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "info": "dup",
    "Attribute": [
      {"uuid": "11111111-1111-4111-8111-111111111111", "type": "domain", "value": "a.example", "to_ids": true},
      {"uuid": "11111111-1111-4111-8111-111111111111", "type": "domain", "value": "b.example", "to_ids": true}]}})",
                              {});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_NE(r->errors[0].find("duplicate uuid"), std::string::npos);
  EXPECT_EQ(find(r->objects, "domain-name--11111111-1111-4111-8111-111111111111")["value"], "a.example");
}

class IntelMispFeed : public ::testing::Test {
 protected:
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  test::ScratchDir scratch_{"misp-feed"};
  std::filesystem::path dir_ = scratch_.path();
};

TEST_F(IntelMispFeed, ReadsEveryListedEventAndReportsMissingOrBrokenOnes) {
  auto events = json::parse(test::read_text_file(kFixtures / "test_events_collection_1.json"))["response"];
  json manifest = json::object();
  for (const auto& e : events) {
    std::string uuid = e["Event"]["uuid"];
    write(uuid + ".json", e.dump());
    manifest[uuid] = {{"info", e["Event"]["info"]}, {"timestamp", e["Event"]["timestamp"]}};
  }
  manifest["0b5a6c1d-aaaa-4bbb-8ccc-123456789abc"] = {{"info", "missing"}};
  manifest["1b5a6c1d-aaaa-4bbb-8ccc-123456789abc"] = {{"info", "broken"}};
  manifest["../../etc/passwd"] = {{"info", "escape"}};
  write("1b5a6c1d-aaaa-4bbb-8ccc-123456789abc.json", "{\"Event\": ");
  write("manifest.json", manifest.dump());
  write("hashes.csv", "");

  auto r = misp_feed_to_stix(dir_, {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(find(r->objects, "grouping--e2e6a6ea-f69b-4d93-8564-f51d67cafe51").is_null());
  EXPECT_FALSE(find(r->objects, "grouping--d402185f-c129-4f65-8678-43edb2cee1cf").is_null());
  std::size_t identities = 0;
  for (const auto& o : r->objects) identities += o["type"] == "identity";
  EXPECT_EQ(identities, 1u);  // one organisation across the feed
  ASSERT_EQ(r->errors.size(), 3u);
  std::string all;
  for (const auto& e : r->errors) all += e + "\n";
  EXPECT_NE(all.find("event 0b5a6c1d-aaaa-4bbb-8ccc-123456789abc: "), std::string::npos) << all;
  EXPECT_NE(all.find("event 1b5a6c1d-aaaa-4bbb-8ccc-123456789abc: "), std::string::npos) << all;
  EXPECT_NE(all.find("manifest key is not a UUID"), std::string::npos) << all;
}

TEST_F(IntelMispFeed, MissingManifestFailsTheImport) {
  auto r = misp_feed_to_stix(dir_, {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("manifest.json"), std::string::npos);
}

}  // namespace
}  // namespace khien
