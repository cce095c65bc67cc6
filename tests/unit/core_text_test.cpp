// ASCII case folding, comparison and trimming: letters only, UTF-8 bytes untouched, the four blanks trimmed.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "core/text.h"

namespace khien {
namespace {

TEST(Text, AsciiLowerFoldsOnlyTheLettersAToZ) {
  EXPECT_EQ(ascii_lower("TLP:AMBER+Strict"), "tlp:amber+strict");
  EXPECT_EQ(ascii_lower("Bộ CÔNG AN"), "bộ cÔng an");  // Ô is two UTF-8 bytes, left as they are
  EXPECT_EQ(ascii_lower("@[\\]^_`{"), "@[\\]^_`{");   // the bytes around A-Z and a-z
  EXPECT_EQ(ascii_lower(""), "");
}

TEST(Text, AsciiLowerOfOneCharacterAndCaselessEquality) {
  static_assert(ascii_lower('Q') == 'q' && ascii_lower('q') == 'q' && ascii_lower('@') == '@' && ascii_lower('[') == '[');
  EXPECT_EQ(ascii_lower('\xC3'), '\xC3');  // a UTF-8 lead byte is not a letter
  EXPECT_TRUE(ascii_iequals("ThEm", "them"));
  EXPECT_TRUE(ascii_iequals("", ""));
  EXPECT_FALSE(ascii_iequals("them", "the"));
  EXPECT_FALSE(ascii_iequals("@", "`"));             // 0x40 and 0x60 differ by the case bit but are not letters
  EXPECT_FALSE(ascii_iequals("\xC3\x94", "\xC3\xB4"));  // Ô and ô: not folded
}

// The eight-bytes-a-step folding and compare against the byte-by-byte definition: every byte
// value in every lane, and every length around the eight-byte steps.
TEST(Text, EightBytesAStepAgreesWithTheByteDefinition) {
  for (int b = 0; b < 256; ++b)
    for (int lane = 0; lane < 8; ++lane) {
      std::string in(8, 'Z');
      in[static_cast<std::size_t>(lane)] = static_cast<char>(b);
      std::uint64_t x = 0;
      std::memcpy(&x, in.data(), 8);
      const std::uint64_t y = ascii_lower8(x);
      std::string out(8, '\0');
      std::memcpy(out.data(), &y, 8);
      std::string want = in;
      for (char& c : want) c = ascii_lower(c);
      ASSERT_EQ(out, want) << "byte " << b << " in lane " << lane;
    }
  std::string folded;
  for (std::size_t n = 0; n <= 19; ++n) {
    std::string mixed;
    for (std::size_t i = 0; i < n; ++i) mixed += static_cast<char>(i % 3 == 0 ? 'A' + i : i % 3 == 1 ? '[' : '\xC3');
    std::string want = mixed;
    for (char& c : want) c = ascii_lower(c);
    EXPECT_EQ(ascii_lower_into(mixed, folded), want) << n;
    EXPECT_EQ(ascii_lower(mixed), want) << n;
    EXPECT_TRUE(ascii_iequals(mixed, want)) << n;
    if (n == 0) continue;
    for (std::size_t at = 0; at < n; ++at) {  // one byte off anywhere is unequal
      std::string other = want;
      other[at] = other[at] == '{' ? '[' : '{';
      EXPECT_FALSE(ascii_iequals(mixed, other)) << n << " at " << at;
    }
  }
  EXPECT_FALSE(ascii_iequals("@ABCDEFGHIJ", "`abcdefghij"));  // 0x40 and 0x60 in a full eight-byte step
}

TEST(Text, AsciiContainsLoweredFoldsTheTextOnly) {
  EXPECT_TRUE(ascii_contains_lowered("C:\\Windows\\System32\\CertUtil.EXE -urlcache", "certutil.exe"));
  EXPECT_TRUE(ascii_contains_lowered("abc", ""));
  EXPECT_TRUE(ascii_contains_lowered("xxAB", "ab"));   // at the very end
  EXPECT_FALSE(ascii_contains_lowered("ab", "abc"));   // needle longer than the text
  EXPECT_FALSE(ascii_contains_lowered("CERTUTIL", "CERTUTIL"));  // the needle is not folded
  EXPECT_FALSE(ascii_contains_lowered("\xC3\x94ng", "\xC3\xB4ng"));  // Ô is not folded to ô
}

TEST(Text, TrimWhitespaceTakesSpacesTabsCrAndLfFromBothEnds) {
  EXPECT_EQ(trim_whitespace(" \t\r\n evil.example \r\n"), "evil.example");
  EXPECT_EQ(trim_whitespace("a b"), "a b");
  EXPECT_EQ(trim_whitespace(" \t\r\n"), "");
  EXPECT_EQ(trim_whitespace("\vx\f"), "\vx\f");  // other control bytes are data
}

}  // namespace
}  // namespace khien
