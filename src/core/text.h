// Small text helpers every layer needs: ASCII case folding, caseless comparison and trimming.
#pragma once

#include <string>
#include <string_view>

namespace khien {

/// `c` lowered when it is an ASCII letter A-Z; any other byte as it is.
constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

/// Lowers the ASCII letters A-Z of `s`; every other byte (UTF-8 sequences included) is left as it
/// is, whatever the process locale (Sigma's default case-insensitivity, host names, header names).
inline void ascii_lower_in_place(std::string& s) {
  for (char& c : s) c = ascii_lower(c);
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
  for (std::size_t i = 0; i < a.size(); ++i)
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
