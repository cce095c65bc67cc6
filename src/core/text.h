// Small text helpers every layer needs: ASCII case folding, caseless comparison and trimming.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace khien {

/// `c` lowered when it is an ASCII letter A-Z; any other byte as it is.
constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

/// Eight bytes with ASCII 'A'-'Z' made lower case, the others unchanged (no carry crosses a byte:
/// the sums are of 7-bit values). Folding text eight bytes a step is what makes the caseless
/// compares and searches of Sigma matching cheap.
constexpr std::uint64_t ascii_lower8(std::uint64_t x) {
  const std::uint64_t low = x & 0x7F7F7F7F7F7F7F7FULL;
  const std::uint64_t upper = (low + 0x3F3F3F3F3F3F3F3FULL) & ~(low + 0x2525252525252525ULL) & ~x & 0x8080808080808080ULL;
  return x | (upper >> 2);
}

/// Writes `s` with its ASCII letters A-Z lowered into `out` (sized to fit); `out` may be `s`.
inline void ascii_lower_to(std::string_view s, char* out) {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t x = 0;
    std::memcpy(&x, s.data() + i, 8);
    x = ascii_lower8(x);
    std::memcpy(out + i, &x, 8);
  }
  for (; i < s.size(); ++i) out[i] = ascii_lower(s[i]);
}

/// Lowers the ASCII letters A-Z of `s`; every other byte (UTF-8 sequences included) is left as it
/// is, whatever the process locale (Sigma's default case-insensitivity, host names, header names).
inline void ascii_lower_in_place(std::string& s) { ascii_lower_to(s, s.data()); }

/// `s` lowered as ascii_lower_in_place does, into `out` (scratch reused from call to call).
inline std::string_view ascii_lower_into(std::string_view s, std::string& out) {
  out.resize(s.size());
  ascii_lower_to(s, out.data());
  return out;
}

/// A copy of `s` lowered as ascii_lower_in_place does.
inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  ascii_lower_in_place(out);
  return out;
}

/// True when `a` and `b` are equal but for the case of ASCII letters.
constexpr bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  std::size_t i = 0;
  if (!std::is_constant_evaluated()) {
    for (; i + 8 <= a.size(); i += 8) {
      std::uint64_t x = 0, y = 0;
      std::memcpy(&x, a.data() + i, 8);
      std::memcpy(&y, b.data() + i, 8);
      if (x != y && ascii_lower8(x) != ascii_lower8(y)) return false;
    }
  }
  for (; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

/// Whether `needle_lower` (lower case already) occurs in `text` with its ASCII letters lowered.
constexpr bool ascii_contains_lowered(std::string_view text, std::string_view needle_lower) {
  if (needle_lower.empty()) return true;
  if (text.size() < needle_lower.size()) return false;
  const std::size_t last = text.size() - needle_lower.size();
  for (std::size_t i = 0; i <= last; ++i) {
    std::size_t k = 0;
    while (k < needle_lower.size() && ascii_lower(text[i + k]) == needle_lower[k]) ++k;
    if (k == needle_lower.size()) return true;
  }
  return false;
}

/// `s` without leading and trailing spaces, tabs, CRs and LFs.
inline std::string_view trim_whitespace(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace khien
