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
  struct Node {
    std::uint32_t first_edge = 0, edges = 0;
    // Atoms of literals ending at this node: [ends_begin, whole_begin) when the walk reaches it,
    // [whole_begin, atoms_end) only when the walk used the whole value (equality).
    std::uint32_t ends_begin = 0, whole_begin = 0, atoms_end = 0;
  };
  struct Trie {
    std::vector<Node> nodes;
    std::vector<unsigned char> labels;  // per edge, sorted within a node
    std::vector<std::uint32_t> targets;  // per edge
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
    if (t.nodes.empty()) return;
    const std::size_t n = value.size();
    std::uint32_t at = 0;
    for (std::size_t i = 0;; ++i) {
      const Node& node = t.nodes[at];
      for (std::uint32_t k = node.ends_begin; k < node.whole_begin; ++k) fire(t.atoms[k]);
      if (i == n) {
        for (std::uint32_t k = node.whole_begin; k < node.atoms_end; ++k) fire(t.atoms[k]);
        return;
      }
      const unsigned char c = folded(t.reversed ? value[n - 1 - i] : value[i]);
      const unsigned char* first = t.labels.data() + node.first_edge;
      const unsigned char* last = first + node.edges;
      const unsigned char* hit = first;
      if (node.edges <= 8) {
        while (hit != last && *hit < c) ++hit;
      } else {
        std::size_t lo = 0, len = node.edges;
        while (len > 0) {
          const std::size_t half = len / 2;
          if (first[lo + half] < c) { lo += half + 1; len -= half + 1; }
          else len = half;
        }
        hit = first + lo;
      }
      if (hit == last || *hit != c) return;
      at = t.targets[static_cast<std::size_t>(hit - t.labels.data())];
    }
  }

  Trie forward_, backward_;
  std::size_t literals_ = 0;
};

}  // namespace khien
