// HyperLogLog implementation.
#include "correlate/hyper_log_log.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include <fmt/format.h>

#include "correlate/hashing.h"

namespace khien {

HyperLogLog::HyperLogLog(int precision)
    : precision_(std::clamp(precision, kMinPrecision, kMaxPrecision)), registers_(std::size_t{1} << precision_, 0) {}

void HyperLogLog::add_hash(std::uint64_t hash) {
  const std::size_t index = hash >> (64 - precision_);
  // Rank of the first 1 bit in the remaining bits; a sentinel bit bounds it when they are all zero.
  const std::uint64_t rest = (hash << precision_) | (std::uint64_t{1} << (precision_ - 1));
  const auto rank = static_cast<std::uint8_t>(std::countl_zero(rest) + 1);
  if (rank > registers_[index]) registers_[index] = rank;
}

void HyperLogLog::add(std::string_view item) { add_hash(hash64(item)); }

double HyperLogLog::estimate() const {
  const double m = static_cast<double>(registers_.size());
  double sum = 0;
  std::size_t zeros = 0;
  for (auto r : registers_) {
    sum += std::ldexp(1.0, -r);
    if (r == 0) ++zeros;
  }
  double alpha = m == 16 ? 0.673 : m == 32 ? 0.697 : m == 64 ? 0.709 : 0.7213 / (1.0 + 1.079 / m);
  double e = alpha * m * m / sum;
  // Small range: linear counting on the empty registers is more accurate.
  if (e <= 2.5 * m && zeros > 0) return m * std::log(m / static_cast<double>(zeros));
  // With 64-bit hashes the large-range correction of the 32-bit original is never needed.
  return e;
}

Status HyperLogLog::merge(const HyperLogLog& other) {
  if (other.precision_ != precision_)
    return fail(fmt::format("HyperLogLog merge: precision {} and {} differ", precision_, other.precision_));
  for (std::size_t i = 0; i < registers_.size(); ++i) registers_[i] = std::max(registers_[i], other.registers_[i]);
  return {};
}

void HyperLogLog::clear() { std::fill(registers_.begin(), registers_.end(), 0); }

double HyperLogLog::standard_error() const { return 1.04 / std::sqrt(static_cast<double>(registers_.size())); }

}  // namespace khien
