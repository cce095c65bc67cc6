// LiteralSieve: contains-literals found by a window bitmap must be exactly those a plain search
// finds, caseless or cased, whatever window each literal was filed under.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/text.h"
#include "detect/literal_sieve.h"

namespace khien {
namespace {

struct Literal {
  std::string text;  // lower case unless cased
  bool cased;
};

LiteralSieve make(const std::vector<Literal>& literals) {
  LiteralSieve sieve;
  for (std::size_t i = 0; i < literals.size(); ++i) sieve.add(literals[i].text, literals[i].cased, static_cast<std::uint32_t>(i));
  sieve.finish();
  return sieve;
}

std::vector<std::uint32_t> found(const LiteralSieve& sieve, std::string_view value) {
  std::string lowered;
  const std::string_view folded = ascii_lower_into(value, lowered);
  std::vector<std::uint32_t> out;
  sieve.match(value, folded, [&](std::uint32_t id) { out.push_back(id); });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::uint32_t> searched(const std::vector<Literal>& literals, std::string_view value) {
  const std::string folded = ascii_lower(value);
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < literals.size(); ++i)
    if ((literals[i].cased ? std::string_view(value) : std::string_view(folded)).find(literals[i].text) != std::string_view::npos)
      out.push_back(static_cast<std::uint32_t>(i));
  return out;
}

TEST(LiteralSieve, FindsLiteralsAtAnyPlaceOfTheValue) {
  const std::vector<Literal> literals = {{"\\windows\\temp\\", false}, {"\\windows\\system32\\", false}, {" -enc ", false},
                                         {"rundll32", false},          {"AppData", true},               {"x.exe", false}};
  const auto sieve = make(literals);
  EXPECT_EQ(found(sieve, "C:\\WINDOWS\\Temp\\a.exe"), (std::vector<std::uint32_t>{0}));
  EXPECT_EQ(found(sieve, "\\windows\\system32\\"), (std::vector<std::uint32_t>{1}));  // the whole value
  EXPECT_EQ(found(sieve, "powershell -ENC abc"), (std::vector<std::uint32_t>{2}));
  EXPECT_EQ(found(sieve, "RunDll32"), (std::vector<std::uint32_t>{3}));  // at the start and at the end
  EXPECT_EQ(found(sieve, "C:\\Users\\u\\AppData\\x.exe"), (std::vector<std::uint32_t>{4, 5}));
  EXPECT_EQ(found(sieve, "C:\\Users\\u\\APPDATA\\x.ex"), (std::vector<std::uint32_t>{}));  // cased; cut short
  EXPECT_EQ(found(sieve, ""), (std::vector<std::uint32_t>{}));
  EXPECT_EQ(found(sieve, "rund"), (std::vector<std::uint32_t>{}));
}

TEST(LiteralSieve, ShortestLiteralSetsTheWindow) {
  // Two- and three-byte literals: windows shorter than four bytes, values shorter than four bytes,
  // and the last windows of a value, read without the four-byte load.
  const std::vector<Literal> literals = {{"/c", false}, {"^^", false}, {"abc", false}, {"xyzzy", false}, {"Zq", true}};
  const auto sieve = make(literals);
  EXPECT_EQ(found(sieve, "/C"), (std::vector<std::uint32_t>{0}));
  EXPECT_EQ(found(sieve, "cmd /c"), (std::vector<std::uint32_t>{0}));
  EXPECT_EQ(found(sieve, "a^^b"), (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(found(sieve, "xABC"), (std::vector<std::uint32_t>{2}));
  EXPECT_EQ(found(sieve, "ab"), (std::vector<std::uint32_t>{}));
  EXPECT_EQ(found(sieve, "XYZZY/c"), (std::vector<std::uint32_t>{0, 3}));
  EXPECT_EQ(found(sieve, "zq"), (std::vector<std::uint32_t>{}));
  EXPECT_EQ(found(sieve, "aZq"), (std::vector<std::uint32_t>{4}));
  EXPECT_EQ(found(sieve, "a"), (std::vector<std::uint32_t>{}));
}

TEST(LiteralSieve, AgreesWithPlainSearchOnRandomSets) {
  // Literals sharing their starts and ends (as paths do), of 2 to 24 bytes, in sets of 5 to 700,
  // some cased; values made of pieces of them in mixed case and of noise, non-ASCII bytes included.
  std::mt19937 rng(20261125);
  const std::string alphabet = "abcdeABCDE\\. -:/01x\xC3\xA9";
  const std::vector<std::string> stems = {"\\windows\\", "\\system32\\", ".exe", " -", "c:\\", "appdata", "\\temp\\"};
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  for (int round = 0; round < 60; ++round) {
    const std::size_t count = 5 + pick(round % 3 == 0 ? 700 : 60);
    const std::size_t min_length = 2 + pick(4);
    std::vector<Literal> literals;
    while (literals.size() < count) {
      std::string text;
      const std::size_t length = min_length + pick(20);
      while (text.size() < length) text += pick(3) == 0 ? stems[pick(stems.size())] : std::string(1, alphabet[pick(alphabet.size())]);
      text.resize(length);
      const bool cased = pick(4) == 0;
      literals.push_back({cased ? text : ascii_lower(text), cased});
    }
    const auto sieve = make(literals);
    for (int v = 0; v < 200; ++v) {
      std::string value;
      const std::size_t pieces = pick(8);
      for (std::size_t p = 0; p < pieces; ++p) {
        if (pick(2) == 0) {
          std::string piece = literals[pick(literals.size())].text;
          if (pick(2) == 0)
            for (char& c : piece)
              if (pick(2) == 0) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          if (pick(3) == 0) piece = piece.substr(pick(piece.size()));  // a literal's tail only
          value += piece;
        } else {
          for (std::size_t k = pick(6); k > 0; --k) value += alphabet[pick(alphabet.size())];
        }
      }
      ASSERT_EQ(found(sieve, value), searched(literals, value)) << "round " << round << " value '" << value << "'";
    }
  }
}

}  // namespace
}  // namespace khien
