// SOC connection health: learns each SOC's cadence and event rate from its own history and says
// when it goes silent, falls well below its baseline, or starts having its events rejected.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "correlate/baseline.h"

namespace khien {

/// `[health]` in the config: thresholds of the SOC health monitor.
struct HealthOptions {
  bool enabled = true;
  TimeNs bucket = 60'000'000'000;               ///< counting interval; rates are reported per minute whatever it is
  double silence_factor = 5;                    ///< silent after this many typical gaps without an event
  TimeNs min_silence = 600'000'000'000;         ///< ... and never before this (10 min)
  std::uint32_t min_active_buckets = 5;         ///< buckets with events before a SOC counts as "was sending"
  double drop_fraction = 0.2;                   ///< degraded below this fraction of the baseline rate
  TimeNs rate_window = 900'000'000'000;         ///< recent window for the rate and the rejection ratio (15 min)
  double min_baseline_per_minute = 1;           ///< a sparser baseline is too thin to call a drop
  std::uint32_t baseline_warmup = 30;           ///< buckets folded before the EWMA baseline is trusted
  double reject_ratio = 0.5;                    ///< rejecting above this share of rejected events in the window
  std::uint64_t min_reject_events = 20;         ///< ... with at least this many events in the window
  double alpha = 0.05;                          ///< weight of the newest bucket in the EWMA rate baseline
  std::string tlp = "amber";                    ///< TLP of health warnings (red: the SOC's organisation only)
};

enum class SocHealthStatus : std::uint8_t { never_seen, ok, silent, degraded, rejecting };

/// "never-seen", "ok", "silent", "degraded", "rejecting".
std::string_view health_status_name(SocHealthStatus status);

/// One SOC's health as last evaluated.
struct SocHealth {
  std::string soc;
  SocHealthStatus status = SocHealthStatus::never_seen;
  std::string reason;               ///< one sentence with the observed and expected figures ("" when ok)
  TimeNs since = 0;                 ///< when the current status began
  TimeNs first_event = 0, last_event = 0;
  double rate_per_minute = 0;       ///< events (accepted + rejected) per minute over the recent window
  double baseline_per_minute = 0;   ///< expected rate now; 0 while learning
  std::string baseline = "learning";  ///< "hour-of-week", "ewma" or "learning"
  double cadence_seconds = 0;       ///< typical gap between buckets with events; 0 while learning
  double silence_limit_seconds = 0; ///< silence longer than this is reported
  double reject_ratio = 0;          ///< rejected share over the recent window
  std::uint64_t accepted = 0, rejected = 0;  ///< totals seen by the monitor
};

/// A status change: a problem began, changed kind, or ended (`health.status == ok`).
struct HealthChange {
  SocHealth health;
  SocHealthStatus previous = SocHealthStatus::never_seen;
};

/// Per-SOC cadence and rate baselines over counts per bucket.
///
/// Counts come in with record() at any time resolution; buckets close as evaluate() moves time
/// forward. A bucket first sits in the recent window (the observed rate and rejection ratio), then
/// is folded into the baselines: an EWMA of events per bucket, and an hour-of-week baseline of
/// events per hour which takes over once the hour of the week has been seen on enough weeks.
/// Buckets closed while a SOC is silent are kept out of the EWMA, so an outage does not teach it
/// that silence is normal; the hour-of-week baseline takes them, so it learns quiet nights. Time is always the caller's (tests drive it).
///
/// Threading: none; one owner.
class SocHealthMonitor {
 public:
  explicit SocHealthMonitor(HealthOptions options = {});
  const HealthOptions& options() const { return options_; }
  /// A registered SOC: listed as never-seen until it sends.
  void track(const std::string& soc);
  /// Forgets a SOC no longer registered.
  void untrack(const std::string& soc);
  /// `accepted` and `rejected` events of `soc` at time `t`.
  void record(const std::string& soc, TimeNs t, std::uint64_t accepted, std::uint64_t rejected);
  /// Closes the buckets that ended by `now`, re-evaluates every SOC and returns the status changes
  /// that matter (never-seen to ok is not one).
  std::vector<HealthChange> evaluate(TimeNs now);
  /// Every tracked SOC as of the last evaluate(), by id.
  std::vector<SocHealth> report() const;

 private:
  struct Bucket {
    TimeNs start = 0;
    std::uint64_t accepted = 0, rejected = 0;
    bool silent = false;  ///< closed while the SOC was silent
  };
  struct State {
    SocHealth health;
    bool seen = false;
    Bucket open;
    std::deque<Bucket> recent;
    EwmaBaseline rate{0.05, 30};
    EwmaBaseline gaps{0.2, 3};
    SeasonalBaseline hourly;
    TimeNs hour_start = -1;
    double hour_count = 0;
    TimeNs last_active_bucket = -1;
    std::uint64_t active_buckets = 0;
    TimeNs resumed = 0;  ///< when events came back after a silence (the rate window restarts there)
  };
  void close_bucket(State& s);
  void fold(State& s, const Bucket& b);
  void assess(State& s, TimeNs now);

  HealthOptions options_;
  std::map<std::string, State> socs_;
};

}  // namespace khien
