// Publishes the current indicator matcher to the workers and swaps in a rebuilt one without a pause.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

#include "intel/indicator_matcher.h"

namespace khien {

/// Holds the live matcher. Threading: get() and publish() may be called from any thread. A worker
/// calls get() once per batch and keeps the shared_ptr for the batch, so the lock is held only for a
/// reference-count increment; a reload builds the new matcher aside (no lock) and publish() swaps the
/// pointer. The old matcher is freed when the last batch using it drops its copy.
class MatcherHolder {
 public:
  /// Starts with an empty matcher, so get() never returns null.
  MatcherHolder();

  /// The current matcher.
  std::shared_ptr<const IndicatorMatcher> get() const;
  /// Makes `matcher` current (null is ignored) and returns the new version number.
  std::uint64_t publish(std::shared_ptr<const IndicatorMatcher> matcher);
  /// How many matchers have been published (0 for the initial empty one).
  std::uint64_t version() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const IndicatorMatcher> current_;
  std::uint64_t version_ = 0;
};

}  // namespace khien
