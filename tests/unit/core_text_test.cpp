// ASCII case folding and trimming: letters only, UTF-8 bytes untouched, the four blanks trimmed.
#include <gtest/gtest.h>

#include "core/text.h"

namespace khien {
namespace {

TEST(Text, AsciiLowerFoldsOnlyTheLettersAToZ) {
  EXPECT_EQ(ascii_lower("TLP:AMBER+Strict"), "tlp:amber+strict");
  EXPECT_EQ(ascii_lower("Bộ CÔNG AN"), "bộ cÔng an");  // Ô is two UTF-8 bytes, left as they are
  EXPECT_EQ(ascii_lower("@[\\]^_`{"), "@[\\]^_`{");   // the bytes around A-Z and a-z
  EXPECT_EQ(ascii_lower(""), "");
}

TEST(Text, TrimWhitespaceTakesSpacesTabsCrAndLfFromBothEnds) {
  EXPECT_EQ(trim_whitespace(" \t\r\n evil.example \r\n"), "evil.example");
  EXPECT_EQ(trim_whitespace("a b"), "a b");
  EXPECT_EQ(trim_whitespace(" \t\r\n"), "");
  EXPECT_EQ(trim_whitespace("\vx\f"), "\vx\f");  // other control bytes are data
}

}  // namespace
}  // namespace khien
