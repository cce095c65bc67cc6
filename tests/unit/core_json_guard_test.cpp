// JSON nesting checked before parsing: the limit itself, brackets in strings, the byte named.
#include <gtest/gtest.h>

#include <string>

#include "core/json_guard.h"

namespace khien {
namespace {

std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonGuard, NestingUpToTheLimitPassesOneMoreIsRefusedAtItsByte) {
  EXPECT_TRUE(check_json_depth(nested(64), 64));
  auto r = check_json_depth(nested(65), 64);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "JSON nested deeper than 64 levels at byte 64");
  // Mixed objects and arrays count alike; closing brackets give the depth back.
  EXPECT_TRUE(check_json_depth(R"({"a":[{"b":[1]}],"c":[{"d":[2]}]})", 4));
  EXPECT_FALSE(check_json_depth(R"({"a":[{"b":[[1]]}]})", 4));
}

TEST(JsonGuard, BracketsInsideStringsAndEscapedQuotesDoNotCount) {
  const std::string text = R"({"k":"[[[[{{{{ \" [[[[ \\"})";
  EXPECT_TRUE(check_json_depth(text, 1));
  // After an escaped backslash the quote closes the string: the bracket that follows counts.
  auto r = check_json_depth(R"(["\\",[[1]]])", 2);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "JSON nested deeper than 2 levels at byte 7");
}

TEST(JsonGuard, TextThatIsNotJsonIsLeftToTheParser) {
  EXPECT_TRUE(check_json_depth("", 1));
  EXPECT_TRUE(check_json_depth("]]]]}}}} [", 1));
  EXPECT_TRUE(check_json_depth("\"unterminated [[[[", 1));
  EXPECT_TRUE(check_json_depth("\\", 1));
}

}  // namespace
}  // namespace khien
