// An immutable flat hash table from byte strings to lists of 32-bit ids: the keys stored once in one
// arena, open addressing over 64-bit hashes, built in one pass from (key, id) pairs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/huge_page_allocator.h"

namespace khien {

/// 64-bit hash of a byte string (fast, well mixed; not for adversarial collision resistance, which
/// the table does not need: equal hashes are verified against the stored key).
std::uint64_t hash_bytes(std::string_view data);

/// Immutable after build: any number of threads may call find() at once.
class StringHashTable {
 public:
  /// Collects (key, id) pairs; a key may be added with several ids and an id with several keys.
  class Builder {
   public:
    void add(std::string_view key, std::uint32_t id);
    std::size_t size() const { return records_.size(); }
    void reserve(std::size_t pairs, std::size_t key_bytes);
    /// Builds the table; the builder is left empty.
    StringHashTable build();

   private:
    struct Record {
      std::uint64_t hash;
      std::uint64_t offset;
      std::uint32_t length;
      std::uint32_t id;
    };
    std::string bytes_;
    std::vector<Record> records_;
  };

  StringHashTable() = default;

  /// The ids stored under `key` (empty when absent), ascending and without repeats.
  std::span<const std::uint32_t> find(std::string_view key) const { return find(key, hash_bytes(key)); }
  std::span<const std::uint32_t> find(std::string_view key, std::uint64_t hash) const;
  /// Starts loading the slot `hash` probes first, so several lookups can overlap their cache misses.
  void prefetch(std::uint64_t hash) const;
  /// Once the slot is cached: starts loading the entry of a key whose tag matches at that slot.
  void prefetch_entry(std::uint64_t hash) const;

  std::size_t key_count() const { return key_count_; }
  /// Bytes of the stored keys themselves.
  std::size_t key_bytes() const { return key_bytes_; }
  /// All bytes the table holds (slots and the arena of id lists and keys).
  std::size_t memory_bytes() const { return slot_count_ * sizeof(Slot) + arena_size_; }

 private:
  // A slot names one key: its hash tag and length (compared before touching the arena) and where its
  // entry starts. An entry is [uint32 id count][ids...][key bytes], padded to 4 bytes, so a hit reads
  // one slot and one arena line, and a miss usually only the slot.
  struct Slot {
    std::uint32_t tag;
    std::uint32_t length;
    std::uint64_t offset;  // kEmpty when the slot is free
  };
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  std::size_t slot_of(std::uint64_t hash) const {
    // Multiply-shift range reduction: any table size, no power-of-two rounding of memory.
    return static_cast<std::size_t>((static_cast<std::uint64_t>(static_cast<std::uint32_t>(hash)) * slot_count_) >> 32);
  }

  std::vector<Slot, HugePageAllocator<Slot>> slots_;
  std::size_t slot_count_ = 0;
  std::vector<std::uint32_t, HugePageAllocator<std::uint32_t>> arena_;  // 4-byte units: id lists aligned
  std::size_t arena_size_ = 0;                                          // bytes
  std::size_t key_count_ = 0;
  std::size_t key_bytes_ = 0;
};

}  // namespace khien
