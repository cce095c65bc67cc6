// HyperLogLog count-distinct sketch (Flajolet et al. 2007, with the small- and large-range corrections).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace khien {

/// Approximate number of distinct items in 2^precision bytes. The relative standard error is
/// 1.04 / sqrt(2^precision): 0.81 % at the default precision 14 (16 KiB).
///
/// Threading: none; one owner. Two sketches of the same precision merge exactly (register max), so
/// shards or time panes can be combined.
class HyperLogLog {
 public:
  static constexpr int kMinPrecision = 4;
  static constexpr int kMaxPrecision = 18;

  explicit HyperLogLog(int precision = 14);
  int precision() const { return precision_; }
  /// Adds an item by its 64-bit hash (use hash64() for strings; hashes must be uniform).
  void add_hash(std::uint64_t hash);
  void add(std::string_view item);
  /// Estimated number of distinct items added.
  double estimate() const;
  /// Union with `other`; fails when the precisions differ.
  Status merge(const HyperLogLog& other);
  void clear();
  /// Relative standard error of estimate() for this precision.
  double standard_error() const;
  std::size_t memory_bytes() const { return registers_.size(); }

 private:
  int precision_;
  std::vector<std::uint8_t> registers_;
};

}  // namespace khien
