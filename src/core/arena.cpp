// Bump allocator implementation.
#include "core/arena.h"

#include <algorithm>
#include <cstring>

namespace khien {

Arena::Arena(std::size_t chunk_size) : chunk_size_(chunk_size) {}

void Arena::grow(std::size_t min_size) {
  std::size_t size = std::max(chunk_size_, min_size);
  Chunk chunk{std::make_unique<std::byte[]>(size), size};
  cursor_ = chunk.data.get();
  end_ = cursor_ + size;
  chunks_.push_back(std::move(chunk));
}

void* Arena::allocate(std::size_t size, std::size_t align) {
  auto p = reinterpret_cast<std::uintptr_t>(cursor_);
  std::uintptr_t aligned = (p + align - 1) & ~(static_cast<std::uintptr_t>(align) - 1);
  if (cursor_ == nullptr || aligned + size > reinterpret_cast<std::uintptr_t>(end_)) {
    grow(size + align);
    p = reinterpret_cast<std::uintptr_t>(cursor_);
    aligned = (p + align - 1) & ~(static_cast<std::uintptr_t>(align) - 1);
  }
  cursor_ = reinterpret_cast<std::byte*>(aligned + size);
  used_ += size;
  return reinterpret_cast<void*>(aligned);
}

std::string_view Arena::copy(std::string_view text) {
  if (text.empty()) return {};
  char* dst = static_cast<char*>(allocate(text.size(), 1));
  std::memcpy(dst, text.data(), text.size());
  return {dst, text.size()};
}

void Arena::reset() {
  if (chunks_.empty()) return;
  // Keep the largest chunk: the next batch of the same shape then fits without a heap call.
  auto largest = std::max_element(chunks_.begin(), chunks_.end(),
                                  [](const Chunk& a, const Chunk& b) { return a.size < b.size; });
  Chunk keep = std::move(*largest);
  chunks_.clear();
  cursor_ = keep.data.get();
  end_ = cursor_ + keep.size;
  chunks_.push_back(std::move(keep));
  used_ = 0;
}

}  // namespace khien
