// The vulnerability engine on the real samples in ../shared/corpus/vuln: Log4Shell applicability, NVD
// and CVE JSON 5 imports cross-checked, the KEV catalogue, EPSS, incremental re-import, bad records,
// exposure and the SQLite store.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <set>

#include <nlohmann/json.hpp>

#include "vuln/exposure_index.h"
#include "vuln/vuln_database.h"
#include "vuln/vuln_store.h"
#include "test_files.h"

namespace khien {
namespace {

const std::filesystem::path kVuln = std::filesystem::path(KHIEN_CORPUS_DIR) / "vuln";

std::vector<Cpe> cpes(std::initializer_list<const char*> names) {
  std::vector<Cpe> out;
  for (const char* n : names) out.push_back(Cpe::parse(n).value());
  return out;
}

std::string log4j(const char* version) { return std::string("cpe:2.3:a:apache:log4j:") + version + ":*:*:*:*:*:*:*"; }

class VulnCorpus : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = db.import_nvd(test::read_text_file(kVuln / "nvd/nvd-api2-CVE-2021-44228-excerpt.json"), "excerpt");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->rejected, 0u);
    log4shell = db.find("CVE-2021-44228");
    ASSERT_NE(log4shell, nullptr);
  }
  VulnDatabase db;
  const VulnRecord* log4shell = nullptr;
};

TEST_F(VulnCorpus, Log4ShellFields) {
  EXPECT_EQ(date_part(log4shell->published()), "2021-12-10");
  ASSERT_NE(log4shell->cvss31(), nullptr);
  EXPECT_DOUBLE_EQ(log4shell->cvss31()->base_score, 10.0);
  EXPECT_EQ(log4shell->cvss31()->vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
  EXPECT_EQ(log4shell->cwes(), std::vector<std::string>{"CWE-917"});
  EXPECT_TRUE(log4shell->in_kev());
  EXPECT_EQ(log4shell->nvd->kev_due_date, "2021-12-24");
  EXPECT_EQ(log4shell->configurations().size(), 3u);
}

TEST_F(VulnCorpus, Log4ShellVulnerableVersions) {
  const auto& configs = log4shell->configurations();
  for (const char* v : {"2.14.1", "2.0-beta9", "2.12.1"}) {
    auto r = evaluate(configs, cpes({"cpe:2.3:o:linux:linux_kernel:5.10:*:*:*:*:*:*:*"}));
    EXPECT_FALSE(r.applies);
    auto inv = std::vector<Cpe>{Cpe::parse(log4j(v)).value()};
    EXPECT_TRUE(evaluate(configs, inv).applies) << v;
  }
  EXPECT_TRUE(evaluate(configs, cpes({"cpe:2.3:a:apache:log4j:2.0:beta9:*:*:*:*:*:*"})).applies);
  EXPECT_TRUE(evaluate(configs, cpes({"cpe:2.3:a:apache:log4j:2.0:rc2:*:*:*:*:*:*"})).applies);
  for (const char* v : {"2.12.2", "2.15.0", "2.16.0", "2.17.1", "2.3.1", "1.2.17"}) {
    auto inv = std::vector<Cpe>{Cpe::parse(log4j(v)).value()};
    EXPECT_FALSE(evaluate(configs, inv).applies) << v;
  }
  // Siemens products in the OR-node, including the date-versioned one.
  EXPECT_TRUE(evaluate(configs, cpes({"cpe:2.3:a:siemens:e-car_operation_center:2021-12-10:*:*:*:*:*:*:*"})).applies);
  EXPECT_FALSE(evaluate(configs, cpes({"cpe:2.3:a:siemens:e-car_operation_center:2021-12-13:*:*:*:*:*:*:*"})).applies);
  EXPECT_TRUE(evaluate(configs, cpes({"cpe:2.3:a:siemens:capital:2019.1:sp1912:*:*:*:*:*:*"})).applies);
  EXPECT_FALSE(evaluate(configs, cpes({"cpe:2.3:a:siemens:capital:2019.1:sp2001:*:*:*:*:*:*"})).applies);
  EXPECT_TRUE(evaluate(configs, cpes({"cpe:2.3:a:siemens:comos:10.4.1:*:*:*:*:*:*:*"})).applies);
}

TEST_F(VulnCorpus, SiemensFirmwareOnlyWithItsPlatform) {
  const auto& configs = log4shell->configurations();
  auto fw = "cpe:2.3:o:siemens:6bk1602-0aa12-0tp0_firmware:2.6.0:*:*:*:*:*:*:*";
  auto hw = "cpe:2.3:h:siemens:6bk1602-0aa12-0tp0:-:*:*:*:*:*:*:*";
  EXPECT_FALSE(evaluate(configs, cpes({fw})).applies);
  EXPECT_FALSE(evaluate(configs, cpes({hw})).applies);
  auto r = evaluate(configs, cpes({hw, fw}));
  EXPECT_TRUE(r.applies);
  EXPECT_EQ(r.vulnerable, std::vector<std::size_t>{1});
  EXPECT_EQ(r.platform, std::vector<std::size_t>{0});
  EXPECT_FALSE(evaluate(configs, cpes({hw, "cpe:2.3:o:siemens:6bk1602-0aa12-0tp0_firmware:2.7.0:*:*:*:*:*:*:*"})).applies);
}

TEST_F(VulnCorpus, ExposureNamesSystemsAndMatchedCpes) {
  std::vector<InventoryEntry> inv = {
      {"sys-a", "org-1", cpes({"cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*", "cpe:2.3:a:apache:tomcat:9.0.1:*:*:*:*:*:*:*"})},
      {"sys-b", "org-1", cpes({"cpe:2.3:a:apache:log4j:2.17.1:*:*:*:*:*:*:*"})},
      {"sys-c", "org-2", cpes({"cpe:2.3:o:siemens:6bk1602-0aa12-0tp0_firmware:2.6.0:*:*:*:*:*:*:*"})},
      {"sys-d", "org-3", cpes({"cpe:2.3:h:siemens:6bk1602-0aa12-0tp0:-:*:*:*:*:*:*:*",
                               "cpe:2.3:o:siemens:6bk1602-0aa12-0tp0_firmware:2.6.0:*:*:*:*:*:*:*"})},
      {"sys-e", "org-4", cpes({"cpe:2.3:a:apache:log4j:2.0:beta9:*:*:*:*:*:*"})},
  };
  auto exposed = exposure(*log4shell, inv);
  ASSERT_EQ(exposed.size(), 3u);
  EXPECT_EQ(exposed[0].system_id, "sys-a");
  EXPECT_EQ(exposed[0].org, "org-1");
  EXPECT_EQ(exposed[0].vulnerable_cpes, std::vector<std::string>{"cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"});
  EXPECT_EQ(exposed[1].system_id, "sys-d");
  EXPECT_EQ(exposed[1].vulnerable_cpes, std::vector<std::string>{"cpe:2.3:o:siemens:6bk1602-0aa12-0tp0_firmware:2.6.0:*:*:*:*:*:*:*"});
  EXPECT_EQ(exposed[1].platform_cpes, std::vector<std::string>{"cpe:2.3:h:siemens:6bk1602-0aa12-0tp0:-:*:*:*:*:*:*:*"});
  EXPECT_EQ(exposed[2].system_id, "sys-e");
  // An inventory entry with an unindexable (wildcard vendor) CPE is still considered.
  ExposureIndex index({{"sys-x", "org-9", cpes({"cpe:2.3:a:*:log4j:2.14.1:*:*:*:*:*:*:*"})}});
  EXPECT_TRUE(index.exposure(*log4shell).empty()) << "ANY vendor in the inventory is SUBSET of apache, not a match";
}

TEST(VulnImport, NvdPageAndCve5RecordsCrossCheck) {
  VulnDatabase db;
  auto nvd = db.import_nvd(test::read_text_file(kVuln / "nvd/nvd-api2-page-38cves.json"), "page");
  ASSERT_TRUE(nvd) << nvd.error().message;
  EXPECT_EQ(nvd->records, 38u);
  EXPECT_EQ(nvd->added, 38u);
  EXPECT_EQ(nvd->rejected, 0u) << (nvd->rejections.empty() ? "" : nvd->rejections[0].record_id + ": " + nvd->rejections[0].reason);
  auto single = db.import_nvd(test::read_text_file(kVuln / "nvd/nvd-api2-single-CVE-2022-1576.json"), "single");
  ASSERT_TRUE(single) << single.error().message;
  EXPECT_EQ(single->added, 1u);
  EXPECT_EQ(single->rejected, 0u);
  auto cve5 = db.import_path(kVuln / "cve5");
  ASSERT_TRUE(cve5) << cve5.error().message;
  EXPECT_EQ(cve5->records, 42u);
  EXPECT_EQ(cve5->added, 42u);
  EXPECT_EQ(cve5->rejected, 0u) << (cve5->rejections.empty() ? "" : cve5->rejections[0].record_id + ": " + cve5->rejections[0].reason);

  std::size_t shared = 0, cwe_checked = 0, cvss_checked = 0;
  db.for_each([&](const VulnRecord& r) {
    if (!r.nvd || !r.cve5) return;
    ++shared;
    EXPECT_EQ(date_part(r.nvd->published), date_part(r.cve5->published)) << r.id;
    std::set<std::string> nvd_cwes(r.nvd->cwes.begin(), r.nvd->cwes.end());
    for (const auto& c : r.cve5->cwes) {
      if (nvd_cwes.empty()) break;
      EXPECT_TRUE(nvd_cwes.count(c)) << r.id << " " << c;
      ++cwe_checked;
    }
    // NVD carries the CNA's own score next to its own; the CVE record's CNA score must equal it.
    for (const auto& s5 : r.cve5->cvss) {
      for (const auto& sn : r.nvd->cvss) {
        if (sn.primary || sn.version != s5.version || s5.source == "CISA-ADP") continue;
        EXPECT_DOUBLE_EQ(sn.base_score, s5.base_score) << r.id;
        EXPECT_EQ(sn.vector, s5.vector) << r.id;
        ++cvss_checked;
      }
    }
  });
  EXPECT_EQ(shared, 31u);
  EXPECT_GE(cwe_checked, 20u);
  EXPECT_GE(cvss_checked, 20u);

  const auto* pan = db.find("CVE-2024-3400");
  ASSERT_NE(pan, nullptr);
  ASSERT_TRUE(pan->cve5->ssvc);
  EXPECT_EQ(pan->cve5->ssvc->exploitation, "Active");
  EXPECT_EQ(pan->cve5->kev_date_added, "2024-04-12");
  ASSERT_NE(pan->cvss31(), nullptr);
  EXPECT_DOUBLE_EQ(pan->cvss31()->base_score, 10.0);
  // Configurations derived from the ADP container's CPEs and version ranges.
  auto vulnerable = std::vector<Cpe>{Cpe::parse("cpe:2.3:o:paloaltonetworks:pan-os:10.2.8:*:*:*:*:*:*:*").value()};
  auto fixed = std::vector<Cpe>{Cpe::parse("cpe:2.3:o:paloaltonetworks:pan-os:10.2.9-h1:*:*:*:*:*:*:*").value()};
  EXPECT_TRUE(evaluate(pan->configurations(), vulnerable).applies);
  EXPECT_FALSE(evaluate(pan->configurations(), fixed).applies);
}

TEST(VulnImport, EveryNvdCriteriaParses) {
  std::size_t n = 0;
  for (const char* file : {"nvd-api2-page-38cves.json", "nvd-api2-single-CVE-2022-1576.json", "nvd-api2-CVE-2021-44228-excerpt.json"}) {
    auto j = nlohmann::json::parse(test::read_text_file(kVuln / "nvd" / file));
    std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& x) {
      if (x.is_object()) {
        if (x.contains("criteria") && x["criteria"].is_string()) {
          auto c = Cpe::parse(x["criteria"].get<std::string>());
          EXPECT_TRUE(c) << x["criteria"] << ": " << (c ? "" : c.error().message);
          if (c) {
            EXPECT_EQ(c->to_formatted(), x["criteria"].get<std::string>());
          }
          ++n;
        }
        for (const auto& [k, v] : x.items()) walk(v);
      } else if (x.is_array()) {
        for (const auto& v : x) walk(v);
      }
    };
    walk(j);
  }
  EXPECT_GT(n, 50u);
}

TEST(VulnImport, KevCatalogue) {
  VulnDatabase db;
  auto r = db.import_kev(test::read_text_file(kVuln / "kev/known_exploited_vulnerabilities.json"), "kev");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->records, 1404u);
  EXPECT_EQ(r->added, 1404u);
  EXPECT_EQ(r->rejected, 0u);
  EXPECT_TRUE(r->notes.empty());
  EXPECT_EQ(r->catalog_version, "2025.08.25");
  EXPECT_EQ(db.size(), 1404u);
  for (const char* id : {"CVE-2021-44228", "CVE-2021-45046", "CVE-2023-4966", "CVE-2024-3400"}) {
    const auto* rec = db.find(id);
    ASSERT_NE(rec, nullptr) << id;
    ASSERT_TRUE(rec->kev) << id;
  }
  const auto& k = *db.find("CVE-2021-44228")->kev;
  EXPECT_EQ(k.date_added, "2021-12-10");
  EXPECT_FALSE(k.due_date.empty());
  EXPECT_EQ(k.known_ransomware_campaign_use, "Known");
  // The same catalogue again changes nothing.
  auto again = db.import_kev(test::read_text_file(kVuln / "kev/known_exploited_vulnerabilities.json"), "kev");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->unchanged, 1404u);
  EXPECT_EQ(again->added + again->changed + again->removed, 0u);
}

TEST(VulnImport, KevUpdateReportsAddedChangedRemoved) {
  auto catalogue = [](const std::vector<std::pair<const char*, const char*>>& entries) {
    nlohmann::json j = {{"title", "t"}, {"catalogVersion", "1"}, {"count", entries.size()}, {"vulnerabilities", nlohmann::json::array()}};
    for (auto [id, due] : entries)
      j["vulnerabilities"].push_back({{"cveID", id}, {"vendorProject", "v"}, {"product", "p"}, {"dateAdded", "2024-01-01"},
                                      {"dueDate", due}, {"knownRansomwareCampaignUse", "Unknown"}});
    return j.dump();
  };
  VulnDatabase db;
  ASSERT_TRUE(db.import_kev(catalogue({{"CVE-2024-0001", "2024-02-01"}, {"CVE-2024-0002", "2024-02-01"}})));
  auto r = db.import_kev(catalogue({{"CVE-2024-0001", "2024-02-01"}, {"CVE-2024-0002", "2024-03-01"}, {"CVE-2024-0003", "2024-02-01"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->added_ids, std::vector<std::string>{"CVE-2024-0003"});
  EXPECT_EQ(r->changed_ids, std::vector<std::string>{"CVE-2024-0002"});
  EXPECT_EQ(r->unchanged, 1u);
  auto removed = db.import_kev(catalogue({{"CVE-2024-0001", "2024-02-01"}, {"CVE-2024-0003", "2024-02-01"}}));
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->removed_ids, std::vector<std::string>{"CVE-2024-0002"});
  EXPECT_EQ(db.find("CVE-2024-0002")->kev, std::nullopt);
}

TEST(VulnImport, NvdReimportIsIncremental) {
  VulnDatabase db;
  auto text = test::read_text_file(kVuln / "nvd/nvd-api2-page-38cves.json");
  ASSERT_TRUE(db.import_nvd(text));
  auto same = db.import_nvd(text);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->unchanged, 38u);
  EXPECT_EQ(same->added + same->changed, 0u);
  auto j = nlohmann::json::parse(text);
  j["vulnerabilities"][3]["cve"]["lastModified"] = "2030-01-01T00:00:00.000";
  auto changed = db.import_nvd(j.dump());
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->changed, 1u);
  EXPECT_EQ(changed->unchanged, 37u);
  EXPECT_EQ(changed->changed_ids[0], j["vulnerabilities"][3]["cve"]["id"].get<std::string>());
  EXPECT_EQ(db.find(changed->changed_ids[0])->modified(), "2030-01-01T00:00:00.000");
}

TEST(VulnImport, BadRecordsAreRejectedAndTheRestProceeds) {
  auto j = nlohmann::json::parse(test::read_text_file(kVuln / "nvd/nvd-api2-page-38cves.json"));
  std::string bad_cpe = j["vulnerabilities"][0]["cve"]["id"];
  j["vulnerabilities"][0]["cve"]["configurations"][0]["nodes"][0]["cpeMatch"][0]["criteria"] = "cpe:2.3:a:netapp:oops";
  std::string bad_op = j["vulnerabilities"][1]["cve"]["id"];
  j["vulnerabilities"][1]["cve"]["configurations"][0]["nodes"][0]["operator"] = "NAND";
  j["vulnerabilities"][2]["cve"]["id"] = "CVE-XX";
  VulnDatabase db;
  auto r = db.import_nvd(j.dump(), "page");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->records, 38u);
  EXPECT_EQ(r->added, 35u);
  EXPECT_EQ(r->rejected, 3u);
  ASSERT_EQ(r->rejections.size(), 3u);
  EXPECT_EQ(r->rejections[0].record_id, bad_cpe);
  EXPECT_NE(r->rejections[0].reason.find("configurations[0].nodes[0].cpeMatch[0]: criteria 'cpe:2.3:a:netapp:oops'"), std::string::npos)
      << r->rejections[0].reason;
  EXPECT_EQ(r->rejections[1].record_id, bad_op);
  EXPECT_NE(r->rejections[1].reason.find("operator 'NAND'"), std::string::npos);
  EXPECT_EQ(r->rejections[2].record_id, "CVE-XX");
  EXPECT_NE(r->rejections[2].reason.find("is not a CVE id"), std::string::npos);

  auto version = j;
  version["version"] = "3.0";
  auto unknown = db.import_nvd(version.dump(), "page");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown NVD schema version \"3.0\""), std::string::npos);
  auto wrong = db.import_nvd(test::read_text_file(kVuln / "kev/known_exploited_vulnerabilities.json"), "kev.json");
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("KEV catalogue, not an NVD"), std::string::npos);
  auto wrong_kev = db.import_kev(test::read_text_file(kVuln / "nvd/nvd-api2-page-38cves.json"), "page.json");
  ASSERT_FALSE(wrong_kev);
  EXPECT_NE(wrong_kev.error().message.find("not a CISA KEV catalogue"), std::string::npos);

  auto rec = nlohmann::json::parse(test::read_text_file(kVuln / "cve5/2024/3xxx/CVE-2024-3400.json"));
  rec["dataVersion"] = "4.0";
  auto old = db.import_cve5(rec.dump(), "old.json");
  ASSERT_TRUE(old);
  ASSERT_EQ(old->rejected, 1u);
  EXPECT_EQ(old->rejections[0].record_id, "CVE-2024-3400");
  EXPECT_NE(old->rejections[0].reason.find("unknown CVE schema version '4.0'"), std::string::npos);
  auto unknown_kind = db.import_any("<nmaprun></nmaprun>", "scan.xml");
  ASSERT_FALSE(unknown_kind);
  EXPECT_NE(unknown_kind.error().message.find("scan.xml: not a known vulnerability feed"), std::string::npos);
}

TEST(VulnImport, EpssCsv) {
  VulnDatabase db;
  std::string csv =
      "#model_version:v2023.03.01,score_date:2025-08-25T00:00:00+0000\n"
      "cve,epss,percentile\n"
      "CVE-2021-44228,0.94358,0.99957\n"
      "CVE-2024-3400,0.94269,0.99925\n"
      "CVE-2023-4966,1.5,0.9\n"
      "not-a-cve,0.1,0.1\n";
  auto r = db.import_epss(csv, "epss.csv");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->records, 4u);
  EXPECT_EQ(r->added, 2u);
  EXPECT_EQ(r->rejected, 2u);
  EXPECT_EQ(r->rejections[0].record_id, "CVE-2023-4966");
  EXPECT_NE(r->rejections[0].reason.find("line 5: epss is not a number in 0..1"), std::string::npos);
  EXPECT_EQ(r->rejections[1].record_id, "line 6");
  EXPECT_EQ(r->catalog_version, "v2023.03.01");
  const auto* rec = db.find("CVE-2021-44228");
  ASSERT_TRUE(rec && rec->epss);
  EXPECT_DOUBLE_EQ(rec->epss->epss, 0.94358);
  EXPECT_DOUBLE_EQ(rec->epss->percentile, 0.99957);
  EXPECT_EQ(rec->epss->score_date, "2025-08-25T00:00:00+0000");
  auto again = db.import_any(csv, "epss.csv");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->kind, FeedKind::epss);
  EXPECT_EQ(again->unchanged, 2u);
  auto wrong = db.import_epss("cve,score\nCVE-2021-44228,1\n", "x.csv");
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("header 'cve,epss,percentile'"), std::string::npos);
}

TEST(VulnStoreTest, PersistsAndReloadsEveryPart) {
  test::ScratchDir scratch("vuln-store");
  const std::filesystem::path& dir = scratch.path();
  VulnDatabase db;
  db.set_keep_changes(true);
  auto a = db.import_nvd(test::read_text_file(kVuln / "nvd/nvd-api2-CVE-2021-44228-excerpt.json"));
  auto b = db.import_kev(test::read_text_file(kVuln / "kev/known_exploited_vulnerabilities.json"));
  auto c = db.import_epss("cve,epss,percentile\nCVE-2021-44228,0.9,0.99\n");
  ASSERT_TRUE(a && b && c);
  {
    auto store = VulnStore::open(dir / "vuln.db");
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE((*store)->apply(a->changes));
    ASSERT_TRUE((*store)->apply(b->changes));
    ASSERT_TRUE((*store)->apply(c->changes));
    EXPECT_EQ((*store)->part_count(), 1u + 1404u + 1u);
  }
  auto store = VulnStore::open(dir / "vuln.db");
  ASSERT_TRUE(store);
  VulnDatabase loaded;
  auto n = (*store)->load(loaded);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 1406u);
  EXPECT_EQ(loaded.size(), db.size());
  const auto* rec = loaded.find("CVE-2021-44228");
  ASSERT_NE(rec, nullptr);
  EXPECT_TRUE(rec->nvd && rec->kev && rec->epss);
  EXPECT_EQ(rec->configurations().size(), 3u);
  EXPECT_TRUE(evaluate(rec->configurations(), cpes({"cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"})).applies);
  // Hashes survive, so re-importing the same feed after a restart is "unchanged".
  auto again = loaded.import_nvd(test::read_text_file(kVuln / "nvd/nvd-api2-CVE-2021-44228-excerpt.json"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->unchanged, 1u);
}

}  // namespace
}  // namespace khien
