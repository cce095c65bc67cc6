// STIX 2.1 pattern grammar: the specification's examples, every indicator pattern of the shared
// corpus, invalid patterns with their exact error positions, and the canonical round trip.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "intel/stix_pattern_parser.h"

namespace khien {
namespace {

std::string reparse(std::string_view text) {
  auto ast = parse_stix_pattern(text);
  if (!ast) return "ERROR " + ast.error().message;
  return ast->to_string();
}

std::string error_of(std::string_view text) {
  auto ast = parse_stix_pattern(text);
  if (ast) return "parsed: " + ast->to_string();
  return ast.error().message;
}

// Patterns from OASIS STIX 2.1 section 9 and its examples, plus each grammar feature once.
const char* const kValid[] = {
    "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    "[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$' AND "
    "email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\\\.exe$']",
    "[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] AND [windows-registry-key:key = "
    "'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']",
    "[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = "
    "'2001:0db8:dead:beef:dead:beef:dead:0001/128']",
    "[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']",
    "[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']",
    "[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = "
    "'4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
    "[windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Software\\\\CryptoLocker\\\\Files' OR "
    "windows-registry-key:key = "
    "'HKEY_CURRENT_USER\\\\Software\\\\Microsoft\\\\CurrentVersion\\\\Run\\\\CryptoLocker_0388']",
    "[(file:name = 'pdf.exe' OR file:size = '371712') AND file:created = t'2014-01-13T07:03:17Z']",
    "[email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = 'Conference Info']",
    "[x-usb-device:usbdrive.serial_number = '575092210000000']",
    "[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] FOLLOWEDBY "
    "[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher$'] WITHIN 300 "
    "SECONDS",
    "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']",
    "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 "
    "TIMES WITHIN 1800 SECONDS",
    "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
    "[file:mime_type = 'application/x-pdf'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
    "([file:name = 'foo.dll'] AND [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\system\\\\services\\\\bar']) OR "
    "[process:name = 'fooproc' OR process:name = 'procfoo']",
    "[file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR file:hashes.MD5 = "
    "'cead3f77f6cda6ec00f57d76c9a6879f'] AND [file:hashes.'SHA-256' = "
    "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    "[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES "
    "'\\\\xd4\\\\xc3\\\\xb2\\\\xa1\\\\x02\\\\x00\\\\x04\\\\x00']",
    "[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] "
    "AND [user-account:account_type = 'unix' AND user-account:user_id = '1008' AND user-account:account_login = "
    "'Paul']",
    "[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']",
    "[file:magic_number_hex = h'ffd8']",
    "[network-traffic:src_ref.value ISSUBSET '198.51.100.0/24']",
    "[ipv4-addr:value ISSUPERSET '198.51.100.7']",
    "[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'Mozilla/5.0']",
    "[email-message:to_refs[0].value = 'a@b.c']",
    "[file:name NOT IN ('a', 'b')]",
    "[file:name IN ()]",
    "[EXISTS windows-registry-key:values]",
    "[file:name LIKE 'foo%bar_.exe']",
    "[file:size >= 1024 AND file:size < -1.5 AND file:size <= +7 AND file:size != .5]",
    "[x-custom:flag = true OR x-custom:flag = false]",
    "[file:created > t'2016-01-01T00:00:00.123456Z']",
    "[file:name = 'it\\'s \\\\ here']",
    "[network-traffic:dst_port = 443] AND [network-traffic:dst_port = 80] OR [network-traffic:dst_port = 22]",
    "([a:b = 1] OR [a:b = 2]) FOLLOWEDBY [a:b = 3] WITHIN 5.5 SECONDS REPEATS 2 TIMES",
    "[file:hashes.SHA-256 = 'x']",
    "[file:name MATCHES '(?i)^invoice']",
    "[ ipv4-addr:value = '10.0.0.0' ]",
};

TEST(IntelPatternParser, SpecificationExamplesParse) {
  for (const char* text : kValid) {
    auto ast = parse_stix_pattern(text);
    ASSERT_TRUE(ast) << text << "\n" << ast.error().message;
  }
}

TEST(IntelPatternParser, CanonicalFormIsStable) {
  for (const char* text : kValid) {
    std::string once = reparse(text);
    ASSERT_EQ(once.rfind("ERROR", 0), std::string::npos) << text;
    EXPECT_EQ(reparse(once), once) << text;
  }
}

TEST(IntelPatternParser, BuildsTheExpectedTree) {
  auto ast = parse_stix_pattern(
      "[a:x = 1] AND [a:y = 2] OR [a:z = 3] FOLLOWEDBY ([a:w = 'q' OR a:v = 'r' AND a:u = 's']) WITHIN 10 SECONDS");
  ASSERT_TRUE(ast) << ast.error().message;
  const auto& root = ast->root;
  ASSERT_EQ(root.kind, ObservationExpr::Kind::FollowedBy);
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(root.children[0].kind, ObservationExpr::Kind::Or);
  ASSERT_EQ(root.children[0].children.size(), 2u);
  EXPECT_EQ(root.children[0].children[0].kind, ObservationExpr::Kind::And);
  const auto& last = root.children[1];
  EXPECT_EQ(last.kind, ObservationExpr::Kind::Observation);
  ASSERT_EQ(last.qualifiers.size(), 1u);
  EXPECT_EQ(last.qualifiers[0].kind, Qualifier::Kind::Within);
  EXPECT_DOUBLE_EQ(last.qualifiers[0].seconds, 10.0);
  // AND binds tighter than OR inside the brackets.
  ASSERT_EQ(last.comparison.kind, ComparisonExpr::Kind::Or);
  ASSERT_EQ(last.comparison.children.size(), 2u);
  EXPECT_EQ(last.comparison.children[1].kind, ComparisonExpr::Kind::And);
}

TEST(IntelPatternParser, DecodesConstantsAndPaths) {
  auto ast = parse_stix_pattern(
      "[file:extensions.'windows-pebinary-ext'.sections[*].name = 'it\\'s' AND x:list[3] IN (h'ff00', b'AAEC', "
      "t'2020-02-29T23:59:60.5Z', -12, 1.25, true)]");
  ASSERT_TRUE(ast) << ast.error().message;
  const auto& and_node = ast->root.comparison;
  ASSERT_EQ(and_node.children.size(), 2u);
  const auto& first = and_node.children[0];
  EXPECT_EQ(first.path.object_type, "file");
  ASSERT_EQ(first.path.steps.size(), 5u);
  EXPECT_EQ(first.path.steps[1].name, "windows-pebinary-ext");
  EXPECT_EQ(first.path.steps[3].kind, PathStep::Kind::AnyIndex);
  EXPECT_EQ(first.values[0].text, "it's");
  EXPECT_EQ(first.path.to_string(), "file:extensions.'windows-pebinary-ext'.sections[*].name");
  const auto& second = and_node.children[1];
  EXPECT_EQ(second.path.steps[1].kind, PathStep::Kind::Index);
  EXPECT_EQ(second.path.steps[1].index, 3);
  ASSERT_EQ(second.values.size(), 6u);
  EXPECT_EQ(second.values[0].bytes, std::string("\xff\x00", 2));
  EXPECT_EQ(second.values[1].bytes, std::string("\x00\x01\x02", 3));
  EXPECT_EQ(second.values[2].t, 1583020800LL * 1000000000LL + 500000000LL);
  EXPECT_EQ(second.values[3].i, -12);
  EXPECT_DOUBLE_EQ(second.values[4].f, 1.25);
  EXPECT_TRUE(second.values[5].b);
}

struct BadPattern {
  const char* text;
  const char* error;
};

const BadPattern kInvalid[] = {
    {"[ipv4-addr:value = '1.2.3.4'", "position 29: expected ']', found end of pattern"},
    {"[file:name = 'a'] AND",
     "position 22: expected '[' or '(' to start an observation expression, found end of pattern"},
    {"[file:name = 'a' AND]", "position 21: expected an object path (such as file:name), '(' or EXISTS, found ']'"},
    {"[file:name == 'a']", "position 13: expected a constant, found '='"},
    {"[file:name = 'a\\x']", "position 16: invalid escape in string constant (only \\' and \\\\ are allowed)"},
    {"[file:name = 'abc]", "position 14: unterminated string constant"},
    {"[file:size > true]", "position 14: expected an orderable constant after >, found 'true'"},
    {"[file:name = 'a'] WITHIN -5 SECONDS",
     "position 26: expected a non-negative number of seconds after WITHIN, found '-5'"},
    {"[file:name = 'a'] REPEATS 0 TIMES", "position 27: expected a positive integer after REPEATS, found '0'"},
    {"[file:name = 'a'] REPEATS 2 SECONDS", "position 29: expected TIMES, found 'SECONDS'"},
    {"[file:name = 'a'] START t'2016-01-01T00:00:00Z' STOP t'2015-01-01T00:00:00Z'",
     "position 54: STOP time must be later than START time"},
    {"[file:created = t'2016-13-01T00:00:00Z']",
     "position 17: invalid timestamp (expected t'YYYY-MM-DDTHH:MM:SS[.s]Z', years 1678 to 2261)"},
    {"[file:created = t'2016-01-01 00:00:00Z']",
     "position 17: invalid timestamp (expected t'YYYY-MM-DDTHH:MM:SS[.s]Z', years 1678 to 2261)"},
    {"[file:created = t'9999-12-31T23:59:59Z']",
     "position 17: invalid timestamp (expected t'YYYY-MM-DDTHH:MM:SS[.s]Z', years 1678 to 2261)"},
    {"[file:x = h'abc']", "position 11: hex constant has an odd number of digits"},
    {"[file:x = h'zz']", "position 11: hex constant has a character that is not a hex digit"},
    {"[file:x = b'abc']", "position 11: binary constant is not valid base64"},
    {"file:name = 'a'", "position 1: expected '[' or '(' to start an observation expression, found 'file'"},
    {"[file name = 'a']", "position 7: expected ':' after the object type, found 'name'"},
    {"[file: = 'a']", "position 8: expected a property name after ':', found '='"},
    {"[file:a. = 'a']", "position 10: expected a property name after '.', found '='"},
    {"[file:a[x] = 'a']", "position 9: expected a list index or '*', found 'x'"},
    {"[file:name IN ('a' 'b')]", "position 20: expected ',' or ')' in the IN set, found ''b''"},
    {"[file:name IN 'a']", "position 15: expected '(' to start the IN set, found ''a''"},
    {"[file:name LIKE 5]", "position 17: expected a string constant after LIKE, found '5'"},
    {"[file:name = 'a'] [file:name = 'b']", "position 19: expected AND, OR, FOLLOWEDBY or end of pattern, found '['"},
    {"[file:name = 'a'] and [x:y = 1]", "position 19: expected AND, OR, FOLLOWEDBY or end of pattern, found 'and'"},
    {"[file:name # 'a']", "position 12: unexpected character '#'"},
    {"[file:name ! 'a']", "position 12: unexpected character '!' (did you mean '!='?)"},
    {"[]", "position 2: expected an object path (such as file:name), '(' or EXISTS, found ']'"},
    {"", "position 1: expected '[' or '(' to start an observation expression, found end of pattern"},
    {"[file:name = 'a'", "position 17: expected ']', found end of pattern"},
    {"([file:name = 'a']", "position 19: expected ')', found end of pattern"},
    {"[(file:name = 'a']", "position 18: expected ')', found ']'"},
    {"[file:name = 'a' OR (file:size = 5]", "position 35: expected ')', found ']'"},
    {"[file:name MATCHES '(']", "position 20: invalid MATCHES regular expression: "},
    {"[file:name MATCHES '(a{300}){400}']",
     "position 20: MATCHES expression repeats too much (counted repetitions multiply past 100000)"},
    {"[file:size = 99999999999999999999]", "position 14: integer constant out of range"},
    {"[file:name NOT EXISTS]", "position 16: expected a comparison operator, found 'EXISTS'"},
    {"[AND:name = 'a']", "position 2: expected an object path (such as file:name), '(' or EXISTS, found 'AND'"},
    {"[file:size = - 5]", "position 14: expected a digit after '-'"},
    {"[file:name = 'a'] WITHIN 5", "position 27: expected SECONDS, found end of pattern"},
};

TEST(IntelPatternParser, InvalidPatternsNameThePosition) {
  for (const auto& bad : kInvalid) {
    std::string got = error_of(bad.text);
    // The regex library words its own message; the part khien writes is compared exactly.
    EXPECT_EQ(got.substr(0, std::strlen(bad.error)), bad.error) << "pattern: " << bad.text;
  }
}

TEST(IntelPatternParser, DepthAndSizeLimits) {
  std::string deep(65, '(');
  deep += "[a:b = 1]";
  deep += std::string(65, ')');
  EXPECT_EQ(error_of(deep), "position 65: nesting deeper than 64 levels");
  std::string ok(63, '(');
  ok += "[a:b = 1]";
  ok += std::string(63, ')');
  EXPECT_TRUE(parse_stix_pattern(ok));
  std::string deep_cmp = "[" + std::string(70, '(') + "a:b = 1" + std::string(70, ')') + "]";
  EXPECT_EQ(error_of(deep_cmp), "position 65: nesting deeper than 64 levels");

  StixPatternParser::Limits small;
  small.max_bytes = 10;
  auto r = StixPatternParser::parse("[file:name = 'a']", small);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "pattern is 17 bytes, longer than the 10-byte limit");

  // A long flat OR chain is not nesting: it parses into one n-ary node.
  std::string wide = "[";
  for (int i = 0; i < 5000; ++i) wide += (i ? " OR " : "") + std::string("ipv4-addr:value = '10.0.0.1'");
  wide += "]";
  auto w = parse_stix_pattern(wide);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->root.comparison.children.size(), 5000u);
}

// Every indicator pattern in the shared STIX corpus (ATT&CK bundles, oasis examples) parses.
void collect_patterns(const nlohmann::json& j, std::vector<std::string>& out) {
  if (j.is_object()) {
    auto type = j.find("type");
    auto pattern = j.find("pattern");
    if (type != j.end() && type->is_string() && *type == "indicator" && pattern != j.end() && pattern->is_string()) {
      auto pt = j.find("pattern_type");
      if (pt == j.end() || (pt->is_string() && *pt == "stix")) out.push_back(pattern->get<std::string>());
    }
    for (const auto& [k, v] : j.items()) collect_patterns(v, out);
  } else if (j.is_array()) {
    for (const auto& v : j) collect_patterns(v, out);
  }
}

TEST(IntelPatternParser, EveryCorpusPatternParses) {
  std::filesystem::path root = std::filesystem::path(KHIEN_CORPUS_DIR) / "stix";
  if (!std::filesystem::exists(root)) GTEST_SKIP() << "no corpus at " << root;
  std::vector<std::string> patterns;
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream buf;
    buf << in.rdbuf();
    auto doc = nlohmann::json::parse(buf.str(), nullptr, false);
    if (doc.is_discarded()) continue;
    ++files;
    collect_patterns(doc, patterns);
  }
  EXPECT_GT(files, 10u);
  EXPECT_GE(patterns.size(), 30u);
  for (const auto& p : patterns) {
    auto ast = parse_stix_pattern(p);
    EXPECT_TRUE(ast) << p << "\n" << (ast ? "" : ast.error().message);
    if (ast) {
      EXPECT_EQ(reparse(ast->to_string()), ast->to_string());
    }
  }
}

}  // namespace
}  // namespace khien
