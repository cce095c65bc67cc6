// CSV and plain-list indicator import: column mappings, headers, quoting, comments, TLP and
// per-line errors.
#include <gtest/gtest.h>

#include "intel/csv_indicator_reader.h"
#include "intel/intel_import_formats.h"
#include "intel/stix_object.h"
#include "intel/warninglist.h"

namespace khien {
namespace {

using nlohmann::json;

std::vector<std::string> patterns(const ConvertedIntel& c) {
  std::vector<std::string> out;
  for (const auto& o : c.objects)
    if (o["type"] == "indicator") out.push_back(o["pattern"]);
  return out;
}

TEST(IntelCsvMapping, ParsesColumnsConstantsAndRejectsUnknownKeys) {
  auto m = CsvColumnMapping::parse("value=1,type=2,tlp=3");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->value.column, 1u);
  EXPECT_EQ(m->type.column, 2u);
  EXPECT_EQ(m->tlp.column, 3u);
  auto c = CsvColumnMapping::parse("type=domain, tlp=amber+strict");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type.constant, "domain");
  EXPECT_EQ(c->tlp.constant, "amber+strict");
  EXPECT_EQ(c->value.column, 1u);
  EXPECT_EQ(CsvColumnMapping::parse("vlue=1").error().message,
            "csv mapping: key 'vlue' is unknown (value, type, tlp, comment, first_seen, last_seen, header, delimiter)");
  EXPECT_FALSE(CsvColumnMapping::parse("value=0"));
  EXPECT_FALSE(CsvColumnMapping::parse("value=1,value=2"));
  EXPECT_FALSE(CsvColumnMapping::parse("value=ioc"));  // a named column needs header=yes
  EXPECT_TRUE(CsvColumnMapping::parse("value=ioc,header=yes"));
  EXPECT_FALSE(CsvColumnMapping::parse("delimiter=colon"));
}

TEST(IntelCsvMapping, SplitsQuotedFields) {
  EXPECT_EQ(split_csv_record(R"(a,"b,c","say ""hi""", d )", ','),
            (std::vector<std::string>{"a", "b,c", "say \"hi\"", "d"}));
  EXPECT_EQ(split_csv_record("x;y", ';'), (std::vector<std::string>{"x", "y"}));
}

TEST(IntelCsvImport, ColumnsWithTypeAndTlpAndPerLineErrors) {
  IntelImportOptions opts;
  opts.source = "VNCERT blocklist";
  opts.csv_mapping = "value=1,type=2,tlp=3,comment=4";
  const char* text =
      "# national blocklist, 2025-08\n"
      "203.0.113.9,ip-dst,amber,C2 server\n"
      "\n"
      "evil.example,domain,red,\"phishing, wave 3\"\n"
      "https://evil.example/login?x=1,url,,\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,sha256,green\n"
      "not an ip,ip-dst,amber\n"
      "evil2.example,frobnicate,amber\n"
      "evil3.example,domain,purple\n"
      "evil4.example\n";
  auto r = csv_to_stix(text, opts);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(patterns(*r), (std::vector<std::string>{
                              "[network-traffic:dst_ref.value = '203.0.113.9']",
                              "[domain-name:value = 'evil.example']",
                              "[url:value = 'https://evil.example/login?x=1']",
                              "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
                          }));
  ASSERT_EQ(r->errors.size(), 4u);
  EXPECT_EQ(r->errors[0], "line 7: column 'value': 'not an ip' is not an IP address or CIDR");
  EXPECT_EQ(r->errors[1], "line 8: column 'type': 'frobnicate' is not a known indicator type");
  EXPECT_EQ(r->errors[2],
            "line 9: column 'tlp': 'purple' is not a TLP level (clear, green, amber, amber+strict, red)");
  EXPECT_EQ(r->errors[3], "line 10: column 'type': missing (column 2, the line has 1 field)");
  ASSERT_EQ(r->objects.front()["type"], "identity");
  EXPECT_EQ(r->objects.front()["name"], "VNCERT blocklist");
  const auto& domain = r->objects[2];
  EXPECT_EQ(domain["description"], "phishing, wave 3");
  EXPECT_EQ(domain["object_marking_refs"][0], tlp_marking_id(Tlp::red));
  EXPECT_EQ(domain["created_by_ref"], r->objects.front()["id"]);
  EXPECT_FALSE(r->objects[3].contains("object_marking_refs"));  // empty tlp cell, no default
  for (const auto& o : r->objects) EXPECT_TRUE(validate_stix_object(o)) << o.dump();
}

TEST(IntelCsvImport, OneColumnListWithConstantTypeKeepsWholeLines) {
  IntelImportOptions opts;
  opts.csv_mapping = "type=url";
  opts.default_tlp = Tlp::green;
  auto r = csv_to_stix("https://a.example/x,y\nhttps://b.example/\n# comment\nhttps://a.example/x,y\n", opts);
  ASSERT_TRUE(r);
  EXPECT_EQ(patterns(*r),
            (std::vector<std::string>{"[url:value = 'https://a.example/x,y']", "[url:value = 'https://b.example/']"}));
  EXPECT_EQ(r->skipped, 1u);  // the repeated line
  EXPECT_EQ(r->objects[0]["object_marking_refs"][0], tlp_marking_id(Tlp::green));
}

TEST(IntelCsvImport, HeaderNamedColumnsAndGuessedTypes) {
  IntelImportOptions opts;
  opts.csv_mapping = "header=yes,value=indicator,first_seen=seen,delimiter=semicolon";
  auto r = csv_to_stix(
      "\xEF\xBB\xBFseen;indicator\n"
      "2025-08-01T00:00:00Z;10.1.0.0/16\n"
      "2025-08-01T00:00:00Z;d41d8cd98f00b204e9800998ecf8427e\n"
      "2025-08-01T00:00:00Z;phisher@mail.example\n"
      "2025-08-01T00:00:00Z;Bad.Example\n"
      "yesterday;x.example\n"
      "2025-08-01T00:00:00Z;%%%\n",
      opts);
  ASSERT_TRUE(r);
  EXPECT_EQ(patterns(*r), (std::vector<std::string>{"[ipv4-addr:value ISSUBSET '10.1.0.0/16']",
                                                    "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
                                                    "[email-addr:value = 'phisher@mail.example']",
                                                    "[domain-name:value = 'Bad.Example']"}));
  EXPECT_EQ(r->objects[0]["valid_from"], "2025-08-01T00:00:00Z");
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0], "line 6: column 'first_seen': 'yesterday' is not a time (ISO 8601 or epoch seconds)");
  EXPECT_EQ(r->errors[1],
            "line 7: column 'value': '%%%' is not an address, network, digest, URL, e-mail address or domain");
}

TEST(IntelCsvImport, BadMappingFailsTheCallAndWarninglistsSkip) {
  IntelImportOptions bad;
  bad.csv_mapping = "value=1,colour=2";
  EXPECT_FALSE(csv_to_stix("a.example,red\n", bad));

  WarninglistSet lists;
  ASSERT_TRUE(lists.add_list_json(R"({"name": "RFC 1918", "type": "cidr", "matching_attributes": ["ip-src", "ip-dst"],
                                     "list": ["10.0.0.0/8", "192.168.0.0/16"]})",
                                  "test"));
  IntelImportOptions opts;
  opts.warninglists = &lists;
  auto r = csv_to_stix("10.2.3.4\n192.0.2.1\n", opts);
  ASSERT_TRUE(r);
  EXPECT_EQ(patterns(*r), (std::vector<std::string>{"[ipv4-addr:value = '192.0.2.1']"}));
  EXPECT_EQ(r->skipped, 1u);
}

TEST(IntelCsvImport, IdsAreStableAcrossImports) {
  IntelImportOptions opts;
  opts.source = "feed-a";
  auto a = csv_to_stix("evil.example\n", opts);
  auto b = csv_to_stix("evil.example\n", opts);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->objects.back()["id"], b->objects.back()["id"]);
}

}  // namespace
}  // namespace khien
