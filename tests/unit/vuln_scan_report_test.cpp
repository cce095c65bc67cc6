// Scan readers (nmap XML, nuclei JSONL, Shadowserver CSV) and the findings lifecycle they drive.
#include <gtest/gtest.h>

#include <filesystem>

#include "vuln/finding_store.h"
#include "vuln/scan_report.h"
#include "test_files.h"

namespace khien {
namespace {

// Shaped like `nmap -sV -p 80,443,8080 -oX - 203.0.113.5 203.0.113.6` output.
std::string nmap_xml(const std::string& open_port_8080_version) {
  std::string port8080 = open_port_8080_version.empty()
      ? R"(<port protocol="tcp" portid="8080"><state state="closed" reason="reset"/></port>)"
      : R"(<port protocol="tcp" portid="8080"><state state="open" reason="syn-ack"/><service name="http" product="Apache Tomcat" version=")" +
            open_port_8080_version + R"(" method="probed" conf="10"><cpe>cpe:/a:apache:tomcat:)" + open_port_8080_version + R"(</cpe></service></port>)";
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<nmaprun scanner="nmap" args="nmap -sV" start="1795377750" version="7.93" xmloutputversion="1.05">
<scaninfo type="syn" protocol="tcp" numservices="3" services="80,443,8080"/>
<host><status state="up"/><address addr="203.0.113.5" addrtype="ipv4"/><address addr="00:11:22:33:44:55" addrtype="mac"/>
<ports>)" + port8080 + R"(
<port protocol="tcp" portid="443"><state state="open"/><service name="https" product="nginx" version="1.18.0"><cpe>cpe:/a:igor_sysoev:nginx:1.18.0</cpe></service></port>
</ports></host>
<host><status state="down"/><address addr="203.0.113.6" addrtype="ipv4"/></host>
<runstats><finished time="1795377756"/></runstats>
</nmaprun>
)";
}

TEST(NmapXml, ReadsOpenServicesWithCpesAndCoverage) {
  auto r = read_nmap_xml(nmap_xml("9.0.30"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->started_us, 1795377750LL * 1000000);
  ASSERT_EQ(r->hosts.size(), 2u);
  ASSERT_EQ(r->services.size(), 2u);
  EXPECT_EQ(r->services[0].ip, "203.0.113.5");
  EXPECT_EQ(r->services[0].port, 8080);
  EXPECT_EQ(r->services[0].product, "Apache Tomcat");
  ASSERT_EQ(r->services[0].cpes.size(), 1u);
  EXPECT_EQ(r->services[0].cpes[0], "cpe:/a:apache:tomcat:9.0.30");
  ASSERT_EQ(r->scanned.size(), 1u);
  EXPECT_TRUE(r->scanned[0].contains(8080));
  EXPECT_FALSE(r->scanned[0].contains(22));
  EXPECT_FALSE(r->complete_snapshot);
  EXPECT_TRUE(r->errors.empty());
}

TEST(NmapXml, ClosedPortsAreNotServices) {
  auto r = read_nmap_xml(nmap_xml(""));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->services.size(), 1u);
  EXPECT_EQ(r->services[0].port, 443);
}

TEST(NmapXml, WrongToolAndBrokenXmlAreRejectedClearly) {
  auto r = read_nmap_xml("<?xml version=\"1.0\"?><report><host/></report>");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("root element is <report>"), std::string::npos) << r.error().message;
  auto empty = read_nmap_xml("");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("not an nmap XML report"), std::string::npos);
}

TEST(NmapXml, TruncatedScanKeepsCompleteHostsAndSaysWhere) {
  std::string xml = nmap_xml("9.0.30");
  auto cut = xml.find("<host><status state=\"down\"");
  auto r = read_nmap_xml(std::string_view(xml).substr(0, cut + 10));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->hosts.size(), 1u);
  EXPECT_EQ(r->services.size(), 2u);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_NE(r->errors[0].find("line "), std::string::npos);
}

TEST(NmapXml, EntityDeclarationsAreRefused) {
  auto r = read_nmap_xml(R"(<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><nmaprun>&b;</nmaprun>)");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("entity declarations are not accepted"), std::string::npos) << r.error().message;
}

TEST(NmapXml, BadPortIdIsReportedAndTheRestKept) {
  std::string xml = nmap_xml("9.0.30");
  xml.replace(xml.find("portid=\"443\""), 12, "portid=\"99999\"");
  auto r = read_nmap_xml(xml);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->services.size(), 1u);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_NE(r->errors[0].find("portid"), std::string::npos);
}

TEST(NucleiJsonl, ReadsFindingsCvesAndPorts) {
  std::string text =
      R"({"template-id":"CVE-2021-44228","info":{"name":"Apache Log4j RCE","severity":"critical","classification":{"cve-id":["cve-2021-44228"]}},"type":"http","host":"https://203.0.113.7:8443","matched-at":"https://203.0.113.7:8443/api","ip":"203.0.113.7","timestamp":"2026-11-20T10:00:00Z"})"
      "\n"
      R"({"template-id":"exposed-panel","info":{"name":"Panel","severity":"info","classification":{"cve-id":null}},"host":"http://203.0.113.8","matched-at":"http://203.0.113.8/login"})"
      "\nnot json\n"
      R"({"info":{}})"
      "\n";
  auto r = read_nuclei_jsonl(text);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->services.size(), 2u);
  EXPECT_EQ(r->services[0].port, 8443);
  EXPECT_EQ(r->services[0].cves, std::vector<std::string>{"CVE-2021-44228"});
  EXPECT_EQ(r->services[1].ip, "203.0.113.8");
  EXPECT_EQ(r->services[1].port, 80);
  EXPECT_TRUE(r->services[1].cves.empty());
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0], "line 3: not a JSON object");
  EXPECT_NE(r->errors[1].find("line 4: field 'template-id'"), std::string::npos);
  EXPECT_TRUE(r->complete_snapshot);
  EXPECT_FALSE(read_nuclei_jsonl("garbage\n"));
}

TEST(ShadowserverCsv, ReadsRowsByHeaderAndCvesFromTags) {
  std::string text =
      "\"timestamp\",\"ip\",\"protocol\",\"port\",\"hostname\",\"tag\",\"asn\",\"geo\"\n"
      "\"2026-11-20 01:02:03\",\"203.0.113.9\",\"tcp\",\"443\",\"\",\"citrix,cve-2023-4966\",\"7552\",\"VN\"\n"
      "\"2026-11-20 01:02:04\",\"not-an-ip\",\"tcp\",\"80\",\"\",\"http\",\"7552\",\"VN\"\n"
      "\"2026-11-20 01:02:05\",\"203.0.113.10\",\"udp\",\"123456\",\"\",\"ntp\",\"7552\",\"VN\"\n";
  auto r = read_shadowserver_csv(text);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->services.size(), 1u);
  EXPECT_EQ(r->services[0].cves, std::vector<std::string>{"CVE-2023-4966"});
  EXPECT_GT(r->started_us, 0);
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0], "line 3: column 'ip': 'not-an-ip' is not an IP address");
  EXPECT_EQ(r->errors[1], "line 4: column 'port': '123456' is not a port number");
  auto wrong = read_shadowserver_csv("a,b,c\n1,2,3\n");
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("no 'timestamp' column"), std::string::npos);
}

TEST(ScanReport, FormatGuessAndCveIds) {
  EXPECT_EQ(read_scan_report(nmap_xml("1"), "auto")->format, "nmap");
  EXPECT_FALSE(read_scan_report("x", "openvas"));
  EXPECT_EQ(cve_ids_in("cve-2021-44228 CVE_2021_45046 cve-21-1 CVE-2021-44228"),
            (std::vector<std::string>{"CVE-2021-44228", "CVE-2021-45046"}));
}

class FindingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = FindingStore::open(dir_ / "state.db");
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }
  std::vector<AttributedService> attribute(const ScanReport& r, const std::vector<std::string>& cves) {
    std::vector<AttributedService> out;
    for (const auto& s : r.services) out.push_back({s, "org-a", s.port == 8080 ? cves : std::vector<std::string>{}});
    return out;
  }
  test::ScratchDir scratch_{"findings"};
  std::filesystem::path dir_ = scratch_.path();
  std::unique_ptr<FindingStore> store_;
};

TEST_F(FindingStoreTest, AFindingOpensOnceAndALaterCleanScanClosesIt) {
  auto first = read_nmap_xml(nmap_xml("9.0.30"));
  auto o1 = store_->record_scan("nmap-weekly", *first, attribute(*first, {"CVE-2020-1938"}), 1000000, 0);
  ASSERT_TRUE(o1) << o1.error().message;
  EXPECT_EQ(o1->opened, 1u);
  EXPECT_EQ(o1->notifications.size(), 1u);
  auto again = store_->record_scan("nmap-weekly", *first, attribute(*first, {"CVE-2020-1938"}), 2000000, 0);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->opened, 0u);
  EXPECT_EQ(again->updated, 1u);
  EXPECT_TRUE(again->notifications.empty());
  // A different scanner does not close the first one's findings.
  auto other = read_nmap_xml(nmap_xml(""));
  auto o2 = store_->record_scan("nmap-other", *other, attribute(*other, {}), 2500000, 0);
  ASSERT_TRUE(o2);
  EXPECT_EQ(o2->closed, 0u);
  auto clean = store_->record_scan("nmap-weekly", *other, attribute(*other, {}), 4000000, 0);
  ASSERT_TRUE(clean);
  EXPECT_EQ(clean->closed, 1u);
  auto all = store_->findings(FindingQuery{"org-a", "closed", "", 0, 10});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].first_seen_us, 1000000);
  EXPECT_EQ(all[0].closed_us, 4000000);
  EXPECT_DOUBLE_EQ(store_->mean_remediation_seconds("org-a"), 3.0);
  EXPECT_EQ(store_->findings(FindingQuery{"org-a", "open", "", 0, 10}).size(), 0u);
}

TEST_F(FindingStoreTest, NmapOnlyClosesWhatItProbed) {
  auto first = read_nmap_xml(nmap_xml("9.0.30"));
  ASSERT_TRUE(store_->record_scan("nmap", *first, attribute(*first, {"CVE-2020-1938"}), 1000000, 0));
  // A scan of port 22 only, of the same host: port 8080 was not probed, the finding stays open.
  std::string xml = nmap_xml("");
  xml.replace(xml.find("services=\"80,443,8080\""), 22, "services=\"22\"");
  auto narrow = read_nmap_xml(xml);
  auto o = store_->record_scan("nmap", *narrow, attribute(*narrow, {}), 2000000, 0);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->closed, 0u);
  EXPECT_EQ(store_->findings(FindingQuery{"", "open", "CVE-2020-1938", 0, 10}).size(), 1u);
}

}  // namespace
}  // namespace khien
