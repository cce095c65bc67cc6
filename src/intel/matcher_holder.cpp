// The live-matcher pointer: a mutex-guarded shared_ptr copied per batch.
#include "intel/matcher_holder.h"

namespace khien {

MatcherHolder::MatcherHolder() : current_(IndicatorMatcher::Builder().build()) {}

std::shared_ptr<const IndicatorMatcher> MatcherHolder::get() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::uint64_t MatcherHolder::publish(std::shared_ptr<const IndicatorMatcher> matcher) {
  if (!matcher) return version();
  std::shared_ptr<const IndicatorMatcher> old;
  std::lock_guard lock(mutex_);
  old.swap(current_);
  current_ = std::move(matcher);
  // `old` is released after the lock (declared before it), so freeing a large matcher never runs
  // under the lock.
  return ++version_;
}

std::uint64_t MatcherHolder::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

}  // namespace khien
