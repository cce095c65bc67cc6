// Version strings as vendors write them, ordered by documented rules so NVD version ranges can be evaluated.
#pragma once

#include <compare>
#include <string>
#include <string_view>
#include <vector>

namespace khien {

/// A version string parsed into an ordering key.
///
/// Rules (also in src/vuln/README.md):
///  1. Case is ignored; a leading `v`/`V` directly before a digit is dropped (`v1.2` == `1.2`).
///  2. The string is cut into tokens: runs of digits and runs of letters. `.`, `-`, `_`, `+`, `~`, `:`,
///     spaces and any other punctuation only separate tokens, so `1.2.3`, `1-2-3` and `1_2_3` are equal,
///     and a date `2021-12-10` orders like the numbers 2021, 12, 10.
///  3. Digit runs compare as numbers of any length (`1.2.10` > `1.2.9`; leading zeros do not count).
///  4. Letter runs are either pre-release words, ranked dev = snapshot < alpha < beta < milestone <
///     rc = cr = pre = preview, which sort *before* the release they precede (`2.15.0-rc1` < `2.15.0`,
///     `2.0-beta9` < `2.0`, beta < rc), or release markers `final`, `ga`, `release`, which are ignored
///     (`2.0.GA` == `2.0`), or any other word or letter, which is a post-release suffix sorting *after*
///     the release (`1.1.1k` > `1.1.1`, `7.4.2p1` > `7.4.2`, `10.2.9-h1` > `10.2.9`, `8u202` > `8`);
///     post-release words compare alphabetically among themselves (`1.1.1k` > `1.1.1j`).
///  5. Trailing zero numbers of each run of numbers are dropped, so `1.0` == `1.0.0` and `2.0-rc1` == `2.0.0-rc1`.
///  6. Keys compare token by token; a missing token is "end of release". At one position the order is
///     pre-release word < end of release < post-release word < number. So `1.0.1` > `1.0-sp1` > `1.0`.
/// The result is a total preorder (antisymmetric and transitive): equal keys are equivalent versions.
class PackageVersion {
 public:
  /// Parses `text`; every string is accepted (the empty string orders like `0`).
  explicit PackageVersion(std::string_view text);

  /// Negative, zero or positive as this version is older than, equivalent to or newer than `other`.
  int compare(const PackageVersion& other) const;
  std::strong_ordering operator<=>(const PackageVersion& other) const { return compare(other) <=> 0; }
  bool operator==(const PackageVersion& other) const { return compare(other) == 0; }

  /// True when the last token is a pre-release word (optionally followed by its number): `2.0-beta9`.
  bool is_prerelease() const;
  /// The version without a trailing pre-release part: `2.0-beta9` → key of `2.0`.
  PackageVersion release() const;

  const std::string& text() const { return text_; }

 private:
  enum class Kind : unsigned char { pre = 0, end = 1, post = 2, number = 3 };
  struct Token {
    Kind kind;
    int rank = 0;      // pre-release rank
    std::string text;  // post-release word, or digits without leading zeros
  };
  PackageVersion() = default;
  static int compare_tokens(const Token* a, const Token* b);

  std::string text_;
  std::vector<Token> tokens_;
};

/// Compares two version strings by the rules of PackageVersion.
int compare_versions(std::string_view a, std::string_view b);

}  // namespace khien
