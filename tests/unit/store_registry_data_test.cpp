// Tests for the registry YAML loader: the shipped data, longest-prefix lookups and every validation error.
#include "store/registry_data.h"
#include "core/yaml_documents.h"
#include "core/yaml_guard.h"
#include "test_files.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>
#include <unistd.h>

namespace khien {
namespace {

const std::filesystem::path kShipped = std::filesystem::path(KHIEN_SOURCE_DIR) / "data" / "registry";

const RegistryData& shipped() {
  static const RegistryData data = [] {
    auto loaded = load_registry_yaml(kShipped);
    if (!loaded) {
      ADD_FAILURE() << loaded.error().message;
      return RegistryData{};
    }
    return *loaded;
  }();
  return data;
}

IpAddress ip(const char* text) {
  auto parsed = IpAddress::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(IpAddress{});
}

TEST(RegistryShipped, LoadsWithoutErrors) {
  auto loaded = load_registry_yaml(kShipped);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
}

TEST(RegistryShipped, Counts) {
  const auto& r = shipped();
  EXPECT_EQ(r.sectors.size(), 11u);
  EXPECT_EQ(r.provinces.size(), 34u);
  EXPECT_GE(r.organisations.size(), 120u);
  EXPECT_EQ(r.socs.size(), 120u);
  int cities = 0;
  for (const auto& p : r.provinces) cities += p.kind == ProvinceKind::city ? 1 : 0;
  EXPECT_EQ(cities, 6);
}

TEST(RegistryShipped, IdsAreUniqueAndWellFormed) {
  const auto& r = shipped();
  auto check = [](const auto& items, const char* what) {
    std::set<std::string> seen;
    for (const auto& item : items) {
      EXPECT_TRUE(is_registry_id(item.id)) << what << " " << item.id;
      EXPECT_TRUE(seen.insert(item.id).second) << what << " id repeated: " << item.id;
    }
  };
  check(r.sectors, "sector");
  check(r.provinces, "province");
  check(r.organisations, "organisation");
  check(r.socs, "soc");
}

TEST(RegistryShipped, EverySectorAndProvinceHasASoc) {
  const auto& r = shipped();
  std::set<std::string> sectors;
  std::set<std::string> provinces;
  for (const auto& soc : r.socs) {
    const Organisation* org = r.find_organisation(soc.org);
    ASSERT_NE(org, nullptr) << soc.id;
    if (!org->sector.empty()) sectors.insert(org->sector);
    if (org->type == OrganisationType::province) provinces.insert(org->province);
  }
  for (const auto& s : r.sectors) EXPECT_TRUE(sectors.count(s.id)) << "no SOC for sector " << s.id;
  for (const auto& p : r.provinces) EXPECT_TRUE(provinces.count(p.id)) << "no SOC for province " << p.id;
}

TEST(RegistryShipped, EveryProvinceHasItsPeoplesCommittee) {
  const auto& r = shipped();
  for (const auto& p : r.provinces) {
    std::string id = p.kind == ProvinceKind::city ? (p.id.rfind("tp-", 0) == 0 ? p.id : "tp-" + p.id) : "tinh-" + p.id;
    const Organisation* org = r.find_organisation(id);
    ASSERT_NE(org, nullptr) << id;
    EXPECT_EQ(org->type, OrganisationType::province);
    EXPECT_EQ(org->province, p.id);
  }
  EXPECT_NE(r.find_organisation("tinh-lao-cai"), nullptr);
  EXPECT_NE(r.find_organisation("tp-ha-noi"), nullptr);
}

TEST(RegistryShipped, EverySectorHasOneCertAndKnownLeads) {
  const auto& r = shipped();
  for (const auto& s : r.sectors) {
    int certs = 0;
    for (const auto& o : r.organisations) certs += (o.type == OrganisationType::sector_cert && o.sector == s.id) ? 1 : 0;
    EXPECT_EQ(certs, 1) << s.id;
    EXPECT_FALSE(s.lead_agencies.empty()) << s.id;
    EXPECT_GE(s.criticality, 1);
    EXPECT_LE(s.criticality, 5);
  }
  ASSERT_NE(r.find_sector("do-thi"), nullptr);
  EXPECT_EQ(r.find_sector("do-thi")->lead_agencies.size(), 2u);
  EXPECT_EQ(r.find_sector("giao-thong")->lead_agencies.front(), "bo-xay-dung");
}

TEST(RegistryShipped, EveryOrganisationHasARange) {
  for (const auto& o : shipped().organisations) EXPECT_FALSE(o.ip_ranges.empty()) << o.id;
}

// Independent of the loader's own check: two organisations' ranges overlap only when one is an ISP
// aggregate strictly containing the other.
TEST(RegistryShipped, OrganisationRangesDoNotOverlapExceptIspAggregates) {
  const auto& orgs = shipped().organisations;
  auto inside = [](const IpPrefix& inner, const IpPrefix& outer) {
    return inner.address.v4 == outer.address.v4 && outer.bits <= inner.bits && outer.contains(inner.address);
  };
  for (std::size_t a = 0; a < orgs.size(); ++a) {
    for (std::size_t b = 0; b < orgs.size(); ++b) {
      if (a == b) continue;
      for (const auto& pa : orgs[a].ip_ranges) {
        for (const auto& pb : orgs[b].ip_ranges) {
          if (!inside(pb, pa)) continue;
          EXPECT_TRUE(orgs[a].type == OrganisationType::isp && pa.bits < pb.bits)
              << orgs[b].id << " " << pb.to_string() << " inside " << orgs[a].id << " " << pa.to_string();
        }
      }
    }
  }
}

TEST(RegistryShipped, SocSendersMapBackToTheirOrganisation) {
  const auto& r = shipped();
  for (const auto& soc : r.socs) {
    if (soc.transport != SocTransport::http) {
      EXPECT_FALSE(soc.sender_ranges.empty()) << soc.id;
    }
    for (const auto& range : soc.sender_ranges) {
      EXPECT_EQ(r.org_for_address(range.address).value_or("-"), soc.org) << soc.id << " " << range.to_string();
      EXPECT_EQ(r.soc_for_sender(range.address).value_or("-"), soc.id) << range.to_string();
    }
  }
}

TEST(RegistryLookup, LongestPrefixWins) {
  const auto& r = shipped();
  const Organisation* centre = r.find_organisation("trung-tam-giam-sat-quoc-gia");
  ASSERT_NE(centre, nullptr);
  EXPECT_EQ(centre->type, OrganisationType::national_centre);
  // A customer block inside VNPT's aggregate belongs to the customer; the rest of the aggregate to VNPT.
  IpAddress in_customer = centre->ip_ranges.front().address;
  EXPECT_EQ(r.org_for_address(in_customer).value_or(""), "trung-tam-giam-sat-quoc-gia");
  EXPECT_EQ(r.org_for_address(ip("14.160.200.1")).value_or(""), "vnpt");
  EXPECT_EQ(r.org_for_address(ip("2001:ee0:1::1")).value_or(""), "vnpt");
  EXPECT_FALSE(r.org_for_address(ip("192.0.2.1")).has_value());
  EXPECT_FALSE(r.soc_for_sender(ip("192.0.2.1")).has_value());
  EXPECT_FALSE(r.org_for_address(ip("::ffff:192.0.2.1")).has_value());
}

TEST(RegistryEnums, RoundTrip) {
  for (auto t : {OrganisationType::national_centre, OrganisationType::sector_cert, OrganisationType::isp}) {
    EXPECT_EQ(parse_organisation_type(to_string(t)), t);
  }
  EXPECT_EQ(parse_soc_transport("syslog-udp"), SocTransport::syslog_udp);
  EXPECT_EQ(parse_soc_format("leef"), SocFormat::leef);
  EXPECT_FALSE(parse_region("west").has_value());
  EXPECT_TRUE(is_registry_id("tp-ho-chi-minh"));
  EXPECT_TRUE(is_registry_id("a1"));
  EXPECT_FALSE(is_registry_id("Ha-noi"));
  EXPECT_FALSE(is_registry_id("ha--noi"));
  EXPECT_FALSE(is_registry_id("-ha"));
  EXPECT_FALSE(is_registry_id("ha_noi"));
  EXPECT_FALSE(is_registry_id(""));
}

// A minimal valid registry; each error test breaks one thing.
RegistryTexts minimal() {
  RegistryTexts t;
  t.sectors =
      "sectors:\n"
      "  - id: y-te\n"
      "    name: Y tế\n"
      "    name_en: Health\n"
      "    lead_agencies: [bo-y-te]\n"
      "    criticality: 4\n";
  t.provinces =
      "provinces:\n"
      "  - id: ha-noi\n"
      "    name: Hà Nội\n"
      "    name_en: Hanoi\n"
      "    kind: city\n"
      "    region: north\n"
      "    lat: 21.03\n"
      "    lon: 105.85\n";
  t.organisations =
      "organisations:\n"
      "  - id: isp\n"
      "    name: ISP\n"
      "    name_en: ISP\n"
      "    type: isp\n"
      "    province: ha-noi\n"
      "    ip_ranges: [10.0.0.0/8]\n"
      "    asns: [64500]\n"
      "  - id: bo-y-te\n"
      "    name: Bộ Y tế\n"
      "    name_en: Ministry of Health\n"
      "    type: ministry\n"
      "    sector: y-te\n"
      "    province: ha-noi\n"
      "    ip_ranges: [10.1.0.0/24]\n"
      "    domains: [moh.gov.vn]\n";
  t.socs =
      "socs:\n"
      "  - id: soc-bo-y-te\n"
      "    name: SOC\n"
      "    org: bo-y-te\n"
      "    formats: [cef]\n"
      "    transport: syslog-udp\n"
      "    sender_ranges: [10.1.0.16/28]\n";
  return t;
}

// Writes the texts into a fresh directory and loads them through the file path, as a deployment would.
std::string load_error(const RegistryTexts& t) {
  test::ScratchDir scratch("registry");
  const std::filesystem::path& dir = scratch.path();
  auto write = [&](const char* name, const std::string& text) { std::ofstream(dir / name) << text; };
  write("sectors.yaml", t.sectors);
  write("provinces.yaml", t.provinces);
  write("organisations.yaml", t.organisations);
  write("socs.yaml", t.socs);
  auto loaded = load_registry_yaml(dir);
  if (loaded) return {};
  return loaded.error().message;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(RegistryErrors, MinimalIsValid) {
  auto parsed = parse_registry_yaml(minimal());
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->org_for_address(ip("10.1.0.20")).value_or(""), "bo-y-te");
  EXPECT_EQ(parsed->org_for_address(ip("10.2.0.1")).value_or(""), "isp");
  EXPECT_EQ(parsed->soc_for_sender(ip("10.1.0.20")).value_or(""), "soc-bo-y-te");
  EXPECT_FALSE(parsed->soc_for_sender(ip("10.1.0.1")).has_value());
  EXPECT_EQ(load_error(minimal()), "");
}

TEST(RegistryErrors, UnknownKey) {
  auto t = minimal();
  t.provinces = replace(t.provinces, "    region: north\n", "    region: north\n    capital: Hà Nội\n");
  auto msg = load_error(t);
  EXPECT_NE(msg.find("provinces.yaml:7:5: provinces[0]: unknown field 'capital'"), std::string::npos) << msg;
}

TEST(RegistryErrors, DuplicateId) {
  auto t = minimal();
  t.socs += t.socs.substr(t.socs.find("  - id:"));
  auto msg = load_error(t);
  EXPECT_NE(msg.find("socs.yaml:8:9: socs[1].id: duplicate id 'soc-bo-y-te' (first defined at line 2)"),
            std::string::npos)
      << msg;
}

TEST(RegistryErrors, UnknownReferences) {
  auto t = minimal();
  t.organisations = replace(t.organisations, "sector: y-te", "sector: y-tee");
  t.organisations = replace(t.organisations, "    province: ha-noi\n    ip_ranges: [10.1", "    province: hanoi\n    ip_ranges: [10.1");
  t.socs = replace(t.socs, "org: bo-y-te", "org: bo-yte");
  t.sectors = replace(t.sectors, "[bo-y-te]", "[bo-y-te, bo-khac]");
  auto msg = load_error(t);
  EXPECT_NE(msg.find("organisations.yaml:13:13: organisations[1].sector: unknown sector 'y-tee'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("organisations.yaml:14:15: organisations[1].province: unknown province 'hanoi'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("socs.yaml:4:10: socs[0].org: unknown organisation 'bo-yte'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("sectors.yaml:5:30: sectors[0].lead_agencies[1]: unknown organisation 'bo-khac'"), std::string::npos)
      << msg;
}

TEST(RegistryErrors, MalformedCidr) {
  auto t = minimal();
  t.organisations = replace(t.organisations, "[10.1.0.0/24]", "[10.1.0.0/33, 10.1.0.0, 10.1.0.5/24, fe80::/10]");
  auto msg = load_error(t);
  EXPECT_NE(msg.find("organisations.yaml:15:17: organisations[1].ip_ranges[0]: '10.1.0.0/33' is not a CIDR prefix"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("organisations[1].ip_ranges[1]: '10.1.0.0' is not a CIDR prefix"), std::string::npos) << msg;
  EXPECT_NE(msg.find("organisations[1].ip_ranges[2]: '10.1.0.5/24' has host bits set; did you mean 10.1.0.0/24?"),
            std::string::npos)
      << msg;
  EXPECT_EQ(msg.find("ip_ranges[3]"), std::string::npos) << msg;
}

TEST(RegistryErrors, BadIds) {
  auto t = minimal();
  t.provinces = replace(t.provinces, "id: ha-noi", "id: Ha_Noi");
  t.socs = replace(t.socs, "id: soc-bo-y-te", "id: soc--bo-y-te");
  auto msg = load_error(t);
  EXPECT_NE(msg.find("provinces.yaml:2:9: provinces[0].id: 'Ha_Noi' is not a valid id"), std::string::npos) << msg;
  EXPECT_NE(msg.find("socs.yaml:2:9: socs[0].id: 'soc--bo-y-te' is not a valid id"), std::string::npos) << msg;
}

TEST(RegistryErrors, OverlapBetweenNonIspOrganisations) {
  auto t = minimal();
  t.organisations += "  - id: bv\n    name: BV\n    name_en: Hospital\n    type: enterprise\n    province: ha-noi\n"
                     "    ip_ranges: [10.1.0.128/25]\n";
  auto msg = load_error(t);
  EXPECT_NE(msg.find("organisations.yaml:22:17: organisations[2].ip_ranges[0]: 10.1.0.128/25 overlaps 10.1.0.0/24 of "
                     "organisation 'bo-y-te'"),
            std::string::npos)
      << msg;
}

TEST(RegistryErrors, SenderOutsideOrganisationAndMissingForSyslog) {
  auto t = minimal();
  t.socs = replace(t.socs, "[10.1.0.16/28]", "[10.2.0.16/28]");
  t.socs += "  - id: soc-isp\n    name: ISP SOC\n    org: isp\n    formats: [eve, eve]\n    transport: syslog-tcp\n";
  auto msg = load_error(t);
  EXPECT_NE(msg.find("socs.yaml:7:21: socs[0].sender_ranges[0]: 10.2.0.16/28 is outside the ip_ranges of organisation "
                     "'bo-y-te'"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("socs.yaml:8:5: socs[1].sender_ranges: a syslog-tcp connector needs sender_ranges"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("socs.yaml:11:20: socs[1].formats[1]: format 'eve' is listed twice"), std::string::npos) << msg;
}

TEST(RegistryErrors, WrongValues) {
  auto t = minimal();
  t.sectors = replace(t.sectors, "criticality: 4", "criticality: 9");
  t.provinces = replace(t.provinces, "kind: city", "kind: town");
  t.provinces = replace(t.provinces, "lat: 21.03", "lat: north");
  t.organisations = replace(t.organisations, "asns: [64500]", "asns: [0]");
  t.organisations = replace(t.organisations, "[moh.gov.vn]", "[MOH.gov.vn]");
  auto msg = load_error(t);
  EXPECT_NE(msg.find("sectors.yaml:6:18: sectors[0].criticality: '9' is not a whole number from 1 to 5"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("provinces.yaml:5:11: provinces[0].kind: unknown value 'town' (expected one of: city, province)"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("provinces.yaml:7:10: provinces[0].lat: 'north' is not a number"), std::string::npos) << msg;
  EXPECT_NE(msg.find("organisations.yaml:8:12: organisations[0].asns[0]: '0' is not a whole number"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("organisations[1].domains[0]: 'MOH.gov.vn' is not a lowercase domain name"), std::string::npos)
      << msg;
}

TEST(RegistryErrors, MissingFieldAndShape) {
  auto t = minimal();
  t.organisations = replace(t.organisations, "    name_en: Ministry of Health\n", "");
  t.sectors = "sectors:\n  - just a string\n";
  auto msg = load_error(t);
  EXPECT_NE(msg.find("organisations.yaml:9:5: organisations[1]: missing required field 'name_en'"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("sectors.yaml:2:5: sectors[0]: expected a mapping of fields"), std::string::npos) << msg;
  // The sector is gone, so the ministry's reference to it fails too: every error is reported.
  EXPECT_NE(msg.find("unknown sector 'y-te'"), std::string::npos) << msg;
}

TEST(RegistryErrors, InvalidYamlAndEmptyFiles) {
  auto t = minimal();
  t.provinces = "provinces:\n  - id: [unclosed\n";
  t.socs = "";
  auto msg = load_error(t);
  EXPECT_NE(msg.find("provinces.yaml:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not valid YAML"), std::string::npos) << msg;
  EXPECT_NE(msg.find("socs.yaml:1:1: the file is empty; expected a top-level 'socs' list"), std::string::npos) << msg;
}

TEST(RegistryErrors, ParentLoop) {
  auto t = minimal();
  t.organisations = replace(t.organisations, "    domains: [moh.gov.vn]\n", "    domains: [moh.gov.vn]\n    parent: bv\n");
  t.organisations += "  - id: bv\n    name: BV\n    name_en: Hospital\n    type: enterprise\n    province: ha-noi\n"
                     "    ip_ranges: [10.3.0.0/24]\n    parent: bo-y-te\n";
  auto msg = load_error(t);
  EXPECT_NE(msg.find("organisations.yaml:9:5: organisations[1]: the parent chain of 'bo-y-te' loops back to itself"),
            std::string::npos)
      << msg;
}

TEST(RegistryErrors, MissingDirectory) {
  auto loaded = load_registry_yaml("/nonexistent/khien/registry");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_NE(loaded.error().message.find("/nonexistent/khien/registry/sectors.yaml: cannot read: no such file"),
            std::string::npos)
      << loaded.error().message;
}

}  // namespace
}  // namespace khien

namespace khien {
namespace {

// yaml-cpp 0.7 loops for ever on a NUL byte ("\0," hung the registry loader under the fuzzer) and on
// a line starting with ','; the guard refuses both with their line before parsing.
TEST(YamlGuard, ControlBytesAndLeadingCommasAreRefusedWithTheirLine) {
  auto nul = yaml_refusal(std::string_view("a: 1\n\0,", 7));
  ASSERT_TRUE(nul);
  EXPECT_EQ(nul->line, 2);
  EXPECT_EQ(nul->reason, "control byte 0x00 is not allowed in YAML");
  auto comma = yaml_refusal("organisations:\n  - id: a\n, b\n");
  ASSERT_TRUE(comma);
  EXPECT_EQ(comma->line, 3);
  EXPECT_FALSE(yaml_refusal("a: [1,\n  2]\nb: \"x\"\t# tab and CRLF\r\n"));
}

// A ',' mid-line after complete nodes passes the text guard, and yaml-cpp 0.7's LoadAll then adds
// empty documents for ever; load_yaml_documents stops at the stalled one with its line.
TEST(YamlGuard, StalledDocumentIsAParserErrorNotALoop) {
  const std::string stalled = "a: 1\n---\n\t\"\"\"\"&\"\"\"\"#\"\"\xff\xff,\xff\"\"'";
  ASSERT_FALSE(yaml_refusal(stalled));
  try {
    load_yaml_documents(stalled);
    ADD_FAILURE() << "no error";
  } catch (const YAML::ParserException& e) {
    EXPECT_EQ(e.mark.line + 1, 3);
  }
  EXPECT_EQ(load_yaml_documents("a: 1\n---\nb: [2, 3]\n").size(), 2u);
}

}  // namespace
}  // namespace khien

namespace khien {

// A SOC may give the UTC offset its syslog senders' RFC 3164 clocks run on; a bad one is an
// error at its line and column.
TEST(RegistryErrors, SyslogLocalTimeIsAUtcOffset) {
  auto t = minimal();
  t.socs += "    syslog_local_time: \"+07:00\"\n";
  EXPECT_EQ(load_error(t), "");
  t = minimal();
  t.socs += "    syslog_local_time: Asia/Ho_Chi_Minh\n";
  auto msg = load_error(t);
  EXPECT_NE(msg.find("socs.yaml:8:24: socs[0].syslog_local_time: 'Asia/Ho_Chi_Minh' is not a UTC offset such as \"+07:00\""),
            std::string::npos)
      << msg;
}

}  // namespace khien
