// Tests of attribution over the shipped registry: longest CIDR match, ASN, domain suffix, e-mail, and the victim /
// remote organisation of events.
#include <gtest/gtest.h>

#include "core/field_dictionary.h"
#include "enrich/attribution.h"
#include "enrich/geo_enricher.h"

namespace khien {
namespace {

std::shared_ptr<const Attribution> shipped() {
  static auto a = [] {
    auto registry = load_registry_yaml(std::string(KHIEN_SOURCE_DIR) + "/data/registry");
    EXPECT_TRUE(registry) << registry.error().message;
    return Attribution::build(*registry);
  }();
  return a;
}

std::string org_of(const AttributedOrg* o) { return o ? o->id : std::string("-"); }
IpAddress ip(const char* text) { return *IpAddress::parse(text); }

TEST(Attribution, LongestPrefixWinsOverTheIspAggregate) {
  auto a = shipped();
  EXPECT_GT(a->organisation_count(), 100u);
  // 113.190.0.0/23 (Hà Nội People's Committee) lies inside VNPT's 113.160.0.0/11.
  EXPECT_EQ(org_of(a->by_ip(ip("113.190.0.77"))), "tp-ha-noi");
  EXPECT_EQ(org_of(a->by_ip(ip("113.161.200.1"))), "vnpt");
  // 171.244.4.0/22 (EVN) inside Viettel's 171.224.0.0/11.
  EXPECT_EQ(org_of(a->by_ip(ip("171.244.5.9"))), "evn");
  EXPECT_EQ(org_of(a->by_ip(ip("171.230.1.1"))), "viettel");
  EXPECT_EQ(org_of(a->by_ip(ip("14.177.4.20"))), "bo-cong-an");
  EXPECT_EQ(org_of(a->by_ip(ip("42.113.9.9"))), "fpt-telecom");
  // IPv6: a ministry's /48 inside VNPT's 2001:ee0::/32.
  EXPECT_EQ(org_of(a->by_ip(ip("2001:ee0:4001::99"))), "bo-cong-an");
  EXPECT_EQ(org_of(a->by_ip(ip("2001:ee0:ffff::1"))), "vnpt");
  // Outside every member range.
  EXPECT_EQ(a->by_ip(ip("8.8.8.8")), nullptr);
  EXPECT_EQ(a->by_ip(ip("10.0.0.1")), nullptr);
  EXPECT_EQ(a->by_ip(ip("2001:db8::1")), nullptr);
  const AttributedOrg* o = a->by_ip(ip("171.244.5.9"));
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->sector, "nang-luong");
  EXPECT_EQ(o->province, "ha-noi");
}

TEST(Attribution, AsnDomainAndEmail) {
  auto a = shipped();
  EXPECT_EQ(org_of(a->by_asn(7552)), "viettel");
  EXPECT_EQ(org_of(a->by_asn(45899)), "vnpt");
  EXPECT_EQ(org_of(a->by_asn(18403)), "fpt-telecom");
  EXPECT_EQ(a->by_asn(15169), nullptr);
  EXPECT_EQ(org_of(a->by_domain("mps.gov.vn")), "bo-cong-an");
  EXPECT_EQ(org_of(a->by_domain("Mail.MPS.gov.vn.")), "bo-cong-an");
  EXPECT_EQ(org_of(a->by_domain("ib.vietcombank.com.vn")), "vietcombank");
  EXPECT_EQ(a->by_domain("notmps.gov.vn"), nullptr) << "suffixes match on label boundaries only";
  EXPECT_EQ(a->by_domain("gov.vn"), nullptr);
  EXPECT_EQ(a->by_domain(""), nullptr);
  EXPECT_EQ(org_of(a->by_email("ketoan@evn.com.vn")), "evn");
  EXPECT_EQ(org_of(a->by_email("Phòng CNTT <it@hanoi.gov.vn>")), "tp-ha-noi");
  EXPECT_EQ(a->by_email("no-at-sign.evn.com.vn"), nullptr);
}

struct Fields {
  FieldId victim = intern_field("khien.victim_org");
  FieldId victim_sector = intern_field("khien.victim_sector");
  FieldId basis = intern_field("khien.victim_basis");
  FieldId remote = intern_field("khien.remote_org");
};

TEST(Attribution, VictimIsTheNationalSideRemoteTheOtherMember) {
  auto a = shipped();
  Fields f;
  Arena arena;
  {
    // Inbound from abroad to EVN.
    Event e(arena);
    e.set_ip(field::src_endpoint_ip, ip("203.0.113.5"));
    e.set_ip(field::dst_endpoint_ip, ip("171.244.5.9"));
    a->attribute(e, nullptr);
    EXPECT_EQ(e.get_string(f.victim), "evn");
    EXPECT_EQ(e.get_string(f.victim_sector), "nang-luong");
    EXPECT_EQ(e.get_string(f.basis), "dst_ip");
    EXPECT_FALSE(e.has(f.remote));
    EXPECT_EQ(e.get_string(field::connection_info_direction), "inbound");
  }
  {
    // A Viettel subscriber attacking Bộ Công an: both are members.
    Event e(arena);
    e.set_ip(field::src_endpoint_ip, ip("171.230.1.1"));
    e.set_ip(field::dst_endpoint_ip, ip("14.177.4.20"));
    a->attribute(e, nullptr);
    EXPECT_EQ(e.get_string(f.victim), "bo-cong-an");
    EXPECT_EQ(e.get_string(f.remote), "viettel");
    EXPECT_EQ(e.get_string(field::connection_info_direction), "lateral");
  }
  {
    // Outbound: a member's host calling out; the source is the national side.
    Event e(arena);
    e.set_ip(field::src_endpoint_ip, ip("113.190.0.77"));
    e.set_ip(field::dst_endpoint_ip, ip("198.51.100.1"));
    e.set_string(field::connection_info_direction, "unknown");
    a->attribute(e, nullptr);
    EXPECT_EQ(e.get_string(f.victim), "tp-ha-noi");
    EXPECT_EQ(e.get_string(f.basis), "src_ip");
    EXPECT_EQ(e.get_string(field::connection_info_direction), "unknown") << "the source's own direction is kept";
  }
  {
    // No member address: the host name decides, then e-mail, then the delivering SOC.
    Event e(arena);
    e.set_ip(field::src_endpoint_ip, ip("10.1.1.1"));
    e.set_string(field::url_hostname, "portal.mps.gov.vn");
    a->attribute(e, nullptr);
    EXPECT_EQ(e.get_string(f.victim), "bo-cong-an");
    EXPECT_EQ(e.get_string(f.basis), "domain");
  }
  {
    Event e(arena);
    e.set_string(field::email_to, "ketoan@evn.com.vn");
    e.set_string(field::email_from, "it@hanoi.gov.vn");
    a->attribute(e, nullptr);
    EXPECT_EQ(e.get_string(f.victim), "evn");
    EXPECT_EQ(e.get_string(f.basis), "email");
    EXPECT_EQ(e.get_string(f.remote), "tp-ha-noi");
  }
  {
    Event e(arena);
    e.set_ip(field::src_endpoint_ip, ip("10.1.1.1"));
    SocInfo soc;
    soc.id = "soc-vietcombank";
    soc.org = "vietcombank";
    a->attribute(e, &soc);
    EXPECT_EQ(e.get_string(f.victim), "vietcombank");
    EXPECT_EQ(e.get_string(f.basis), "soc");
  }
  {
    Event e(arena);
    a->attribute(e, nullptr);
    EXPECT_FALSE(e.has(f.victim));
  }
}

TEST(Attribution, AsnFromGeoIpAttributesAddressesOutsideTheRanges) {
  // An organisation known only by its ASN: 1221 is in MaxMind's ASN test database (1.128.0.0/11).
  OrgRow org;
  org.id = "asn-only";
  org.sector = "thong-tin";
  org.province = "ha-noi";
  org.asns = {1221};
  auto a = Attribution::build(std::vector<OrgRow>{org});
  auto geo = GeoEnricher::open(GeoOptions{"", std::string(KHIEN_CORPUS_DIR) + "/geo/maxmind/test-data/GeoLite2-ASN-Test.mmdb"});
  ASSERT_TRUE(geo) << geo.error().message;
  Arena arena;
  Event e(arena);
  e.set_ip(field::src_endpoint_ip, ip("1.128.0.1"));
  e.set_ip(field::dst_endpoint_ip, ip("8.8.8.8"));
  (*geo)->enrich(e);
  a->attribute(e, nullptr);
  Fields f;
  EXPECT_EQ(e.get_string(f.victim), "asn-only");
  EXPECT_EQ(e.get_string(f.basis), "src_asn");
}

}  // namespace
}  // namespace khien
