// Building the interval form of a prefix set (one sweep over prefixes sorted by start, with a stack
// of open prefixes) and searching it.
#include "intel/ip_prefix_table.h"

#include <algorithm>
#include <bit>

namespace khien {
namespace {

template <typename K>
constexpr int width() {
  return sizeof(K) * 8;
}

template <typename K>
K host_mask(int bits) {
  if (bits <= 0) return ~K(0);
  if (bits >= width<K>()) return K(0);
  return ~K(0) >> bits;
}

}  // namespace

bool IpPrefixTable::as_v4(const IpAddress& ip, std::uint32_t& out) {
  if (!ip.v4) {
    for (int i = 0; i < 10; ++i)
      if (ip.bytes[i] != 0) return false;
    if (ip.bytes[10] != 0xff || ip.bytes[11] != 0xff) return false;
  }
  out = ip.v4_host_order();
  return true;
}

unsigned __int128 IpPrefixTable::as_v6(const IpAddress& ip) {
  unsigned __int128 v = 0;
  for (auto b : ip.bytes) v = (v << 8) | b;
  return v;
}

void IpPrefixTable::Builder::add(const IpPrefix& prefix, std::uint32_t id) {
  std::uint32_t v4 = 0;
  if (prefix.address.v4) {
    as_v4(prefix.address, v4);
    int bits = std::clamp(prefix.bits, 0, 32);
    v4_.push_back({v4 & ~host_mask<std::uint32_t>(bits), static_cast<std::uint8_t>(bits), id});
  } else {
    int bits = std::clamp(prefix.bits, 0, 128);
    v6_.push_back({as_v6(prefix.address) & ~host_mask<unsigned __int128>(bits), static_cast<std::uint8_t>(bits), id});
  }
}

template <typename K, typename E>
void IpPrefixTable::build_family(std::vector<E>& entries, Family<K>& fam) {
  std::sort(entries.begin(), entries.end(), [](const E& a, const E& b) {
    if (a.start != b.start) return a.start < b.start;
    if (a.bits != b.bits) return a.bits < b.bits;  // the wider prefix first: it encloses the other
    return a.id < b.id;
  });
  struct Open {
    K end;
    std::uint32_t index;
  };
  std::vector<Open> stack;
  auto& iv = fam.intervals;
  auto emit = [&](K start, std::uint32_t owner) {
    if (!iv.empty() && iv.back().start == start) {
      iv.back().owner = owner;
      return;
    }
    if (!iv.empty() && iv.back().owner == owner) return;
    iv.push_back({start, owner});
  };
  auto close_until = [&](bool all, K next_start) {
    while (!stack.empty() && (all || stack.back().end < next_start)) {
      K end = stack.back().end;
      stack.pop_back();
      if (end != ~K(0)) emit(end + 1, stack.empty() ? kNone : stack.back().index);
    }
  };
  iv.reserve(entries.size() * 2 + 1);
  emit(K(0), kNone);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const E& e = entries[i];
    bool same = i > 0 && entries[i - 1].start == e.start && entries[i - 1].bits == e.bits;
    if (same) {
      if (entries[i - 1].id != e.id) fam.ids.push_back(e.id);
      continue;
    }
    close_until(false, e.start);
    auto index = static_cast<std::uint32_t>(fam.prefixes.size());
    fam.prefixes.push_back({stack.empty() ? kNone : stack.back().index, static_cast<std::uint32_t>(fam.ids.size())});
    fam.ids.push_back(e.id);
    emit(e.start, index);
    stack.push_back({static_cast<K>(e.start | host_mask<K>(e.bits)), index});
  }
  close_until(true, K(0));
  fam.prefixes.push_back({kNone, static_cast<std::uint32_t>(fam.ids.size())});
  // Bucket index over the top bits: about one interval per bucket, at most 2^20 buckets.
  int bucket_bits = std::clamp(static_cast<int>(std::bit_width(iv.size())), 1, 20);
  fam.shift = width<K>() - bucket_bits;
  std::size_t buckets = std::size_t{1} << bucket_bits;
  fam.bucket.assign(buckets + 1, 0);
  std::size_t pos = 0;
  for (std::size_t b = 0; b < buckets; ++b) {
    K bucket_start = static_cast<K>(static_cast<K>(b) << fam.shift);
    while (pos < iv.size() && iv[pos].start < bucket_start) ++pos;
    fam.bucket[b] = static_cast<std::uint32_t>(pos);
  }
  fam.bucket[buckets] = static_cast<std::uint32_t>(iv.size());
  iv.shrink_to_fit();
  entries.clear();
  entries.shrink_to_fit();
}

IpPrefixTable IpPrefixTable::Builder::build() {
  IpPrefixTable table;
  build_family(v4_, table.v4_);
  build_family(v6_, table.v6_);
  return table;
}

template <typename K>
std::size_t IpPrefixTable::Family<K>::match(K key, std::vector<std::uint32_t>& out) const {
  if (prefixes.size() <= 1) return 0;
  auto b = static_cast<std::size_t>(key >> shift);
  auto lo = intervals.begin() + bucket[b];
  auto hi = intervals.begin() + bucket[b + 1];
  auto it = std::upper_bound(lo, hi, key, [](K k, const Interval& i) { return k < i.start; });
  std::uint32_t p = (it - 1)->owner;
  std::size_t added = 0;
  while (p != kNone) {
    for (std::uint32_t k = prefixes[p].ids_begin; k < prefixes[p + 1].ids_begin; ++k) out.push_back(ids[k]);
    added += prefixes[p + 1].ids_begin - prefixes[p].ids_begin;
    p = prefixes[p].parent;
  }
  return added;
}

void IpPrefixTable::prefetch(const IpAddress& ip) const {
  std::uint32_t v4 = 0;
  if (as_v4(ip, v4))
    v4_.prefetch(v4);
  else
    v6_.prefetch(as_v6(ip));
}

void IpPrefixTable::prefetch_interval(const IpAddress& ip) const {
  std::uint32_t v4 = 0;
  if (as_v4(ip, v4))
    v4_.prefetch_interval(v4);
  else
    v6_.prefetch_interval(as_v6(ip));
}

std::size_t IpPrefixTable::match(const IpAddress& ip, std::vector<std::uint32_t>& out) const {
  std::uint32_t v4 = 0;
  if (as_v4(ip, v4)) return v4_.match(v4, out);
  return v6_.match(as_v6(ip), out);
}

}  // namespace khien
