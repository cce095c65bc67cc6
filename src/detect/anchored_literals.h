// Caseless literals anchored at a value's start, end or both (Sigma's startswith, endswith and
// plain equality), matched by walking two tries from the value's ends instead of a Vectorscan scan.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace khien {

/// Literals tied to the ends of a value, each naming an atom that fires when it matches. ASCII
/// letters compare case-insensitively, as Vectorscan's HS_FLAG_CASELESS does. A walk costs at most
/// one trie step per byte of the value's matching start or end, whatever the number of literals.
/// Immutable after finish(); match() may run on many threads at once.
class AnchoredLiterals {
 public:
  enum class Anchor : std::uint8_t { Start, End, Whole };

  AnchoredLiterals() { backward_.reversed = true; }

  /// Adds a non-empty literal; add nothing after finish().
  void add(std::string_view literal, Anchor anchor, std::uint32_t atom);
  /// Lays the tries out flat for matching.
  void finish();
  bool empty() const { return literals_ == 0; }
  std::size_t size() const { return literals_; }

  /// Calls `fire(atom)` for each literal that matches `value` (an atom may be reported twice).
  template <typename F>
  void match(std::string_view value, F&& fire) const {
    if (literals_ == 0) return;
    walk(forward_, value, fire);
    walk(backward_, value, fire);
  }

 private:
  // Flat trie: each node is a run of cells — ends_begin, whole_begin, atoms_end, edge count, then
  // (label, target offset) per edge, sorted by label — so a step reads one place, not three.
  // Atoms of literals ending at a node: [ends_begin, whole_begin) when the walk reaches it,
  // [whole_begin, atoms_end) only when the walk used the whole value (equality).
  enum Cell : std::uint32_t { kEndsBegin, kWholeBegin, kAtomsEnd, kEdges, kFirstEdge };
  struct Trie {
    std::vector<std::uint32_t> cells;  // nodes as above; the root at 0
    std::vector<std::uint32_t> atoms;
    bool reversed = false;
    // Build form: children per node and the atoms a literal adds, until finish().
    std::vector<std::vector<std::pair<unsigned char, std::uint32_t>>> children;
    std::vector<std::vector<std::uint32_t>> ends, whole;
    std::uint32_t insert(std::string_view literal);
    void flatten();
  };

  static unsigned char folded(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 'A' && u <= 'Z') ? static_cast<unsigned char>(u - 'A' + 'a') : u;
  }

  template <typename F>
  static void walk(const Trie& t, std::string_view value, F& fire) {
    if (t.cells.empty()) return;
    const std::size_t n = value.size();
    const std::uint32_t* node = t.cells.data();
    for (std::size_t i = 0;; ++i) {
      for (std::uint32_t k = node[kEndsBegin]; k < node[kWholeBegin]; ++k) fire(t.atoms[k]);
      if (i == n) {
        for (std::uint32_t k = node[kWholeBegin]; k < node[kAtomsEnd]; ++k) fire(t.atoms[k]);
        return;
      }
      const std::uint32_t c = folded(t.reversed ? value[n - 1 - i] : value[i]);
      const std::uint32_t edges = node[kEdges];
      const std::uint32_t* edge = node + kFirstEdge;  // label at 2k, target at 2k + 1
      std::uint32_t lo = 0;
      if (edges <= 8) {
        while (lo < edges && edge[2 * lo] < c) ++lo;
      } else {
        std::uint32_t len = edges;
        while (len > 0) {
          const std::uint32_t half = len / 2;
          if (edge[2 * (lo + half)] < c) { lo += half + 1; len -= half + 1; }
          else len = half;
        }
      }
      if (lo == edges || edge[2 * lo] != c) return;
      node = t.cells.data() + edge[2 * lo + 1];
    }
  }

  Trie forward_, backward_;
  std::size_t literals_ = 0;
};

}  // namespace khien
