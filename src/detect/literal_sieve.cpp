// Files each literal of a LiteralSieve under one of its windows and builds the bitmap and buckets.
#include "detect/literal_sieve.h"

#include <algorithm>
#include <bit>
#include <tuple>
#include <unordered_map>

namespace khien {

void LiteralSieve::add(std::string_view literal, bool cased, std::uint32_t id) {
  literals_.push_back({std::string(literal), id, cased});
}

void LiteralSieve::finish() {
  window_ = kMaxWindow;
  for (const auto& l : literals_) window_ = std::min(window_, l.text.size());
  window_ = std::max(window_, kMinWindow);
  mask_ = window_ >= 4 ? 0xFFFFFFFFu : (1u << (8 * window_)) - 1;
  // Each literal is keyed by one of its windows (lowered, also for a cased literal: the bitmap is
  // tested on the lowered value and the comparison that follows is exact). Literals on paths and
  // command lines share their starts ("\\win", " -e"), and such windows are common in values too,
  // so each takes the window fewest other literals have, then the one with fewest bytes that are
  // frequent in paths and command lines, then the latest.
  std::vector<std::vector<std::uint32_t>> windows(literals_.size());
  std::unordered_map<std::uint32_t, std::uint32_t> holders;
  for (std::size_t i = 0; i < literals_.size(); ++i) {
    const std::string folded = ascii_lower(literals_[i].text);
    for (std::size_t o = 0; o + window_ <= folded.size(); ++o) windows[i].push_back(window_key(folded.data() + o, window_));
    std::vector<std::uint32_t> distinct = windows[i];
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (std::uint32_t k : distinct) ++holders[k];
  }
  auto frequent_bytes = [this](std::uint32_t key) {
    int n = 0;
    for (std::size_t b = 0; b < window_; ++b) {
      const char c = static_cast<char>(key >> (8 * b));
      n += c == '\\' || c == '/' || c == ' ' || c == '.' || c == ':' || c == '-' || c == '"' || c == 'e' || c == 'x';
    }
    return n;
  };
  entries_.clear();
  text_pool_.clear();
  for (std::size_t i = 0; i < literals_.size(); ++i) {
    std::size_t best = 0;
    auto rank = [&](std::size_t o) { return std::make_tuple(holders[windows[i][o]], frequent_bytes(windows[i][o]), ~o); };
    for (std::size_t o = 1; o < windows[i].size(); ++o)
      if (rank(o) < rank(best)) best = o;
    const auto& l = literals_[i];
    entries_.push_back({windows[i][best], l.id, static_cast<std::uint32_t>(text_pool_.size()),
                        static_cast<std::uint32_t>(l.text.size()), static_cast<std::uint32_t>(best), l.cased});
    text_pool_ += l.text;
  }
  // About one bit in sixteen set: a position of a value that holds no literal passes the bitmap
  // once in sixteen times; the bitmap stays within 4 KiB (a few L1 lines are touched per value).
  const std::size_t wanted = std::bit_ceil(std::max<std::size_t>(entries_.size() * 16, 256));
  const std::size_t bit_count = std::min<std::size_t>(wanted, std::size_t{1} << 15);
  shift_ = 32 - static_cast<unsigned>(std::countr_zero(bit_count));
  bits_.assign(bit_count / 64, 0);
  for (const auto& e : entries_) {
    const std::uint32_t h = hash(e.key);
    bits_[h >> 6] |= std::uint64_t{1} << (h & 63);
  }
  // Entries by hash, and a coarse table of about one bucket per entry pointing into them.
  std::stable_sort(entries_.begin(), entries_.end(), [this](const Entry& a, const Entry& b) { return hash(a.key) < hash(b.key); });
  coarse_shift_ = static_cast<unsigned>(std::countr_zero(bit_count)) -
                  std::min(static_cast<unsigned>(std::countr_zero(bit_count)),
                           static_cast<unsigned>(std::countr_zero(std::bit_ceil(entries_.size()))));
  const std::size_t coarse_count = (bit_count >> coarse_shift_) + 1;
  coarse_.assign(coarse_count, 0);
  for (const auto& e : entries_) ++coarse_[(hash(e.key) >> coarse_shift_) + 1];
  for (std::size_t c = 1; c < coarse_count; ++c) coarse_[c] += coarse_[c - 1];
  size_ = literals_.size();
  literals_ = {};
}

}  // namespace khien
