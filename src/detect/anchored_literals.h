// Caseless literals anchored at a value's start, end or both (Sigma's startswith, endswith and
// plain equality), matched by walking two tries from the value's ends and one hash lookup of the
// whole value instead of a Vectorscan scan.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"

namespace khien {

/// Literals tied to the ends of a value, each naming an atom that fires when it matches. ASCII
/// letters compare case-insensitively, as Vectorscan's HS_FLAG_CASELESS does. A walk costs at most
/// one trie step per byte of the value's matching start or end, whatever the number of literals;
/// equality literals cost one hash of the value (when some literal has its length) and a probe.
/// Immutable after finish(); match() may run on many threads at once.
class AnchoredLiterals {
 public:
  enum class Anchor : std::uint8_t { Start, End, Whole };

  AnchoredLiterals() { backward_.reversed = true; }

  /// Adds a non-empty literal; add nothing after finish().
  void add(std::string_view literal, Anchor anchor, std::uint32_t atom);
  /// Lays the tries out flat and the equality literals in their table, for matching.
  void finish();
  bool empty() const { return literals_ == 0; }
  std::size_t size() const { return literals_; }

  /// Calls `fire(atom)` for each literal that matches `value` (an atom may be reported twice).
  template <typename F>
  void match(std::string_view value, F&& fire) const {
    if (literals_ == 0) return;
    walk(forward_, value, fire);
    walk(backward_, value, fire);
    match_whole(value, fire);
  }

 private:
  // Equality literals sat in the start trie once, so a value sharing a long start with many of
  // them (C:\Windows\System32\...) walked a trie step, a likely cache miss, per byte. They are
  // an open-addressing table now, keyed by the hash of their folded text: one probe a value.
  struct WholeSlot {
    std::uint64_t hash = 0;
    std::uint32_t text = 0, length = 0;  // the folded text in whole_text_; length 0: an empty slot
    std::uint32_t atoms_begin = 0, atoms_end = 0;
  };
  static constexpr std::size_t kShortLengths = 256;  // literal lengths below this are in a bitmap

  static std::uint64_t mix(std::uint64_t h, std::uint64_t x) {
    h = (h ^ x) * 0xBF58476D1CE4E5B9ULL;
    return h ^ (h >> 31);
  }
  // The hash of `s` folded, eight bytes a step.
  static std::uint64_t folded_hash(std::string_view s) {
    std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ s.size();
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      std::uint64_t x = 0;
      std::memcpy(&x, s.data() + i, 8);
      h = mix(h, ascii_lower8(x));
    }
    if (i < s.size()) {
      // The last 1-7 bytes in the low bytes of x: read as the value's last eight bytes and shifted
      // down when there are eight, else byte by byte.
      std::uint64_t x = 0;
      if (s.size() >= 8) {
        std::memcpy(&x, s.data() + s.size() - 8, 8);
        x >>= 8 * (8 - (s.size() - i));
      } else {
        for (std::size_t k = 0; i + k < s.size(); ++k) x |= std::uint64_t{static_cast<unsigned char>(s[i + k])} << (8 * k);
      }
      h = mix(h, ascii_lower8(x));
    }
    return h;
  }
  bool has_whole_length(std::size_t n) const {
    return n < kShortLengths ? (whole_lengths_[n / 64] >> (n % 64) & 1) != 0 : whole_long_;
  }

  template <typename F>
  void match_whole(std::string_view value, F& fire) const {
    if (whole_slots_.empty() || !has_whole_length(value.size())) return;
    const std::uint64_t h = folded_hash(value);
    const std::size_t mask = whole_slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const WholeSlot& slot = whole_slots_[i];
      if (slot.length == 0) return;
      if (slot.hash != h || slot.length != value.size()) continue;
      if (!ascii_iequals(value, std::string_view(whole_text_).substr(slot.text, slot.length))) continue;
      for (std::uint32_t a = slot.atoms_begin; a < slot.atoms_end; ++a) fire(whole_atoms_[a]);
      return;
    }
  }

  // Flat trie: each node is a run of cells — atoms_begin, atoms_end, a head (edge count and
  // flags), then (label, target offset) per edge, sorted by label — so a step reads one place,
  // not three. A node with more than kSparseEdges edges (the roots, the letter after `\` in paths)
  // holds a target per byte value instead (kDenseNode), so a step there is one load, not a search
  // of dependent loads. The atoms of the literals ending at a node, [atoms_begin, atoms_end), fire
  // when the walk reaches it; kHasAtoms in the head says there are some, so the many nodes
  // without any cost no loads of their range.
  enum Cell : std::uint32_t { kAtomsBegin, kAtomsEnd, kHead, kFirstEdge };
  static constexpr std::uint32_t kSparseEdges = 8;
  static constexpr std::uint32_t kDenseNode = 1u << 30, kHasAtoms = 1u << 31, kEdgeCount = kDenseNode - 1;  // in kHead
  struct Trie {
    std::vector<std::uint32_t> cells;  // nodes as above; the root at 0
    std::vector<std::uint32_t> atoms;
    bool reversed = false;
    // Build form: children per node and the atoms a literal adds, until finish().
    std::vector<std::vector<std::pair<unsigned char, std::uint32_t>>> children;
    std::vector<std::vector<std::uint32_t>> ends;
    std::uint32_t insert(std::string_view literal);
    void flatten();
  };

  // Byte values with ASCII A-Z lowered: one load a step of a walk instead of a range test.
  static constexpr auto kFolded = [] {
    std::array<unsigned char, 256> t{};
    for (int c = 0; c < 256; ++c) t[static_cast<std::size_t>(c)] = static_cast<unsigned char>(ascii_lower(static_cast<char>(c)));
    return t;
  }();
  static unsigned char folded(char c) { return kFolded[static_cast<unsigned char>(c)]; }

  template <typename F>
  static void walk(const Trie& t, std::string_view value, F& fire) {
    if (t.cells.empty()) return;
    const std::size_t n = value.size();
    const std::uint32_t* node = t.cells.data();
    for (std::size_t i = 0;; ++i) {
      const std::uint32_t head = node[kHead];
      if (head & kHasAtoms)
        for (std::uint32_t k = node[kAtomsBegin]; k < node[kAtomsEnd]; ++k) fire(t.atoms[k]);
      if (i == n) return;
      const std::uint32_t c = folded(t.reversed ? value[n - 1 - i] : value[i]);
      if (head & kDenseNode) {
        const std::uint32_t to = node[kFirstEdge + c];
        if (to == 0) return;
        node = t.cells.data() + to;
        continue;
      }
      const std::uint32_t edges = head & kEdgeCount;
      const std::uint32_t* edge = node + kFirstEdge;  // label at 2k, target at 2k + 1
      std::uint32_t lo = 0;
      while (lo < edges && edge[2 * lo] < c) ++lo;
      if (lo == edges || edge[2 * lo] != c) return;
      node = t.cells.data() + edge[2 * lo + 1];
    }
  }

  Trie forward_, backward_;
  std::vector<std::pair<std::string, std::uint32_t>> whole_build_;  // folded text and atom, until finish()
  std::vector<WholeSlot> whole_slots_;  // a power of two of them, at most half full
  std::string whole_text_;
  std::vector<std::uint32_t> whole_atoms_;
  std::uint64_t whole_lengths_[kShortLengths / 64] = {};
  bool whole_long_ = false;
  std::size_t literals_ = 0;
};

}  // namespace khien
