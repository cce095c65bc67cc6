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
  std::vector<std::uint32_t> offset(children.size());
  std::uint32_t size = 0;
  for (std::size_t i = 0; i < children.size(); ++i) {
    offset[i] = size;
    size += kFirstEdge + 2 * static_cast<std::uint32_t>(children[i].size());
  }
  cells.assign(size, 0);
  atoms.clear();
  // The same atom may arrive through several literals of one pattern (windash spellings).
  auto unique = [](std::vector<std::uint32_t>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  for (std::size_t i = 0; i < children.size(); ++i) {
    auto& kids = children[i];
    std::sort(kids.begin(), kids.end());
    std::uint32_t* node = cells.data() + offset[i];
    node[kEdges] = static_cast<std::uint32_t>(kids.size());
    for (std::size_t k = 0; k < kids.size(); ++k) {
      node[kFirstEdge + 2 * k] = kids[k].first;
      node[kFirstEdge + 2 * k + 1] = offset[kids[k].second];
    }
    unique(ends[i]);
    unique(whole[i]);
    node[kEndsBegin] = static_cast<std::uint32_t>(atoms.size());
    atoms.insert(atoms.end(), ends[i].begin(), ends[i].end());
    node[kWholeBegin] = static_cast<std::uint32_t>(atoms.size());
    atoms.insert(atoms.end(), whole[i].begin(), whole[i].end());
    node[kAtomsEnd] = static_cast<std::uint32_t>(atoms.size());
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
