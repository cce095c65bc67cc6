// Bump allocator implementation.
#include "core/arena.h"

#include <algorithm>

namespace khien {

Arena::Arena(std::size_t chunk_size) : chunk_size_(chunk_size) {}

void Arena::grow(std::size_t min_size) {
  // Reuse a chunk kept from before the last reset when one is big enough.
  while (current_ + 1 < chunks_.size()) {
    ++current_;
    if (chunks_[current_].size >= min_size) {
      cursor_ = chunks_[current_].data.get();
      end_ = cursor_ + chunks_[current_].size;
      return;
    }
  }
  std::size_t size = std::max(chunk_size_, min_size);
  // Not value-initialised: zeroing fresh memory costs page faults the arena never needs.
  Chunk chunk{std::unique_ptr<std::byte[]>(new std::byte[size]), size};
  cursor_ = chunk.data.get();
  end_ = cursor_ + size;
  chunks_.push_back(std::move(chunk));
  current_ = chunks_.size() - 1;
}

void* Arena::allocate_in_new_chunk(std::size_t size, std::size_t align) {
  grow(size + align);
  const std::uintptr_t aligned = (reinterpret_cast<std::uintptr_t>(cursor_) + align - 1) & ~(std::uintptr_t{align} - 1);
  cursor_ = reinterpret_cast<std::byte*>(aligned + size);
  used_ += size;
  return reinterpret_cast<void*>(aligned);
}

void Arena::reset() {
  if (chunks_.empty()) return;
  // Keep every chunk (up to a bound): the next batch of the same shape then allocates nothing.
  std::size_t kept = 0, total = 0;
  for (; kept < chunks_.size() && total < kMaxRetainedBytes; ++kept) total += chunks_[kept].size;
  chunks_.resize(kept);
  current_ = 0;
  cursor_ = chunks_[0].data.get();
  end_ = cursor_ + chunks_[0].size;
  used_ = 0;
}

}  // namespace khien
