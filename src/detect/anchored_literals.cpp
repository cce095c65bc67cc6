// Building the start and end tries of AnchoredLiterals.
#include "detect/anchored_literals.h"

#include <algorithm>

namespace khien {

std::uint32_t AnchoredLiterals::Trie::insert(std::string_view literal) {
  if (children.empty()) {
    children.emplace_back();
    ends.emplace_back();
    whole.emplace_back();
  }
  std::uint32_t at = 0;
  for (std::size_t i = 0; i < literal.size(); ++i) {
    const unsigned char c = folded(reversed ? literal[literal.size() - 1 - i] : literal[i]);
    auto& kids = children[at];
    auto it = std::find_if(kids.begin(), kids.end(), [c](const auto& e) { return e.first == c; });
    if (it != kids.end()) {
      at = it->second;
      continue;
    }
    const auto fresh = static_cast<std::uint32_t>(children.size());
    kids.emplace_back(c, fresh);
    children.emplace_back();
    ends.emplace_back();
    whole.emplace_back();
    at = fresh;
  }
  return at;
}

void AnchoredLiterals::Trie::flatten() {
  nodes.assign(children.size(), Node{});
  labels.clear();
  targets.clear();
  atoms.clear();
  for (std::size_t i = 0; i < children.size(); ++i) {
    auto& kids = children[i];
    std::sort(kids.begin(), kids.end());
    Node& n = nodes[i];
    n.first_edge = static_cast<std::uint32_t>(labels.size());
    n.edges = static_cast<std::uint32_t>(kids.size());
    for (const auto& [label, target] : kids) {
      labels.push_back(label);
      targets.push_back(target);
    }
    // The same atom may arrive through several literals of one pattern (windash spellings).
    auto unique = [](std::vector<std::uint32_t>& v) {
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
    };
    unique(ends[i]);
    unique(whole[i]);
    n.ends_begin = static_cast<std::uint32_t>(atoms.size());
    atoms.insert(atoms.end(), ends[i].begin(), ends[i].end());
    n.whole_begin = static_cast<std::uint32_t>(atoms.size());
    atoms.insert(atoms.end(), whole[i].begin(), whole[i].end());
    n.atoms_end = static_cast<std::uint32_t>(atoms.size());
  }
  children.clear();
  ends.clear();
  whole.clear();
}

void AnchoredLiterals::add(std::string_view literal, Anchor anchor, std::uint32_t atom) {
  if (literal.empty()) return;
  ++literals_;
  if (anchor == Anchor::End) {
    backward_.ends[backward_.insert(literal)].push_back(atom);
    return;
  }
  const std::uint32_t node = forward_.insert(literal);
  (anchor == Anchor::Start ? forward_.ends : forward_.whole)[node].push_back(atom);
}

void AnchoredLiterals::finish() {
  if (!forward_.children.empty()) forward_.flatten();
  if (!backward_.children.empty()) backward_.flatten();
}

}  // namespace khien
