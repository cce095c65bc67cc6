// Simple case folding of the scripts khien's users write in, by code point ranges.
#include "core/case_fold.h"

#include <cstdint>
#include <cstring>

namespace khien {

char32_t fold_code_point(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 0x20 : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;  // À … Þ, not ×
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x130) return 'i';    // İ
    if (c == 0x178) return 0xFF;   // Ÿ
    if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) return c;  // ı ĸ ŉ ſ: no capital pair here
    // Pairs start on even code points up to U+0137 and from U+014A to U+0177; on odd ones between.
    const bool even_pairs = c <= 0x137 || (c >= 0x14A && c <= 0x177);
    const bool capital = even_pairs ? (c % 2 == 0) : (c % 2 == 1);
    return capital ? c + 1 : c;
  }
  if (c == 0x1A0 || c == 0x1A2 || c == 0x1A4) return c + 1;  // Ơ and neighbours
  if (c == 0x1AF) return 0x1B0;                               // Ư
  if ((c >= 0x1E00 && c <= 0x1E95) || (c >= 0x1EA0 && c <= 0x1EFF)) return c % 2 == 0 ? c + 1 : c;  // Ạ … Ỹ
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;  // Greek capitals
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 0x25;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 0x3F;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;  // Cyrillic А … Я
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;  // Ѐ … Џ
  return c;
}

std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0xC2) return 1;  // ASCII, a continuation byte, or an overlong lead
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  if (lead < 0xF5) return 4;
  return 1;
}

namespace {

// Decodes the sequence at `s` of `n` bytes (its length from utf8_sequence_length), or returns
// false when it is not well formed.
bool decode(const unsigned char* s, std::size_t n, char32_t& out) {
  for (std::size_t i = 1; i < n; ++i)
    if ((s[i] & 0xC0) != 0x80) return false;
  switch (n) {
    case 2: out = (char32_t(s[0] & 0x1F) << 6) | (s[1] & 0x3F); return true;
    case 3:
      out = (char32_t(s[0] & 0x0F) << 12) | (char32_t(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
      return out >= 0x800 && (out < 0xD800 || out > 0xDFFF);
    case 4:
      out = (char32_t(s[0] & 0x07) << 18) | (char32_t(s[1] & 0x3F) << 12) | (char32_t(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
      return out >= 0x10000 && out <= 0x10FFFF;
    default: return false;
  }
}

void encode(char32_t c, std::string& out) {
  if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
  } else {
    if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    }
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
  }
  out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
}

}  // namespace

bool is_ascii(std::string_view text) {
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t x;
    std::memcpy(&x, text.data() + i, 8);
    if ((x & 0x8080808080808080ull) != 0) return false;
  }
  for (; i < text.size(); ++i)
    if (static_cast<unsigned char>(text[i]) >= 0x80) return false;
  return true;
}

void fold_case_into(std::string_view text, std::string& out) {
  out.reserve(out.size() + text.size());
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char b = s[i];
    if (b < 0x80) {
      out.push_back(static_cast<char>(b >= 'A' && b <= 'Z' ? b + 0x20 : b));
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(b);
    char32_t c = 0;
    if (n == 1 || i + n > text.size() || !decode(s + i, n, c)) {
      out.push_back(static_cast<char>(b));
      ++i;
      continue;
    }
    encode(fold_code_point(c), out);
    i += n;
  }
}

std::string fold_case(std::string_view text) {
  std::string out;
  fold_case_into(text, out);
  return out;
}

}  // namespace khien
