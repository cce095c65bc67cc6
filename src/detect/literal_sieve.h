// Contains-literals on one field found by sliding a window over the value and testing a bitmap,
// where a Vectorscan scan's set-up costs more than the search itself (short values, a few hundred
// literals: Image, ParentCommandLine, Description on process creation).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"

namespace khien {

/// A set of literals each naming an id, found anywhere in a value: caseless ones (ASCII letters
/// compared as Vectorscan's HS_FLAG_CASELESS does) and cased ones. The value is lowered once; at
/// each position its next `window` bytes are hashed into a bitmap holding one window of each
/// literal, and only positions whose bit is set compare literals. Every literal must be at least
/// kMinWindow bytes long (a one-byte literal would set a bit for a byte seen everywhere).
/// Immutable after finish(); match() may run on many threads at once.
class LiteralSieve {
 public:
  static constexpr std::size_t kMinWindow = 2;
  static constexpr std::size_t kMaxWindow = 4;

  /// Adds a literal of at least kMinWindow bytes (lower case when not `cased`).
  void add(std::string_view literal, bool cased, std::uint32_t id);
  /// Chooses the window (the shortest literal's length, at most four bytes) and builds the bitmap.
  void finish();
  bool empty() const { return literals_.empty(); }
  std::size_t size() const { return literals_.size(); }

  /// Calls `found(id)` for each literal occurring in `value` (once per occurrence); `folded` is
  /// `value` lowered (ascii_lower_into), shared by the sieves of a field.
  template <typename F>
  void match(std::string_view value, std::string_view folded, F&& found) const {
    if (value.size() < window_ || literals_.empty()) return;
    // Locals, not members: `found` may write memory, and the compiler would reload members.
    const std::uint64_t* bits = bits_.data();
    const std::uint32_t mask = mask_;
    const unsigned shift = shift_;
    const char* p = folded.data();
    const std::size_t n = value.size();
    std::size_t i = 0;
    for (; i + 4 <= n; ++i) {
      std::uint32_t key = 0;
      std::memcpy(&key, p + i, 4);
      key &= mask;
      const std::uint32_t h = (key * kHashMultiplier) >> shift;
      if ((bits[h >> 6] >> (h & 63) & 1) != 0) confirm(key, value, folded, i, found);
    }
    for (; i + window_ <= n; ++i) {  // the last windows of fewer than four bytes
      const std::uint32_t key = window_key(p + i, n - i);
      if ((bits[hash(key) >> 6] >> (hash(key) & 63) & 1) != 0) confirm(key, value, folded, i, found);
    }
  }

 private:
  struct Literal {
    std::string text;
    std::uint32_t id;
    bool cased;
  };
  struct Entry {
    std::uint32_t key;  // `window_` bytes of the literal from `offset`, lowered
    std::uint32_t literal;
    std::uint32_t offset;
  };

  // The next `window_` bytes at `p` (of `left` readable) as a number; one load when four remain.
  std::uint32_t window_key(const char* p, std::size_t left) const {
    std::uint32_t k = 0;
    if (left >= 4) {
      std::memcpy(&k, p, 4);
    } else {
      std::memcpy(&k, p, left);
    }
    return k & mask_;
  }
  static constexpr std::uint32_t kHashMultiplier = 0x9E3779B1u;
  std::uint32_t hash(std::uint32_t key) const { return (key * kHashMultiplier) >> shift_; }

  template <typename F>
  void confirm(std::uint32_t key, std::string_view value, std::string_view folded, std::size_t at, F& found) const {
    const Entry* e = first_entry(key);
    for (const Entry* end = entries_.data() + entries_.size(); e != end && e->key == key; ++e) {
      if (at < e->offset) continue;
      const std::size_t start = at - e->offset;
      const Literal& l = literals_[e->literal];
      if (value.size() - start < l.text.size()) continue;
      const char* p = (l.cased ? value.data() : folded.data()) + start;
      if (std::memcmp(p, l.text.data(), l.text.size()) == 0) found(l.id);
    }
  }
  const Entry* first_entry(std::uint32_t key) const;

  std::vector<Literal> literals_;
  std::vector<Entry> entries_;  // by key
  std::vector<std::uint64_t> bits_;
  std::size_t window_ = kMaxWindow;
  std::uint32_t mask_ = 0xFFFFFFFFu;
  unsigned shift_ = 32;
};

}  // namespace khien
