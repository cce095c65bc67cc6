// SOC health monitor: bucketed counts, cadence and rate baselines, and the status rules.
#include "correlate/soc_health_monitor.h"

#include <algorithm>

#include <fmt/format.h>

#include "correlate/campaign_detector.h"

namespace khien {

namespace {

constexpr TimeNs kSecond = 1'000'000'000;
constexpr TimeNs kMinute = 60 * kSecond;
constexpr TimeNs kHour = 3600 * kSecond;

TimeNs floor_to(TimeNs t, TimeNs step) {
  TimeNs q = t / step;
  if (t < 0 && q * step != t) --q;
  return q * step;
}

}  // namespace

std::string_view health_status_name(SocHealthStatus status) {
  switch (status) {
    case SocHealthStatus::never_seen: return "never-seen";
    case SocHealthStatus::ok: return "ok";
    case SocHealthStatus::silent: return "silent";
    case SocHealthStatus::degraded: return "degraded";
    case SocHealthStatus::rejecting: return "rejecting";
  }
  return "ok";
}

SocHealthMonitor::SocHealthMonitor(HealthOptions options) : options_(std::move(options)) {
  if (options_.bucket <= 0) options_.bucket = kMinute;
}

void SocHealthMonitor::track(const std::string& soc) {
  auto [it, inserted] = socs_.try_emplace(soc);
  if (inserted) {
    it->second.health.soc = soc;
    it->second.rate = EwmaBaseline(options_.alpha, options_.baseline_warmup);
  }
}

void SocHealthMonitor::untrack(const std::string& soc) { socs_.erase(soc); }

void SocHealthMonitor::record(const std::string& soc, TimeNs t, std::uint64_t accepted, std::uint64_t rejected) {
  track(soc);
  State& s = socs_[soc];
  if (accepted + rejected == 0) return;
  if (!s.seen) {
    s.seen = true;
    s.open.start = floor_to(t, options_.bucket);
    s.health.first_event = t;
    s.resumed = s.open.start;
  }
  while (t >= s.open.start + options_.bucket) close_bucket(s);
  // Events after a silence restart the window the rate is judged on: the silence itself is
  // already reported, and a SOC coming back must not be called degraded for it.
  if (s.health.status == SocHealthStatus::silent) s.resumed = s.open.start;
  s.open.accepted += accepted;
  s.open.rejected += rejected;
  s.health.accepted += accepted;
  s.health.rejected += rejected;
  s.health.last_event = std::max(s.health.last_event, t);
}

void SocHealthMonitor::close_bucket(State& s) {
  Bucket b = s.open;
  b.silent = s.health.status == SocHealthStatus::silent;
  if (b.accepted + b.rejected > 0) {
    if (s.last_active_bucket >= 0) {
      const TimeNs gap = b.start - s.last_active_bucket;
      // A gap that was itself an outage says nothing about the usual cadence.
      if (!b.silent) s.gaps.observe(static_cast<double>(gap) / 1e9);
    }
    s.last_active_bucket = b.start;
    ++s.active_buckets;
  }
  s.recent.push_back(b);
  s.open = Bucket{b.start + options_.bucket, 0, 0, false};
}

void SocHealthMonitor::fold(State& s, const Bucket& b) {
  const double n = static_cast<double>(b.accepted + b.rejected);
  // The hour-of-week baseline takes silent hours too: that is how it learns nights and weekends
  // (one outage moves an hour's expectation by alpha, once). The flat EWMA does not.
  if (!b.silent) s.rate.observe(n);
  const TimeNs hour = floor_to(b.start, kHour);
  if (hour != s.hour_start) {
    if (s.hour_start >= 0) s.hourly.observe(s.hour_start, s.hour_count);
    s.hour_start = hour;
    s.hour_count = 0;
  }
  s.hour_count += n;
}

void SocHealthMonitor::assess(State& s, TimeNs now) {
  SocHealth& h = s.health;
  if (!s.seen) {
    h.status = SocHealthStatus::never_seen;
    h.reason.clear();
    return;
  }
  const double bucket_minutes = static_cast<double>(options_.bucket) / static_cast<double>(kMinute);
  const TimeNs window_start = std::max(now - options_.rate_window, s.resumed);
  std::uint64_t acc = 0, rej = 0;
  TimeNs covered = 0;
  for (const auto& b : s.recent) {
    if (b.start < window_start) continue;
    acc += b.accepted;
    rej += b.rejected;
    covered += options_.bucket;
  }
  const std::uint64_t total = acc + rej;
  h.rate_per_minute = covered > 0 ? static_cast<double>(total) / (static_cast<double>(covered) / static_cast<double>(kMinute)) : 0;
  h.reject_ratio = total > 0 ? static_cast<double>(rej) / static_cast<double>(total) : 0;
  if (s.hourly.warm(now)) {
    h.baseline = "hour-of-week";
    h.baseline_per_minute = s.hourly.expected(now) / 60.0;
  } else if (s.rate.warm()) {
    h.baseline = "ewma";
    h.baseline_per_minute = s.rate.mean() / bucket_minutes;
  } else {
    h.baseline = "learning";
    h.baseline_per_minute = 0;
  }
  const double cadence = s.gaps.warm() ? s.gaps.mean() : static_cast<double>(options_.bucket) / 1e9;
  h.cadence_seconds = s.gaps.warm() ? s.gaps.mean() : 0;
  const double limit = std::max(static_cast<double>(options_.min_silence) / 1e9, options_.silence_factor * cadence);
  h.silence_limit_seconds = limit;
  const double silence = static_cast<double>(now - h.last_event) / 1e9;

  SocHealthStatus status = SocHealthStatus::ok;
  std::string reason;
  // An hour of the week that is normally empty (nights, weekends of an office-hours SOC) is not
  // an outage: silence counts only when the hour-of-week baseline expects at least one event.
  // Both ends of the span the silence is judged on must expect events, so a SOC that starts its
  // day at 08:00 is called silent at 08:00 + the limit, not at 08:00.
  const TimeNs span = static_cast<TimeNs>(std::min(silence, limit) * 1e9);
  const double expected_rate = h.baseline == "hour-of-week" ? std::min(h.baseline_per_minute, s.hourly.expected(now - span) / 60.0) : 0;
  const bool quiet_hour_expected = h.baseline == "hour-of-week" && expected_rate * std::min(silence, limit) / 60.0 < 1.0;
  if (s.active_buckets >= options_.min_active_buckets && silence > limit && !quiet_hour_expected) {
    status = SocHealthStatus::silent;
    reason = fmt::format("no event for {}; usually one every {} (silent after {}); last event {}", format_duration(static_cast<TimeNs>(silence) * kSecond),
                         format_duration(static_cast<TimeNs>(cadence * 1e9)), format_duration(static_cast<TimeNs>(limit) * kSecond),
                         format_rfc3339(h.last_event, 0));
  } else if (total >= options_.min_reject_events && h.reject_ratio > options_.reject_ratio) {
    status = SocHealthStatus::rejecting;
    reason = fmt::format("{:.0f}% of {} events rejected over the last {} (threshold {:.0f}%)", h.reject_ratio * 100, total,
                         format_duration(covered), options_.reject_ratio * 100);
  } else if (h.baseline_per_minute >= options_.min_baseline_per_minute && covered >= options_.rate_window &&
             // Fewer than three expected arrivals in the window cannot tell a drop from chance.
             static_cast<double>(options_.rate_window) / 1e9 >= 3 * cadence &&
             h.rate_per_minute < options_.drop_fraction * h.baseline_per_minute) {
    status = SocHealthStatus::degraded;
    reason = fmt::format("{:.1f} events/min over the last {} against {:.1f} expected ({} baseline); below {:.0f}% of it", h.rate_per_minute,
                         format_duration(covered), h.baseline_per_minute, h.baseline, options_.drop_fraction * 100);
  }
  if (status == SocHealthStatus::silent && h.status != SocHealthStatus::silent) {
    // The buckets since the last event were an outage too: keep them out of the baselines.
    for (auto& b : s.recent)
      if (b.start >= floor_to(h.last_event, options_.bucket) + options_.bucket) b.silent = true;
  }
  if (status != h.status) h.since = now;
  h.status = status;
  h.reason = std::move(reason);
}

std::vector<HealthChange> SocHealthMonitor::evaluate(TimeNs now) {
  std::vector<HealthChange> changes;
  for (auto& [id, s] : socs_) {
    const SocHealthStatus before = s.health.status;
    if (s.seen) {
      while (now >= s.open.start + options_.bucket) close_bucket(s);
      while (!s.recent.empty() && s.recent.front().start < now - options_.rate_window) {
        fold(s, s.recent.front());
        s.recent.pop_front();
      }
    }
    assess(s, now);
    const SocHealthStatus after = s.health.status;
    if (after == before) continue;
    if (before == SocHealthStatus::never_seen && after == SocHealthStatus::ok) continue;
    changes.push_back(HealthChange{s.health, before});
  }
  return changes;
}

std::vector<SocHealth> SocHealthMonitor::report() const {
  std::vector<SocHealth> out;
  out.reserve(socs_.size());
  for (const auto& [id, s] : socs_) out.push_back(s.health);
  return out;
}

}  // namespace khien
