// Tests of GeoIP/ASN enrichment on MaxMind's own test databases (corpus/geo/maxmind/test-data).
#include <gtest/gtest.h>

#include "core/field_dictionary.h"
#include "enrich/geo_enricher.h"

namespace khien {
namespace {

std::string db(const char* name) { return std::string(KHIEN_CORPUS_DIR) + "/geo/maxmind/test-data/" + name; }
IpAddress ip(const char* text) { return *IpAddress::parse(text); }

TEST(GeoEnricher, CityCountryAndAsnLookups) {
  auto geo = GeoEnricher::open(GeoOptions{db("GeoIP2-City-Test.mmdb"), db("GeoLite2-ASN-Test.mmdb")});
  ASSERT_TRUE(geo) << geo.error().message;
  GeoInfo london = (*geo)->lookup(ip("81.2.69.142"));
  EXPECT_EQ(london.country, "GB");
  EXPECT_EQ(london.city, "London");
  GeoInfo linkoping = (*geo)->lookup(ip("89.160.20.112"));
  EXPECT_EQ(linkoping.country, "SE");
  EXPECT_EQ(linkoping.city, "Linköping");
  GeoInfo v6 = (*geo)->lookup(ip("2001:480:10::1"));
  EXPECT_EQ(v6.country, "US");
  EXPECT_EQ(v6.city, "San Diego");
  GeoInfo telstra = (*geo)->lookup(ip("1.128.0.1"));
  EXPECT_EQ(telstra.asn, 1221u);
  EXPECT_EQ(telstra.as_org, "Telstra Pty Ltd");
  GeoInfo att = (*geo)->lookup(ip("12.81.96.1"));
  EXPECT_EQ(att.asn, 7018u);
  EXPECT_TRUE(att.as_org.empty()) << "that network has a number and no organisation name";
  GeoInfo sunrise = (*geo)->lookup(ip("2001:1700::5"));
  EXPECT_EQ(sunrise.asn, 6730u);
  EXPECT_FALSE((*geo)->lookup(ip("10.0.0.1")).found());
  EXPECT_FALSE((*geo)->lookup(ip("127.0.0.1")).found());
}

TEST(GeoEnricher, EventFieldsForBothSides) {
  auto geo = GeoEnricher::open(GeoOptions{db("GeoIP2-City-Test.mmdb"), db("GeoLite2-ASN-Test.mmdb")});
  ASSERT_TRUE(geo) << geo.error().message;
  Arena arena;
  Event e(arena);
  e.set_ip(field::src_endpoint_ip, ip("81.2.69.142"));
  e.set_ip(field::dst_endpoint_ip, ip("1.128.0.1"));
  EXPECT_EQ((*geo)->enrich(e), 2);
  EXPECT_EQ(e.get_string(intern_field("src_endpoint.location.country")), "GB");
  EXPECT_EQ(e.get_string(intern_field("src_endpoint.location.city")), "London");
  EXPECT_FALSE(e.has(intern_field("src_endpoint.autonomous_system.number")));
  const Value* asn = e.get(intern_field("dst_endpoint.autonomous_system.number"));
  ASSERT_NE(asn, nullptr);
  EXPECT_EQ(asn->i, 1221);
  EXPECT_EQ(e.get_string(intern_field("dst_endpoint.autonomous_system.name")), "Telstra Pty Ltd");
  Event none(arena);
  none.set_ip(field::src_endpoint_ip, ip("192.168.1.1"));
  EXPECT_EQ((*geo)->enrich(none), 0);
  EXPECT_EQ(none.size(), 1u);
}

TEST(GeoEnricher, CountryDatabaseAndErrors) {
  auto country = GeoEnricher::open(GeoOptions{db("GeoIP2-Country-Test.mmdb"), ""});
  ASSERT_TRUE(country) << country.error().message;
  EXPECT_EQ((*country)->lookup(ip("81.2.69.142")).country, "GB");
  EXPECT_FALSE((*country)->has_asn());
  auto missing = GeoEnricher::open(GeoOptions{"/nonexistent/City.mmdb", ""});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("geo.city_db '/nonexistent/City.mmdb'"), std::string::npos) << missing.error().message;
  auto not_mmdb = GeoEnricher::open(GeoOptions{"", std::string(KHIEN_SOURCE_DIR) + "/data/registry/exporters.yaml"});
  ASSERT_FALSE(not_mmdb);
  EXPECT_NE(not_mmdb.error().message.find("geo.asn_db"), std::string::npos);
}

}  // namespace
}  // namespace khien
