// Baselines with anomaly scores: an exponentially weighted moving average, and an hour-of-week
// seasonal baseline made of one EWMA per hour of the week.
#pragma once

#include <array>
#include <cstdint>

#include "core/time.h"

namespace khien {

/// EWMA of a series and of its squared deviation, for z-like anomaly scores.
///
/// Threading: none; one owner.
class EwmaBaseline {
 public:
  /// `alpha` in (0, 1]: weight of the newest observation. `warmup`: observations before score()
  /// reports anything but 0 (a baseline of two points says nothing).
  explicit EwmaBaseline(double alpha = 0.1, std::uint32_t warmup = 5) : alpha_(alpha), warmup_(warmup) {}
  /// Score of `x` against the baseline so far, then folds `x` in.
  double observe(double x);
  /// (x - mean) / max(stddev, floor); 0 while warming up. The floor (default 1, and at least 10 %
  /// of the mean) keeps a perfectly flat history from turning one extra event into infinity.
  double score(double x) const;
  double mean() const { return mean_; }
  double stddev() const;
  std::uint64_t observations() const { return n_; }
  bool warm() const { return n_ >= warmup_; }

 private:
  double alpha_;
  std::uint32_t warmup_;
  double mean_ = 0, var_ = 0;
  std::uint64_t n_ = 0;
};

/// Expected value per hour of the week (Monday 00:00 UTC first), each hour its own EWMA over weeks.
/// Feed it one value per hour (e.g. alerts in that hour); ask what an hour should look like.
class SeasonalBaseline {
 public:
  static constexpr int kSlots = 7 * 24;
  explicit SeasonalBaseline(double alpha = 0.3, std::uint32_t warmup = 2);
  /// Hour of the week 0..167 of `t` (UTC; the Unix epoch was a Thursday).
  static int slot_of(TimeNs t);
  /// Folds the value observed for the hour holding `t`; returns its score before folding.
  double observe(TimeNs t, double x) { return slots_[static_cast<std::size_t>(slot_of(t))].observe(x); }
  double expected(TimeNs t) const { return slots_[static_cast<std::size_t>(slot_of(t))].mean(); }
  double score(TimeNs t, double x) const { return slots_[static_cast<std::size_t>(slot_of(t))].score(x); }
  bool warm(TimeNs t) const { return slots_[static_cast<std::size_t>(slot_of(t))].warm(); }

 private:
  std::array<EwmaBaseline, kSlots> slots_;
};

}  // namespace khien
