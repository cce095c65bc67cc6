// Space-Saving top-K heavy hitters (Metwally, Agrawal, El Abbadi 2005), mergeable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace khien {

/// The `capacity` most frequent items of a stream, in O(capacity) memory.
///
/// Guarantees, with N the total weight offered: every item's reported count overestimates its
/// true count by at most its `error`, and error <= N / capacity; every item whose true count
/// exceeds N / capacity is in the summary.
///
/// Threading: none; one owner.
class SpaceSaving {
 public:
  struct Item {
    std::string key;
    std::uint64_t count = 0;  ///< upper bound of the true count
    std::uint64_t error = 0;  ///< count - error is a lower bound of the true count
  };

  explicit SpaceSaving(std::size_t capacity = 64);
  void offer(std::string_view key, std::uint64_t weight = 1);
  /// Items by decreasing count (at most `k`, 0: all monitored).
  std::vector<Item> top(std::size_t k = 0) const;
  /// Reported count of `key` (0 when not monitored).
  std::uint64_t count(std::string_view key) const;
  /// Combines `other` into this summary (the mergeable-summaries rule: an item missing from one
  /// side may have had up to that side's minimum count there).
  void merge(const SpaceSaving& other);
  std::uint64_t total() const { return total_; }
  std::size_t size() const { return items_.size(); }
  std::size_t capacity() const { return capacity_; }
  void clear();

 private:
  std::uint64_t min_count() const;
  void sift_down(std::size_t pos);
  void sift_up(std::size_t pos);
  void swap_heap(std::size_t a, std::size_t b);

  std::size_t capacity_;
  std::uint64_t total_ = 0;
  std::vector<Item> items_;
  std::vector<std::size_t> heap_;      // min-heap of item indices by count
  std::vector<std::size_t> position_;  // item index -> heap position
  std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace khien
