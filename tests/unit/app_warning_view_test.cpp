// Tenant views of warnings: who sees which warning (TLP:RED to named recipients only), what is masked, and list/count filtering in the store.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "app/warning_view.h"
#include "store/warning_store.h"
#include "test_files.h"

namespace khien {
namespace {

using json = nlohmann::json;

const OrgPlaces kPlaces{{"evn", {"nang-luong", "ha-noi"}},
                        {"pvn", {"nang-luong", "ho-chi-minh"}},
                        {"vietcombank", {"ngan-hang", "ha-noi"}},
                        {"viettel", {"vien-thong", "da-nang"}}};

json campaign(const std::vector<std::string>& orgs, const std::string& tlp = "amber") {
  json list = json::array(), sectors = json::array(), provinces = json::array();
  for (const auto& o : orgs) {
    list.push_back({{"org", o}, {"alerts", 2}});
    const auto& place = kPlaces.at(o);
    if (std::find(sectors.begin(), sectors.end(), place.sector) == sectors.end()) sectors.push_back(place.sector);
    if (std::find(provinces.begin(), provinces.end(), place.province) == provinces.end()) provinces.push_back(place.province);
  }
  return {{"id", 7},
          {"kind", "domain"},
          {"key", "evil.example"},
          {"title", "domain evil.example seen at organisations"},
          {"org_count", orgs.size()},
          {"sector_count", sectors.size()},
          {"province_count", provinces.size()},
          {"organisations", list},
          {"sectors", sectors},
          {"provinces", provinces},
          {"tlp", tlp}};
}

WarningViewer viewer(WarningViewer::Scope scope, const std::string& id) { return WarningViewer{scope, id}; }
const auto kOrg = WarningViewer::Scope::organisation;
const auto kSector = WarningViewer::Scope::sector;

TEST(WarningView, OrganisationsAndSectorsSeeOnlyWarningsThatTouchThem) {
  json doc = campaign({"evn", "vietcombank", "viettel"});
  EXPECT_TRUE(warning_visible(WarningViewer{}, doc));
  EXPECT_TRUE(warning_visible(viewer(kOrg, "evn"), doc));
  EXPECT_FALSE(warning_visible(viewer(kOrg, "pvn"), doc)) << "same sector, not affected";
  EXPECT_TRUE(warning_visible(viewer(kSector, "nang-luong"), doc));
  EXPECT_FALSE(warning_visible(viewer(kSector, "y-te"), doc));
  EXPECT_FALSE(warning_visible(viewer(kOrg, ""), doc)) << "an org-soc without a scope sees nothing";
}

TEST(WarningView, OtherOrganisationsAreOnlyCounted) {
  json doc = campaign({"evn", "pvn", "vietcombank", "viettel"});
  doc["details"] = {{"systems", json::array({{{"system", "scada"}, {"org", "evn"}}, {{"system", "core-banking"}, {"org", "vietcombank"}}})}};
  doc["recipients"] = json::array({"evn"});
  json seen = warning_for_viewer(viewer(kOrg, "evn"), doc, kPlaces);
  ASSERT_EQ(seen["organisations"].size(), 1u);
  EXPECT_EQ(seen["organisations"][0]["org"], "evn");
  EXPECT_EQ(seen["organisations_not_shown"], 3);
  EXPECT_EQ(seen["org_count"], 4) << "the breadth stays visible as a count";
  EXPECT_EQ(seen["sector_count"], 3);
  EXPECT_EQ(seen["sectors"], json::array({"nang-luong"}));
  EXPECT_EQ(seen["provinces"], json::array({"ha-noi"}));
  EXPECT_EQ(seen["details"]["systems"].size(), 1u);
  EXPECT_EQ(seen["view"], "organisation");
  EXPECT_FALSE(seen.contains("recipients"));
  std::string text = seen.dump();
  for (const char* other : {"pvn", "vietcombank", "viettel", "core-banking", "ho-chi-minh", "da-nang", "ngan-hang"})
    EXPECT_EQ(text.find(other), std::string::npos) << other << " leaks into " << text;

  json sector = warning_for_viewer(viewer(kSector, "nang-luong"), doc, kPlaces);
  ASSERT_EQ(sector["organisations"].size(), 2u) << "the sector CERT sees its sector's organisations";
  EXPECT_EQ(sector["organisations_not_shown"], 2);
  EXPECT_EQ(sector["provinces"].size(), 2u);
  EXPECT_EQ(sector.dump().find("vietcombank"), std::string::npos);

  EXPECT_EQ(warning_for_viewer(WarningViewer{}, doc, kPlaces), doc) << "national readers see it whole";
  json clear = campaign({"evn", "vietcombank"}, "clear");
  EXPECT_EQ(warning_for_viewer(viewer(kOrg, "evn"), clear, kPlaces)["organisations"].size(), 2u)
      << "TLP:CLEAR may be disclosed";
}

TEST(WarningView, RedGoesOnlyToNamedRecipients) {
  json red = campaign({"evn", "vietcombank"}, "red");
  EXPECT_TRUE(warning_visible(viewer(kOrg, "evn"), red)) << "without a list, the affected organisations are named";
  EXPECT_FALSE(warning_visible(viewer(kSector, "nang-luong"), red)) << "a sector CERT is not named";
  red["recipients"] = json::array({"nang-luong", "vietcombank"});
  EXPECT_FALSE(warning_visible(viewer(kOrg, "evn"), red)) << "affected but not a recipient";
  EXPECT_TRUE(warning_visible(viewer(kOrg, "vietcombank"), red));
  EXPECT_TRUE(warning_visible(viewer(kSector, "nang-luong"), red));
  EXPECT_TRUE(warning_visible(WarningViewer{}, red));
}

class WarningStoreTenantTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = WarningStore::open(dir_ / "state.db");
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
  }
  void put(std::int64_t id, const std::vector<std::string>& orgs, const std::string& tlp,
           std::vector<std::string> recipients = {}) {
    WarningRecord r;
    r.id = id;
    r.kind = "domain";
    r.key = "k" + std::to_string(id);
    r.severity = "high";
    r.orgs = orgs;
    for (const auto& o : orgs) r.sectors.push_back(kPlaces.at(o).sector);
    r.tlp = tlp;
    r.recipients = std::move(recipients);
    r.document = campaign(orgs, tlp).dump();
    ASSERT_TRUE(store_->upsert(r, {}));
  }
  std::uint64_t total(const WarningViewer& v, std::string sector = {}) {
    WarningQuery q;
    q.sector = std::move(sector);
    narrow_warning_query(v, q);
    auto page = store_->query(q);
    EXPECT_TRUE(page);
    return page ? page->total : 999;
  }
  test::ScratchDir scratch_{"warning-view"};
  std::filesystem::path dir_ = scratch_.path();
  std::unique_ptr<WarningStore> store_;
};

TEST_F(WarningStoreTenantTest, ListsAndCountsAreFilteredByTenantAndTlp) {
  put(1, {"evn", "vietcombank"}, "amber");
  put(2, {"vietcombank", "viettel"}, "amber");
  put(3, {"evn", "viettel"}, "red");
  put(4, {"pvn", "viettel"}, "red", {"nang-luong"});
  EXPECT_EQ(total(WarningViewer{}), 4u);
  EXPECT_EQ(total(viewer(kOrg, "evn")), 2u) << "1 and its own RED 3";
  EXPECT_EQ(total(viewer(kOrg, "vietcombank")), 2u);
  EXPECT_EQ(total(viewer(kOrg, "pvn")), 0u) << "RED 4 names only the sector";
  EXPECT_EQ(total(viewer(kSector, "nang-luong")), 2u) << "1 and 4 (addressed to it); RED 3 is not";
  EXPECT_EQ(total(viewer(kSector, "nang-luong"), "ngan-hang"), 0u) << "asking for another sector matches nothing";
  auto one = store_->get(3);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->tlp, "red");
  EXPECT_EQ(one->orgs, (std::vector<std::string>{"evn", "viettel"}));
}

// A warning merged into an older one while it settled: out of every list, found by id with the
// warning it joined, its evidence moved there (an event both hold counted once).
TEST_F(WarningStoreTenantTest, AMergedWarningLeavesTheListsAndItsEvidenceMoves) {
  put(1, {"evn", "vietcombank"}, "amber");
  put(2, {"pvn", "viettel"}, "amber");
  auto with_evidence = [&](std::int64_t id, std::vector<std::uint64_t> seqs, std::int64_t merged_into) {
    auto r = store_->get(id);
    ASSERT_TRUE(r);
    r->merged_into = merged_into;
    if (merged_into) r->active = false;
    std::vector<WarningEvidenceRow> rows;
    for (auto seq : seqs) rows.push_back(WarningEvidenceRow{seq, 0, "evn"});
    ASSERT_TRUE(store_->upsert(*r, rows));
  };
  with_evidence(1, {10, 11}, 0);
  with_evidence(2, {11, 12}, 0);
  EXPECT_EQ(total(WarningViewer{}), 2u);
  with_evidence(2, {13}, 1);
  EXPECT_EQ(total(WarningViewer{}), 1u);
  WarningQuery inactive;
  inactive.active = false;
  EXPECT_EQ(store_->query(inactive)->total, 0u);
  auto merged = store_->get(2);
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->merged_into, 1);
  EXPECT_EQ(store_->evidence_count(1), 4u) << "10, 11, 12 and 13";
  EXPECT_EQ(store_->evidence_count(2), 0u);
}

TEST(WarningStoreUpgrade, AStoreWithoutTenantColumnsGetsThemFilledFromTheDocuments) {
  test::ScratchDir scratch("warning-upgrade");
  const std::filesystem::path& dir = scratch.path();
  {
    // The table as stores written before tenant readers have it.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "state.db").c_str(), &db), SQLITE_OK);
    std::string doc = campaign({"evn", "vietcombank"}).dump();
    std::string sql =
        "CREATE TABLE warnings (id BIGINT PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, severity TEXT NOT NULL, "
        "severity_id INTEGER NOT NULL, active INTEGER NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, "
        "updated BIGINT NOT NULL, sectors TEXT NOT NULL, document TEXT NOT NULL); "
        "INSERT INTO warnings VALUES (5, 'domain', 'evil.example', 'high', 4, 1, 0, 0, 0, '[\"nang-luong\",\"ngan-hang\"]', '" +
        doc + "');";
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = WarningStore::open(dir / "state.db");
  ASSERT_TRUE(store) << store.error().message;
  auto w = (*store)->get(5);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->orgs, (std::vector<std::string>{"evn", "vietcombank"}));
  EXPECT_EQ(w->tlp, "amber");
  WarningQuery q;
  narrow_warning_query(WarningViewer{WarningViewer::Scope::organisation, "evn"}, q);
  EXPECT_EQ((*store)->query(q)->total, 1u);
  q = WarningQuery{};
  narrow_warning_query(WarningViewer{WarningViewer::Scope::organisation, "viettel"}, q);
  EXPECT_EQ((*store)->query(q)->total, 0u);
  store->reset();
}

}  // namespace
}  // namespace khien
