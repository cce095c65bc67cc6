// Version ordering: the documented rules, and antisymmetry/transitivity on random samples.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "vuln/package_version.h"

namespace khien {
namespace {

int sign(int v) { return (v > 0) - (v < 0); }

TEST(VulnVersion, NumericSegmentsCompareAsNumbers) {
  EXPECT_GT(compare_versions("1.2.10", "1.2.9"), 0);
  EXPECT_LT(compare_versions("2.14.1", "2.15.0"), 0);
  EXPECT_EQ(compare_versions("1.0", "1.0.0"), 0);
  EXPECT_EQ(compare_versions("01.002", "1.2"), 0);
  EXPECT_GT(compare_versions("10.0.19041.1", "10.0.19041"), 0);
  EXPECT_GT(compare_versions("123456789012345678901234567890", "99999999999999999999"), 0);
}

TEST(VulnVersion, PreReleasesSortBeforeTheRelease) {
  EXPECT_LT(compare_versions("2.15.0-rc1", "2.15.0"), 0);
  EXPECT_GT(compare_versions("2.15.0-rc1", "2.14.1"), 0);
  EXPECT_LT(compare_versions("2.0-beta9", "2.0"), 0);
  EXPECT_LT(compare_versions("2.0-beta9", "2.0-rc1"), 0);
  EXPECT_LT(compare_versions("2.0-alpha2", "2.0-beta1"), 0);
  EXPECT_LT(compare_versions("2.0-beta9", "2.0-beta10"), 0);
  EXPECT_LT(compare_versions("2.0-beta9", "2.0.1"), 0);
  EXPECT_LT(compare_versions("1.0-SNAPSHOT", "1.0-alpha1"), 0);
  EXPECT_EQ(compare_versions("2.0-rc1", "2.0.0-rc1"), 0);
  EXPECT_EQ(compare_versions("2.0.GA", "2.0"), 0);
  EXPECT_EQ(compare_versions("2.0.0.Final", "2.0"), 0);
}

TEST(VulnVersion, VendorSuffixesSortAfterTheRelease) {
  EXPECT_GT(compare_versions("1.1.1k", "1.1.1"), 0);
  EXPECT_GT(compare_versions("1.1.1k", "1.1.1j"), 0);
  EXPECT_LT(compare_versions("1.1.1k", "1.1.2"), 0);
  EXPECT_GT(compare_versions("7.4.2p1", "7.4.2"), 0);
  EXPECT_LT(compare_versions("7.4.2p1", "7.4.2p2"), 0);
  EXPECT_LT(compare_versions("7.4.2p1", "7.4.3"), 0);
  EXPECT_GT(compare_versions("10.2.9-h1", "10.2.9"), 0);
  EXPECT_LT(compare_versions("10.2.9-h1", "10.2.10"), 0);
  EXPECT_GT(compare_versions("8u202", "8"), 0);
}

TEST(VulnVersion, DatesSeparatorsAndLeadingV) {
  EXPECT_LT(compare_versions("2021-12-10", "2021-12-13"), 0);
  EXPECT_GT(compare_versions("2022-01-01", "2021-12-31"), 0);
  EXPECT_EQ(compare_versions("1_2_3", "1.2.3"), 0);
  EXPECT_EQ(compare_versions("1-2-3", "1.2.3"), 0);
  EXPECT_EQ(compare_versions("v1.2.3", "1.2.3"), 0);
  EXPECT_EQ(compare_versions("V2.0", "2"), 0);
  EXPECT_EQ(compare_versions("", "0"), 0);
}

TEST(VulnVersion, ReleaseDropsThePreReleasePart) {
  EXPECT_TRUE(PackageVersion("2.0-beta9").is_prerelease());
  EXPECT_FALSE(PackageVersion("2.0").is_prerelease());
  EXPECT_EQ(PackageVersion("2.0-beta9").release(), PackageVersion("2.0"));
  EXPECT_EQ(PackageVersion("2.0.0-rc").release(), PackageVersion("2"));
}

// Random versions from a small alphabet that hits every rule: numbers, pre-release words, suffixes.
std::string random_version(std::mt19937& rng) {
  static const std::vector<std::string> parts = {"0", "1", "2", "10", "9", "00", "rc", "beta", "alpha", "p", "k", "h",
                                                 "final", "dev", "v", "2021", "12", "a", "sp"};
  static const std::vector<std::string> seps = {".", "-", "_", "", "+"};
  std::uniform_int_distribution<std::size_t> n(1, 6), pick(0, parts.size() - 1), sep(0, seps.size() - 1);
  std::string out;
  std::size_t count = n(rng);
  for (std::size_t i = 0; i < count; ++i) {
    if (i) out += seps[sep(rng)];
    out += parts[pick(rng)];
  }
  return out;
}

TEST(VulnVersion, OrderIsAntisymmetricAndTransitive) {
  std::mt19937 rng(7695);
  std::vector<PackageVersion> sample;
  for (int i = 0; i < 300; ++i) sample.emplace_back(random_version(rng));
  for (const auto& a : sample) {
    EXPECT_EQ(a.compare(a), 0) << a.text();
    for (const auto& b : sample) ASSERT_EQ(sign(a.compare(b)), -sign(b.compare(a))) << a.text() << " vs " << b.text();
  }
  std::uniform_int_distribution<std::size_t> pick(0, sample.size() - 1);
  for (int i = 0; i < 100000; ++i) {
    const auto& a = sample[pick(rng)];
    const auto& b = sample[pick(rng)];
    const auto& c = sample[pick(rng)];
    int ab = a.compare(b), bc = b.compare(c), ac = a.compare(c);
    if (ab <= 0 && bc <= 0) {
      ASSERT_LE(ac, 0) << a.text() << " <= " << b.text() << " <= " << c.text();
    }
    if (ab == 0 && bc == 0) {
      ASSERT_EQ(ac, 0) << a.text() << " == " << b.text() << " == " << c.text();
    }
  }
}

}  // namespace
}  // namespace khien
