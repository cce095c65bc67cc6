// The search language on archived event lines: case folding, bare words over values, wildcards.
#include <gtest/gtest.h>

#include <string>

#include <simdjson.h>

#include "store/event_query.h"

namespace khien {

namespace {

bool matches(const std::string& query, const std::string& line) {
  auto q = EventQuery::parse(query);
  EXPECT_TRUE(q) << query << ": " << q.error().message;
  if (!q) return false;
  simdjson::dom::parser parser;
  simdjson::dom::element event;
  EXPECT_EQ(parser.parse(line).get(event), simdjson::SUCCESS) << line;
  return q->matches(event, line);
}

const std::string kEvent =
    R"({"finding_info.title":"Tấn công Đăng nhập CỔNG THÔNG TIN","class_name":"Detection Finding","file.path":"C:\\Temp\\evil.exe",)"
    R"("url.url_string":"http://x.example.vn/a","raw":{"alert":{"signature":"ET SCAN Nmap"},"note":"say \"hi\""}})";

}  // namespace

TEST(EventQuery, FieldValuesIgnoreCaseInVietnamese) {
  EXPECT_TRUE(matches(R"(finding_info.title:"tấn công đăng nhập cổng thông tin")", kEvent));
  EXPECT_TRUE(matches(R"(finding_info.title:"TẤN CÔNG*")", kEvent));
  EXPECT_TRUE(matches(R"(finding_info.title:"t?n công*")", kEvent)) << "? is one letter, not one byte";
  EXPECT_FALSE(matches(R"(finding_info.title:"tan cong*")", kEvent)) << "letters with marks are other letters";
  EXPECT_TRUE(matches("alert.signature:*nmap", kEvent));
}

TEST(EventQuery, BareWordsSearchValuesNotNames) {
  EXPECT_TRUE(matches("nmap", kEvent));
  EXPECT_TRUE(matches("đăng", kEvent));
  EXPECT_TRUE(matches("ĐĂNG", kEvent));
  EXPECT_FALSE(matches("class_name", kEvent)) << "a field name is not a value";
  EXPECT_FALSE(matches("signature", kEvent));
  EXPECT_TRUE(matches(R"("C:\\Temp\\evil.exe")", kEvent)) << "values are compared unescaped";
  EXPECT_TRUE(matches(R"(evil.exe)", kEvent));
  EXPECT_TRUE(matches(R"("say \"hi\"")", kEvent));
  EXPECT_TRUE(matches("x.example.vn/a", kEvent)) << "a slash JSON may escape";
  // Wildcards in a bare word match a whole value.
  EXPECT_TRUE(matches("*", kEvent));
  EXPECT_TRUE(matches("et*", kEvent));
  EXPECT_TRUE(matches(R"("*thông tin")", kEvent));
  EXPECT_FALSE(matches("nmap*", kEvent)) << "no value starts with nmap";
  EXPECT_FALSE(matches("masscan", kEvent));
}

}  // namespace khien

namespace khien {

TEST(EventQuery, RefusesBadCidrsAndOversizedQueries) {
  auto bad = EventQuery::parse("src_endpoint.ip:10.0.0.0/33");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("not a valid CIDR"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(EventQuery::parse("src_endpoint.ip:2001:db8::/129"));
  EXPECT_TRUE(EventQuery::parse("src_endpoint.ip:10.0.0.0/8"));
  EXPECT_TRUE(EventQuery::parse("url.path:/a/b")) << "a path is not a CIDR";
  std::string many;
  for (int i = 0; i < 257; ++i) many += "w" + std::to_string(i) + " ";
  auto too_many = EventQuery::parse(many);
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("more than 256 terms"), std::string::npos);
  EXPECT_FALSE(EventQuery::parse(std::string(9000, 'a')));
  EXPECT_TRUE(EventQuery::parse(std::string(8000, 'a')));
}

}  // namespace khien
