// The indicator matcher: every lookup kind, URL normalization, event matching, hot swap, and a
// randomized comparison against a brute-force scan.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "intel/indicator_matcher.h"
#include "intel/matcher_holder.h"
#include "intel/observable_normalizer.h"
#include "intel/url_normalizer.h"

namespace khien {
namespace {

using Ids = std::vector<IndicatorId>;

IpAddress ip(std::string_view s) {
  return *IpAddress::parse(s);
}

std::string norm(std::string_view url) {
  std::string out;
  if (!normalize_url(url, out)) return "INVALID";
  return out;
}

TEST(IntelUrlNormalizer, Cases) {
  EXPECT_EQ(norm("HTTP://Example.COM"), "http://example.com/");
  EXPECT_EQ(norm("http://example.com:80/"), "http://example.com/");
  EXPECT_EQ(norm("https://example.com:443/a"), "https://example.com/a");
  EXPECT_EQ(norm("https://example.com:80/a"), "https://example.com:80/a");
  EXPECT_EQ(norm("http://example.com:0080/a"), "http://example.com/a");
  EXPECT_EQ(norm("http://example.com:8080/a/"), "http://example.com:8080/a");
  EXPECT_EQ(norm("http://example.com/a/b//"), "http://example.com/a/b");
  EXPECT_EQ(norm("http://example.com/%7Euser/%41%2f%2F%3a"), "http://example.com/~user/A%2F%2F%3A");
  EXPECT_EQ(norm("http://example.com/a%2db%5fc%2E"), "http://example.com/a-b_c.");
  EXPECT_EQ(norm("http://example.com/p?q=%7e%20x#frag"), "http://example.com/p?q=~%20x");
  EXPECT_EQ(norm("http://example.com/p?"), "http://example.com/p");
  EXPECT_EQ(norm("http://example.com/p#only-fragment"), "http://example.com/p");
  EXPECT_EQ(norm("http://example.com/a b"), "http://example.com/a%20b");
  EXPECT_EQ(norm("http://example.com/caf\xc3\xa9"), "http://example.com/caf%C3%A9");
  EXPECT_EQ(norm("http://example.com/caf%c3%a9"), "http://example.com/caf%C3%A9");
  EXPECT_EQ(norm("http://example.com/100%"), "http://example.com/100%");
  EXPECT_EQ(norm("http://User:Pw@Example.com./x"), "http://User:Pw@example.com/x");
  EXPECT_EQ(norm("http://[2001:DB8::1]:80/x"), "http://[2001:db8::1]/x");
  EXPECT_EQ(norm("http://[2001:db8::1]:8443/x"), "http://[2001:db8::1]:8443/x");
  EXPECT_EQ(norm("  evil.vn/login.php  "), "http://evil.vn/login.php");
  EXPECT_EQ(norm("//evil.vn/x"), "http://evil.vn/x");
  EXPECT_EQ(norm("FTP://files.example.com:21/pub/"), "ftp://files.example.com/pub");
  EXPECT_EQ(norm("hxxp://evil.vn/"), "hxxp://evil.vn/");
  EXPECT_EQ(norm("/only/a/path"), "INVALID");
  EXPECT_EQ(norm("http:///nohost"), "INVALID");
  EXPECT_EQ(norm("http://example.com:99999/"), "INVALID");
  EXPECT_EQ(norm("http://example.com:8a/"), "INVALID");
  EXPECT_EQ(norm(""), "INVALID");
}

// The lookup path normalises into a fixed buffer: the same text as normalize_url, and 0 (never a
// truncated key) when the buffer is too small.
TEST(IntelUrlNormalizer, IntoABufferAsIntoAString) {
  for (std::string_view url : {"HTTP://Example.COM", "http://example.com:0080/a", "http://example.com/a%2db%5fc%2E",
                               "http://User:Pw@Example.com./x", "http://[2001:DB8::1]:80/x", "//evil.vn/x",
                               "http://example.com:8443/caf\xc3\xa9 x?q=%7e#f", "/only/a/path", "http:///nohost"}) {
    char buf[256];
    std::size_t n = normalize_url_into(url, buf, sizeof(buf));
    EXPECT_EQ(n == 0 ? std::string("INVALID") : std::string(buf, n), norm(url)) << url;
  }
  std::string spaces = "http://e.vn/" + std::string(100, ' ') + "x";  // each space becomes %20
  std::string full = norm(spaces);
  ASSERT_EQ(full.size(), 12u + 300u + 1u);
  std::string buf(full.size(), '\0');
  EXPECT_EQ(normalize_url_into(spaces, buf.data(), buf.size()), full.size());
  EXPECT_EQ(buf, full);
  EXPECT_EQ(normalize_url_into(spaces, buf.data(), full.size() - 1), 0u);
  EXPECT_GE(normalized_url_bound(spaces.size()), full.size());
}

TEST(IntelNormalizer, DomainsHashesEmails) {
  EXPECT_EQ(normalize_domain("WWW.Evil.VN."), "www.evil.vn");
  EXPECT_FALSE(normalize_domain("a..b"));
  EXPECT_FALSE(normalize_domain("bad domain.vn"));
  EXPECT_FALSE(normalize_domain(std::string(64, 'a') + ".vn"));
  EXPECT_EQ(normalize_hash_hex("ABCDEF0123456789ABCDEF0123456789"), "abcdef0123456789abcdef0123456789");
  EXPECT_FALSE(normalize_hash_hex("abcdef"));
  EXPECT_FALSE(normalize_hash_hex(std::string(32, 'g')));
  EXPECT_EQ(normalize_hash_algorithm("SHA-256"), "SHA256");
  EXPECT_EQ(normalize_hash_algorithm("sha1"), "SHA1");
  EXPECT_EQ(normalize_email(" Ann@Example.VN "), "ann@example.vn");
  EXPECT_FALSE(normalize_email("a@b@c"));
  std::vector<std::string> digests;
  for_each_hex_digest("SHA1=DA39A3EE5E6B4B0D3255BFEF95601890AFD80709,MD5=D41D8CD98F00B204E9800998ECF8427E,IMPHASH=00",
                      [&](std::string_view d) { digests.emplace_back(d); });
  EXPECT_EQ(digests,
            (std::vector<std::string>{"DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", "D41D8CD98F00B204E9800998ECF8427E"}));
}

std::shared_ptr<const IndicatorMatcher> sample() {
  IndicatorMatcher::Builder b;
  EXPECT_TRUE(b.add_ip("10.0.0.0/8", 1));
  EXPECT_TRUE(b.add_ip("10.1.0.0/16", 2));
  EXPECT_TRUE(b.add_ip("10.1.2.0/24", 3));
  EXPECT_TRUE(b.add_ip("10.1.2.3", 4));
  EXPECT_TRUE(b.add_ip("10.1.2.3/32", 5));
  EXPECT_TRUE(b.add_ip("0.0.0.0/0", 6));
  EXPECT_TRUE(b.add_ip("255.255.255.255", 7));
  EXPECT_TRUE(b.add_ip("255.255.255.0/24", 8));
  EXPECT_TRUE(b.add_ip("2001:db8::/32", 10));
  EXPECT_TRUE(b.add_ip("2001:db8:1::/48", 11));
  EXPECT_TRUE(b.add_ip("2001:db8:1::1", 12));
  EXPECT_TRUE(b.add_ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120", 13));
  EXPECT_TRUE(b.add_domain("evil.vn", 20));
  EXPECT_TRUE(b.add_domain("B.Evil.VN.", 21));
  EXPECT_TRUE(b.add_domain("evil.vn", 22));
  EXPECT_TRUE(b.add_domain("other.com", 23));
  EXPECT_TRUE(b.add_url("http://Evil.vn:80/login/", 30));
  EXPECT_TRUE(b.add_url("https://x.vn/a?b=1", 31));
  EXPECT_TRUE(b.add_hash("D41D8CD98F00B204E9800998ECF8427E", 40));
  EXPECT_TRUE(b.add_hash(std::string(64, 'a'), 41));
  EXPECT_TRUE(b.add_hash(std::string(40, 'b'), 42));
  EXPECT_TRUE(b.add_hash(std::string(128, 'c'), 43));
  EXPECT_TRUE(b.add_email("Phish@Evil.VN", 50));
  EXPECT_FALSE(b.add_ip("10.0.0.0/33", 99));
  EXPECT_FALSE(b.add_domain("bad domain", 99));
  EXPECT_FALSE(b.add_url("/path", 99));
  EXPECT_FALSE(b.add_hash("xyz", 99));
  EXPECT_FALSE(b.add_email("nobody", 99));
  return b.build();
}

TEST(IntelMatcher, LongestPrefixMostSpecificFirst) {
  auto m = sample();
  EXPECT_EQ(m->match_ip(ip("10.1.2.3")), (Ids{4, 5, 3, 2, 1, 6}));
  EXPECT_EQ(m->match_ip(ip("10.1.2.4")), (Ids{3, 2, 1, 6}));
  EXPECT_EQ(m->match_ip(ip("10.1.3.1")), (Ids{2, 1, 6}));
  EXPECT_EQ(m->match_ip(ip("10.200.0.1")), (Ids{1, 6}));
  EXPECT_EQ(m->match_ip(ip("11.0.0.0")), (Ids{6}));
  EXPECT_EQ(m->match_ip(ip("9.255.255.255")), (Ids{6}));
  EXPECT_EQ(m->match_ip(ip("255.255.255.255")), (Ids{7, 8, 6}));
  EXPECT_EQ(m->match_ip(ip("255.255.255.1")), (Ids{8, 6}));
  EXPECT_EQ(m->match_ip(ip("::ffff:10.1.2.3")), (Ids{4, 5, 3, 2, 1, 6}));  // IPv4-mapped IPv6
  EXPECT_EQ(m->match_ip(ip("2001:db8:1::1")), (Ids{12, 11, 10}));
  EXPECT_EQ(m->match_ip(ip("2001:db8:1::2")), (Ids{11, 10}));
  EXPECT_EQ(m->match_ip(ip("2001:db8:2::2")), (Ids{10}));
  EXPECT_EQ(m->match_ip(ip("2001:db9::1")), Ids{});
  EXPECT_EQ(m->match_ip(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")), (Ids{13}));
  EXPECT_EQ(m->match_ip(ip("::")), Ids{});
}

TEST(IntelMatcher, DomainsMatchParents) {
  auto m = sample();
  EXPECT_EQ(m->match_domain("evil.vn"), (Ids{20, 22}));
  EXPECT_EQ(m->match_domain("a.b.evil.vn"), (Ids{21, 20, 22}));
  EXPECT_EQ(m->match_domain("A.B.EVIL.VN."), (Ids{21, 20, 22}));
  EXPECT_EQ(m->match_domain("x.evil.vn"), (Ids{20, 22}));
  EXPECT_EQ(m->match_domain("notevil.vn"), Ids{});
  EXPECT_EQ(m->match_domain("evil.vn.com"), Ids{});
  EXPECT_EQ(m->match_domain("vn"), Ids{});
  EXPECT_EQ(m->match_domain(""), Ids{});
  EXPECT_EQ(m->match_domain("bad domain.evil.vn"), Ids{});
}

// Parents are probed only at label counts some stored domain has; whatever the counts, every
// stored parent is still found (long names, 63+ labels, a one-label name).
TEST(IntelMatcher, DomainParentsAtEveryStoredLength) {
  IndicatorMatcher::Builder b;
  std::string deep;
  for (int i = 0; i < 70; ++i) deep += {static_cast<char>('a' + i % 26), '.'};
  deep += "vn";  // 71 labels, 142 bytes
  ASSERT_TRUE(b.add_domain("evil.vn", 1));
  ASSERT_TRUE(b.add_domain("a.b.c.d.e.f.evil.vn", 2));
  ASSERT_TRUE(b.add_domain(deep, 3));
  ASSERT_TRUE(b.add_domain("localhost", 4));
  auto m = b.build();
  EXPECT_EQ(m->match_domain("x.a.b.c.d.e.f.evil.vn"), (Ids{2, 1}));
  EXPECT_EQ(m->match_domain("b.c.d.e.f.evil.vn"), (Ids{1}));
  EXPECT_EQ(m->match_domain("x.y." + deep), (Ids{3}));
  EXPECT_EQ(m->match_domain(deep), (Ids{3}));
  EXPECT_EQ(m->match_domain(deep.substr(2)), Ids{});
  EXPECT_EQ(m->match_domain("LOCALHOST."), (Ids{4}));
  EXPECT_EQ(m->match_domain("a.localhost"), (Ids{4}));  // a one-label parent is probed when one is stored
  std::vector<LookupRequest> requests(2);
  requests[0].kind = requests[1].kind = ObservableKind::Domain;
  requests[0].text = "www.evil.vn";
  std::string deeper = "q." + deep;
  requests[1].text = deeper;
  std::vector<BatchHit> hits;
  m->match_batch(requests, hits);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].request, 0u);
  EXPECT_EQ(hits[0].indicator, 1u);
  EXPECT_EQ(hits[1].request, 1u);
  EXPECT_EQ(hits[1].indicator, 3u);
}

TEST(IntelMatcher, UrlsHashesEmails) {
  auto m = sample();
  EXPECT_EQ(m->match_url("HTTP://EVIL.VN/login"), (Ids{30}));
  EXPECT_EQ(m->match_url("http://evil.vn/login/#x"), (Ids{30}));
  EXPECT_EQ(m->match_url("http://evil.vn/%6cogin"), (Ids{30}));
  EXPECT_EQ(m->match_url("http://evil.vn/login?x=1"), Ids{});
  EXPECT_EQ(m->match_url("https://x.vn:443/a?b=1"), (Ids{31}));
  EXPECT_EQ(m->match_hash("d41d8cd98f00b204e9800998ecf8427e"), (Ids{40}));
  EXPECT_EQ(m->match_hash(std::string(64, 'A')), (Ids{41}));
  EXPECT_EQ(m->match_hash(std::string(40, 'B')), (Ids{42}));
  EXPECT_EQ(m->match_hash(std::string(128, 'c')), (Ids{43}));
  EXPECT_EQ(m->match_hash(std::string(63, 'a')), Ids{});
  EXPECT_EQ(m->match_email("phish@evil.vn"), (Ids{50}));
  EXPECT_EQ(m->match_email("PHISH@EVIL.VN"), (Ids{50}));
  EXPECT_EQ(m->match_email("other@evil.vn"), Ids{});
  EXPECT_EQ(m->stats().observables, 23u);
}

TEST(IntelMatcher, MatchEventChecksEveryTypedField) {
  auto m = sample();
  Arena arena;
  Event e(arena);
  e.set_ip(field::src_endpoint_ip, ip("192.0.2.1"));
  e.set_ip(field::dst_endpoint_ip, ip("10.1.3.9"));
  e.set_string(field::device_ip, "2001:db8:2::1");  // an address left as text still matches
  e.set_string(field::query_hostname, "c2.b.evil.vn");
  e.set_string(field::tls_sni, "other.com");
  e.set_string(field::url_hostname, "evil.vn");
  e.set_string(field::url_url_string, "/login/");
  e.set_string(field::process_file_hashes, "MD5=D41D8CD98F00B204E9800998ECF8427E,SHA256=" + std::string(64, 'a'));
  e.set_string(field::email_from, "Boss <phish@evil.vn>");
  e.set_string(field::file_name, "evil.vn");  // not a checked field
  std::multiset<std::pair<IndicatorId, FieldId>> got;
  m->match_event(e, [&](const EventMatch& hit) { got.insert({hit.indicator, hit.field}); });
  std::multiset<std::pair<IndicatorId, FieldId>> want = {
      {2, field::dst_endpoint_ip},      {1, field::dst_endpoint_ip},      {6, field::dst_endpoint_ip},
      {6, field::src_endpoint_ip},      {10, field::device_ip},           {21, field::query_hostname},
      {20, field::query_hostname},      {22, field::query_hostname},      {23, field::tls_sni},
      {20, field::url_hostname},        {22, field::url_hostname},        {30, field::url_url_string},
      {40, field::process_file_hashes}, {41, field::process_file_hashes}, {50, field::email_from},
  };
  EXPECT_EQ(got, want);

  // A full URL without url.hostname also checks the URL's host as a domain.
  Event e2(arena);
  e2.set_string(field::url_url_string, "https://deep.b.evil.vn/x");
  std::vector<std::pair<IndicatorId, ObservableKind>> hits;
  m->match_event(e2, [&](const EventMatch& hit) { hits.push_back({hit.indicator, hit.kind}); });
  EXPECT_EQ(hits, (std::vector<std::pair<IndicatorId, ObservableKind>>{
                      {21, ObservableKind::Domain}, {20, ObservableKind::Domain}, {22, ObservableKind::Domain}}));
}

TEST(IntelMatcher, EmptyMatcher) {
  auto m = IndicatorMatcher::Builder().build();
  EXPECT_TRUE(m->match_ip(ip("10.0.0.1")).empty());
  EXPECT_TRUE(m->match_domain("a.vn").empty());
  EXPECT_TRUE(m->match_url("http://a.vn/").empty());
  EXPECT_TRUE(m->match_hash(std::string(32, 'a')).empty());
  EXPECT_TRUE(m->match_email("a@b.c").empty());
}

TEST(IntelMatcher, ObservablesFromExtractionBuildTheMatcher) {
  IndicatorMatcher::Builder b;
  EXPECT_TRUE(b.add(Observable{ObservableKind::Ip, "10.0.0.0/8", ""}, 0));
  EXPECT_TRUE(b.add(Observable{ObservableKind::Domain, "evil.vn", ""}, 1));
  EXPECT_TRUE(b.add(Observable{ObservableKind::Url, "http://evil.vn/", ""}, 2));
  EXPECT_TRUE(b.add(Observable{ObservableKind::Hash, std::string(32, 'f'), ""}, 3));
  EXPECT_TRUE(b.add(Observable{ObservableKind::Email, "a@evil.vn", ""}, 4));
  auto m = b.build();
  EXPECT_EQ(m->match_ip(ip("10.9.9.9")), Ids{0});
  EXPECT_EQ(m->match_domain("x.evil.vn"), Ids{1});
  EXPECT_EQ(m->match_url("http://evil.vn"), Ids{2});
  EXPECT_EQ(m->match_hash(std::string(32, 'F')), Ids{3});
  EXPECT_EQ(m->match_email("A@evil.vn"), Ids{4});
}

// ---- randomized comparison with a brute-force scan ----

struct RandomPrefix {
  IpPrefix prefix;
  IndicatorId id;
};

TEST(IntelMatcher, RandomizedAgainstBruteForce) {
  std::mt19937_64 rng(20240501);
  auto rand_v4 = [&] {
    // Few first octets so prefixes nest and overlap a lot.
    static const std::uint32_t kBases[] = {0x0a000000, 0xc0a80000, 0x08080000, 0xffff0000};
    return kBases[rng() % 4] | static_cast<std::uint32_t>(rng() % 0x10000);
  };
  auto rand_v6 = [&] {
    IpAddress a;
    a.bytes[0] = 0x20;
    a.bytes[1] = 0x01;
    a.bytes[2] = static_cast<std::uint8_t>(rng() % 3);
    for (int i = 3; i < 16; ++i) a.bytes[i] = static_cast<std::uint8_t>(i < 5 ? rng() % 4 : rng());
    return a;
  };
  std::vector<RandomPrefix> prefixes;
  IndicatorMatcher::Builder b;
  for (IndicatorId id = 0; id < 3000; ++id) {
    IpPrefix p;
    if (rng() % 4 == 0) {
      p.address = rand_v6();
      p.bits = static_cast<int>(rng() % 129);
    } else {
      p.address = IpAddress::from_v4(rand_v4());
      p.bits = static_cast<int>(rng() % 8 == 0 ? 8 + rng() % 8 : 16 + rng() % 17);
    }
    p = *IpPrefix::parse(p.to_string());  // clears host bits
    prefixes.push_back({p, id});
    b.add_prefix(p, id);
    if (rng() % 10 == 0) {  // the same prefix for a second indicator, and a repeated pair
      prefixes.push_back({p, id + 100000});
      b.add_prefix(p, id + 100000);
      b.add_prefix(p, id + 100000);
    }
  }
  // Domains over a tiny alphabet so parents and siblings collide.
  const char* labels[] = {"a", "b", "c", "evil", "vn", "com"};
  auto rand_domain = [&] {
    std::string d;
    int n = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) {
      if (i) d += '.';
      d += labels[rng() % 6];
    }
    return d;
  };
  std::map<std::string, std::set<IndicatorId>> domains;
  for (IndicatorId id = 0; id < 500; ++id) {
    auto d = rand_domain();
    domains[d].insert(id);
    ASSERT_TRUE(b.add_domain(d, id));
  }
  auto m = b.build();

  for (int round = 0; round < 6000; ++round) {
    IpAddress addr = rng() % 4 == 0 ? rand_v6() : IpAddress::from_v4(rand_v4());
    if (round % 3 == 0) {  // aim at a stored prefix so most probes hit something
      const auto& p = prefixes[rng() % prefixes.size()].prefix;
      addr = p.address;
      if (rng() % 2) addr.bytes[15] ^= static_cast<std::uint8_t>(rng());
    }
    // Brute force: every containing prefix, most specific first, ids ascending within a prefix;
    // the host (/32, /128) entries come first because they are the most specific.
    std::vector<std::tuple<int, IndicatorId>> expect;
    std::set<std::tuple<std::array<std::uint8_t, 16>, int, IndicatorId>> seen;
    for (const auto& rp : prefixes)
      if (rp.prefix.contains(addr) && seen.insert({rp.prefix.address.bytes, rp.prefix.bits, rp.id}).second)
        expect.push_back({-rp.prefix.bits, rp.id});
    std::sort(expect.begin(), expect.end());
    Ids want;
    for (auto& [bits, id] : expect) want.push_back(id);
    ASSERT_EQ(m->match_ip(addr), want) << addr.to_string();
  }
  for (int round = 0; round < 5000; ++round) {
    std::string q = rand_domain();
    Ids want;
    std::string_view rest = q;
    while (true) {
      auto it = domains.find(std::string(rest));
      if (it != domains.end()) want.insert(want.end(), it->second.begin(), it->second.end());
      auto dot = rest.find('.');
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
    ASSERT_EQ(m->match_domain(q), want) << q;
  }
}

// The batched lookups give exactly what the single lookups give, request by request.
TEST(IntelMatcher, BatchEqualsSingleLookups) {
  auto m = sample();
  std::vector<std::string> texts = {"a.b.evil.vn",
                                    "EVIL.VN.",
                                    "nothing.example",
                                    "http://evil.vn/login/",
                                    "https://x.vn/a?b=1",
                                    std::string(64, 'A'),
                                    "d41d8cd98f00b204e9800998ecf8427e",
                                    "PHISH@evil.vn",
                                    "bad domain",
                                    ""};
  std::vector<LookupRequest> requests;
  const ObservableKind kinds[] = {ObservableKind::Domain, ObservableKind::Url, ObservableKind::Hash,
                                  ObservableKind::Email};
  for (const auto& t : texts)
    for (auto k : kinds) requests.push_back({k, {}, t});
  for (const char* a : {"10.1.2.3", "10.1.3.1", "255.255.255.255", "2001:db8:1::1", "::ffff:10.1.2.3", "192.0.2.1"})
    requests.push_back({ObservableKind::Ip, ip(a), {}});
  std::vector<BatchHit> hits;
  m->match_batch(requests, hits);
  std::vector<Ids> by_request(requests.size());
  for (const auto& h : hits) by_request[h.request].push_back(h.indicator);
  for (std::size_t r = 0; r < requests.size(); ++r) {
    const auto& q = requests[r];
    Ids single;
    switch (q.kind) {
      case ObservableKind::Ip:
        single = m->match_ip(q.ip);
        break;
      case ObservableKind::Domain:
        single = m->match_domain(q.text);
        break;
      case ObservableKind::Url:
        single = m->match_url(q.text);
        break;
      case ObservableKind::Hash:
        single = m->match_hash(q.text);
        break;
      case ObservableKind::Email:
        single = m->match_email(q.text);
        break;
    }
    EXPECT_EQ(by_request[r], single) << "request " << r << " " << observable_kind_name(q.kind) << " " << q.text;
  }
  EXPECT_GT(hits.size(), 20u);

  // match_events over several events reports what match_event reports for each.
  Arena arena;
  Event e1(arena), e2(arena), e3(arena);
  e1.set_ip(field::src_endpoint_ip, ip("10.1.2.3"));
  e1.set_string(field::tls_sni, "x.b.evil.vn");
  e2.set_string(field::url_url_string, "http://evil.vn/login");
  e3.set_string(field::email_to, "a@b.c, phish@evil.vn");
  e3.set_string(field::file_hashes_sha256, std::string(64, 'a'));
  const Event* events[] = {&e1, &e2, &e3};
  std::vector<std::pair<std::size_t, IndicatorId>> batched, single;
  m->match_events(events, [&](std::size_t i, const EventMatch& hit) { batched.push_back({i, hit.indicator}); });
  for (std::size_t i = 0; i < 3; ++i)
    m->match_event(*events[i], [&](const EventMatch& hit) { single.push_back({i, hit.indicator}); });
  EXPECT_EQ(batched, single);
  EXPECT_EQ(batched.size(), 6u + 3u + 3u + 2u);  // e1: 6 ip + 3 domain; e2: url + evil.vn twice; e3: 2
}

TEST(IntelMatcherHolder, SwapsWhileReadersRun) {
  MatcherHolder holder;
  EXPECT_EQ(holder.version(), 0u);
  EXPECT_TRUE(holder.get()->match_domain("a.vn").empty());
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> lookups{0};
  std::atomic<bool> saw_bad{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto m = holder.get();  // once per "batch"
        for (int i = 0; i < 100; ++i) {
          auto hits = m->match_domain("x.a.vn");
          // Every published matcher maps a.vn to exactly one id, whichever version it is.
          if (hits.size() > 1) saw_bad = true;
          lookups.fetch_add(1);
        }
      }
    });
  }
  while (lookups.load() == 0) std::this_thread::yield();
  for (IndicatorId v = 1; v <= 50; ++v) {
    if (v % 10 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    IndicatorMatcher::Builder b;
    ASSERT_TRUE(b.add_domain("a.vn", v));
    EXPECT_EQ(holder.publish(b.build()), v);
  }
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_FALSE(saw_bad.load());
  EXPECT_GT(lookups.load(), 0u);
  EXPECT_EQ(holder.get()->match_domain("a.vn"), Ids{50});
  EXPECT_EQ(holder.publish(nullptr), 50u);
}

}  // namespace
}  // namespace khien
