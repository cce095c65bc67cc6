// Time windows over a stream: tumbling (fixed, non-overlapping) and sliding (a ring of panes),
// generic over the aggregate each window holds (a count, a sketch, a top-K summary).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/time.h"

namespace khien {

/// Start of the window of `width` holding `t` (floor division, also for times before 1970).
constexpr TimeNs window_start(TimeNs t, TimeNs width) {
  TimeNs q = t / width;
  if (t % width != 0 && t < 0) --q;
  return q * width;
}

/// One aggregate per fixed window [start, start + width). Moving to a later window hands the
/// closed one to the callback; records for an already closed window are refused (late).
///
/// Threading: none; one owner. `Agg` needs a default constructor (the empty aggregate) or a
/// factory given at construction.
template <typename Agg>
class TumblingWindow {
 public:
  using Closed = std::function<void(TimeNs start, const Agg&)>;
  TumblingWindow(TimeNs width, Closed on_close, std::function<Agg()> make = [] { return Agg(); })
      : width_(width), on_close_(std::move(on_close)), make_(std::move(make)), agg_(make_()) {}

  /// The aggregate of the window holding `t`, closing the current one first if `t` is past it;
  /// nullptr when `t` belongs to a window already closed.
  Agg* at(TimeNs t) {
    TimeNs s = window_start(t, width_);
    if (!started_) {
      start_ = s;
      started_ = true;
    }
    if (s < start_) return nullptr;
    if (s > start_) {
      if (on_close_) on_close_(start_, agg_);
      agg_ = make_();
      start_ = s;
    }
    return &agg_;
  }
  /// Closes the current window if `now` is past its end (time moving on with no records).
  void advance(TimeNs now) {
    if (started_ && window_start(now, width_) > start_) at(now);
  }
  TimeNs width() const { return width_; }
  TimeNs current_start() const { return start_; }
  const Agg& current() const { return agg_; }

 private:
  TimeNs width_;
  Closed on_close_;
  std::function<Agg()> make_;
  Agg agg_;
  TimeNs start_ = 0;
  bool started_ = false;
};

/// A window of `span` that slides in steps of span / panes: a ring of pane aggregates, the
/// oldest reused as time moves on. Queries fold the panes that overlap (now - span, now].
/// Memory is panes x sizeof(Agg) whatever the event rate.
template <typename Agg>
class SlidingWindow {
 public:
  SlidingWindow(TimeNs span, std::size_t panes, std::function<Agg()> make = [] { return Agg(); })
      : span_(span), pane_width_(span / static_cast<TimeNs>(panes ? panes : 1)), make_(std::move(make)) {
    for (std::size_t i = 0; i < (panes ? panes : 1); ++i) panes_.push_back(Pane{kEmpty, make_()});
  }

  /// The pane aggregate for a record at `t`; nullptr when `t` is older than the window behind the
  /// newest time seen (too late to count).
  Agg* at(TimeNs t) {
    TimeNs s = window_start(t, pane_width_);
    if (newest_ != kEmpty && s <= newest_ - span_) return nullptr;
    if (newest_ == kEmpty || s > newest_) newest_ = s;
    Pane& p = panes_[static_cast<std::size_t>((s / pane_width_) % static_cast<TimeNs>(panes_.size()) + static_cast<TimeNs>(panes_.size())) % panes_.size()];
    if (p.start != s) {
      p.start = s;
      p.agg = make_();
    }
    return &p.agg;
  }

  /// Calls f(pane_start, agg) for every pane inside (now - span, now].
  template <typename F>
  void for_each(TimeNs now, F&& f) const {
    TimeNs newest = window_start(now, pane_width_);
    for (const auto& p : panes_)
      if (p.start != kEmpty && p.start <= newest && p.start > newest - span_) f(p.start, p.agg);
  }

  TimeNs span() const { return span_; }
  TimeNs pane_width() const { return pane_width_; }
  std::size_t panes() const { return panes_.size(); }

 private:
  static constexpr TimeNs kEmpty = INT64_MIN;
  struct Pane {
    TimeNs start;
    Agg agg;
  };
  TimeNs span_;
  TimeNs pane_width_;
  std::function<Agg()> make_;
  std::vector<Pane> panes_;
  TimeNs newest_ = kEmpty;
};

/// Sum of the counts in a sliding window.
class SlidingCounter {
 public:
  SlidingCounter(TimeNs span, std::size_t panes) : window_(span, panes) {}
  void add(TimeNs t, std::uint64_t n = 1) {
    if (auto* c = window_.at(t)) *c += n;
  }
  std::uint64_t sum(TimeNs now) const {
    std::uint64_t total = 0;
    window_.for_each(now, [&](TimeNs, const std::uint64_t& c) { total += c; });
    return total;
  }

 private:
  SlidingWindow<std::uint64_t> window_;
};

}  // namespace khien
