// Streaming primitives against known answers: HyperLogLog error bound, Space-Saving guarantees,
// EWMA on a step, hour-of-week slots, tumbling and sliding windows.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>

#include "correlate/baseline.h"
#include "correlate/hashing.h"
#include "correlate/hyper_log_log.h"
#include "correlate/space_saving.h"
#include "correlate/windows.h"

namespace khien {
namespace {

constexpr TimeNs kSec = 1'000'000'000;

TEST(HyperLogLog, MillionDistinctWithinThreeStandardErrors) {
  HyperLogLog hll(14);
  const std::uint64_t n = 1'000'000;
  for (std::uint64_t i = 0; i < n; ++i) {
    hll.add(std::to_string(i));
    if (i % 3 == 0) hll.add(std::to_string(i));  // repeats do not count
  }
  double err = std::abs(hll.estimate() - static_cast<double>(n)) / static_cast<double>(n);
  EXPECT_NEAR(hll.standard_error(), 0.0081, 0.0001);
  EXPECT_LT(err, 3 * hll.standard_error()) << "estimate " << hll.estimate();
  EXPECT_EQ(hll.memory_bytes(), 16384u);
}

TEST(HyperLogLog, SmallCountsAreNearlyExact) {
  HyperLogLog hll(14);
  EXPECT_EQ(hll.estimate(), 0);
  for (int i = 0; i < 100; ++i) hll.add("org-" + std::to_string(i));
  EXPECT_NEAR(hll.estimate(), 100, 2);
}

TEST(HyperLogLog, MergeIsTheUnion) {
  HyperLogLog a(12), b(12), both(12);
  for (int i = 0; i < 50000; ++i) {
    a.add_hash(mix64(static_cast<std::uint64_t>(i)));
    both.add_hash(mix64(static_cast<std::uint64_t>(i)));
  }
  for (int i = 25000; i < 80000; ++i) {
    b.add_hash(mix64(static_cast<std::uint64_t>(i)));
    both.add_hash(mix64(static_cast<std::uint64_t>(i)));
  }
  ASSERT_TRUE(a.merge(b));
  EXPECT_DOUBLE_EQ(a.estimate(), both.estimate());
  EXPECT_LT(std::abs(a.estimate() - 80000) / 80000, 3 * a.standard_error());
  HyperLogLog other(10);
  auto st = a.merge(other);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("precision"), std::string::npos);
}

TEST(SpaceSaving, GuaranteesOnAZipfStream) {
  const std::size_t k = 50;
  SpaceSaving ss(k);
  std::map<std::string, std::uint64_t> truth;
  std::mt19937_64 rng(7);
  // Zipf-like: item i with weight 1/(i+1) over 5000 items.
  std::vector<double> w;
  for (int i = 0; i < 5000; ++i) w.push_back(1.0 / (i + 1));
  std::discrete_distribution<int> pick(w.begin(), w.end());
  const std::uint64_t n = 200000;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string key = "ip-" + std::to_string(pick(rng));
    ++truth[key];
    ss.offer(key);
  }
  EXPECT_EQ(ss.total(), n);
  EXPECT_EQ(ss.size(), k);
  for (const auto& item : ss.top()) {
    std::uint64_t t = truth[item.key];
    EXPECT_GE(item.count, t) << item.key;              // never underestimates
    EXPECT_LE(item.count - item.error, t) << item.key;  // count - error is a lower bound
    EXPECT_LE(item.error, n / k);
  }
  for (const auto& [key, t] : truth) {
    if (t > n / k) {
      EXPECT_GT(ss.count(key), 0u) << key << " is frequent but not monitored";
    }
  }
  auto top = ss.top(3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].key, "ip-0");
  EXPECT_EQ(top[1].key, "ip-1");
}

TEST(SpaceSaving, MergeKeepsTheGuarantees) {
  SpaceSaving a(20), b(20);
  std::map<std::string, std::uint64_t> truth;
  std::mt19937_64 rng(11);
  std::vector<double> w;
  for (int i = 0; i < 1000; ++i) w.push_back(1.0 / (i + 1));
  std::discrete_distribution<int> pick(w.begin(), w.end());
  for (int i = 0; i < 40000; ++i) {
    std::string key = std::to_string(pick(rng));
    ++truth[key];
    (i % 2 ? a : b).offer(key);
  }
  a.merge(b);
  EXPECT_EQ(a.total(), 40000u);
  EXPECT_LE(a.size(), 20u);
  for (const auto& item : a.top()) {
    EXPECT_GE(item.count, truth[item.key]);
    EXPECT_LE(item.count - item.error, truth[item.key]);
  }
  EXPECT_EQ(a.top(1)[0].key, "0");
}

TEST(Ewma, StepIsAnAnomalyThenBecomesTheBaseline) {
  EwmaBaseline b(0.2, 5);
  EXPECT_EQ(b.observe(10), 0);  // warming up
  for (int i = 0; i < 50; ++i) b.observe(10 + (i % 2));
  EXPECT_NEAR(b.mean(), 10.5, 0.1);
  double first = b.score(30);
  EXPECT_GT(first, 10);  // a step from ~10 to 30 is far outside
  double s = 0;
  int steps = 0;
  for (; steps < 100; ++steps) {
    s = b.observe(30);
    if (s < 1) break;
  }
  EXPECT_LT(s, 1);
  EXPECT_GT(steps, 3);  // not absorbed at once
  // After the step settles the mean converges geometrically to the new level: 1 - 0.8^n.
  for (int i = 0; i < 60; ++i) b.observe(30);
  EXPECT_NEAR(b.mean(), 30, 0.01);
}

TEST(Ewma, KnownMeanAfterOneStep) {
  EwmaBaseline b(0.5, 1);
  b.observe(0);
  b.observe(0);
  b.observe(8);  // 0 + 0.5 * 8
  EXPECT_DOUBLE_EQ(b.mean(), 4);
  b.observe(8);  // 4 + 0.5 * 4
  EXPECT_DOUBLE_EQ(b.mean(), 6);
}

TEST(Seasonal, HourOfWeekSlotsAndExpectations) {
  // 2024-01-01 was a Monday: 00:00 UTC is slot 0, 13:00 slot 13; the Sunday before ends at 167.
  const TimeNs monday = 1704067200LL * kSec;
  EXPECT_EQ(SeasonalBaseline::slot_of(monday), 0);
  EXPECT_EQ(SeasonalBaseline::slot_of(monday + 13 * 3600 * kSec), 13);
  EXPECT_EQ(SeasonalBaseline::slot_of(monday - kSec), 167);
  SeasonalBaseline s(0.5, 2);
  const TimeNs week = 7 * 24 * 3600 * kSec;
  for (int w = 0; w < 4; ++w) {
    s.observe(monday + w * week + 9 * 3600 * kSec, 100);  // busy Monday mornings
    s.observe(monday + w * week + 3 * 3600 * kSec, 5);    // quiet nights
  }
  const TimeNs next = monday + 4 * week;
  EXPECT_DOUBLE_EQ(s.expected(next + 9 * 3600 * kSec), 100);
  EXPECT_DOUBLE_EQ(s.expected(next + 3 * 3600 * kSec), 5);
  EXPECT_LT(s.score(next + 9 * 3600 * kSec, 100), 1);  // normal for a Monday morning
  EXPECT_GT(s.score(next + 3 * 3600 * kSec, 100), 5);   // the same volume at night is not
  EXPECT_FALSE(s.warm(next + 20 * 3600 * kSec));
}

TEST(Windows, TumblingClosesEachWindowOnce) {
  std::vector<std::pair<TimeNs, std::uint64_t>> closed;
  TumblingWindow<std::uint64_t> w(60 * kSec, [&](TimeNs start, const std::uint64_t& n) { closed.emplace_back(start, n); });
  for (int s = 0; s < 180; s += 2) ++*w.at(s * kSec);  // 30 per minute
  EXPECT_EQ(w.at(10 * kSec), nullptr);                  // the first minute is closed: late
  w.advance(200 * kSec);
  ASSERT_EQ(closed.size(), 3u);
  EXPECT_EQ(closed[0], std::make_pair(TimeNs{0}, std::uint64_t{30}));
  EXPECT_EQ(closed[2], std::make_pair(120 * kSec, std::uint64_t{30}));
  EXPECT_EQ(w.current_start(), 180 * kSec);
}

TEST(Windows, SlidingCountsOnlyTheSpan) {
  SlidingCounter c(60 * kSec, 6);  // one minute in 10 s panes
  for (int s = 0; s < 120; ++s) c.add(s * kSec);
  EXPECT_EQ(c.sum(119 * kSec), 60u);  // panes 60..119
  EXPECT_EQ(c.sum(125 * kSec), 50u);  // panes 70..120: the records at 70..119
  c.add(10 * kSec);                   // too late to count
  EXPECT_EQ(c.sum(119 * kSec), 60u);
  EXPECT_EQ(c.sum(400 * kSec), 0u);
}

TEST(Windows, SlidingSketchesMerge) {
  SlidingWindow<HyperLogLog> w(3600 * kSec, 12, [] { return HyperLogLog(10); });
  for (int m = 0; m < 120; ++m)
    for (int i = 0; i < 10; ++i) w.at(m * 60 * kSec)->add("src-" + std::to_string(m * 10 + i));
  HyperLogLog all(10);
  w.for_each(119 * 60 * kSec, [&](TimeNs, const HyperLogLog& h) { ASSERT_TRUE(all.merge(h)); });
  EXPECT_NEAR(all.estimate(), 600, 600 * 3 * all.standard_error());  // the last hour: 60 minutes x 10
}

}  // namespace
}  // namespace khien
