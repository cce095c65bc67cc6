// Baselines implementation.
#include "correlate/baseline.h"

#include <algorithm>
#include <cmath>

namespace khien {

double EwmaBaseline::observe(double x) {
  double s = score(x);
  if (n_ == 0) {
    mean_ = x;
    var_ = 0;
  } else {
    // West's incremental form of the exponentially weighted variance.
    double diff = x - mean_;
    double incr = alpha_ * diff;
    mean_ += incr;
    var_ = (1 - alpha_) * (var_ + diff * incr);
  }
  ++n_;
  return s;
}

double EwmaBaseline::stddev() const { return std::sqrt(std::max(var_, 0.0)); }

double EwmaBaseline::score(double x) const {
  if (!warm()) return 0;
  double floor = std::max(1.0, 0.1 * std::abs(mean_));
  return (x - mean_) / std::max(stddev(), floor);
}

SeasonalBaseline::SeasonalBaseline(double alpha, std::uint32_t warmup) {
  for (auto& s : slots_) s = EwmaBaseline(alpha, warmup);
}

int SeasonalBaseline::slot_of(TimeNs t) {
  constexpr std::int64_t kHour = 3'600'000'000'000LL;
  std::int64_t hours = t >= 0 ? t / kHour : (t - kHour + 1) / kHour;
  // Epoch hour 0 is Thursday 00:00; shift so that Monday 00:00 is slot 0.
  std::int64_t slot = (hours + 3 * 24) % kSlots;
  if (slot < 0) slot += kSlots;
  return static_cast<int>(slot);
}

}  // namespace khien
