// Space-Saving implementation: an indexed min-heap finds the item to replace in O(log k).
#include "correlate/space_saving.h"

#include <algorithm>

namespace khien {

SpaceSaving::SpaceSaving(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

void SpaceSaving::swap_heap(std::size_t a, std::size_t b) {
  std::swap(heap_[a], heap_[b]);
  position_[heap_[a]] = a;
  position_[heap_[b]] = b;
}

void SpaceSaving::sift_down(std::size_t pos) {
  for (;;) {
    std::size_t l = 2 * pos + 1, r = l + 1, m = pos;
    if (l < heap_.size() && items_[heap_[l]].count < items_[heap_[m]].count) m = l;
    if (r < heap_.size() && items_[heap_[r]].count < items_[heap_[m]].count) m = r;
    if (m == pos) return;
    swap_heap(pos, m);
    pos = m;
  }
}

void SpaceSaving::sift_up(std::size_t pos) {
  while (pos > 0) {
    std::size_t parent = (pos - 1) / 2;
    if (items_[heap_[parent]].count <= items_[heap_[pos]].count) return;
    swap_heap(pos, parent);
    pos = parent;
  }
}

void SpaceSaving::offer(std::string_view key, std::uint64_t weight) {
  total_ += weight;
  if (auto it = index_.find(std::string(key)); it != index_.end()) {
    items_[it->second].count += weight;
    sift_down(position_[it->second]);
    return;
  }
  if (items_.size() < capacity_) {
    items_.push_back(Item{std::string(key), weight, 0});
    std::size_t i = items_.size() - 1;
    index_.emplace(items_[i].key, i);
    heap_.push_back(i);
    position_.push_back(heap_.size() - 1);
    sift_up(heap_.size() - 1);
    return;
  }
  // Replace the least counted item: the newcomer inherits its count as possible overestimate.
  std::size_t victim = heap_[0];
  Item& it = items_[victim];
  index_.erase(it.key);
  it.error = it.count;
  it.count += weight;
  it.key = std::string(key);
  index_.emplace(it.key, victim);
  sift_down(0);
}

std::vector<SpaceSaving::Item> SpaceSaving::top(std::size_t k) const {
  std::vector<Item> out = items_;
  std::sort(out.begin(), out.end(), [](const Item& a, const Item& b) { return a.count != b.count ? a.count > b.count : a.key < b.key; });
  if (k > 0 && out.size() > k) out.resize(k);
  return out;
}

std::uint64_t SpaceSaving::count(std::string_view key) const {
  auto it = index_.find(std::string(key));
  return it == index_.end() ? 0 : items_[it->second].count;
}

std::uint64_t SpaceSaving::min_count() const {
  return items_.size() < capacity_ || heap_.empty() ? 0 : items_[heap_[0]].count;
}

void SpaceSaving::merge(const SpaceSaving& other) {
  const std::uint64_t mine_min = min_count(), other_min = other.min_count();
  std::unordered_map<std::string, Item> all;
  for (const auto& i : items_) all[i.key] = Item{i.key, i.count + other_min, i.error + other_min};
  for (const auto& i : other.items_) {
    auto [it, inserted] = all.try_emplace(i.key, Item{i.key, i.count + mine_min, i.error + mine_min});
    if (!inserted) {
      // Present on both sides: the other side's minimum was added for nothing.
      it->second.count = it->second.count - other_min + i.count;
      it->second.error = it->second.error - other_min + i.error;
    }
  }
  std::vector<Item> merged;
  merged.reserve(all.size());
  for (auto& [k, v] : all) merged.push_back(std::move(v));
  std::sort(merged.begin(), merged.end(), [](const Item& a, const Item& b) { return a.count != b.count ? a.count > b.count : a.key < b.key; });
  if (merged.size() > capacity_) merged.resize(capacity_);
  std::uint64_t total = total_ + other.total_;
  clear();
  total_ = total;
  for (auto& i : merged) {
    items_.push_back(std::move(i));
    std::size_t idx = items_.size() - 1;
    index_.emplace(items_[idx].key, idx);
    heap_.push_back(idx);
    position_.push_back(heap_.size() - 1);
    sift_up(heap_.size() - 1);
  }
}

void SpaceSaving::clear() {
  total_ = 0;
  items_.clear();
  heap_.clear();
  position_.clear();
  index_.clear();
}

}  // namespace khien
