// MISP warninglists from the corpus: one case per list type (cidr, hostname, string, substring,
// regex), sub-domains, type applicability and non-listed values.
#include <gtest/gtest.h>

#include <filesystem>

#include "intel/warninglist.h"

namespace khien {
namespace {

const std::filesystem::path kLists = std::filesystem::path(KHIEN_CORPUS_DIR) / "misp" / "warninglists";

class IntelWarninglistCorpus : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = WarninglistSet::load_dir(kLists);
    ASSERT_TRUE(loaded) << loaded.error().message;
    set_ = new WarninglistSet(std::move(*loaded));
  }
  static void TearDownTestSuite() {
    delete set_;
    set_ = nullptr;
  }
  static WarninglistSet* set_;
};
WarninglistSet* IntelWarninglistCorpus::set_ = nullptr;

TEST_F(IntelWarninglistCorpus, LoadsEveryListOfTheCorpus) {
  EXPECT_EQ(set_->size(), 46u);
  std::size_t regex = 0, substring = 0;
  for (const auto& l : set_->lists()) {
    EXPECT_GT(l.entries, 0u) << l.name;
    regex += l.match == WarninglistMatch::regex;
    substring += l.match == WarninglistMatch::substring;
  }
  EXPECT_EQ(regex, 2u);
  EXPECT_EQ(substring, 3u);
}

TEST_F(IntelWarninglistCorpus, CidrListsByLongestPrefix) {
  EXPECT_EQ(set_->listed_by("ipv4-addr", "10.20.30.40"), "List of RFC 1918 CIDR blocks");
  EXPECT_TRUE(set_->listed("ipv4-addr", "192.168.1.1"));
  EXPECT_TRUE(set_->listed("ip-dst", "172.16.0.1"));
  EXPECT_TRUE(set_->listed("ipv6-addr", "fe80::1"));           // ipv6-linklocal, written FE80::/10
  EXPECT_TRUE(set_->listed("ipv6-addr", "2001:db8::dead"));    // rfc3849
  EXPECT_TRUE(set_->listed("ipv4-addr", "224.0.0.251"));       // multicast
  EXPECT_TRUE(set_->listed("ipv6-addr", "2001:4860:4860::8888"));  // Google public DNS (public-dns-v6)
  EXPECT_TRUE(set_->listed("ipv4-addr", "192.0.2.55"));  // TEST-NET-1 on rfc5735
  EXPECT_FALSE(set_->listed("ipv4-addr", "14.160.1.1"));
  EXPECT_FALSE(set_->listed("ipv4-addr", "11.0.0.1"));
  EXPECT_FALSE(set_->listed("domain-name", "10.0.0.1"));  // cidr lists apply to addresses only
}

TEST_F(IntelWarninglistCorpus, HostnameListsMatchNameAndSubdomains) {
  EXPECT_TRUE(set_->listed("domain-name", "bit.ly"));
  EXPECT_TRUE(set_->listed("domain-name", "x.y.bit.ly"));  // url-shortener, a hostname list
  EXPECT_EQ(set_->listed_by("domain-name", "www.bmw.de"), "List of known dax30 webpages");
  EXPECT_TRUE(set_->listed("domain-name", "bmw.de"));
  EXPECT_TRUE(set_->listed("domain-name", "BIT.LY."));
  EXPECT_TRUE(set_->listed("url", "https://bit.ly/3abcd"));
  EXPECT_FALSE(set_->listed("domain-name", "notbit.ly"));
  EXPECT_FALSE(set_->listed("domain-name", "khien-unlisted-example.vn"));
}

TEST_F(IntelWarninglistCorpus, StringListsMatchExactly) {
  // eicar.com lists the EICAR test file digests; empty-hashes the digests of an empty file.
  EXPECT_TRUE(set_->listed("file-hash", "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"));
  EXPECT_TRUE(set_->listed("file-hash", "D41D8CD98F00B204E9800998ECF8427E"));
  EXPECT_TRUE(set_->listed("md5", "d41d8cd98f00b204e9800998ecf8427e"));
  EXPECT_FALSE(set_->listed("file-hash", "0000000000000000000000000000000000000000000000000000000000000000"));
  EXPECT_FALSE(set_->listed("domain-name", "d41d8cd98f00b204e9800998ecf8427e"));  // hash lists only for hashes
  EXPECT_TRUE(set_->listed("domain-name", "captive.apple.com"));
  // A leading dot in a string list covers the domain and what lies under it.
  EXPECT_TRUE(set_->listed("domain-name", "www.google.ad"));
}

TEST_F(IntelWarninglistCorpus, SubstringAndRegexLists) {
  EXPECT_TRUE(set_->listed("email-addr", "someone@0-mail.com"));                  // disposable-email
  EXPECT_TRUE(set_->listed("domain-name", "sandbox.analyze.intezer.com"));        // automated-malware-analysis
  EXPECT_TRUE(set_->listed("email-addr", "Abuse@provider.example"));              // common-contact-emails, /i
  EXPECT_FALSE(set_->listed("email-addr", "ceo@provider.example"));
  EXPECT_TRUE(set_->listed("phone-number", "+1 (555) 555-0123") || set_->listed("phone-number", "0015550123"));
}

TEST(IntelWarninglist, OwnListsAndLoadErrors) {
  WarninglistSet set;
  ASSERT_TRUE(set.add_list_json(R"({"name": "Public DNS resolvers v4", "type": "cidr",
      "matching_attributes": ["ip-src", "ip-dst", "domain|ip"], "list": ["8.8.8.8", "8.8.4.4/32", "1.1.1.0/24", "bogus"]})",
                                "public-dns-v4"));
  ASSERT_TRUE(set.add_list_json(R"({"name": "bad regexes", "type": "regex", "list": ["/(?<=x)y/", "/^ok$/"]})", "re"));
  EXPECT_TRUE(set.listed("ipv4-addr", "8.8.8.8"));
  EXPECT_TRUE(set.listed("ipv4-addr", "1.1.1.1"));
  EXPECT_FALSE(set.listed("ipv4-addr", "8.8.8.9"));
  EXPECT_FALSE(set.listed("url", "http://8.8.8.8/dns-query"));  // the list does not name url
  EXPECT_TRUE(set.listed("domain|ip", "8.8.4.4"));
  EXPECT_EQ(set.lists()[0].rejected.size(), 1u);
  EXPECT_EQ(set.lists()[1].rejected.size(), 1u);
  EXPECT_TRUE(set.listed("url", "ok"));
  EXPECT_FALSE(set.add_list_json("{", "broken"));
  EXPECT_FALSE(set.add_list_json(R"({"name": "x", "type": "fuzzy", "list": []})", "t"));
  EXPECT_FALSE(WarninglistSet::load_dir("/nonexistent/khien"));
}

}  // namespace
}  // namespace khien
