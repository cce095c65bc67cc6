// STIX 2.1 object validation: common and per-type properties, timestamps, ids, TLP markings.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "intel/stix_object.h"
#include "intel/tlp.h"

namespace khien {
namespace {

using json = nlohmann::json;

json indicator() {
  return json::parse(R"({"type":"indicator","spec_version":"2.1","id":"indicator--33fe3b22-0201-47cf-85d0-97c02164528d",
    "created":"2014-05-08T09:00:00.000Z","modified":"2014-05-08T09:00:00.000Z","pattern_type":"stix",
    "pattern":"[ipv4-addr:value = '10.0.0.0']","valid_from":"2014-05-08T09:00:00.000000Z"})");
}

std::string error_of(const json& o, StixValidationOptions opts = {}) {
  auto r = validate_stix_object(o, opts);
  return r ? std::string() : r.error().message;
}

TEST(StixObject, ValidIndicator) {
  auto r = validate_stix_object(indicator());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->type, "indicator");
  EXPECT_EQ(r->kind, StixKind::domain);
  EXPECT_EQ(r->modified, "2014-05-08T09:00:00.000Z");
  ASSERT_TRUE(r->valid_from);
  EXPECT_FALSE(r->valid_until);
}

TEST(StixObject, UnparsableStixPatternIsRefusedWithThePosition) {
  auto o = indicator();
  o["pattern"] = "[ipv4-addr:value = '10.0.0.0'";
  std::string e = error_of(o);
  EXPECT_NE(e.find("'pattern': is not a valid STIX pattern"), std::string::npos) << e;
  EXPECT_NE(e.find("position"), std::string::npos) << e;
  EXPECT_NE(e.find("indicator--33fe3b22"), std::string::npos) << e;
  // Other pattern languages are kept as they are: khien does not evaluate them.
  o["pattern_type"] = "snort";
  o["pattern"] = "alert tcp any any -> any any (msg:\"x\";)";
  EXPECT_EQ(error_of(o), "");
}

TEST(StixObject, MissingRequiredPropertiesNameObjectAndProperty) {
  for (const char* p : {"pattern", "pattern_type", "valid_from", "created", "modified", "spec_version", "type", "id"}) {
    auto o = indicator();
    o.erase(p);
    std::string e = error_of(o);
    EXPECT_NE(e.find(std::string("'") + p + "'"), std::string::npos) << p << ": " << e;
    if (std::string(p) != "id") {
      EXPECT_NE(e.find("indicator--33fe3b22"), std::string::npos) << e;
    }
  }
  json rel{{"type", "relationship"},
           {"spec_version", "2.1"},
           {"id", "relationship--2f9a9aa9-108a-4333-83e2-4fb25add0463"},
           {"created", "2014-05-08T09:00:00.000Z"},
           {"modified", "2014-05-08T09:00:00.000Z"},
           {"relationship_type", "indicates"},
           {"source_ref", "indicator--cd981c25-8042-4166-8945-51178443bdac"}};
  EXPECT_NE(error_of(rel).find("'target_ref': is required"), std::string::npos);
  json sighting{{"type", "sighting"},
                {"spec_version", "2.1"},
                {"id", "sighting--ee20065d-2555-424f-ad9e-0f8428623c75"},
                {"created", "2016-04-06T20:08:31.000Z"},
                {"modified", "2016-04-06T20:08:31.000Z"}};
  EXPECT_NE(error_of(sighting).find("'sighting_of_ref'"), std::string::npos);
  sighting["sighting_of_ref"] = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f";
  EXPECT_EQ(error_of(sighting), "");
}

TEST(StixObject, BadTimestampsAndIds) {
  auto o = indicator();
  for (const char* t : {"2014-05-08T09:00:00.000+07:00", "2014-05-08 09:00:00Z", "2014-13-08T09:00:00Z",
                        "2015-02-29T09:00:00Z", "2014-05-08T24:00:00Z", "2014-05-08T09:00:00.Z", "yesterday"}) {
    o["created"] = t;
    EXPECT_NE(error_of(o).find("'created'"), std::string::npos) << t;
  }
  o = indicator();
  o["modified"] = "2014-05-07T09:00:00.000Z";
  EXPECT_NE(error_of(o).find("earlier than created"), std::string::npos);
  o = indicator();
  o["valid_until"] = "2014-05-08T09:00:00Z";
  EXPECT_NE(error_of(o).find("valid_until"), std::string::npos);
  o = indicator();
  o["id"] = "malware--33fe3b22-0201-47cf-85d0-97c02164528d";
  EXPECT_NE(error_of(o).find("does not match type"), std::string::npos);
  o["id"] = "indicator--33fe3b22-0201-47cf-85d0";
  EXPECT_NE(error_of(o).find("'id'"), std::string::npos);
  o = indicator();
  o["spec_version"] = "2.0";
  EXPECT_NE(error_of(o).find("spec_version"), std::string::npos);
  o["confidence"] = 101;
  o["spec_version"] = "2.1";
  EXPECT_NE(error_of(o).find("confidence"), std::string::npos);
  o = indicator();
  o["object_marking_refs"] = {"identity--33fe3b22-0201-47cf-85d0-97c02164528d"};
  EXPECT_NE(error_of(o).find("marking-definition"), std::string::npos);
}

TEST(StixObject, TimestampsRoundTrip) {
  auto t = parse_stix_timestamp("2016-11-03T12:30:59.001Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_stix_timestamp(*t), "2016-11-03T12:30:59.001000Z");
  EXPECT_EQ(format_stix_timestamp(*parse_stix_timestamp("0001-01-01T00:00:00Z")), "0001-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_stix_timestamp(*parse_stix_timestamp("9999-12-31T23:59:59.9999999Z")),
            "9999-12-31T23:59:59.999999Z");
  EXPECT_LT(*parse_stix_timestamp("2016-11-03T12:30:59Z"), *t);
}

TEST(StixObject, ObservablesCustomAndStix20) {
  json sco{
      {"type", "artifact"}, {"id", "artifact--6f437177-6e48-5cf8-9d9e-872a2bddd641"}, {"mime_type", "application/zip"}};
  auto r = validate_stix_object(sco);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, StixKind::cyber_observable);
  json ip{{"type", "ipv4-addr"}, {"spec_version", "2.1"}, {"id", "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"}};
  EXPECT_NE(error_of(ip).find("'value'"), std::string::npos);
  json custom{{"type", "x-mitre-tactic"},
              {"spec_version", "2.1"},
              {"id", "x-mitre-tactic--ff26c055-6336-5bc5-b98d-13d6226742dd"},
              {"created", "2020-01-01T00:00:00.000Z"},
              {"modified", "2020-01-01T00:00:00.000Z"},
              {"x_mitre_data_source_ref", ""}};
  EXPECT_EQ(error_of(custom), "");
  custom.erase("modified");
  EXPECT_NE(error_of(custom).find("'modified'"), std::string::npos);
  json malware20{{"type", "malware"},
                 {"id", "malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec"},
                 {"created", "2017-01-27T13:49:53.997Z"},
                 {"modified", "2018-02-23T18:30:00.000Z"},
                 {"name", "Poison Ivy"}};
  EXPECT_NE(error_of(malware20).find("spec_version"), std::string::npos);
  r = validate_stix_object(malware20, StixValidationOptions{true});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->spec_version, "2.0");
}

TEST(StixObject, References) {
  auto o = indicator();
  o["created_by_ref"] = "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff";
  o["object_marking_refs"] = {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"};
  o["granular_markings"] = {
      {{"marking_ref", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"}, {"selectors", {"description"}}}};
  auto r = validate_stix_object(o);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->references.size(), 3u);
  EXPECT_EQ(r->references[1].property, "object_marking_refs[0]");
  EXPECT_TRUE(r->references[1].marking);
  EXPECT_EQ(r->references[2].property, "granular_markings[0].marking_ref");
  o["created_by_ref"] = "indicator--f431f809-377b-45e0-aa1c-6a4751cae5ff";
  EXPECT_NE(error_of(o).find("created_by_ref"), std::string::npos);
}

TEST(Tlp, MarkingIdsAndDefinitions) {
  EXPECT_EQ(tlp_from_marking_id("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"), Tlp::clear);
  EXPECT_EQ(tlp_from_marking_id("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"), Tlp::green);
  EXPECT_EQ(tlp_from_marking_id("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"), Tlp::amber);
  EXPECT_EQ(tlp_from_marking_id("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"), Tlp::amber_strict);
  EXPECT_EQ(tlp_from_marking_id("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"), Tlp::red);
  EXPECT_EQ(tlp_from_marking_id("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"), Tlp::clear);
  EXPECT_EQ(tlp_from_marking_id("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"), Tlp::green);
  EXPECT_EQ(tlp_from_marking_id("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"), Tlp::amber);
  EXPECT_EQ(tlp_from_marking_id("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"), Tlp::red);
  EXPECT_FALSE(tlp_from_marking_id("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ec"));
  EXPECT_EQ(tlp_marking_id(Tlp::amber_strict), "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003");
  EXPECT_EQ(parse_tlp("TLP:AMBER+STRICT"), Tlp::amber_strict);
  EXPECT_EQ(parse_tlp("white"), Tlp::clear);
  EXPECT_FALSE(parse_tlp("purple"));
  json custom{{"type", "marking-definition"},
              {"id", "marking-definition--11111111-2222-4333-8444-555555555555"},
              {"definition_type", "tlp"},
              {"definition", {{"tlp", "amber"}}}};
  EXPECT_EQ(tlp_from_marking_definition(custom), Tlp::amber);
  json v2{{"type", "marking-definition"},
          {"id", "marking-definition--11111111-2222-4333-8444-555555555555"},
          {"extensions",
           {{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d",
             {{"extension_type", "property-extension"}, {"tlp_2_0", "red"}}}}}};
  EXPECT_EQ(tlp_from_marking_definition(v2), Tlp::red);
}

}  // namespace
}  // namespace khien
