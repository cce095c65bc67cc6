// Longest-prefix matching of IPv4 and IPv6 addresses against CIDR prefixes: the prefixes flattened
// into sorted disjoint intervals (each knowing its most specific prefix, each prefix its parent),
// searched through a small index on the top address bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/ip_address.h"
#include "core/huge_page_allocator.h"

namespace khien {

/// Immutable after build: any number of threads may call match() at once.
class IpPrefixTable {
 public:
  class Builder {
   public:
    /// Adds `prefix` for indicator `id` (host bits are ignored: 10.1.2.3/8 is 10.0.0.0/8).
    void add(const IpPrefix& prefix, std::uint32_t id);
    std::size_t size() const { return v4_.size() + v6_.size(); }
    IpPrefixTable build();

   private:
    struct Entry4 {
      std::uint32_t start;
      std::uint8_t bits;
      std::uint32_t id;
    };
    struct Entry6 {
      unsigned __int128 start;
      std::uint8_t bits;
      std::uint32_t id;
    };
    std::vector<Entry4> v4_;
    std::vector<Entry6> v6_;
  };

  /// Appends to `out` the ids of every prefix that contains `ip`, most specific prefix first (ids of
  /// one prefix ascending). Returns how many were appended.
  std::size_t match(const IpAddress& ip, std::vector<std::uint32_t>& out) const;
  /// Starts loading the index entry match() reads first.
  void prefetch(const IpAddress& ip) const;
  /// Once the index entry is cached: starts loading the interval match() will most likely read.
  void prefetch_interval(const IpAddress& ip) const;

  /// Distinct prefixes stored, per family (the prefix arrays end with a sentinel).
  std::size_t v4_prefix_count() const { return v4_.prefixes.empty() ? 0 : v4_.prefixes.size() - 1; }
  std::size_t v6_prefix_count() const { return v6_.prefixes.empty() ? 0 : v6_.prefixes.size() - 1; }
  std::size_t prefix_count() const { return v4_prefix_count() + v6_prefix_count(); }
  std::size_t memory_bytes() const { return v4_.memory_bytes() + v6_.memory_bytes(); }

  /// The address as a number in its family (IPv4-mapped IPv6 addresses count as IPv4).
  static bool as_v4(const IpAddress& ip, std::uint32_t& out);
  static unsigned __int128 as_v6(const IpAddress& ip);

 private:
  template <typename K>
  struct Family {
    struct Prefix {
      std::uint32_t parent;     // enclosing prefix, or kNone
      std::uint32_t ids_begin;  // ids[ids_begin, next prefix's ids_begin)
    };
    struct Interval {
      K start;              // ascending; the first interval starts at 0
      std::uint32_t owner;  // most specific prefix covering it, or kNone
    };
    std::vector<Interval, HugePageAllocator<Interval>> intervals;  // start and owner together: one cache line per probe
    std::vector<std::uint32_t, HugePageAllocator<std::uint32_t>>
        bucket;  // bucket[b] = first interval starting at or after b << shift
    int shift = 0;
    std::vector<Prefix, HugePageAllocator<Prefix>> prefixes;  // plus a sentinel
    std::vector<std::uint32_t, HugePageAllocator<std::uint32_t>> ids;

    std::size_t match(K key, std::vector<std::uint32_t>& out) const;
    void prefetch(K key) const {
      if (!bucket.empty()) __builtin_prefetch(&bucket[static_cast<std::size_t>(key >> shift)]);
    }
    void prefetch_interval(K key) const {
      if (bucket.empty()) return;
      auto b = static_cast<std::size_t>(key >> shift);
      std::size_t lo = bucket[b], hi = bucket[b + 1];
      // match() may read from the interval before the bucket's first (the one covering the bucket
      // start) to its last: usually one cache line, at most two are requested.
      const Interval* first = &intervals[lo > 0 ? lo - 1 : 0];
      const Interval* last = &intervals[hi > lo ? hi - 1 : (lo > 0 ? lo - 1 : 0)];
      __builtin_prefetch(first);
      if ((reinterpret_cast<std::uintptr_t>(first) >> 6) != (reinterpret_cast<std::uintptr_t>(last) >> 6))
        __builtin_prefetch(last);
    }
    std::size_t memory_bytes() const {
      return intervals.capacity() * sizeof(Interval) + bucket.capacity() * 4 + prefixes.capacity() * sizeof(Prefix) +
             ids.capacity() * 4;
    }
  };
  template <typename K, typename E>
  static void build_family(std::vector<E>& entries, Family<K>& family);

  static constexpr std::uint32_t kNone = 0xffffffffu;
  Family<std::uint32_t> v4_;
  Family<unsigned __int128> v6_;
};

}  // namespace khien
