// A growing byte buffer whose tail is written in place, without being zero-filled first.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace khien {

/// Bytes written at the end through `tail(n)` then `advance(end)`: a writer that knows a bound
/// for what it writes writes straight into the buffer. A std::string would zero-fill the bound
/// first (resize) or need the bytes written elsewhere and copied (append); archive frames take
/// every event line, so that fill or copy was paid on every event.
class ByteBuffer {
 public:
  /// Room for at least `n` more bytes after the end; returns where they start. The pointer and
  /// any earlier one are valid until the next tail().
  char* tail(std::size_t n) {
    if (capacity_ - size_ < n) grow(size_ + n);
    return data_.get() + size_;
  }
  /// Ends the buffer at `end`, a pointer into the room the last tail() gave.
  void advance(const char* end) { size_ = static_cast<std::size_t>(end - data_.get()); }
  void append(std::string_view bytes) {
    if (!bytes.empty()) std::memcpy(tail(bytes.size()), bytes.data(), bytes.size());
    size_ += bytes.size();
  }
  void push_back(char c) {
    *tail(1) = c;
    ++size_;
  }
  const char* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  /// Empties the buffer and keeps its memory.
  void clear() { size_ = 0; }
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  void grow(std::size_t at_least) {
    const std::size_t capacity = std::max({at_least, capacity_ * 2, std::size_t{4096}});
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = capacity;
  }
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace khien
