// SOC health monitor on synthetic per-minute counts: silence, rate drop, rejections, recovery,
// and an office-hours SOC whose nights are learned as normal.
#include <gtest/gtest.h>

#include "correlate/soc_health_monitor.h"

using namespace khien;

namespace {

constexpr TimeNs kSec = 1'000'000'000;
constexpr TimeNs kMin = 60 * kSec;
// Monday 2026-11-23 00:00 UTC.
constexpr TimeNs kMonday = 1795392000LL * kSec;

SocHealth find(const SocHealthMonitor& m, const std::string& soc) {
  for (const auto& h : m.report())
    if (h.soc == soc) return h;
  return {};
}

// Feeds `per_minute` events for `minutes` minutes from `start`, evaluating each minute; returns
// every change seen.
std::vector<HealthChange> feed(SocHealthMonitor& m, const std::string& soc, TimeNs start, int minutes, std::uint64_t per_minute,
                               std::uint64_t rejected_per_minute = 0) {
  std::vector<HealthChange> all;
  for (int i = 0; i < minutes; ++i) {
    const TimeNs t = start + i * kMin;
    if (per_minute + rejected_per_minute > 0) m.record(soc, t + kSec, per_minute, rejected_per_minute);
    for (auto& c : m.evaluate(t + kMin)) all.push_back(std::move(c));
  }
  return all;
}

}  // namespace

TEST(SocHealth, NeverSeenUntilItSends) {
  SocHealthMonitor m;
  m.track("soc-a");
  EXPECT_TRUE(m.evaluate(kMonday).empty());
  EXPECT_EQ(find(m, "soc-a").status, SocHealthStatus::never_seen);
  EXPECT_EQ(health_status_name(find(m, "soc-a").status), "never-seen");
  // The first events are no warning: never-seen to ok is not a change worth announcing.
  EXPECT_TRUE(feed(m, "soc-a", kMonday, 3, 10).empty());
  EXPECT_EQ(find(m, "soc-a").status, SocHealthStatus::ok);
}

TEST(SocHealth, SilencePastCadenceAndRecovery) {
  SocHealthMonitor m;  // floor 10 min, 5 x cadence (1 min)
  EXPECT_TRUE(feed(m, "soc-a", kMonday, 120, 10).empty());
  const SocHealth warm = find(m, "soc-a");
  EXPECT_EQ(warm.status, SocHealthStatus::ok);
  EXPECT_NEAR(warm.cadence_seconds, 60, 1);
  EXPECT_EQ(warm.baseline, "ewma");
  EXPECT_NEAR(warm.baseline_per_minute, 10, 0.5);
  EXPECT_NEAR(warm.rate_per_minute, 10, 0.01);

  const TimeNs stop = kMonday + 120 * kMin;
  // Last event at stop - 59 s; nine minutes of silence is within the 10-minute floor.
  EXPECT_TRUE(m.evaluate(stop + 9 * kMin).empty());
  auto changes = m.evaluate(stop + 11 * kMin);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].health.status, SocHealthStatus::silent);
  EXPECT_EQ(changes[0].previous, SocHealthStatus::ok);
  EXPECT_NE(changes[0].health.reason.find("no event for"), std::string::npos) << changes[0].health.reason;
  EXPECT_TRUE(m.evaluate(stop + 30 * kMin).empty()) << "still silent: no new change";

  // It comes back: ok at once, and not "degraded" for the empty window behind it.
  auto back = feed(m, "soc-a", stop + 40 * kMin, 20, 10);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].health.status, SocHealthStatus::ok);
  EXPECT_EQ(back[0].previous, SocHealthStatus::silent);
  // The outage did not drag the baseline down.
  EXPECT_NEAR(find(m, "soc-a").baseline_per_minute, 10, 1);
}

TEST(SocHealth, LongerCadenceWidensTheSilenceLimit) {
  HealthOptions o;
  o.min_silence = 2 * kMin;
  o.silence_factor = 3;
  SocHealthMonitor m(o);
  // One batch every 10 minutes for a day.
  for (int i = 0; i < 144; ++i) {
    m.record("soc-b", kMonday + i * 10 * kMin, 50, 0);
    m.evaluate(kMonday + i * 10 * kMin + kSec);
  }
  const TimeNs last = kMonday + 143 * 10 * kMin;
  EXPECT_NEAR(find(m, "soc-b").cadence_seconds, 600, 1);
  auto early = m.evaluate(last + 25 * kMin);
  EXPECT_TRUE(early.empty()) << "a 25-minute gap is normal for a 10-minute sender: " << (early.empty() ? "" : early[0].health.reason);
  auto changes = m.evaluate(last + 31 * kMin);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].health.status, SocHealthStatus::silent);
}

TEST(SocHealth, RateDropBelowBaseline) {
  SocHealthMonitor m;  // drop below 20 % over 15 min
  EXPECT_TRUE(feed(m, "soc-c", kMonday, 120, 100).empty());
  const TimeNs t = kMonday + 120 * kMin;
  // 30 events/min is 30 %: not a drop.
  EXPECT_TRUE(feed(m, "soc-c", t, 20, 30).empty());
  // 5 events/min is: degraded once the 15-minute window is mostly at the new rate.
  auto changes = feed(m, "soc-c", t + 20 * kMin, 20, 5);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].health.status, SocHealthStatus::degraded);
  EXPECT_LT(changes[0].health.rate_per_minute, 0.2 * changes[0].health.baseline_per_minute);
  EXPECT_NE(changes[0].health.reason.find("expected"), std::string::npos) << changes[0].health.reason;
  // Back to its usual rate: ok again.
  auto back = feed(m, "soc-c", t + 40 * kMin, 20, 100);
  ASSERT_FALSE(back.empty());
  EXPECT_EQ(back.back().health.status, SocHealthStatus::ok);
}

TEST(SocHealth, RejectionRateJump) {
  SocHealthMonitor m;  // above 50 % rejected with at least 20 events in the window
  EXPECT_TRUE(feed(m, "soc-d", kMonday, 60, 20, 1).empty());
  auto changes = feed(m, "soc-d", kMonday + 60 * kMin, 20, 5, 30);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].health.status, SocHealthStatus::rejecting);
  EXPECT_GT(changes[0].health.reject_ratio, 0.5);
  auto back = feed(m, "soc-d", kMonday + 80 * kMin, 30, 20, 0);
  ASSERT_FALSE(back.empty());
  EXPECT_EQ(back.back().health.status, SocHealthStatus::ok);
}

TEST(SocHealth, OfficeHoursNightsAreLearnedNotReported) {
  SocHealthMonitor m;
  // Three weeks of a SOC that sends 20 events/min on weekdays 08:00-17:00 UTC and nothing else.
  std::size_t silent_weeks_3 = 0;
  for (int week = 0; week < 3; ++week) {
    for (int minute = 0; minute < 7 * 24 * 60; ++minute) {
      const int day = minute / (24 * 60), hour = (minute / 60) % 24;
      const TimeNs t = kMonday + week * 7 * 24 * 60 * kMin + minute * kMin;
      if (day < 5 && hour >= 8 && hour < 17) m.record("soc-e", t + kSec, 20, 0);
      for (const auto& c : m.evaluate(t + kMin))
        if (week == 2 && c.health.status == SocHealthStatus::silent) ++silent_weeks_3;
    }
  }
  EXPECT_EQ(find(m, "soc-e").baseline, "hour-of-week");
  EXPECT_EQ(silent_weeks_3, 0u) << "nights and the weekend are normal by the third week";
  // Fourth Monday: nothing arrives at 08:00; by 08:30 it is an outage.
  const TimeNs monday4 = kMonday + 3 * 7 * 24 * 60 * kMin;
  for (int minute = 0; minute < 8 * 60; ++minute) m.evaluate(monday4 + minute * kMin);
  EXPECT_EQ(find(m, "soc-e").status, SocHealthStatus::ok);
  auto changes = m.evaluate(monday4 + 8 * 60 * kMin + 30 * kMin);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].health.status, SocHealthStatus::silent);
}
