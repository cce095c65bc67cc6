// Plain blocklists (IP numeric order, domain validation, URLs, header) and the STIX bundle export
// with the identities and markings its indicators reference, under the same selection filters.
#include <gtest/gtest.h>

#include <sstream>

#include "intel/blocklist_writer.h"
#include "intel/stix_bundle_exporter.h"
#include "intel_export_fixture.h"

namespace khien {
namespace {

std::vector<std::string> entries(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') out.push_back(line);
  return out;
}

class BlocklistTest : public test::ExportStoreTest {
 protected:
  void add_lists() {
    add({.n = 1, .pattern = "[ipv4-addr:value = '198.51.100.7'] OR [ipv6-addr:value = '2001:db8::/48']"});
    add({.n = 2, .pattern = "[ipv4-addr:value = '10.0.0.0/8'] OR [ipv4-addr:value = '9.9.9.9']"});
    add({.n = 3, .pattern = "[network-traffic:dst_ref.value = '198.51.100.7']"});  // duplicate address
    add({.n = 4, .pattern = "[domain-name:value = 'Zeta.example.vn'] OR [domain-name:value = 'alpha.vn']"});
    add({.n = 5, .pattern = "[url:value = 'HTTP://Phish.vn:80/a b'] OR [url:value = 'https://x.vn/login']"});
    add({.n = 6, .pattern = "[domain-name:value = 'secret.vn']", .tlp = Tlp::amber, .confidence = 90});
    add({.n = 7, .pattern = "[file:hashes.'SHA-256' = '" + std::string(64, 'a') + "']"});
    add({.n = 8, .pattern = "[domain-name:value = 'weak.vn']", .tlp = Tlp::green, .confidence = 10});
  }
};

TEST_F(BlocklistTest, IpListInNumericOrder) {
  add_lists();
  auto list = write_blocklist(select(), BlocklistType::ip, filter());
  EXPECT_EQ(entries(list.text), (std::vector<std::string>{"9.9.9.9", "10.0.0.0/8", "198.51.100.7", "2001:db8::/48"}));
  EXPECT_EQ(list.count, 4u);
  EXPECT_EQ(list.text.rfind("# khien blocklist: ip\n# generated: 2026-03-01T00:00:00.000000Z\n# count: 4\n"
                            "# filters: max_tlp=green min_confidence=0 max_age_days=180\n",
                            0),
            0u);
}

TEST_F(BlocklistTest, DomainsAndUrls) {
  add_lists();
  auto domains = write_blocklist(select(), BlocklistType::domain, filter());
  EXPECT_EQ(entries(domains.text), (std::vector<std::string>{"alpha.vn", "weak.vn", "zeta.example.vn"}));
  auto urls = write_blocklist(select(), BlocklistType::url, filter());
  EXPECT_EQ(entries(urls.text), (std::vector<std::string>{"http://phish.vn/a%20b", "https://x.vn/login"}));
}

TEST_F(BlocklistTest, FiltersApply) {
  add_lists();
  auto f = filter();
  f.max_tlp = Tlp::amber;
  f.min_confidence = 50;
  auto domains = write_blocklist(select(f), BlocklistType::domain, f);
  EXPECT_EQ(entries(domains.text), (std::vector<std::string>{"secret.vn"}));
  EXPECT_NE(domains.text.find("# filters: max_tlp=amber min_confidence=50"), std::string::npos);
  EXPECT_EQ(parse_blocklist_type("url"), BlocklistType::url);
  EXPECT_FALSE(parse_blocklist_type("hash"));
}

TEST_F(BlocklistTest, StixBundleCarriesReferencedObjects) {
  nlohmann::json identity{{"type", "identity"},          {"spec_version", "2.1"},
                          {"id", "identity--00000000-0000-4000-8000-000000000001"},
                          {"created", "2026-01-01T00:00:00.000Z"}, {"modified", "2026-01-01T00:00:00.000Z"},
                          {"name", "VNCERT"},             {"identity_class", "organization"},
                          {"object_marking_refs", {std::string(tlp_marking_id(Tlp::clear))}}};
  nlohmann::json secret_identity = identity;
  secret_identity["id"] = "identity--00000000-0000-4000-8000-000000000002";
  secret_identity["name"] = "Source kept amber";
  secret_identity["object_marking_refs"] = {std::string(tlp_marking_id(Tlp::amber))};
  import(nlohmann::json::array({identity, secret_identity}));
  add({.n = 1, .pattern = "[domain-name:value = 'evil.vn']", .created_by = "identity--00000000-0000-4000-8000-000000000001"});
  add({.n = 2, .pattern = "[domain-name:value = 'x.vn'] AND [ipv4-addr:value = '1.2.3.4']",  // not matchable: exported anyway
       .created_by = "identity--00000000-0000-4000-8000-000000000002"});
  add({.n = 3, .pattern = "[domain-name:value = 'red.vn']", .tlp = Tlp::red});
  auto sel = select();
  EXPECT_EQ(sel.not_matchable, 1u);
  auto out = export_stix_bundle(*store_, sel, filter());
  EXPECT_EQ(out.bundle["type"], "bundle");
  EXPECT_TRUE(is_stix_identifier(out.bundle["id"].get<std::string>()));
  std::vector<std::string> ids;
  for (const auto& o : out.bundle["objects"]) ids.push_back(o["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{test::indicator_id(1), test::indicator_id(2),
                                           "identity--00000000-0000-4000-8000-000000000001"}));
  EXPECT_EQ(out.indicators, 2u);
  EXPECT_EQ(out.referenced, 1u);
  ASSERT_EQ(out.omitted.size(), 1u);
  EXPECT_NE(out.omitted[0].find("identity--00000000-0000-4000-8000-000000000002"), std::string::npos);
  // The bundle imports back as it is.
  StixBundleImporter checker(nullptr);
  auto back = checker.check_bundle(out.bundle.dump(), StixImportOptions{});
  EXPECT_TRUE(back) << back.error().message;
}

}  // namespace
}  // namespace khien
