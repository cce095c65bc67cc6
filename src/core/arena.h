// Bump allocator that owns the memory of a batch of events; reset between batches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace khien {

/// A chunked bump allocator. Not thread-safe: each worker owns its arenas.
/// Memory is returned all at once by reset(), which keeps the chunks for reuse so a
/// steady-state batch allocates nothing from the heap.
class Arena {
 public:
  explicit Arena(std::size_t chunk_size = 256 * 1024);
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  /// Returns `size` bytes aligned to `align` (a power of two). Inline: decoders call it for
  /// nearly every string of every event, and the call cost more than the bump.
  void* allocate(std::size_t size, std::size_t align = alignof(std::max_align_t)) {
    const std::uintptr_t aligned = (reinterpret_cast<std::uintptr_t>(cursor_) + align - 1) & ~(std::uintptr_t{align} - 1);
    if (cursor_ == nullptr || aligned + size > reinterpret_cast<std::uintptr_t>(end_)) [[unlikely]]
      return allocate_in_new_chunk(size, align);
    cursor_ = reinterpret_cast<std::byte*>(aligned + size);
    used_ += size;
    return reinterpret_cast<void*>(aligned);
  }

  /// Copies `text` into the arena and returns a view of the copy.
  std::string_view copy(std::string_view text) {
    if (text.empty()) return {};
    char* dst = static_cast<char*>(allocate(text.size(), 1));
    std::memcpy(dst, text.data(), text.size());
    return {dst, text.size()};
  }

  /// Frees everything allocated since the last reset.
  void reset();

  /// Bytes handed out since the last reset.
  std::size_t used() const { return used_; }

 private:
  struct Chunk {
    std::unique_ptr<std::byte[]> data;
    std::size_t size = 0;
  };
  void grow(std::size_t min_size);
  void* allocate_in_new_chunk(std::size_t size, std::size_t align);

  std::size_t chunk_size_;
  static constexpr std::size_t kMaxRetainedBytes = 256u << 20;
  std::vector<Chunk> chunks_;
  std::size_t current_ = 0;  // chunk the cursor is in
  std::byte* cursor_ = nullptr;
  std::byte* end_ = nullptr;
  std::size_t used_ = 0;
};

}  // namespace khien
