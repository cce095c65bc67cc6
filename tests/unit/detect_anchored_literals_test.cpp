// AnchoredLiterals: startswith, endswith and equality literals matched by trie walks from the
// value's ends must fire exactly the atoms a caseless anchored Vectorscan pattern would.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "detect/anchored_literals.h"

namespace khien {
namespace {

using Anchor = AnchoredLiterals::Anchor;

struct Entry {
  std::string literal;
  Anchor anchor;
  std::uint32_t atom;
};

AnchoredLiterals make(const std::vector<Entry>& entries) {
  AnchoredLiterals set;
  for (const auto& e : entries) set.add(e.literal, e.anchor, e.atom);
  set.finish();
  return set;
}

std::vector<std::uint32_t> fired(const AnchoredLiterals& set, std::string_view value) {
  std::vector<std::uint32_t> out;
  set.match(value, [&](std::uint32_t atom) { out.push_back(atom); });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

TEST(AnchoredLiterals, EachAnchorMatchesOnlyItsEnd) {
  const auto set = make({{"\\cmd.exe", Anchor::End, 1},
                         {"C:\\Windows\\", Anchor::Start, 2},
                         {"c:\\windows\\system32\\cmd.exe", Anchor::Whole, 3},
                         {"cmd", Anchor::Whole, 4}});
  EXPECT_EQ(fired(set, "C:\\Windows\\System32\\CMD.EXE"), (std::vector<std::uint32_t>{1, 2, 3}));
  EXPECT_EQ(fired(set, "C:\\Windows\\System32\\cmd.exe.bak"), (std::vector<std::uint32_t>{2}));
  EXPECT_EQ(fired(set, "D:\\tools\\cmd.exe"), (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(fired(set, "CMD"), (std::vector<std::uint32_t>{4}));
  EXPECT_EQ(fired(set, "cmdx"), (std::vector<std::uint32_t>{}));
  EXPECT_EQ(fired(set, ""), (std::vector<std::uint32_t>{}));
}

TEST(AnchoredLiterals, NestedLiteralsAllFire) {
  const auto set = make({{".exe", Anchor::End, 1}, {"\\rundll32.exe", Anchor::End, 2}, {"32.exe", Anchor::End, 3},
                         {"ab", Anchor::Start, 4}, {"abc", Anchor::Start, 5}, {"abc", Anchor::Whole, 6}});
  EXPECT_EQ(fired(set, "C:\\x\\RunDll32.EXE"), (std::vector<std::uint32_t>{1, 2, 3}));
  EXPECT_EQ(fired(set, "abc"), (std::vector<std::uint32_t>{4, 5, 6}));
  EXPECT_EQ(fired(set, "abcd"), (std::vector<std::uint32_t>{4, 5}));
  EXPECT_EQ(fired(set, "a"), (std::vector<std::uint32_t>{}));
}

TEST(AnchoredLiterals, OnlyAsciiLettersFold) {
  // "été": bytes above 0x7F compare exactly.
  const auto set = make({{"\xC3\xA9t\xC3\xA9", Anchor::Whole, 1}, {"[A]", Anchor::Whole, 2}});
  EXPECT_EQ(fired(set, "\xC3\xA9T\xC3\xA9"), (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(fired(set, "\xC3\x89t\xC3\xA9"), (std::vector<std::uint32_t>{}));
  EXPECT_EQ(fired(set, "[a]"), (std::vector<std::uint32_t>{2}));
  EXPECT_EQ(fired(set, "{a}"), (std::vector<std::uint32_t>{}));
}

TEST(AnchoredLiterals, ManyChildrenUseADenseNode) {
  // Up to eight edges at a node are searched; past eight the node holds a target per byte value.
  // Both sides of the bound, letters in either case, bytes above 0x7F, and bytes with no edge.
  for (std::size_t children : {std::size_t{8}, std::size_t{9}, std::size_t{37}}) {
    SCOPED_TRACE(children);
    const std::string labels = std::string("abcdefghijklmnopqrstuvwxyz0123456789") + "\xE9";
    AnchoredLiterals set;
    for (std::uint32_t i = 0; i < children; ++i) {
      const char label = labels[labels.size() - children + i];
      set.add(std::string("\\") + label + ".exe", Anchor::End, i);
      set.add(std::string("C:\\") + label, Anchor::Start, 100 + i);
    }
    set.finish();
    for (std::uint32_t i = 0; i < children; ++i) {
      const char label = labels[labels.size() - children + i];
      const char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(label)));
      EXPECT_EQ(fired(set, std::string("C:\\") + upper + ".exe"), (std::vector<std::uint32_t>{i, 100 + i})) << label;
    }
    EXPECT_EQ(fired(set, "C:\\_.exe"), (std::vector<std::uint32_t>{}));
    EXPECT_EQ(fired(set, "C:\\\xC9.exe"), (std::vector<std::uint32_t>{}));  // 0xC9 is 0xE9 less 0x20: no fold
  }
  EXPECT_TRUE(AnchoredLiterals{}.empty());
}

TEST(AnchoredLiterals, EqualityByTableAtEveryLengthAndByte) {
  // Equality literals are a hash table of their folded text: every length around the eight-byte
  // steps of the hash, bytes at the edges of 'A'-'Z' and above 0x7F, and many literals (probing).
  std::vector<Entry> entries;
  std::vector<std::string> texts;
  for (std::size_t n = 1; n <= 40; ++n) {
    std::string t;
    for (std::size_t i = 0; i < n; ++i) t += static_cast<char>('A' + (i * 7 + n) % 26);
    texts.push_back(t);
  }
  texts.push_back(std::string(300, 'Q'));  // past the length bitmap
  texts.push_back("@[`{\xC1\xDA");
  for (std::uint32_t i = 0; i < texts.size(); ++i) entries.push_back({texts[i], Anchor::Whole, i});
  entries.push_back({texts[5], Anchor::Whole, 1000});  // a second atom on one text
  const auto set = make(entries);
  for (std::uint32_t i = 0; i < texts.size(); ++i) {
    std::string lower = texts[i];
    for (char& c : lower)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const std::vector<std::uint32_t> want = i == 5 ? std::vector<std::uint32_t>{5, 1000} : std::vector<std::uint32_t>{i};
    EXPECT_EQ(fired(set, texts[i]), want) << texts[i];
    EXPECT_EQ(fired(set, lower), want) << lower;
    EXPECT_EQ(fired(set, texts[i] + "x"), (std::vector<std::uint32_t>{})) << texts[i];
    EXPECT_EQ(fired(set, texts[i].substr(1)), (std::vector<std::uint32_t>{})) << texts[i];
  }
  // Only 'A'-'Z' fold: '@' '[' '`' '{' and bytes above 0x7F (0xC1 is 'A' with the top bit) do not.
  EXPECT_EQ(fired(set, "@[`{\xE1\xFA"), (std::vector<std::uint32_t>{}));
  EXPECT_EQ(fired(set, "`{@[\xC1\xDA"), (std::vector<std::uint32_t>{}));
  EXPECT_EQ(fired(set, std::string(300, 'q')), (std::vector<std::uint32_t>{40}));
  EXPECT_EQ(fired(set, std::string(301, 'q')), (std::vector<std::uint32_t>{}));
}

}  // namespace
}  // namespace khien
