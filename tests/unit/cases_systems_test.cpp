// Information systems: the shipped systems.yaml against the registry, YAML and CSV errors with lines, CRUD with audit.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "cases/audit_log.h"
#include "cases/case_db.h"
#include "cases/system_import.h"
#include "cases/system_registry.h"
#include "store/registry_data.h"
#include "case_db_fixture.h"
#include "test_files.h"

namespace khien {
namespace {

const RegistryData& registry() { return shipped_registry(); }

TEST(Systems, ShippedFileLoadsAgainstTheRegistry) {
  auto text = test::read_text_file(std::filesystem::path(KHIEN_SOURCE_DIR) / "data/registry/systems.yaml");
  auto systems = parse_systems_yaml(text, "systems.yaml", &registry());
  ASSERT_TRUE(systems) << systems.error().message;
  EXPECT_GE(systems->size(), 25u);
  bool log4j = false;
  for (const auto& s : *systems) {
    for (const auto& cpe : s.software) log4j |= cpe.find(":apache:log4j:") != std::string::npos;
  }
  EXPECT_TRUE(log4j);
}

TEST(Systems, YamlErrorsNameFileLineAndField) {
  const char* text =
      "systems:\n"
      "  - id: evn-x\n"
      "    name: X\n"
      "    owner: evn\n"
      "    security_level: 7\n"
      "  - id: evn-y\n"
      "    name: Y\n"
      "    owner: evn\n"
      "    security_level: 3\n"
      "    addresses: [10.0.0.1]\n"
      "    software: [cpe:2.3:a:apache:log4j]\n"
      "    colour: blue\n"
      "  - id: nobody-z\n"
      "    name: Z\n"
      "    owner: nobody\n"
      "    security_level: 2\n"
      "  - id: evn-x\n"
      "    name: dup\n"
      "    owner: evn\n"
      "    security_level: 2\n";
  auto r = parse_systems_yaml(text, "s.yaml", &registry());
  ASSERT_FALSE(r);
  const auto& m = r.error().message;
  EXPECT_NE(m.find("s.yaml:5:21: systems[0].security_level: '7' is not a level from 1 to 5"), std::string::npos) << m;
  EXPECT_NE(m.find("s.yaml:10:17: systems[1].addresses[0]: '10.0.0.1' is outside the address ranges of 'evn'"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("s.yaml:11:16: systems[1].software[0]"), std::string::npos) << m;
  EXPECT_NE(m.find("s.yaml:12:5: systems[1].colour: unknown field"), std::string::npos) << m;
  EXPECT_NE(m.find("systems[2].owner: unknown organisation 'nobody'"), std::string::npos) << m;
  EXPECT_NE(m.find("s.yaml:17:9: systems[3].id: duplicate id 'evn-x'"), std::string::npos) << m;
}

TEST(Systems, MalformedYamlIsReportedWithItsLine) {
  auto r = parse_systems_yaml("systems:\n  - id: [unclosed\n", "bad.yaml", nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("bad.yaml:", 0), 0u) << r.error().message;
}

TEST(Systems, CsvImportWithQuotingAndErrors) {
  const char* good =
      "id,name,owner,security_level,level_approved,on_site,monitoring,last_drill,addresses,domains,software\n"
      "evn-web,\"Cổng thông tin, EVN\",evn,3,true,full,partial,2025-05-01,171.244.6.1;171.244.6.2,www.evn.com.vn,"
      "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*\n";
  auto r = parse_systems_csv(good, "s.csv", &registry());
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].name, "Cổng thông tin, EVN");
  EXPECT_EQ((*r)[0].addresses.size(), 2u);
  EXPECT_EQ((*r)[0].protection.monitoring, LayerStatus::partial);
  EXPECT_EQ(format_civil_date(*(*r)[0].last_drill), "2025-05-01");

  const char* bad =
      "id,name,owner,security_level,last_drill\n"
      "a-1,A,evn,3,2025-02-30\n"
      "a-2,B,evn,9,\n"
      "a-3,C,evn\n";
  auto e = parse_systems_csv(bad, "s.csv", &registry());
  ASSERT_FALSE(e);
  const auto& m = e.error().message;
  EXPECT_NE(m.find("s.csv:2: last_drill: '2025-02-30' is not a date"), std::string::npos) << m;
  EXPECT_NE(m.find("s.csv:3: security_level: '9'"), std::string::npos) << m;
  EXPECT_NE(m.find("s.csv:4: row: has 3 fields, the header has 5"), std::string::npos) << m;
  EXPECT_FALSE(parse_systems_csv("id,name,owner,security_level,flavour\n", "h.csv", nullptr));
  EXPECT_FALSE(parse_systems_csv("id,name\n", "h.csv", nullptr)) << "required columns";
}

TEST(Systems, CpeSyntax) {
  EXPECT_TRUE(is_cpe23("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"));
  EXPECT_TRUE(is_cpe23("cpe:2.3:o:cisco:ios\\:xe:17.3:*:*:*:*:*:*:*"));
  EXPECT_FALSE(is_cpe23("cpe:/a:apache:log4j:2.14.1"));
  EXPECT_FALSE(is_cpe23("cpe:2.3:x:apache:log4j:2.14.1:*:*:*:*:*:*:*"));
  EXPECT_FALSE(is_cpe23("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*"));
  EXPECT_FALSE(is_cpe23("cpe:2.3:a:apache:log 4j:2.14.1:*:*:*:*:*:*:*"));
}

TEST(Systems, CrudIsAuditedAndAtomic) {
  test::ScratchDir scratch("cases-systems");
  const std::filesystem::path& dir = scratch.path();
  auto db = CaseDb::open(dir / "cases.db");
  ASSERT_TRUE(db) << db.error().message;
  AuditLog audit(**db);
  SystemRegistry reg(**db, audit, &registry());
  InformationSystem s;
  s.id = "evn-test";
  s.name = "Test";
  s.owner = "evn";
  s.security_level = 4;
  s.addresses = {"171.244.4.7"};
  ASSERT_TRUE(reg.create(s, "admin", 1));
  EXPECT_FALSE(reg.create(s, "admin", 2)) << "duplicate";
  s.security_level = 5;
  ASSERT_TRUE(reg.update(s, "admin", 3));
  EXPECT_EQ(reg.get("evn-test")->security_level, 5);
  InformationSystem other = s;
  other.id = "evn-test-2";
  other.addresses = {"8.8.8.8"};
  InformationSystem fine = s;
  fine.id = "evn-test-3";
  EXPECT_FALSE(reg.import({fine, other}, "admin", 4)) << "one bad row refuses the whole import";
  EXPECT_FALSE(reg.get("evn-test-3")) << "nothing half-written";
  ASSERT_TRUE(reg.import({fine}, "admin", 5));
  EXPECT_EQ(reg.list("evn").size(), 2u);
  ASSERT_TRUE(reg.remove("evn-test", "admin", 6));
  EXPECT_FALSE(reg.remove("evn-test", "admin", 7));
  auto entries = audit.list(0, 100);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].action, "system.create");
  EXPECT_EQ(entries[1].action, "system.update");
  EXPECT_EQ(entries[3].action, "system.delete");
  EXPECT_EQ(entries[3].after, "null");
  EXPECT_TRUE(audit.verify().ok);
}

}  // namespace
}  // namespace khien
