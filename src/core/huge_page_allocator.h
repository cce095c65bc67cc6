// An allocator for large lookup arrays that asks the kernel for transparent huge pages: random probes into tens or
// hundreds of megabytes otherwise pay a TLB miss (a page walk, dearer still under virtualization) on top of each
// cache miss. Used by the intel matcher's tables and the traffic detectors' tables.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace khien {

/// std::allocator-compatible; arrays of at least 1 MiB are 2 MiB-aligned and madvise(MADV_HUGEPAGE)d
/// (Debian's default `transparent_hugepage=madvise` gives huge pages only to memory that asks),
/// smaller ones come from operator new with T's alignment. Stateless, so containers using it compare equal.
template <typename T>
class HugePageAllocator {
 public:
  using value_type = T;
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
  static constexpr std::size_t kThreshold = std::size_t{1} << 20;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT(google-explicit-constructor): allocator rebinding

  T* allocate(std::size_t n) {
    std::size_t bytes = n * sizeof(T);
    if (bytes < kThreshold) return static_cast<T*>(::operator new(bytes, std::align_val_t{alignof(T)}));
    std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(kHugePage, rounded);
    if (!p) throw std::bad_alloc();
    // Advice only: without huge pages the memory works the same, just slower to probe.
    madvise(p, rounded, MADV_HUGEPAGE);
    return static_cast<T*>(p);
  }

  void deallocate(T* p, std::size_t n) {
    if (n * sizeof(T) < kThreshold) {
      ::operator delete(p, std::align_val_t{alignof(T)});
    } else {
      std::free(p);
    }
  }

  template <typename U>
  friend bool operator==(const HugePageAllocator&, const HugePageAllocator<U>&) {
    return true;
  }
};

}  // namespace khien
