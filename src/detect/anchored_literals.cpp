// Building the start and end tries and the equality table of AnchoredLiterals.
#include "detect/anchored_literals.h"

#include <algorithm>

namespace khien {

std::uint32_t AnchoredLiterals::Trie::insert(std::string_view literal) {
  if (children.empty()) {
    children.emplace_back();
    ends.emplace_back();
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
    at = fresh;
  }
  return at;
}

void AnchoredLiterals::Trie::flatten() {
  std::vector<std::uint32_t> offset(children.size());
  std::uint32_t size = 0;
  for (std::size_t i = 0; i < children.size(); ++i) {
    offset[i] = size;
    size += kFirstEdge + (children[i].size() > kSparseEdges ? 256 : 2 * static_cast<std::uint32_t>(children[i].size()));
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
    if (kids.size() > kSparseEdges) {
      node[kHead] = kDenseNode;  // a target per byte value; 0 (the root, no one's child): no edge
      for (const auto& [label, child] : kids) node[kFirstEdge + label] = offset[child];
    } else {
      node[kHead] = static_cast<std::uint32_t>(kids.size());
      for (std::size_t k = 0; k < kids.size(); ++k) {
        node[kFirstEdge + 2 * k] = kids[k].first;
        node[kFirstEdge + 2 * k + 1] = offset[kids[k].second];
      }
    }
    unique(ends[i]);
    node[kAtomsBegin] = static_cast<std::uint32_t>(atoms.size());
    atoms.insert(atoms.end(), ends[i].begin(), ends[i].end());
    node[kAtomsEnd] = static_cast<std::uint32_t>(atoms.size());
    if (!ends[i].empty()) node[kHead] |= kHasAtoms;
  }
  children.clear();
  ends.clear();
}

void AnchoredLiterals::add(std::string_view literal, Anchor anchor, std::uint32_t atom) {
  if (literal.empty()) return;
  ++literals_;
  if (anchor == Anchor::End) {
    backward_.ends[backward_.insert(literal)].push_back(atom);
    return;
  }
  if (anchor == Anchor::Whole) {
    whole_build_.emplace_back(ascii_lower(literal), atom);
    return;
  }
  forward_.ends[forward_.insert(literal)].push_back(atom);
}

void AnchoredLiterals::finish() {
  if (!forward_.children.empty()) forward_.flatten();
  if (!backward_.children.empty()) backward_.flatten();
  if (whole_build_.empty()) return;
  // One slot per distinct text, its atoms sorted and unique (windash spellings repeat an atom).
  std::sort(whole_build_.begin(), whole_build_.end());
  whole_build_.erase(std::unique(whole_build_.begin(), whole_build_.end()), whole_build_.end());
  std::size_t slots = 2;  // at most half full: texts are at most as many as entries
  while (slots < 2 * whole_build_.size()) slots *= 2;
  whole_slots_.assign(slots, WholeSlot{});
  for (std::size_t i = 0; i < whole_build_.size();) {
    const std::string& text = whole_build_[i].first;
    WholeSlot slot;
    slot.hash = folded_hash(text);
    slot.text = static_cast<std::uint32_t>(whole_text_.size());
    slot.length = static_cast<std::uint32_t>(text.size());
    slot.atoms_begin = static_cast<std::uint32_t>(whole_atoms_.size());
    for (; i < whole_build_.size() && whole_build_[i].first == text; ++i) whole_atoms_.push_back(whole_build_[i].second);
    slot.atoms_end = static_cast<std::uint32_t>(whole_atoms_.size());
    whole_text_ += text;
    if (text.size() < kShortLengths) whole_lengths_[text.size() / 64] |= std::uint64_t{1} << (text.size() % 64);
    else whole_long_ = true;
    std::size_t at = slot.hash & (slots - 1);
    while (whole_slots_[at].length != 0) at = (at + 1) & (slots - 1);
    whole_slots_[at] = slot;
  }
  whole_build_.clear();
  whole_build_.shrink_to_fit();
}

}  // namespace khien
