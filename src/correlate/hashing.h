// 64-bit hashing for sketches and keyed state: fast, well mixed, stable across runs and machines.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace khien {

/// Finaliser that spreads every input bit over the whole word (the splitmix64 constants).
constexpr std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

/// Hash of a byte string: 8-byte words folded with a multiply-rotate step, then finalised.
/// Sketches need uniform bits, not cryptographic strength.
inline std::uint64_t hash64(std::string_view s, std::uint64_t seed = 0x9e3779b97f4a7c15ULL) {
  std::uint64_t h = seed ^ (s.size() * 0xff51afd7ed558ccdULL);
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h ^= mix64(w);
    h = (h << 27 | h >> 37) * 0x9e3779b97f4a7c15ULL + 0x52dce729;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  h ^= mix64(tail ^ (static_cast<std::uint64_t>(s.size() - i) << 56));
  return mix64(h);
}

}  // namespace khien
