// Notification building blocks: webhook signatures (RFC 4231 vector), SMTP dot-stuffing, TLP
// audiences and minimised content, config sections.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "app/notification_service.h"

using namespace khien;
using json = nlohmann::json;

namespace {

std::vector<OrgRow> registry() {
  std::vector<OrgRow> r(5);
  r[0].id = "evn";
  r[0].sector = "nang-luong";
  r[1].id = "pvn";
  r[1].sector = "nang-luong";
  r[2].id = "vnpt";
  r[2].sector = "thong-tin";
  r[3].id = "cert-nang-luong";
  r[3].type = "sector-cert";
  r[3].sector = "nang-luong";
  r[4].id = "cert-thong-tin";
  r[4].type = "sector-cert";
  r[4].sector = "thong-tin";
  return r;
}

std::map<std::string, std::string> sectors() {
  std::map<std::string, std::string> m;
  for (const auto& o : registry()) m[o.id] = o.sector;
  return m;
}

json campaign(const std::string& tlp) {
  json w{{"id", 7},
         {"kind", "indicator"},
         {"title", "t"},
         {"organisations", json::array({{{"org", "evn"}, {"alerts", 3}}, {{"org", "pvn"}, {"alerts", 1}}, {{"org", "vnpt"}, {"alerts", 2}}})},
         {"sectors", json::array({"nang-luong", "thong-tin"})},
         {"provinces", json::array({"ha-noi"})},
         {"org_count", 3}};
  if (!tlp.empty()) w["tlp"] = tlp;
  return w;
}

std::vector<std::string> orgs_of(const std::vector<Recipient>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs) out.push_back(r.org);
  return out;
}

}  // namespace

TEST(Notification, SignatureIsHmacSha256OfTheBody) {
  // RFC 4231 test case 2.
  EXPECT_EQ(webhook_signature("what do ya want for nothing?", "Jefe"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Notification, DotStuffingAndLineEnds) {
  EXPECT_EQ(smtp_dot_stuff("a\n.b\n..c\nd"), "a\r\n..b\r\n...c\r\nd\r\n");
  EXPECT_EQ(smtp_dot_stuff(".\r\nx\r\n"), "..\r\nx\r\n");
  EXPECT_EQ(smtp_dot_stuff("no dot. here\n"), "no dot. here\r\n");
}

TEST(Notification, TlpNames) {
  EXPECT_EQ(warning_tlp(json::object()), "amber");
  EXPECT_EQ(warning_tlp(json{{"tlp", "TLP:RED"}}), "red");
  EXPECT_EQ(warning_tlp(json{{"details", {{"tlp", "green"}}}}), "green");
  EXPECT_EQ(warning_tlp(json{{"tlp", "white"}}), "clear");
  EXPECT_EQ(warning_tlp(json{{"tlp", "AMBER+STRICT"}}), "amber+strict");
}

TEST(Notification, AmberGoesToAffectedOrganisationsAndTheirSectorCerts) {
  auto a = warning_audience(campaign("amber"), registry());
  EXPECT_EQ(orgs_of(a), (std::vector<std::string>{"evn", "pvn", "vnpt", "cert-nang-luong", "cert-thong-tin"}));
  EXPECT_TRUE(a[3].sector_cert);
  EXPECT_EQ(orgs_of(warning_audience(campaign("amber+strict"), registry())), (std::vector<std::string>{"evn", "pvn", "vnpt"}));
}

TEST(Notification, RedGoesOnlyToNamedRecipients) {
  json w = campaign("red");
  w["details"] = {{"recipients", json::array({"evn"})}};
  EXPECT_EQ(orgs_of(warning_audience(w, registry())), (std::vector<std::string>{"evn"}));
  // Without names, the affected organisations and no sector CERT.
  EXPECT_EQ(orgs_of(warning_audience(campaign("red"), registry())), (std::vector<std::string>{"evn", "pvn", "vnpt"}));
}

TEST(Notification, ContentIsMinimisedPerRecipient) {
  auto rs = warning_audience(campaign("amber"), registry());
  json to_evn = minimise_for(campaign("amber"), rs[0], "amber", sectors());
  EXPECT_EQ(to_evn["tlp"], "TLP:AMBER");
  EXPECT_EQ(to_evn["recipient"], "evn");
  ASSERT_EQ(to_evn["warning"]["organisations"].size(), 1u);
  EXPECT_EQ(to_evn["warning"]["organisations"][0]["org"], "evn");
  EXPECT_EQ(to_evn["warning"]["org_count"], 3) << "counts stay";
  json to_cert = minimise_for(campaign("amber"), rs[3], "amber", sectors());
  ASSERT_EQ(to_cert["warning"]["organisations"].size(), 2u) << "a sector CERT sees its sector's organisations";
  json to_red = minimise_for(campaign("red"), Recipient{"vnpt", "thong-tin", false}, "red", sectors());
  EXPECT_FALSE(to_red["warning"].contains("sectors"));
  EXPECT_FALSE(to_red["warning"].contains("provinces"));
  json clear = minimise_for(campaign("clear"), rs[0], "clear", sectors());
  EXPECT_EQ(clear["warning"]["organisations"].size(), 3u);
}

TEST(Notification, ConfigSections) {
  auto doc = toml::parse(R"(
[[webhooks]]
org = "evn"
url = "http://127.0.0.1:9/hook"
secret = "s3cret"
[[mail_recipients]]
org = "evn"
to = "soc@evn.example"
[smtp]
host = "127.0.0.1"
port = 2525
[notifications]
backoff_ms = 100
[[webhooks]]
org = "evn"
url = "https://example.org/"
secret = "x"
[[mail_recipients]]
org = "evn"
too = "x"
)");
  NotificationConfig c;
  std::vector<std::string> errors;
  for (const auto& [section, node] : doc) EXPECT_TRUE(read_notification_config(section.str(), node, "khien.toml", c, errors));
  ASSERT_EQ(c.webhooks.size(), 1u);
  EXPECT_EQ(c.webhooks[0].secret, "s3cret");
  ASSERT_EQ(c.mail_recipients.size(), 1u);
  EXPECT_EQ(c.smtp.port, 2525);
  EXPECT_EQ(c.backoff_ms, 100);
  ASSERT_EQ(errors.size(), 3u);  // the https webhook; the unknown key and the missing `to` of the second recipient
  auto has = [&](const std::string& text) {
    return std::any_of(errors.begin(), errors.end(), [&](const std::string& e) { return e.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("only http://"));
  EXPECT_TRUE(has("unknown key 'mail_recipients.too'"));
  EXPECT_TRUE(has("org and to"));
  EXPECT_EQ(errors[0].rfind("khien.toml:", 0), 0u) << errors[0];
  EXPECT_FALSE(read_notification_config("server", doc, "khien.toml", c, errors));
}
