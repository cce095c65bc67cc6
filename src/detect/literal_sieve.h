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
  /// Chooses the window (the shortest literal's length, at most four bytes), files each literal
  /// under one of its windows and builds the bitmap.
  void finish();
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  /// Calls `found(id)` for each literal occurring in `value` (once per occurrence); `folded` is
  /// `value` lowered (ascii_lower_into), which the caller shares with its other searches.
  template <typename F>
  void match(std::string_view value, std::string_view folded, F&& found) const {
    if (value.size() < window_ || size_ == 0) return;
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
      if ((bits[h >> 6] >> (h & 63) & 1) != 0) confirm(key, h, value, folded, i, found);
    }
    for (; i + window_ <= n; ++i) {  // the last windows of fewer than four bytes
      const std::uint32_t key = window_key(p + i, n - i);
      const std::uint32_t h = hash(key);
      if ((bits[h >> 6] >> (h & 63) & 1) != 0) confirm(key, h, value, folded, i, found);
    }
  }

 private:
  struct Literal {
    std::string text;
    std::uint32_t id;
    bool cased;
  };
  // A literal as matching reads it: filed under `key`, its text in text_pool_.
  struct Entry {
    std::uint32_t key;  // `window_` bytes of the literal from `offset`, lowered
    std::uint32_t id;
    std::uint32_t text;
    std::uint32_t length;
    std::uint32_t offset;
    bool cased;
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

  // Whether the first and the last sizeof(Word) of the n bytes at a and b are equal (n at least
  // sizeof(Word)): two loads each side, overlapping when n is short.
  template <typename Word>
  static bool ends_equal(const char* a, const char* b, std::size_t n) {
    Word x = 0, y = 0, u = 0, v = 0;
    std::memcpy(&x, a, sizeof x);
    std::memcpy(&y, b, sizeof y);
    std::memcpy(&u, a + n - sizeof u, sizeof u);
    std::memcpy(&v, b + n - sizeof v, sizeof v);
    return ((x ^ y) | (u ^ v)) == 0;
  }
  // Whether the n bytes at a and b are equal, with no call for short texts.
  static bool same_bytes(const char* a, const char* b, std::size_t n) {
    if (n >= 8) return ends_equal<std::uint64_t>(a, b, n) && (n <= 16 || std::memcmp(a + 8, b + 8, n - 16) == 0);
    if (n >= 4) return ends_equal<std::uint32_t>(a, b, n);
    for (std::size_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }

  // The entries whose window hashes to `h` are in the run of its coarse bucket (entries are
  // ordered by hash); those with another key are skipped.
  template <typename F>
  void confirm(std::uint32_t key, std::uint32_t h, std::string_view value, std::string_view folded, std::size_t at,
               F& found) const {
    const std::uint32_t c = h >> coarse_shift_;
    for (const Entry *e = entries_.data() + coarse_[c], *end = entries_.data() + coarse_[c + 1]; e != end; ++e) {
      if (e->key != key || at < e->offset) continue;
      const std::size_t start = at - e->offset;
      if (value.size() - start < e->length) continue;
      const char* p = (e->cased ? value.data() : folded.data()) + start;
      if (same_bytes(p, text_pool_.data() + e->text, e->length)) found(e->id);
    }
  }

  std::vector<Literal> literals_;  // until finish()
  std::vector<Entry> entries_;  // by hash of key
  std::string text_pool_;
  std::vector<std::uint32_t> coarse_;  // coarse bucket -> its first entry; one past the last at the end
  std::vector<std::uint64_t> bits_;
  std::size_t window_ = kMaxWindow;
  std::uint32_t mask_ = 0xFFFFFFFFu;
  unsigned shift_ = 32;
  unsigned coarse_shift_ = 0;
  std::size_t size_ = 0;
};

}  // namespace khien
