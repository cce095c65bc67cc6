// Small text helpers every layer needs: ASCII case folding and trimming.
#pragma once

#include <string>
#include <string_view>

namespace khien {

/// Lowers the ASCII letters A-Z of `s`; every other byte (UTF-8 sequences included) is left as it
/// is, whatever the process locale (Sigma's default case-insensitivity, host names, header names).
inline void ascii_lower_in_place(std::string& s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
}

/// A copy of `s` lowered as ascii_lower_in_place does.
inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  ascii_lower_in_place(out);
  return out;
}

/// `s` without leading and trailing spaces, tabs, CRs and LFs.
inline std::string_view trim_whitespace(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace khien
