// BatchHits: what a detector found for a whole batch in Detector::begin_batch, handed back event by
// event as the pipeline calls detect() on the batch's events in order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/event.h"

namespace khien {

template <typename Hit>
class BatchHits {
 public:
  /// Starts a batch of `events` with no hits yet.
  void begin(std::span<const Event* const> events) {
    events_.assign(events.begin(), events.end());
    hits_.clear();
    next_event_ = next_hit_ = 0;
  }

  /// A hit of `events[index]`; hits are added in event order.
  void add(std::size_t index, Hit hit) { hits_.push_back({static_cast<std::uint32_t>(index), std::move(hit)}); }

  /// When `event` is the batch's next event or a later one, calls `f(hit)` for each of its hits
  /// and returns true (events skipped meanwhile lose theirs); false for an event outside the batch.
  /// After the batch's last event the batch is over (active() is false).
  template <typename F>
  bool take(const Event& event, F&& f) {
    std::size_t at = next_event_;
    while (at < events_.size() && events_[at] != &event) ++at;
    if (at == events_.size()) return false;
    while (next_hit_ < hits_.size() && hits_[next_hit_].event < at) ++next_hit_;
    for (; next_hit_ < hits_.size() && hits_[next_hit_].event == at; ++next_hit_) f(hits_[next_hit_].hit);
    next_event_ = at + 1;
    if (next_event_ == events_.size()) begin({});
    return true;
  }

  bool active() const { return !events_.empty(); }

 private:
  struct Entry {
    std::uint32_t event;
    Hit hit;
  };
  std::vector<const Event*> events_;
  std::vector<Entry> hits_;
  std::size_t next_event_ = 0, next_hit_ = 0;
};

}  // namespace khien
