// Flat open-addressing string table: linear probing over 16-byte slots (tag, length, entry offset),
// each entry holding its id list and key bytes together in one arena.
#include "intel/string_hash_table.h"

#include <algorithm>
#include <cstring>

namespace khien {
namespace {

constexpr std::uint64_t kK1 = 0x9e3779b97f4a7c15ULL;
constexpr std::uint64_t kK2 = 0xd6e8feb86659fd93ULL;
constexpr std::uint64_t kK3 = 0xa0761d6478bd642fULL;

inline std::uint64_t fold_multiply(std::uint64_t a, std::uint64_t b) {
  unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}

inline std::uint64_t load64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline std::uint32_t load32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Entry size in 4-byte units: count, ids, key bytes rounded up.
std::size_t entry_units(std::size_t ids, std::size_t key_length) {
  return 1 + ids + (key_length + 3) / 4;
}

}  // namespace

std::uint64_t hash_bytes(std::string_view data) {
  const char* p = data.data();
  std::size_t n = data.size();
  std::uint64_t h = kK1 ^ (static_cast<std::uint64_t>(n) * kK2);
  while (n >= 16) {
    h = fold_multiply(load64(p) ^ kK2, load64(p + 8) ^ h);
    p += 16;
    n -= 16;
  }
  if (n >= 8) {
    h = fold_multiply(load64(p) ^ kK3, h ^ kK1);
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    // The last 1..7 bytes without a variable-length copy (a library call on the hot path): two
    // overlapping 4-byte loads, or the first, middle and last byte; the length is in the seed.
    std::uint64_t tail;
    if (n >= 4) {
      tail = static_cast<std::uint64_t>(load32(p)) << 32 | load32(p + n - 4);
    } else {
      tail = static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) << 16 |
             static_cast<std::uint64_t>(static_cast<unsigned char>(p[n >> 1])) << 8 | static_cast<unsigned char>(p[n - 1]);
    }
    h = fold_multiply(tail ^ kK2, h ^ kK3);
  }
  return fold_multiply(h ^ kK1, kK3 ^ static_cast<std::uint64_t>(data.size()));
}

void StringHashTable::Builder::reserve(std::size_t pairs, std::size_t key_bytes) {
  records_.reserve(pairs);
  bytes_.reserve(key_bytes);
}

void StringHashTable::Builder::add(std::string_view key, std::uint32_t id) {
  records_.push_back({hash_bytes(key), bytes_.size(), static_cast<std::uint32_t>(key.size()), id});
  bytes_.append(key);
}

StringHashTable StringHashTable::Builder::build() {
  StringHashTable table;
  const char* base = bytes_.data();
  auto key_of = [&](const Record& r) { return std::string_view(base + r.offset, r.length); };
  std::sort(records_.begin(), records_.end(), [&](const Record& a, const Record& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    int c = key_of(a).compare(key_of(b));
    if (c != 0) return c < 0;
    return a.id < b.id;
  });
  auto same_key = [&](std::size_t i) {
    return i > 0 && records_[i].hash == records_[i - 1].hash && key_of(records_[i]) == key_of(records_[i - 1]);
  };
  // First pass: sizes, so the arena and slots are allocated once at their final size.
  std::size_t units = 0;
  for (std::size_t i = 0; i < records_.size();) {
    std::size_t j = i + 1, ids = 1;
    while (j < records_.size() && same_key(j)) {
      if (records_[j].id != records_[j - 1].id) ++ids;
      ++j;
    }
    units += entry_units(ids, records_[i].length);
    ++table.key_count_;
    table.key_bytes_ += records_[i].length;
    i = j;
  }
  table.arena_size_ = units * 4;
  table.arena_.resize(std::max<std::size_t>(units, 1));
  // Load factor at most 0.7: linear-probing misses stay within a cache line or two.
  table.slot_count_ = std::max<std::size_t>(16, table.key_count_ * 10 / 7 + 1);
  table.slots_.assign(table.slot_count_, Slot{0, 0, kEmpty});
  std::size_t at = 0;  // in units
  for (std::size_t i = 0; i < records_.size();) {
    std::size_t entry = at;
    std::uint32_t count = 0;
    ++at;
    std::size_t j = i;
    while (j < records_.size() && (j == i || same_key(j))) {
      if (j == i || records_[j].id != records_[j - 1].id) {
        table.arena_[at++] = records_[j].id;
        ++count;
      }
      ++j;
    }
    table.arena_[entry] = count;
    const Record& r = records_[i];
    std::memcpy(reinterpret_cast<char*>(table.arena_.data() + at), base + r.offset, r.length);
    at += (r.length + 3) / 4;
    std::size_t s = table.slot_of(r.hash);
    while (table.slots_[s].offset != kEmpty) s = s + 1 == table.slot_count_ ? 0 : s + 1;
    table.slots_[s] = Slot{static_cast<std::uint32_t>(r.hash >> 32), r.length, entry * 4};
    i = j;
  }
  records_ = std::vector<Record>();  // "= {}" would keep the capacity
  std::string().swap(bytes_);        // releases the buffer (assigning an empty string may keep it)
  return table;
}

std::span<const std::uint32_t> StringHashTable::find(std::string_view key, std::uint64_t hash) const {
  if (key_count_ == 0) return {};
  auto tag = static_cast<std::uint32_t>(hash >> 32);
  std::size_t s = slot_of(hash);
  while (true) {
    const Slot& slot = slots_[s];
    if (slot.offset == kEmpty) return {};
    if (slot.tag == tag && slot.length == key.size()) {
      const std::uint32_t* entry = arena_.data() + slot.offset / 4;
      std::uint32_t count = entry[0];
      const char* bytes = reinterpret_cast<const char*>(entry + 1 + count);
      if (key.empty() || std::memcmp(bytes, key.data(), key.size()) == 0) return {entry + 1, count};
    }
    s = s + 1 == slot_count_ ? 0 : s + 1;
  }
}

void StringHashTable::prefetch_entry(std::uint64_t hash) const {
  if (key_count_ == 0) return;
  const Slot& slot = slots_[slot_of(hash)];
  if (slot.offset != kEmpty && slot.tag == static_cast<std::uint32_t>(hash >> 32))
    __builtin_prefetch(arena_.data() + slot.offset / 4);
}

void StringHashTable::prefetch(std::uint64_t hash) const {
  if (key_count_ == 0) return;
  __builtin_prefetch(&slots_[slot_of(hash)]);
}

}  // namespace khien
