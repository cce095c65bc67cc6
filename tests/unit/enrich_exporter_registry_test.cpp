// Tests of the flow exporters registry (data/registry/exporters.yaml): the shipped file against the shipped
// registry, lookups by packet source address, and every problem reported with its place.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "store/exporter_registry.h"
#include "store/registry_data.h"

namespace khien {
namespace {

ExporterReferences shipped_refs() {
  auto registry = load_registry_yaml(std::string(KHIEN_SOURCE_DIR) + "/data/registry");
  EXPECT_TRUE(registry) << registry.error().message;
  ExporterReferences refs;
  for (const auto& o : registry->organisations) refs.organisations.push_back(o.id);
  for (const auto& s : registry->socs) refs.soc_orgs.emplace(s.id, s.org);
  return refs;
}

TEST(ExporterRegistry, ShippedFileIsValidAndInsideEachOrganisation) {
  std::ifstream in(std::string(KHIEN_SOURCE_DIR) + "/data/registry/exporters.yaml");
  std::stringstream text;
  text << in.rdbuf();
  auto exporters = ExporterRegistry::parse(text.str(), shipped_refs());
  ASSERT_TRUE(exporters) << exporters.error().message;
  ASSERT_GE(exporters->exporters().size(), 5u);
  auto registry = load_registry_yaml(std::string(KHIEN_SOURCE_DIR) + "/data/registry");
  ASSERT_TRUE(registry);
  for (const auto& e : exporters->exporters()) {
    EXPECT_FALSE(e.soc.empty()) << e.id;
    const SocConnector* soc = registry->find_soc(e.soc);
    ASSERT_NE(soc, nullptr) << e.id;
    EXPECT_EQ(soc->org, e.org) << e.id;
    // Management addresses come from the organisation's own address plan.
    for (const auto& p : e.addresses) EXPECT_EQ(registry->org_for_address(p.address).value_or(""), e.org) << e.id;
  }
  const FlowExporter* e = exporters->find(*IpAddress::parse("14.177.4.1"));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->id, "exp-bo-cong-an-core");
  EXPECT_EQ(e->soc, "soc-bo-cong-an");
  e = exporters->find(*IpAddress::parse("14.160.0.37"));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->org, "vnpt");
  EXPECT_EQ(exporters->find(*IpAddress::parse("14.177.4.2")), nullptr);
  EXPECT_EQ(exporters->find(*IpAddress::parse("127.0.0.1")), nullptr);
  EXPECT_NE(exporters->find(*IpAddress::parse("2001:ee0:4001::1")), nullptr);
}

TEST(ExporterRegistry, LongestPrefixAndExplicitSoc) {
  ExporterReferences refs{{"org-a", "org-b"}, {{"soc-a", "org-a"}, {"soc-b", "org-b"}}};
  auto r = ExporterRegistry::parse(R"(exporters:
  - {id: exp-wide, org: org-a, addresses: [10.0.0.0/8]}
  - {id: exp-narrow, name: Narrow, org: org-b, soc: soc-a, addresses: [10.1.2.3]}
)", refs);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->find(*IpAddress::parse("10.1.2.3"))->id, "exp-narrow");
  EXPECT_EQ(r->find(*IpAddress::parse("10.1.2.4"))->id, "exp-wide");
  EXPECT_EQ(r->find_id("exp-narrow")->soc, "soc-a");
  EXPECT_EQ(r->find_id("exp-wide")->soc, "soc-a");
  EXPECT_EQ(r->find_id("exp-wide")->name, "exp-wide");
  auto empty = ExporterRegistry::parse("", refs);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->exporters().empty());
}

TEST(ExporterRegistry, EveryProblemWithItsPlace) {
  ExporterReferences refs{{"org-a", "org-nosoc"}, {{"soc-a", "org-a"}}};
  auto r = ExporterRegistry::parse(R"(exporters:
  - {id: exp-1, org: org-a, addresses: [10.0.0.0/8]}
  - {id: exp-1, org: org-a, addresses: [10.0.0.0/8]}
  - {id: Bad_Id, org: nobody, addresses: []}
  - {id: exp-3, org: org-nosoc, addresses: [10.1.0.5/24, not-an-ip], colour: red}
  - {id: exp-4, org: org-a, soc: soc-missing, addresses: [192.0.2.1]}
)", refs, "ex.yaml");
  ASSERT_FALSE(r);
  const std::string& m = r.error().message;
  EXPECT_NE(m.find("ex.yaml:3:"), std::string::npos) << m;
  EXPECT_NE(m.find("exporters[1].id: duplicate id 'exp-1'"), std::string::npos) << m;
  EXPECT_NE(m.find("exporters[1].addresses[0]: 10.0.0.0/8 is already registered to exporter 'exp-1'"), std::string::npos) << m;
  EXPECT_NE(m.find("exporters[2].id: 'Bad_Id' is not a registry id"), std::string::npos) << m;
  EXPECT_NE(m.find("exporters[2].org: unknown organisation 'nobody'"), std::string::npos) << m;
  EXPECT_NE(m.find("exporters[2].addresses: expected a non-empty list"), std::string::npos) << m;
  EXPECT_NE(m.find("exporters[3].soc: organisation 'org-nosoc' has no SOC"), std::string::npos) << m;
  EXPECT_NE(m.find("exporters[3].addresses[0]: '10.1.0.5/24' has host bits set"), std::string::npos) << m;
  EXPECT_NE(m.find("exporters[3].addresses[1]: 'not-an-ip' is not an address or CIDR"), std::string::npos) << m;
  EXPECT_NE(m.find("exporters[3].colour: unknown field"), std::string::npos) << m;
  EXPECT_NE(m.find("exporters[4].soc: unknown SOC 'soc-missing'"), std::string::npos) << m;
  EXPECT_FALSE(ExporterRegistry::parse("exporters: [", refs));
  EXPECT_FALSE(ExporterRegistry::parse("routers: []", refs));
  EXPECT_FALSE(ExporterRegistry::parse("exporters: {a: 1}", refs));
}

}  // namespace
}  // namespace khien
