// Sighting store: counts add up per (indicator, organisation), seen times widen, filters, and the
// rows survive reopening the database.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "store/sighting_store.h"
#include "test_files.h"

namespace khien {
namespace {

class SightingStoreTest : public ::testing::Test {
 protected:
  std::filesystem::path db() const { return dir_ / "state.db"; }
  test::ScratchDir scratch_{"sighting"};
  std::filesystem::path dir_ = scratch_.path();
};

SightingRow delta(std::string indicator, std::string org, TimeNs first, TimeNs last, std::uint64_t count) {
  SightingRow r;
  r.indicator_id = std::move(indicator);
  r.org = std::move(org);
  r.first_seen = first;
  r.last_seen = last;
  r.count = count;
  return r;
}

const std::string kA = "indicator--11111111-1111-4111-8111-111111111111";
const std::string kB = "indicator--22222222-2222-4222-8222-222222222222";

TEST_F(SightingStoreTest, CountsAddAndTimesWiden) {
  auto store = SightingStore::open(db());
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->add({delta(kA, "bo-tai-chinh", 100, 200, 3), delta(kA, "bo-cong-an", 150, 150, 1)}));
  ASSERT_TRUE((*store)->add({delta(kA, "bo-tai-chinh", 50, 120, 2)}));
  ASSERT_TRUE((*store)->add({delta(kA, "bo-tai-chinh", 130, 900, 5), delta(kB, "", 10, 10, 1)}));
  auto rows = (*store)->query({});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 3u);
  // Newest last_seen first.
  EXPECT_EQ((*rows)[0].indicator_id, kA);
  EXPECT_EQ((*rows)[0].org, "bo-tai-chinh");
  EXPECT_EQ((*rows)[0].count, 10u);
  EXPECT_EQ((*rows)[0].first_seen, 50);
  EXPECT_EQ((*rows)[0].last_seen, 900);
  EXPECT_GT((*rows)[0].updated, 0);
  EXPECT_EQ((*rows)[1].org, "bo-cong-an");
  EXPECT_EQ((*rows)[1].count, 1u);
  EXPECT_EQ((*rows)[2].indicator_id, kB);
  EXPECT_EQ((*rows)[2].org, "");
  EXPECT_EQ((*store)->total(), 12u);
}

TEST_F(SightingStoreTest, FiltersAndLimit) {
  auto store = SightingStore::open(db());
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->add({delta(kA, "x", 1, 1, 1), delta(kA, "y", 2, 2, 1), delta(kB, "x", 3, 3, 1)}));
  SightingQuery q;
  q.indicators = {kA};
  EXPECT_EQ((*store)->query(q)->size(), 2u);
  q.orgs = {"y"};
  ASSERT_EQ((*store)->query(q)->size(), 1u);
  EXPECT_EQ((*store)->query(q)->front().org, "y");
  SightingQuery by_org;
  by_org.orgs = {"x"};
  EXPECT_EQ((*store)->query(by_org)->size(), 2u);
  SightingQuery limited;
  limited.limit = 1;
  ASSERT_EQ((*store)->query(limited)->size(), 1u);
  EXPECT_EQ((*store)->query(limited)->front().indicator_id, kB);  // last_seen 3 is the newest
  EXPECT_TRUE((*store)->add({}));
}

TEST_F(SightingStoreTest, SurvivesReopen) {
  {
    auto store = SightingStore::open(db());
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->add({delta(kA, "org", 5, 6, 7)}));
  }
  auto store = SightingStore::open(db());
  ASSERT_TRUE(store);
  auto rows = (*store)->query({});
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().count, 7u);
  ASSERT_TRUE((*store)->add({delta(kA, "org", 1, 2, 1)}));
  EXPECT_EQ((*store)->query({})->front().count, 8u);
  EXPECT_EQ((*store)->query({})->front().first_seen, 1);
  EXPECT_EQ((*store)->query({})->front().last_seen, 6);
}

TEST_F(SightingStoreTest, OpenFailsWithPath) {
  auto store = SightingStore::open(dir_ / "no" / "such" / "dir" / "state.db");
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("state.db"), std::string::npos);
}

}  // namespace
}  // namespace khien
