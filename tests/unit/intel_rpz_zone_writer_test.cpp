// The export selection (TLP, confidence, age, validity, revocation), domain validation, the RPZ
// zone's records and actions, rpz-ip owner names, and the SOA serial that moves only on change.
#include <gtest/gtest.h>

#include <sstream>

#include "intel/rpz_zone_writer.h"
#include "intel_export_fixture.h"

namespace khien {
namespace {

using test::IndicatorSpec;

std::vector<std::string> ids(const ExportSelection& s) {
  std::vector<std::string> out;
  for (const auto& i : s.indicators) out.push_back(i.record.id.substr(i.record.id.size() - 2));
  return out;
}

std::vector<std::string> policy_lines(const std::string& zone) {
  std::vector<std::string> out;
  std::istringstream in(zone);
  for (std::string line; std::getline(in, line);)
    if (line.find(" CNAME ") != std::string::npos) out.push_back(line);
  return out;
}

class RpzTest : public test::ExportStoreTest {
 protected:
  // 01 green conf 80, 02 amber conf 90, 03 red, 04 clear without confidence, 05 green but modified
  // and valid from a year ago, 06 green expired, 07 green revoked, 08 green not yet valid.
  void add_mix() {
    add({.n = 1, .pattern = "[domain-name:value = 'evil.vn']", .tlp = Tlp::green, .confidence = 80});
    add({.n = 2, .pattern = "[domain-name:value = 'amber.vn']", .tlp = Tlp::amber, .confidence = 90});
    add({.n = 3, .pattern = "[domain-name:value = 'red.vn']", .tlp = Tlp::red, .confidence = 100});
    add({.n = 4, .pattern = "[domain-name:value = 'clear.vn']", .tlp = Tlp::clear});
    add({.n = 5, .pattern = "[domain-name:value = 'old.vn']", .modified = "2025-01-01T00:00:00.000Z",
         .valid_from = "2025-01-01T00:00:00Z"});
    add({.n = 6, .pattern = "[domain-name:value = 'expired.vn']", .valid_until = "2026-02-15T00:00:00Z"});
    add({.n = 7, .pattern = "[domain-name:value = 'revoked.vn']", .revoked = true});
    add({.n = 8, .pattern = "[domain-name:value = 'later.vn']", .valid_from = "2026-04-01T00:00:00Z"});
  }
};

TEST_F(RpzTest, SelectionDefaultsToGreenWithinHalfAYear) {
  add_mix();
  auto s = select();
  EXPECT_EQ(ids(s), (std::vector<std::string>{"01", "04"}));
  EXPECT_EQ(s.skipped_tlp, 2u);  // amber and red
  EXPECT_EQ(s.skipped_age, 1u);
  ASSERT_EQ(s.indicators[0].observables.size(), 1u);
  EXPECT_EQ(s.indicators[0].observables[0].value, "evil.vn");
}

TEST_F(RpzTest, SelectionByTlpConfidenceAndAge) {
  add_mix();
  auto f = filter();
  f.max_tlp = Tlp::amber;
  EXPECT_EQ(ids(select(f)), (std::vector<std::string>{"01", "02", "04"}));
  f.max_tlp = Tlp::amber_strict;
  EXPECT_EQ(ids(select(f)), (std::vector<std::string>{"01", "02", "04"}));
  f.min_confidence = 85;  // the clear one states no confidence: left out
  EXPECT_EQ(ids(select(f)), (std::vector<std::string>{"02"}));
  f = filter();
  f.max_age_days = 0;
  EXPECT_EQ(ids(select(f)), (std::vector<std::string>{"01", "04", "05"}));
  f.max_age_days = 430;  // 2025-01-01 is 424 days before "now"
  EXPECT_EQ(ids(select(f)), (std::vector<std::string>{"01", "04", "05"}));
  f.max_age_days = 20;  // modified 2026-02-01 is 28 days before "now"
  EXPECT_TRUE(select(f).indicators.empty());
}

TEST_F(RpzTest, RedIsNeverExportedInBulk) {
  auto f = filter();
  f.max_tlp = Tlp::red;
  EXPECT_FALSE(check_export_filter(f));
  EXPECT_FALSE(select_for_export(*store_, f));
  auto parsed = parse_export_filter("red", "", "", test::export_now());
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("TLP:RED"), std::string::npos);
  EXPECT_TRUE(parse_export_filter("TLP:AMBER", "50", "30", 1));
  EXPECT_FALSE(parse_export_filter("green", "101", "", 1));
  EXPECT_FALSE(parse_export_filter("green", "", "-1", 1));
  EXPECT_FALSE(parse_export_filter("green", "5x", "", 1));
  EXPECT_FALSE(parse_export_filter("purple", "", "", 1));
}

TEST(ExportDomain, Validation) {
  EXPECT_EQ(*check_export_domain("Evil.VN."), "evil.vn");
  EXPECT_EQ(*check_export_domain("xn--bcher-kva.example"), "xn--bcher-kva.example");
  EXPECT_EQ(*check_export_domain("_dmarc.evil.vn"), "_dmarc.evil.vn");
  EXPECT_FALSE(check_export_domain("vn"));  // a whole TLD
  EXPECT_FALSE(check_export_domain(""));
  EXPECT_FALSE(check_export_domain("a..vn"));
  EXPECT_FALSE(check_export_domain("-bad.vn"));
  EXPECT_FALSE(check_export_domain("bad-.vn"));
  EXPECT_FALSE(check_export_domain("sp ace.vn"));
  EXPECT_FALSE(check_export_domain("semi;colon.vn"));
  EXPECT_FALSE(check_export_domain("10.0.0.1"));
  EXPECT_FALSE(check_export_domain(std::string(64, 'a') + ".vn"));
  EXPECT_TRUE(check_export_domain(std::string(63, 'a') + ".vn"));
  std::string long_name;
  for (int i = 0; i < 50; ++i) long_name += "abcd.";
  long_name += "vn";  // 252 bytes
  EXPECT_TRUE(check_export_domain(long_name));
  EXPECT_FALSE(check_export_domain("ab" + long_name));
}

TEST_F(RpzTest, ZoneRecordsSortedDeduplicatedAndCovered) {
  add({.n = 1, .pattern = "[domain-name:value = 'b.evil.vn'] OR [domain-name:value = 'EVIL.vn']"});
  add({.n = 2, .pattern = "[domain-name:value = 'evil.vn']"});
  add({.n = 3, .pattern = "[domain-name:value = 'aaa.example.com']"});
  add({.n = 4, .pattern = "[ipv4-addr:value = '192.0.2.0/24']"});
  add({.n = 5, .pattern = "[url:value = 'http://phish.vn/login']"});
  RpzZoneWriter writer(*store_);
  auto zone = writer.write(select(), filter(), RpzOptions{});
  ASSERT_TRUE(zone) << zone.error().message;
  EXPECT_EQ(policy_lines(zone->text), (std::vector<std::string>{"aaa.example.com CNAME .", "*.aaa.example.com CNAME .",
                                                                "evil.vn CNAME .", "*.evil.vn CNAME ."}));
  EXPECT_EQ(zone->domains, 2u);
  EXPECT_EQ(zone->ip_triggers, 0u);
  EXPECT_NE(zone->text.find("$TTL 300\n"), std::string::npos);
  EXPECT_NE(zone->text.find(fmt::format("@ IN SOA localhost. hostmaster.localhost. {} 3600 600 604800 300\n", zone->serial)),
            std::string::npos);
  EXPECT_NE(zone->text.find("@ IN NS localhost.\n"), std::string::npos);

  RpzOptions o;
  o.action = RpzAction::cname;
  o.cname_target = "canhbao.example.vn";
  o.ip_triggers = true;
  o.subdomains = false;
  zone = writer.write(select(), filter(), o);
  ASSERT_TRUE(zone) << zone.error().message;
  EXPECT_EQ(policy_lines(zone->text),
            (std::vector<std::string>{"aaa.example.com CNAME canhbao.example.vn.", "b.evil.vn CNAME canhbao.example.vn.",
                                      "evil.vn CNAME canhbao.example.vn.", "24.0.2.0.192.rpz-ip CNAME canhbao.example.vn."}));
  o = RpzOptions{};
  o.action = RpzAction::nodata;
  zone = writer.write(select(), filter(), o);
  EXPECT_EQ(policy_lines(zone->text)[0], "aaa.example.com CNAME *.");
}

TEST_F(RpzTest, ActionOptionsAreChecked) {
  RpzOptions o;
  o.action = RpzAction::cname;
  EXPECT_FALSE(check_rpz_options(o));  // no target
  o.cname_target = "not a name";
  EXPECT_FALSE(check_rpz_options(o));
  o.cname_target = "canhbao.example.vn";
  EXPECT_TRUE(check_rpz_options(o));
  o.action = RpzAction::nxdomain;  // a target without cname is a mistake worth reporting
  EXPECT_FALSE(check_rpz_options(o));
  EXPECT_EQ(parse_rpz_action("drop"), RpzAction::drop);
  EXPECT_FALSE(parse_rpz_action("block"));
}

TEST(RpzIp, OwnerNames) {
  EXPECT_EQ(rpz_ip_owner("192.0.2.0/24"), "24.0.2.0.192.rpz-ip");
  EXPECT_EQ(rpz_ip_owner("192.0.2.77"), "32.77.2.0.192.rpz-ip");
  EXPECT_EQ(rpz_ip_owner("192.0.2.77/24"), "24.0.2.0.192.rpz-ip");  // host bits cleared
  EXPECT_EQ(rpz_ip_owner("2001:db8::1"), "128.1.zz.db8.2001.rpz-ip");
  EXPECT_EQ(rpz_ip_owner("2001:2::100:51"), "128.51.100.zz.2.2001.rpz-ip");
  EXPECT_EQ(rpz_ip_owner("2001:db8::/32"), "32.zz.db8.2001.rpz-ip");
  EXPECT_EQ(rpz_ip_owner("2001:db8:0:1:0:0:0:1"), "128.1.zz.1.0.db8.2001.rpz-ip");
  EXPECT_FALSE(rpz_ip_owner("10.0.0.0/4"));  // too broad
  EXPECT_FALSE(rpz_ip_owner("2000::/3"));
  EXPECT_FALSE(rpz_ip_owner("evil.vn"));
}

TEST_F(RpzTest, SerialMovesOnlyWhenContentChanges) {
  add({.n = 1, .pattern = "[domain-name:value = 'evil.vn']"});
  RpzZoneWriter writer(*store_);
  auto f = filter();
  auto first = writer.write(select(f), f, RpzOptions{});
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->changed);
  EXPECT_EQ(first->serial, static_cast<std::uint32_t>(test::export_now() / 1'000'000));
  // Same content an hour later: same serial, though "now" moved.
  f.now_us += 3'600'000'000LL;
  auto again = writer.write(select(f), f, RpzOptions{});
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(again->serial, first->serial);
  EXPECT_EQ(again->content_hash, first->content_hash);
  // New content in the same second as the previous change: previous + 1.
  add({.n = 2, .pattern = "[domain-name:value = 'worse.vn']"});
  f.now_us = test::export_now();
  auto changed = writer.write(select(f), f, RpzOptions{});
  ASSERT_TRUE(changed);
  EXPECT_TRUE(changed->changed);
  EXPECT_EQ(changed->serial, first->serial + 1);
  // Later change: the clock.
  add({.n = 3, .pattern = "[domain-name:value = 'worst.vn']"});
  f.now_us = test::export_now() + 86'400'000'000LL;
  auto later = writer.write(select(f), f, RpzOptions{});
  EXPECT_EQ(later->serial, static_cast<std::uint32_t>(f.now_us / 1'000'000));
  // Other options for the same zone are a change of its content: the serial still only rises.
  RpzOptions other;
  other.action = RpzAction::drop;
  auto o1 = writer.write(select(f), f, other);
  EXPECT_TRUE(o1->changed);
  EXPECT_EQ(o1->serial, later->serial + 1);
  auto o2 = writer.write(select(f), f, other);
  EXPECT_EQ(o2->serial, o1->serial);
  // Another zone name has its own bookmark.
  RpzOptions elsewhere;
  elsewhere.zone = "rpz.isp.example";
  auto e1 = writer.write(select(f), f, elsewhere);
  EXPECT_TRUE(e1->changed);
  EXPECT_EQ(e1->serial, static_cast<std::uint32_t>(f.now_us / 1'000'000));
  // The bookmark survives a reopened store.
  store_.reset();
  store_ = std::move(*StixStore::open(dir_ / "state.db"));
  RpzZoneWriter reopened(*store_);
  auto after = reopened.write(select(f), f, other);
  EXPECT_FALSE(after->changed);
  EXPECT_EQ(after->serial, o1->serial);
}

TEST(RpzSerial, NextSerial) {
  std::int64_t now = 1'800'000'000LL * 1'000'000;
  EXPECT_EQ(next_rpz_serial(std::nullopt, true, now), 1'800'000'000u);
  EXPECT_EQ(next_rpz_serial(5u, false, now), 5u);
  EXPECT_EQ(next_rpz_serial(5u, true, now), 1'800'000'000u);
  EXPECT_EQ(next_rpz_serial(1'900'000'000u, true, now), 1'900'000'001u);  // clock behind: still up
  EXPECT_EQ(next_rpz_serial(0xffffffffu, true, 0), 1u);                   // wraps past 0 (RFC 1982)
}

}  // namespace
}  // namespace khien
