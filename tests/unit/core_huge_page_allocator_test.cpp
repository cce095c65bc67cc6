// Tests of HugePageAllocator: large tables start on a 2 MiB boundary and hold what is written, small ones come from
// operator new, and vectors using it grow and free like any other.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/huge_page_allocator.h"

namespace khien {
namespace {

TEST(HugePageAllocator, LargeTablesAreAlignedAndKeepTheirContents) {
  constexpr std::size_t kCount = (std::size_t{5} << 20) / sizeof(std::uint64_t) + 3;  // 5 MiB and a bit: rounds up
  std::vector<std::uint64_t, HugePageAllocator<std::uint64_t>> table(kCount);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(table.data()) % HugePageAllocator<std::uint64_t>::kHugePage, 0u);
  for (std::size_t i = 0; i < kCount; ++i) EXPECT_EQ(table[i], 0u) << i;
  for (std::size_t i = 0; i < kCount; ++i) table[i] = i * 2654435761u;
  std::uint64_t mismatches = 0;
  for (std::size_t i = 0; i < kCount; ++i) mismatches += table[i] != i * 2654435761u;
  EXPECT_EQ(mismatches, 0u);
}

TEST(HugePageAllocator, SmallAllocationsAndGrowth) {
  struct alignas(64) Line {
    std::uint32_t v[16];
  };
  std::vector<Line, HugePageAllocator<Line>> lines;
  for (std::uint32_t i = 0; i < 100'000; ++i) {  // grows from a few lines to 6.4 MB, through both paths
    lines.push_back(Line{{i}});
    ASSERT_EQ(reinterpret_cast<std::uintptr_t>(lines.data()) % 64, 0u);
  }
  for (std::uint32_t i = 0; i < 100'000; ++i) ASSERT_EQ(lines[i].v[0], i);
  lines.clear();
  lines.shrink_to_fit();
  EXPECT_EQ(lines.capacity(), 0u);
}

}  // namespace
}  // namespace khien
