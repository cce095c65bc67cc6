// Alert store: inserts are idempotent per (kind, rule, event, value); filters and paging.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "store/alert_store.h"
#include "test_files.h"

namespace khien {

TEST(AlertStore, InsertsOnceFiltersAndPages) {
  test::ScratchDir scratch("alerts");
  const std::filesystem::path& dir = scratch.path();
  auto store = AlertStore::open(dir / "state.db");
  ASSERT_TRUE(store) << store.error().message;
  std::vector<Alert> batch;
  for (int i = 0; i < 25; ++i) {
    Alert a;
    a.kind = i % 5 == 0 ? "sigma" : "ioc";
    a.rule_id = i % 2 ? "indicator--a" : "indicator--b";
    a.title = "hit " + std::to_string(i);
    a.severity_id = 2 + i % 3;
    a.org = i < 10 ? "evn" : "bo-cong-an";
    a.sector = i < 10 ? "nang-luong" : "an-ninh-trat-tu";
    a.matched = "evil.vn";
    a.time = i * 1'000'000'000LL;
    a.event_seq = static_cast<std::uint64_t>(i + 1);
    a.event_json = R"({"n":1})";
    a.tags = {"T1566"};
    batch.push_back(a);
  }
  ASSERT_TRUE((*store)->insert(batch));
  ASSERT_TRUE((*store)->insert(batch)) << "a replayed batch is accepted";
  AlertQuery all;
  all.limit = 1000;
  auto page = (*store)->query(all);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 25u) << "and stored once";
  EXPECT_EQ(page->alerts.front().alert.title, "hit 24") << "newest first";
  EXPECT_EQ(page->alerts.front().alert.tags, std::vector<std::string>{"T1566"});

  AlertQuery energy;
  energy.sectors = {"nang-luong"};
  energy.kinds = {"ioc"};
  page = (*store)->query(energy);
  EXPECT_EQ(page->total, 8u);  // 0..9 minus 0 and 5 (sigma)

  AlertQuery severe;
  severe.min_severity = 4;
  severe.since = 10'000'000'000LL;
  page = (*store)->query(severe);
  EXPECT_EQ(page->total, 5u);  // i in 10..24 with i % 3 == 2

  AlertQuery paged;
  paged.limit = 10;
  std::size_t seen = 0;
  int pages = 0;
  do {
    page = (*store)->query(paged);
    seen += page->alerts.size();
    paged.before_id = page->next_before_id;
    ++pages;
  } while (paged.before_id != 0 && pages < 10);
  EXPECT_EQ(seen, 25u);
  EXPECT_EQ(pages, 3);
  auto counts = (*store)->counts_by_rule("ioc");
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0].second + counts[1].second, 20u);
  EXPECT_TRUE((*store)->get(page->alerts.front().id));
  EXPECT_FALSE((*store)->get(99999));
}

}  // namespace khien
