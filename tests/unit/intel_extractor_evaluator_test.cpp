// Which patterns compile into the matcher (and why the others do not), and single-event evaluation
// of patterns against khien events.
#include <gtest/gtest.h>

#include "core/event.h"
#include "intel/observable_extractor.h"
#include "intel/pattern_evaluator.h"
#include "intel/stix_field_map.h"
#include "intel/stix_pattern_parser.h"

namespace khien {
namespace {

Extraction extract(std::string_view text) {
  auto ast = parse_stix_pattern(text);
  EXPECT_TRUE(ast) << text << ": " << (ast ? "" : ast.error().message);
  if (!ast) return {};
  return extract_observables(*ast);
}

std::string describe(const Extraction& e) {
  if (!e.compiled) return "not compiled: " + e.reason;
  std::string out;
  for (const auto& o : e.observables) {
    if (!out.empty()) out += ", ";
    out += observable_kind_name(o.kind);
    out += '=';
    out += o.value;
  }
  return out;
}

TEST(IntelExtractor, CompilesSimplePatterns) {
  EXPECT_EQ(describe(extract("[ipv4-addr:value = '198.51.100.1']")), "ip=198.51.100.1");
  EXPECT_EQ(describe(extract("[ipv4-addr:value = '112.64.0.0/15']")), "ip=112.64.0.0/15");
  EXPECT_EQ(describe(extract("[ipv4-addr:value = '198.51.100.1/32']")), "ip=198.51.100.1");
  EXPECT_EQ(describe(extract("[ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128']")),
            "ip=2001:db8:dead:beef:dead:beef:dead:1");
  EXPECT_EQ(describe(extract("[ipv6-addr:value ISSUBSET '2001:db8::/32']")), "ip=2001:db8::/32");
  EXPECT_EQ(describe(extract("[network-traffic:dst_ref.value ISSUBSET '10.1.0.0/16']")), "ip=10.1.0.0/16");
  EXPECT_EQ(describe(extract("[network-traffic:src_ref.value = '10.9.9.9']")), "ip=10.9.9.9");
  EXPECT_EQ(describe(extract("[domain-name:value = 'Evil.VN.']")), "domain=evil.vn");
  EXPECT_EQ(describe(extract("[domain-name:value = 'a.vn' OR ipv4-addr:value = '60.10.1.120']")),
            "domain=a.vn, ip=60.10.1.120");
  EXPECT_EQ(describe(extract("[url:value = 'HTTP://Example.com:80/a/%7euser/']")), "url=http://example.com/a/~user");
  EXPECT_EQ(describe(extract("[file:hashes.'SHA-256' = "
                             "'EF537F25C895BFA782526529A9B63D97AA631564D5D789C2B765448C8635FB6C']")),
            "hash=ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c");
  EXPECT_EQ(describe(extract("[file:hashes.md5 = '001dd76872d80801692ff942308c64e6']")),
            "hash=001dd76872d80801692ff942308c64e6");
  EXPECT_EQ(describe(extract("[file:hashes.SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709' OR "
                             "file:hashes.'sha-1' = 'DA39A3EE5E6B4B0D3255BFEF95601890AFD80709']")),
            "hash=da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(describe(extract("[email-addr:value = 'Bad@Example.COM']")), "email=bad@example.com");
  EXPECT_EQ(describe(extract("[email-message:from_ref.value = 'x@y.vn']")), "email=x@y.vn");
  EXPECT_EQ(describe(extract("[domain-name:value IN ('a.vn', 'b.vn')] OR [url:value = 'https://c.vn']")),
            "domain=a.vn, domain=b.vn, url=https://c.vn/");
  EXPECT_EQ(describe(extract("[(domain-name:value = 'a.vn' OR (domain-name:value = 'b.vn'))]")),
            "domain=a.vn, domain=b.vn");
}

TEST(IntelExtractor, ReportsWhyAPatternIsNotCompiled) {
  EXPECT_EQ(describe(extract("[a:b = 1] FOLLOWEDBY [a:b = 2]")), "not compiled: uses FOLLOWEDBY");
  EXPECT_EQ(describe(extract("[domain-name:value = 'a.vn'] WITHIN 5 SECONDS")), "not compiled: uses WITHIN");
  EXPECT_EQ(describe(extract("[domain-name:value = 'a.vn'] REPEATS 5 TIMES")), "not compiled: uses REPEATS");
  EXPECT_EQ(
      describe(extract("[domain-name:value = 'a.vn'] START t'2020-01-01T00:00:00Z' STOP t'2021-01-01T00:00:00Z'")),
      "not compiled: uses START/STOP");
  EXPECT_EQ(describe(extract("[domain-name:value = 'a.vn'] AND [domain-name:value = 'b.vn']")),
            "not compiled: uses AND between observations");
  EXPECT_EQ(describe(extract("[domain-name:value = 'a.vn' AND domain-name:value = 'b.vn']")),
            "not compiled: uses AND between comparisons");
  EXPECT_EQ(describe(extract("[url:value LIKE 'http://evil.vn/%']")), "not compiled: LIKE on url:value");
  EXPECT_EQ(describe(extract("[domain-name:value MATCHES 'evil']")), "not compiled: MATCHES on domain-name:value");
  EXPECT_EQ(describe(extract("[domain-name:value != 'a.vn']")), "not compiled: != on domain-name:value");
  EXPECT_EQ(describe(extract("[domain-name:value NOT = 'a.vn']")), "not compiled: NOT = on domain-name:value");
  EXPECT_EQ(describe(extract("[domain-name:value ISSUBSET 'a.vn']")), "not compiled: ISSUBSET on domain-name:value");
  EXPECT_EQ(describe(extract("[file:name = 'CBricksDoc']")), "not compiled: file:name is not a matchable observable");
  EXPECT_EQ(describe(extract("[file:hashes.'SHA3-256' = 'ab']")),
            "not compiled: hash algorithm 'SHA3-256' is not matched (MD5, SHA-1, SHA-256, SHA-512 are)");
  // No algorithm at all (found by the pattern fuzzer: this once threw out of range).
  EXPECT_EQ(describe(extract("[file:hashes > 'SHA-228']")),
            "not compiled: file:hashes names no hash algorithm (file:hashes.'SHA-256', ...)");
  EXPECT_EQ(describe(extract("[file:hashes.MD5 = 'abcd']")),
            "not compiled: 'abcd' on file:hashes.MD5 is not a 32-digit hex digest");
  EXPECT_EQ(describe(extract("[file:hashes.'SHA-256' = '001dd76872d80801692ff942308c64e6']")),
            "not compiled: '001dd76872d80801692ff942308c64e6' on file:hashes.'SHA-256' is not a 64-digit hex digest");
  EXPECT_EQ(describe(extract("[domain-name:value = 'domain autuo.xicp.net' OR ipv4-addr:value = '60.10.1.115']")),
            "not compiled: 'domain autuo.xicp.net' on domain-name:value is not a domain name");
  EXPECT_EQ(describe(extract("[ipv4-addr:value = '2001:db8::1']")),
            "not compiled: '2001:db8::1' on ipv4-addr:value is not an IPv4 address");
  EXPECT_EQ(describe(extract("[ipv6-addr:value = '10.0.0.1']")),
            "not compiled: '10.0.0.1' on ipv6-addr:value is not an IPv6 address");
  EXPECT_EQ(describe(extract("[ipv4-addr:value = 'not-an-ip']")),
            "not compiled: 'not-an-ip' on ipv4-addr:value is not an IP address or CIDR");
  EXPECT_EQ(describe(extract("[ipv4-addr:value ISSUBSET '10.0.0.1']")),
            "not compiled: ISSUBSET on ipv4-addr:value needs a network (CIDR), got '10.0.0.1'");
  EXPECT_EQ(describe(extract("[url:value = '/just/a/path']")),
            "not compiled: '/just/a/path' on url:value is not a URL with a host");
  EXPECT_EQ(describe(extract("[email-addr:value = 'nobody']")),
            "not compiled: 'nobody' on email-addr:value is not an e-mail address");
  EXPECT_EQ(describe(extract("[network-traffic:dst_port = 443]")),
            "not compiled: network-traffic:dst_port is not a matchable observable");
  EXPECT_EQ(describe(extract("[ipv4-addr:value = h'0a000001']")),
            "not compiled: non-string constant h'0a000001' on ipv4-addr:value");
  // One bad branch keeps the whole pattern out of the matcher (it would be half-enforced otherwise).
  auto mixed = extract("[domain-name:value = 'a.vn' OR file:name = 'x.exe']");
  EXPECT_FALSE(mixed.compiled);
  EXPECT_TRUE(mixed.observables.empty());
}

// ---- evaluator ----

class IntelEvaluator : public ::testing::Test {
 protected:
  Arena arena;
  Event event{arena};

  bool eval(std::string_view text) {
    auto ast = parse_stix_pattern(text);
    EXPECT_TRUE(ast) << text << ": " << (ast ? "" : ast.error().message);
    return ast && evaluate(*ast, event);
  }
};

TEST_F(IntelEvaluator, ComparesStringsNumbersAndAddresses) {
  event.set_ip(field::src_endpoint_ip, *IpAddress::parse("10.1.2.3"));
  event.set_ip(field::dst_endpoint_ip, *IpAddress::parse("2001:db8::5"));
  event.set_int(field::dst_endpoint_port, 443);
  event.set_string(field::file_name, "Invoice_2024.PDF.exe");
  event.set_string(field::file_hashes_md5, "79054025255fb1a26e4bc422aef54eb4");
  event.set_string(field::process_cmd_line, "powershell -enc SQBFAFgA");
  event.set_string(field::query_hostname, "WWW.Evil.VN");
  event.set_time(field::time, *parse_iso8601("2024-05-01T10:00:00Z"));

  EXPECT_TRUE(eval("[ipv4-addr:value = '10.1.2.3']"));
  EXPECT_TRUE(eval("[ipv4-addr:value = '10.0.0.0/8']"));
  EXPECT_FALSE(eval("[ipv4-addr:value = '10.1.2.4']"));
  EXPECT_TRUE(eval("[ipv4-addr:value ISSUBSET '10.1.0.0/16']"));
  EXPECT_FALSE(eval("[ipv4-addr:value ISSUBSET '192.168.0.0/16']"));
  EXPECT_TRUE(eval("[ipv6-addr:value ISSUBSET '2001:db8::/32']"));
  EXPECT_TRUE(eval("[network-traffic:dst_ref.value = '2001:db8::5']"));
  EXPECT_FALSE(eval("[network-traffic:src_ref.value = '2001:db8::5']"));
  EXPECT_TRUE(eval("[ipv4-addr:value ISSUPERSET '10.1.2.3']"));
  EXPECT_TRUE(eval("[network-traffic:dst_port = 443]"));
  EXPECT_TRUE(eval("[network-traffic:dst_port > 442 AND network-traffic:dst_port <= 443]"));
  EXPECT_TRUE(eval("[network-traffic:dst_port >= 442.5]"));
  EXPECT_FALSE(eval("[network-traffic:dst_port < 443]"));
  EXPECT_TRUE(eval("[network-traffic:dst_port IN (80, 443)]"));
  EXPECT_TRUE(eval("[network-traffic:dst_port NOT IN (80, 8080)]"));
  EXPECT_TRUE(eval("[network-traffic:dst_port != 80]"));
  EXPECT_FALSE(eval("[network-traffic:dst_port != 443]"));
  EXPECT_TRUE(eval("[file:name = 'Invoice_2024.PDF.exe']"));
  EXPECT_FALSE(eval("[file:name = 'invoice_2024.pdf.exe']"));  // file names compare exactly
  EXPECT_TRUE(eval("[file:hashes.MD5 = '79054025255FB1A26E4BC422AEF54EB4']"));
  EXPECT_TRUE(eval("[file:hashes.'md5' IN ('00', '79054025255fb1a26e4bc422aef54eb4')]"));
  EXPECT_TRUE(eval("[domain-name:value = 'www.evil.vn']"));
  EXPECT_TRUE(eval("[domain-name:value = 'www.evil.vn.']"));
  EXPECT_FALSE(eval("[domain-name:value = 'evil.vn']"));  // the evaluator is exact; the matcher does parents
  EXPECT_TRUE(eval("[EXISTS process:command_line]"));
  EXPECT_FALSE(eval("[EXISTS email-message:subject]"));
  EXPECT_FALSE(eval("[email-message:subject NOT = 'x']"));  // absent field: false even with NOT
  EXPECT_FALSE(eval("[windows-registry-key:key = 'HKLM']"));
}

TEST_F(IntelEvaluator, LikeAndMatches) {
  event.set_string(field::file_name, "Invoice_2024.PDF.exe");
  event.set_string(field::process_cmd_line, "powershell -enc SQBFAFgA");
  event.set_string(field::url_url_string, "http://evil.vn/dl/payload.bin");
  event.set_string(field::email_subject, "[IMPORTANT] Please Review Before Friday");
  EXPECT_TRUE(eval("[file:name LIKE 'Invoice%.exe']"));
  EXPECT_TRUE(eval("[file:name LIKE 'Invoice_2024%']"));
  EXPECT_FALSE(eval("[file:name LIKE 'invoice%']"));
  EXPECT_TRUE(eval("[file:name NOT LIKE '%.dll']"));
  EXPECT_TRUE(eval("[url:value LIKE 'http://evil.vn/%']"));
  EXPECT_TRUE(eval("[process:command_line MATCHES '-enc [A-Za-z0-9+/=]{8,}']"));
  EXPECT_FALSE(eval("[process:command_line MATCHES '^cmd']"));
  EXPECT_TRUE(eval("[process:command_line MATCHES '(?i)^POWERSHELL']"));
  // As the corpus writes it, "[IMPORTANT]" is a character class: one of I, M, P, O, R, T, A, N.
  EXPECT_FALSE(eval("[email-message:subject MATCHES '^[IMPORTANT] Please Review Before']"));
  EXPECT_TRUE(eval("[email-message:subject MATCHES '^\\\\[IMPORTANT\\\\] Please Review Before']"));
  EXPECT_TRUE(eval("[file:name LIKE 'Invoice%' AND process:command_line LIKE '%-enc%']"));
  EXPECT_FALSE(eval("[file:name LIKE 'Invoice%' AND process:command_line LIKE '%-nop%']"));
  EXPECT_TRUE(eval("[file:name LIKE 'x%' OR (process:command_line LIKE '%-enc%' AND file:name LIKE '%.exe')]"));
}

TEST_F(IntelEvaluator, EmailHeadersSplitIntoAddresses) {
  event.set_string(field::email_from, "\"Le, Van\" <Attacker@Evil.VN>");
  event.set_string(field::email_to, "a@x.vn, B <b@y.vn>");
  EXPECT_TRUE(eval("[email-message:from_ref.value = 'attacker@evil.vn']"));
  EXPECT_TRUE(eval("[email-addr:value = 'b@y.vn']"));
  EXPECT_TRUE(eval("[email-message:to_refs[*].value = 'a@x.vn']"));
  EXPECT_FALSE(eval("[email-message:to_refs[*].value = 'attacker@evil.vn']"));
}

TEST_F(IntelEvaluator, MultiEventPatternsAreNotEvaluatedOnOneEvent) {
  event.set_string(field::file_name, "a");
  auto check = [](std::string_view text) {
    auto ast = parse_stix_pattern(text);
    EXPECT_TRUE(ast);
    auto st = check_single_event(*ast);
    return st ? std::string("ok") : st.error().message;
  };
  EXPECT_EQ(check("[file:name = 'a'] OR [file:name = 'b']"), "ok");
  EXPECT_EQ(check("[file:name = 'a'] FOLLOWEDBY [file:name = 'b']"),
            "uses FOLLOWEDBY (needs an ordered sequence of events)");
  EXPECT_EQ(check("[file:name = 'a'] AND [file:name = 'b']"), "uses AND between observations (needs several events)");
  EXPECT_EQ(check("[file:name = 'a'] REPEATS 2 TIMES"), "uses REPEATS (needs several events)");
  EXPECT_EQ(check("[file:name = 'a'] OR ([file:name = 'b'] WITHIN 5 SECONDS)"),
            "uses WITHIN (needs a time window of events)");
  EXPECT_TRUE(eval("[file:name = 'a'] OR [file:name = 'b']"));
  EXPECT_FALSE(eval("[file:name = 'a'] FOLLOWEDBY [file:name = 'a']"));
  EXPECT_FALSE(eval("[file:name = 'a'] WITHIN 5 SECONDS"));
}

TEST_F(IntelEvaluator, TimestampsAndTypes) {
  event.set_time(field::time, *parse_iso8601("2024-05-01T10:00:00Z"));
  event.set_int(field::file_size, 371712);
  event.set_string(field::file_name, "pdf.exe");
  EXPECT_TRUE(eval("[(file:name = 'pdf.exe' OR file:size = '371712') AND file:size > 1000]"));
  EXPECT_TRUE(eval("[file:size = 371712.0]"));
  EXPECT_FALSE(eval("[file:size = 'abc']"));
  EXPECT_FALSE(eval("[file:size != 'abc']"));  // incomparable types are never true
}

TEST(IntelEvaluatorLike, Wildcards) {
  EXPECT_TRUE(like_match("abc", "abc"));
  EXPECT_TRUE(like_match("abc", "%"));
  EXPECT_TRUE(like_match("", "%"));
  EXPECT_FALSE(like_match("", "_"));
  EXPECT_TRUE(like_match("abc", "a_c"));
  EXPECT_TRUE(like_match("abc", "%c"));
  EXPECT_TRUE(like_match("aaab", "%a%b"));
  EXPECT_FALSE(like_match("aaab", "%a%c"));
  EXPECT_TRUE(like_match("mississippi", "m%iss%pi"));
  EXPECT_TRUE(like_match("héllo", "h_llo"));  // one character, two bytes
  EXPECT_FALSE(like_match("ABC", "abc"));
  EXPECT_TRUE(like_match("ABC", "abc", true));
  std::string many(5000, 'a');
  EXPECT_FALSE(like_match(many, "%a%a%a%a%b"));  // no exponential backtracking
}

TEST(IntelFieldMap, TableIsDocumentedAndResolvesSpellings) {
  auto md = stix_field_map_markdown();
  EXPECT_NE(md.find("| `domain-name:value` | `query.hostname`, `url.hostname`, `tls.sni`, `dst_endpoint.hostname` |"),
            std::string::npos);
  auto ast = parse_stix_pattern("[file:hashes.'sha-256' = 'x' OR email-message:to_refs[3].value = 'y']");
  ASSERT_TRUE(ast);
  const auto& children = ast->root.comparison.children;
  EXPECT_EQ(canonical_stix_path(children[0].path), "file:hashes.SHA256");
  EXPECT_EQ(canonical_stix_path(children[1].path), "email-message:to_refs[*].value");
  ASSERT_NE(find_stix_field_mapping(children[0].path), nullptr);
  EXPECT_EQ(find_stix_field_mapping(children[0].path)->fields[0], field::file_hashes_sha256);
  auto unmapped = parse_stix_pattern("[windows-registry-key:key = 'a' AND file:name = 'b' OR mutex:name = 'c']");
  ASSERT_TRUE(unmapped);
  EXPECT_EQ(unmapped_paths(*unmapped), (std::vector<std::string>{"windows-registry-key:key", "mutex:name"}));
}

}  // namespace
}  // namespace khien
