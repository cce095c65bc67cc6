// CPE 2.3: formatted string and URI bindings, errors, and NISTIR 7696 name comparison.
#include <gtest/gtest.h>

#include "vuln/cpe.h"

namespace khien {
namespace {

Cpe cpe(std::string_view text) {
  auto c = Cpe::parse(text);
  EXPECT_TRUE(c) << text << ": " << (c ? "" : c.error().message);
  return c ? *c : Cpe{};
}

TEST(VulnCpe, ParsesAFormattedString) {
  auto c = cpe("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*");
  EXPECT_EQ(c.part().wfn, "a");
  EXPECT_EQ(c.vendor().text(), "apache");
  EXPECT_EQ(c.product().text(), "log4j");
  EXPECT_EQ(c.version().wfn, "2\\.14\\.1");
  EXPECT_EQ(c.version().text(), "2.14.1");
  EXPECT_TRUE(c.update().is_any());
  EXPECT_EQ(c.to_formatted(), "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*");
  EXPECT_EQ(c.to_uri(), "cpe:/a:apache:log4j:2.14.1");
}

TEST(VulnCpe, AnyNaAndEscapes) {
  auto c = cpe("cpe:2.3:h:siemens:6bk1602-0aa12-0tp0:-:*:*:*:*:*:*:*");
  EXPECT_TRUE(c.version().is_na());
  EXPECT_EQ(c.product().text(), "6bk1602-0aa12-0tp0");
  auto e = cpe("cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*");
  EXPECT_EQ(e.update().text(), "beta");
  auto esc = cpe("cpe:2.3:a:foo\\\\bar:big\\$money_manager_2010:*:*:*:*:special:ipod_touch:80gb:*");
  EXPECT_EQ(esc.vendor().text(), "foo\\bar");
  EXPECT_EQ(esc.product().text(), "big$money_manager_2010");
  EXPECT_EQ(esc.to_formatted(), "cpe:2.3:a:foo\\\\bar:big\\$money_manager_2010:*:*:*:*:special:ipod_touch:80gb:*");
  EXPECT_EQ(esc.to_uri(), "cpe:/a:foo%5cbar:big%24money_manager_2010:::~~special~ipod_touch~80gb~");
  auto colon = cpe("cpe:2.3:a:sdbus-c\\+\\+:sdbus\\:x:1.0:*:*:*:*:*:*:*");
  EXPECT_EQ(colon.vendor().text(), "sdbus-c++");
  EXPECT_EQ(colon.product().text(), "sdbus:x");
  EXPECT_EQ(Cpe::parse(colon.to_formatted()).value(), colon);
  auto upper = cpe("cpe:2.3:a:Apache:Log4J:2.0:BETA9:*:*:*:*:*:*");
  EXPECT_EQ(upper.to_formatted(), "cpe:2.3:a:apache:log4j:2.0:beta9:*:*:*:*:*:*");
}

TEST(VulnCpe, EmbeddedWildcards) {
  auto c = cpe("cpe:2.3:a:apache:log4j:2.*:*:*:*:*:*:*:*");
  EXPECT_TRUE(c.version().has_wildcards());
  EXPECT_EQ(c.to_uri(), "cpe:/a:apache:log4j:2.%02");
  auto q = cpe("cpe:2.3:a:x:y:??1.0:*:*:*:*:*:*:*");
  EXPECT_TRUE(q.version().has_wildcards());
  auto literal = cpe("cpe:2.3:a:x:y:1.0\\*:*:*:*:*:*:*:*");
  EXPECT_FALSE(literal.version().has_wildcards());
  EXPECT_EQ(literal.version().text(), "1.0*");
}

TEST(VulnCpe, ParsesUris) {
  auto c = cpe("cpe:/a:apache:log4j:2.14.1");
  EXPECT_EQ(c.to_formatted(), "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*");
  auto packed = cpe("cpe:/a:hp:insight_diagnostics:7.4.0.1570:-:~~online~win2003~x64~");
  EXPECT_TRUE(packed.update().is_na());
  EXPECT_TRUE(packed.get(CpeAttribute::edition).is_any());
  EXPECT_EQ(packed.get(CpeAttribute::sw_edition).text(), "online");
  EXPECT_EQ(packed.get(CpeAttribute::target_sw).text(), "win2003");
  EXPECT_EQ(packed.get(CpeAttribute::target_hw).text(), "x64");
  EXPECT_EQ(packed.to_formatted(), "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*");
  EXPECT_EQ(packed.to_uri(), "cpe:/a:hp:insight_diagnostics:7.4.0.1570:-:~~online~win2003~x64~");
  auto pct = cpe("cpe:/a:foo%5cbar:big%24money:2.%02::%01%01");
  EXPECT_EQ(pct.vendor().text(), "foo\\bar");
  EXPECT_EQ(pct.product().text(), "big$money");
  EXPECT_TRUE(pct.version().has_wildcards());
  EXPECT_TRUE(pct.update().is_any());
  EXPECT_EQ(pct.get(CpeAttribute::edition).wfn, "??");
  EXPECT_TRUE(cpe("cpe:/a:x:y:%02").version().is_any()) << "a lone %02 is ANY";
  auto empty = cpe("cpe:/");
  EXPECT_TRUE(empty.part().is_any());
}

TEST(VulnCpe, RoundTripsBetweenBindings) {
  for (const char* text : {"cpe:2.3:a:apache:log4j:2.0:rc1:*:*:*:*:*:*", "cpe:2.3:o:microsoft:windows_10:1607:*:*:*:*:*:x64:*",
                           "cpe:2.3:a:x:y\\!z:1.0:-:-:en-us:pro:android:arm:beta\\~2",
                           "cpe:2.3:a:siemens:e-car_operation_center:*:*:*:*:*:*:*:*", "cpe:2.3:a:x:\\-:*:*:*:*:*:*:*:*"}) {
    auto c = cpe(text);
    EXPECT_EQ(c.to_formatted(), text);
    auto back = Cpe::parse_uri(c.to_uri());
    ASSERT_TRUE(back) << c.to_uri() << ": " << back.error().message;
    EXPECT_EQ(*back, c) << c.to_uri();
  }
}

TEST(VulnCpe, ErrorsNameTheAttributeAndReason) {
  auto expect_error = [](std::string_view text, std::string_view needle) {
    auto c = Cpe::parse(text);
    ASSERT_FALSE(c) << text;
    EXPECT_NE(c.error().message.find(needle), std::string::npos) << c.error().message;
  };
  expect_error("cpe:2.3:a:apache:log4j:2.14.1", "11 attributes");
  expect_error("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*:*", "11 attributes");
  expect_error("cpe:2.3:x:apache:log4j:*:*:*:*:*:*:*:*", "attribute 'part'");
  expect_error("cpe:2.3:a:apache:log4j:2.*.1:*:*:*:*:*:*:*", "attribute 'version'");
  expect_error("cpe:2.3:a:apache::*:*:*:*:*:*:*:*", "attribute 'product' is empty");
  expect_error("cpe:2.3:a:apache:log4j:1 0:*:*:*:*:*:*:*", "attribute 'version'");
  expect_error("cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:x\\", "attribute 'other'");
  expect_error("cpe:/a:apache:log4j:2.14.1:a:b:c:d", "at most 7");
  expect_error("cpe:/a:apache:log4j:2.14.1:~a~b~c", "packed edition");
  expect_error("cpe:/a:apache:log4j:2!", "percent-encoded");
  expect_error("cpe:/a:apache:log4j:%zz", "two hex digits");
  expect_error("log4j", "not a CPE name");
}

TEST(VulnCpe, AttributeRelationsPerNistir7696) {
  auto v = [](std::string_view text) { return cpe(std::string("cpe:2.3:a:x:y:") + std::string(text) + ":*:*:*:*:*:*:*").version(); };
  EXPECT_EQ(compare_cpe_values(CpeValue::any(), CpeValue::any()), CpeRelation::equal);
  EXPECT_EQ(compare_cpe_values(CpeValue::any(), v("1.0")), CpeRelation::superset);
  EXPECT_EQ(compare_cpe_values(v("1.0"), CpeValue::any()), CpeRelation::subset);
  EXPECT_EQ(compare_cpe_values(CpeValue::any(), CpeValue::na()), CpeRelation::superset);
  EXPECT_EQ(compare_cpe_values(CpeValue::na(), CpeValue::na()), CpeRelation::equal);
  EXPECT_EQ(compare_cpe_values(CpeValue::na(), v("1.0")), CpeRelation::disjoint);
  EXPECT_EQ(compare_cpe_values(v("1.0"), CpeValue::na()), CpeRelation::disjoint);
  EXPECT_EQ(compare_cpe_values(v("1.0"), v("1.0")), CpeRelation::equal);
  EXPECT_EQ(compare_cpe_values(v("1.0"), v("1.1")), CpeRelation::disjoint);
  EXPECT_EQ(compare_cpe_values(v("2.*"), v("2.14.1")), CpeRelation::superset);
  EXPECT_EQ(compare_cpe_values(v("2.*"), v("3.0")), CpeRelation::disjoint);
  EXPECT_EQ(compare_cpe_values(v("*.1"), v("2.14.1")), CpeRelation::superset);
  EXPECT_EQ(compare_cpe_values(v("2.1?"), v("2.14")), CpeRelation::superset);
  EXPECT_EQ(compare_cpe_values(v("2.1?"), v("2.1")), CpeRelation::superset);  // '?' also matches nothing at an end
  EXPECT_EQ(compare_cpe_values(v("2.1?"), v("2.145")), CpeRelation::disjoint);
  EXPECT_EQ(compare_cpe_values(v("??4"), v("2.14")), CpeRelation::disjoint);
  EXPECT_EQ(compare_cpe_values(v("???4"), v("2.14")), CpeRelation::superset);
  EXPECT_EQ(compare_cpe_values(v("1.0"), v("1.*")), CpeRelation::undefined);
}

TEST(VulnCpe, NameRelations) {
  auto a = cpe("cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*");
  auto b = cpe("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*");
  auto c = cpe("cpe:2.3:a:apache:log4j:2.14.1:-:*:*:*:*:*:*");
  EXPECT_EQ(compare_cpes(a, b).name, CpeRelation::superset);
  EXPECT_EQ(compare_cpes(b, a).name, CpeRelation::subset);
  EXPECT_EQ(compare_cpes(b, b).name, CpeRelation::equal);
  EXPECT_EQ(compare_cpes(b, cpe("cpe:2.3:a:apache:tomcat:2.14.1:*:*:*:*:*:*:*")).name, CpeRelation::disjoint);
  EXPECT_EQ(compare_cpes(b, c).name, CpeRelation::superset);
  auto mixed = cpe("cpe:2.3:a:apache:log4j:*:-:*:*:*:*:*:*");
  EXPECT_EQ(compare_cpes(mixed, b).name, CpeRelation::undefined);  // superset on version, subset on update
  auto cmp = compare_cpes(mixed, b);
  EXPECT_EQ(cmp.attributes[static_cast<std::size_t>(CpeAttribute::version)], CpeRelation::superset);
  EXPECT_EQ(cmp.attributes[static_cast<std::size_t>(CpeAttribute::update)], CpeRelation::subset);
}

}  // namespace
}  // namespace khien
