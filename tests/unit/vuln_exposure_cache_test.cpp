// ExposureIndex changed one system at a time and ExposureCache kept current incrementally: on the
// Log4Shell excerpt and the 38-CVE NVD page, every sequence of system and CVE changes leaves the
// cache equal to a fresh evaluation of the same inventory.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <random>

#include <nlohmann/json.hpp>

#include "vuln/exposure_cache.h"
#include "vuln/exposure_index.h"
#include "vuln/vuln_database.h"
#include "test_files.h"

namespace khien {
namespace {

const std::filesystem::path kVuln = std::filesystem::path(KHIEN_CORPUS_DIR) / "vuln";

InventoryEntry entry(const std::string& id, const std::string& org, std::initializer_list<std::string> names) {
  InventoryEntry e{id, org, {}};
  for (const auto& n : names) e.cpes.push_back(Cpe::parse(n).value());
  return e;
}

std::string log4j(const std::string& version) { return "cpe:2.3:a:apache:log4j:" + version + ":*:*:*:*:*:*:*"; }

// CVE id → exposed system ids, from the cache.
std::map<std::string, std::vector<std::string>> cached(const ExposureCache& cache, const ExposureIndex& index) {
  std::map<std::string, std::vector<std::string>> out;
  cache.for_each([&](const std::string& cve, const std::vector<std::uint32_t>& positions) {
    for (auto p : positions) out[cve].push_back(index.inventory()[p].system_id);
    std::sort(out[cve].begin(), out[cve].end());
  });
  return out;
}

// The same, evaluated from scratch over a fresh index of the live entries.
std::map<std::string, std::vector<std::string>> fresh(const VulnDatabase& db, const ExposureIndex& index) {
  std::vector<InventoryEntry> live;
  for (const auto& e : index.inventory())
    if (!e.system_id.empty()) live.push_back(e);
  std::map<std::string, std::vector<std::string>> out;
  for (auto& [cve, systems] : ExposureIndex(live).exposure_all(db)) {
    for (const auto& s : systems) out[cve].push_back(s.system_id);
    std::sort(out[cve].begin(), out[cve].end());
  }
  return out;
}

class ExposureCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db.import_nvd(test::read_text_file(kVuln / "nvd/nvd-api2-CVE-2021-44228-excerpt.json"), "excerpt"));
    ASSERT_TRUE(db.import_nvd(test::read_text_file(kVuln / "nvd/nvd-api2-page-38cves.json"), "page"));
    index = ExposureIndex({entry("sys-a", "org-1", {log4j("2.14.1")}), entry("sys-b", "org-2", {log4j("2.17.1")})});
    cache.rebuild(db, index);
  }
  // Applies a system change as VulnService does: index first, then the cache with the old CPEs.
  void upsert(InventoryEntry e) {
    std::vector<Cpe> old;
    if (auto at = index.position(e.system_id)) old = index.inventory()[*at].cpes;
    auto position = index.upsert(std::move(e));
    cache.update_system(db, index, position, old);
  }
  void remove(const std::string& id) {
    auto at = index.position(id);
    ASSERT_TRUE(at);
    auto old = index.inventory()[*at].cpes;
    ASSERT_TRUE(index.remove(id));
    cache.update_system(db, index, *at, old);
  }
  std::vector<std::string> log4shell() {
    std::vector<std::string> out;
    if (const auto* p = cache.exposed("CVE-2021-44228"))
      for (auto i : *p) out.push_back(index.inventory()[i].system_id);
    return out;
  }
  VulnDatabase db;
  ExposureIndex index;
  ExposureCache cache;
};

TEST_F(ExposureCacheTest, SystemAddedEditedRemoved) {
  EXPECT_EQ(log4shell(), std::vector<std::string>{"sys-a"});
  upsert(entry("sys-new", "org-3", {"cpe:2.3:a:apache:tomcat:9.0.1:*:*:*:*:*:*:*", log4j("2.14.1")}));
  EXPECT_EQ(log4shell(), (std::vector<std::string>{"sys-a", "sys-new"}));
  upsert(entry("sys-new", "org-3", {log4j("2.17.1")}));
  EXPECT_EQ(log4shell(), std::vector<std::string>{"sys-a"}) << "patched to 2.17.1";
  upsert(entry("sys-b", "org-2", {log4j("2.15.0")}));
  EXPECT_EQ(log4shell(), std::vector<std::string>{"sys-a"}) << "NVD's range for this CVE ends before 2.15.0";
  upsert(entry("sys-b", "org-2", {log4j("2.13.3")}));
  EXPECT_EQ(log4shell(), (std::vector<std::string>{"sys-a", "sys-b"})) << "2.13.3 lies in 2.13.0 .. 2.15.0";
  remove("sys-a");
  EXPECT_EQ(log4shell(), std::vector<std::string>{"sys-b"});
  EXPECT_FALSE(index.position("sys-a"));
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(cached(cache, index), fresh(db, index));
}

TEST_F(ExposureCacheTest, WildcardInventoryCpeIsCheckedAgainstEveryCve) {
  // An ANY product cannot be looked up by product; the change must still be evaluated everywhere.
  upsert(entry("sys-w", "org-4", {"cpe:2.3:a:apache:*:2.14.1:*:*:*:*:*:*:*"}));
  EXPECT_EQ(cached(cache, index), fresh(db, index));
  remove("sys-w");
  EXPECT_EQ(cached(cache, index), fresh(db, index));
}

TEST_F(ExposureCacheTest, RandomEditsMatchAFreshEvaluation) {
  // Every product and version the corpus criteria name, so edits hit real configurations.
  std::vector<std::string> names;
  db.for_each([&](const VulnRecord& rec) {
    std::function<void(const ConfigNode&)> walk = [&](const ConfigNode& n) {
      for (const auto& m : n.matches) {
        Cpe c = m.criteria;
        if (c.version().is_any()) c.set(CpeAttribute::version, CpeValue::literal(std::to_string(1 + names.size() % 9) + ".0"));
        names.push_back(c.to_formatted());
      }
      for (const auto& child : n.children) walk(child);
    };
    for (const auto& config : rec.configurations())
      for (const auto& node : config.nodes) walk(node);
  });
  ASSERT_GT(names.size(), 50u);
  std::mt19937 rng(7);
  auto pick = [&] { return names[rng() % names.size()]; };
  for (int step = 0; step < 300; ++step) {
    std::string id = "sys-" + std::to_string(rng() % 40);
    if (rng() % 5 == 0 && index.position(id)) {
      remove(id);
    } else {
      InventoryEntry e{id, "org-" + std::to_string(rng() % 7), {}};
      for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; ++k) e.cpes.push_back(Cpe::parse(pick()).value());
      upsert(std::move(e));
    }
  }
  auto now = cached(cache, index);
  EXPECT_EQ(now, fresh(db, index));
  EXPECT_GT(now.size(), 5u) << "the edits should expose systems to several CVEs";
}

TEST_F(ExposureCacheTest, ChangedCveIsReEvaluated) {
  // The same CVE re-imported with a configuration naming tomcat instead of log4j.
  auto page = nlohmann::json::parse(test::read_text_file(kVuln / "nvd/nvd-api2-CVE-2021-44228-excerpt.json"));
  auto& configs = page["vulnerabilities"][0]["cve"]["configurations"];
  configs = nlohmann::json::parse(R"([{"nodes":[{"operator":"OR","negate":false,"cpeMatch":[
      {"vulnerable":true,"criteria":"cpe:2.3:a:apache:tomcat:*:*:*:*:*:*:*:*","versionEndExcluding":"9.0.2",
       "matchCriteriaId":"00000000-0000-0000-0000-000000000001"}]}]}])");
  upsert(entry("sys-t", "org-5", {"cpe:2.3:a:apache:tomcat:9.0.1:*:*:*:*:*:*:*"}));
  auto r = db.import_nvd(page.dump(), "changed");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->changed_ids, std::vector<std::string>{"CVE-2021-44228"});
  cache.update_cves(db, index, r->changed_ids);
  EXPECT_EQ(log4shell(), std::vector<std::string>{"sys-t"});
  // A later edit of the old log4j system must not bring it back through the stale product list.
  upsert(entry("sys-a", "org-1", {log4j("2.14.0")}));
  EXPECT_EQ(log4shell(), std::vector<std::string>{"sys-t"});
  EXPECT_EQ(cached(cache, index), fresh(db, index));
}

}  // namespace
}  // namespace khien
