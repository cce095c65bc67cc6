// IntelService over a real state database: imports (valid, invalid, expired, revoked), the
// background rebuild after an import or a TAXII feed poll, sightings flushed to the store, the STIX
// sighting export.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/http_server.h"
#include "api/taxii_routes.h"
#include "app/intel_service.h"
#include "app/taxii_client.h"
#include "core/arena.h"
#include "core/schema.h"
#include "intel/stix_bundle_importer.h"
#include "intel/stix_object.h"
#include "store/state_store.h"
#include "test_files.h"

namespace khien {
namespace {

using json = nlohmann::json;

std::string uuid_id(const char* type, int n) { return fmt::format("{}--{:08x}-0000-4000-8000-000000000000", type, n); }

json indicator(int n, const std::string& pattern, const std::string& name, json extra = json::object()) {
  json o{{"type", "indicator"},
         {"spec_version", "2.1"},
         {"id", uuid_id("indicator", n)},
         {"created", "2026-01-01T00:00:00.000Z"},
         {"modified", "2026-01-01T00:00:00.000Z"},
         {"name", name},
         {"pattern_type", "stix"},
         {"pattern", pattern},
         {"valid_from", "2020-01-01T00:00:00Z"}};
  for (auto& [k, v] : extra.items()) o[k] = v;
  return o;
}

std::string bundle(std::vector<json> objects) {
  return json{{"type", "bundle"}, {"id", "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"}, {"objects", objects}}.dump();
}

class IntelServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto stix = StixStore::open(dir_ / "state.db");
    ASSERT_TRUE(stix) << stix.error().message;
    stix_ = std::move(*stix);
    ASSERT_TRUE(ensure_default_taxii_layout(*stix_));
  }
  void TearDown() override {
    service_.reset();
    stix_.reset();
  }
  IntelService& start(IntelServiceOptions options = {}) {
    auto s = IntelService::open(*stix_, dir_ / "state.db", nullptr, options);
    EXPECT_TRUE(s) << s.error().message;
    service_ = std::move(*s);
    auto st = service_->start();
    EXPECT_TRUE(st) << st.error().message;
    return *service_;
  }
  std::vector<Alert> detect(Detector& d, const std::function<void(Event&)>& fill) {
    arena_.reset();
    Event e(arena_);
    fill(e);
    std::vector<Alert> out;
    d.detect(e, out);
    return out;
  }
  IntelImportRequest stix_request(std::string text, std::string source = "unit", std::optional<Tlp> tlp = Tlp::green) {
    IntelImportRequest r;
    r.text = std::move(text);
    r.source = std::move(source);
    r.tlp = tlp;
    return r;
  }

  test::ScratchDir scratch_{"intel"};
  std::filesystem::path dir_ = scratch_.path();
  std::unique_ptr<StixStore> stix_;
  std::unique_ptr<IntelService> service_;
  Arena arena_;
};

TEST_F(IntelServiceTest, ImportRebuildsInTheBackgroundAndExpiredIsLeftOut) {
  auto& svc = start();
  auto detector = svc.make_detector();
  auto version = svc.holder().version();
  EXPECT_EQ(version, 1u);  // start() built the first matcher
  auto report = svc.import(stix_request(bundle({
      indicator(1, "[domain-name:value = 'evil.vn']", "Evil"),
      indicator(2, "[domain-name:value = 'expired.vn']", "Expired", {{"valid_until", "2021-01-01T00:00:00Z"}}),
      indicator(3, "[domain-name:value = 'revoked.vn']", "Revoked", {{"revoked", true}}),
      indicator(4, "[file:name LIKE '%.scr']", "Screensaver"),
  })));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ((*report)["added"], 4);
  EXPECT_EQ((*report)["matcher_version"], version);
  ASSERT_TRUE(svc.wait_for_version_above(version, 10'000));

  auto alerts = detect(*detector, [](Event& e) { e.set_string(field::query_hostname, "a.b.evil.vn"); });
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].tlp, "green");
  EXPECT_EQ(alerts[0].source, "unit");
  EXPECT_TRUE(detect(*detector, [](Event& e) { e.set_string(field::query_hostname, "expired.vn"); }).empty());
  EXPECT_TRUE(detect(*detector, [](Event& e) { e.set_string(field::query_hostname, "revoked.vn"); }).empty());

  auto status = svc.status_json();
  EXPECT_EQ(status["indicators"], 2);  // evil.vn and the LIKE pattern are active
  EXPECT_EQ(status["compiled_indicators"], 1);
  EXPECT_EQ(status["observables"], 1);
  EXPECT_EQ(status["not_evaluated"]["count"], 1);
  EXPECT_EQ(status["not_evaluated"]["patterns"][0]["id"], uuid_id("indicator", 4));
  EXPECT_GE(status["matcher_version"].get<int>(), 2);
  EXPECT_TRUE(status["built_at"].is_string());
}

TEST_F(IntelServiceTest, InvalidBundleIsRejectedWholeWithTheObjectId) {
  auto& svc = start();
  auto bad = indicator(9, "[domain-name:value = 'never.vn']", "Bad");
  bad.erase("pattern");
  auto report = svc.import(stix_request(bundle({indicator(8, "[domain-name:value = 'good.vn']", "Good"), bad})));
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().message.find(uuid_id("indicator", 9)), std::string::npos) << report.error().message;
  EXPECT_NE(report.error().message.find("pattern"), std::string::npos) << report.error().message;
  EXPECT_FALSE(stix_->contains(uuid_id("indicator", 8)));  // nothing of the bundle was stored
}

TEST_F(IntelServiceTest, PeriodicRebuildDropsIndicatorsThatExpire) {
  // valid_until a moment from now: the periodic rebuild (not an import) must drop it.
  auto until = format_stix_timestamp((now_ns() + 1'500'000'000) / 1000);
  auto& svc = start({.rebuild_interval_ms = 200, .sighting_flush_ms = 100, .warninglists = {}});
  auto detector = svc.make_detector();
  auto v = svc.holder().version();
  ASSERT_TRUE(svc.import(stix_request(bundle({indicator(1, "[domain-name:value = 'soon.vn']", "Soon", {{"valid_until", until}})}))));
  ASSERT_TRUE(svc.wait_for_version_above(v, 10'000));
  auto hit = [](Event& e) { e.set_string(field::query_hostname, "soon.vn"); };
  ASSERT_EQ(detect(*detector, hit).size(), 1u);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    gone = detect(*detector, hit).empty();
  }
  EXPECT_TRUE(gone) << "the indicator still alerts after its valid_until";
}

TEST_F(IntelServiceTest, SightingsAreFlushedAndExportedAsStix) {
  auto& svc = start({.rebuild_interval_ms = 60'000, .sighting_flush_ms = 50, .warninglists = {}});
  auto detector = svc.make_detector();
  auto v = svc.holder().version();
  ASSERT_TRUE(svc.import(stix_request(bundle({indicator(1, "[ipv4-addr:value = '203.0.113.0/24']", "Range")}), "unit", Tlp::red)));
  ASSERT_TRUE(svc.wait_for_version_above(v, 10'000));
  for (int i = 0; i < 3; ++i) {
    auto a = detect(*detector, [i](Event& e) {
      e.set_ip(field::dst_endpoint_ip, *IpAddress::parse("203.0.113." + std::to_string(i + 1)));
      e.set_string(field::khien_org, "bo-tai-chinh");
      e.set_time(field::time, (1'700'000'000 + i) * 1'000'000'000LL);
    });
    ASSERT_EQ(a.size(), 1u);
  }
  ASSERT_EQ(detect(*detector, [](Event& e) {
              e.set_ip(field::dst_endpoint_ip, *IpAddress::parse("203.0.113.9"));
              e.set_string(field::khien_org, "bo-cong-an");
              e.set_time(field::time, 1'800'000'000LL * 1'000'000'000LL);
            }).size(),
            1u);
  auto rows = svc.sightings_json({});
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ((*rows)["total_hits"], 4);
  ASSERT_EQ((*rows)["sightings"].size(), 2u);
  EXPECT_EQ((*rows)["sightings"][0]["org"], "bo-cong-an");
  EXPECT_EQ((*rows)["sightings"][1]["org"], "bo-tai-chinh");
  EXPECT_EQ((*rows)["sightings"][1]["count"], 3);
  EXPECT_EQ((*rows)["sightings"][1]["first_seen"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ((*rows)["sightings"][1]["last_seen"], "2023-11-14T22:13:22.000Z");

  auto b = svc.sightings_stix({});
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ((*b)["type"], "bundle");
  std::size_t sightings = 0, identities = 0;
  std::string centre;
  for (const auto& o : (*b)["objects"]) {
    auto valid = validate_stix_object(o);
    EXPECT_TRUE(valid) << o.dump() << ": " << valid.error().message;
    if (o["type"] == "identity") ++identities;
    if (o["type"] != "sighting") continue;
    ++sightings;
    EXPECT_EQ(o["sighting_of_ref"], uuid_id("indicator", 1));
    ASSERT_TRUE(o.contains("where_sighted_refs"));
    if (centre.empty()) centre = o["created_by_ref"];
    EXPECT_EQ(o["created_by_ref"], centre);
    // The indicator is RED: its sightings are too.
    EXPECT_EQ(o["object_marking_refs"][0], std::string(tlp_marking_id(Tlp::red)));
    if (o["count"] == 3) {
      EXPECT_EQ(o["first_seen"], "2023-11-14T22:13:20.000000Z");
      EXPECT_EQ(o["last_seen"], "2023-11-14T22:13:22.000000Z");
    }
  }
  EXPECT_EQ(sightings, 2u);
  EXPECT_EQ(identities, 3u);  // the centre and the two organisations
  // The same sighting keeps its id from one export to the next.
  auto again = svc.sightings_stix({});
  ASSERT_TRUE(again);
  std::set<std::string> ids1, ids2;
  for (const auto& o : (*b)["objects"]) ids1.insert(o["id"].get<std::string>());
  for (const auto& o : (*again)["objects"]) ids2.insert(o["id"].get<std::string>());
  EXPECT_EQ(ids1, ids2);
  // The whole bundle is acceptable to our own importer.
  StixBundleImporter checker(nullptr);
  StixImportOptions opts;
  auto checked = checker.check_bundle(b->dump(), opts);
  EXPECT_TRUE(checked) << checked.error().message;
}

TEST_F(IntelServiceTest, StopFlushesPendingSightings) {
  {
    auto& svc = start({.rebuild_interval_ms = 60'000, .sighting_flush_ms = 60'000, .warninglists = {}});
    auto detector = svc.make_detector();
    auto v = svc.holder().version();
    ASSERT_TRUE(svc.import(stix_request(bundle({indicator(1, "[domain-name:value = 'evil.vn']", "E")}))));
    ASSERT_TRUE(svc.wait_for_version_above(v, 10'000));
    ASSERT_EQ(detect(*detector, [](Event& e) { e.set_string(field::query_hostname, "evil.vn"); }).size(), 1u);
    svc.stop();
  }
  auto store = SightingStore::open(dir_ / "state.db");
  ASSERT_TRUE(store);
  EXPECT_EQ((*store)->total(), 1u);
}

// A feed poll that adds indicators rebuilds the matcher at once, like an API import, not at the
// next periodic rebuild (an hour away here). The feed is a real TAXII server on loopback.
TEST_F(IntelServiceTest, FeedPollThatAddsObjectsRebuildsAtOnce) {
  auto remote_dir = dir_ / "remote";
  auto remote = StixStore::open(remote_dir / "state.db");
  ASSERT_TRUE(remote) << remote.error().message;
  ASSERT_TRUE(ensure_default_taxii_layout(**remote));
  auto imported = import_intel(**remote, stix_request(bundle({indicator(7, "[domain-name:value = 'feed.vn']", "Feed")})));
  ASSERT_TRUE(imported) << imported.error().message;
  TaxiiContext taxii;
  taxii.store = remote->get();
  taxii.authenticate = [](const HttpRequest& r) -> std::optional<TaxiiPrincipal> {
    if (bearer_token(r) == std::optional<std::string>("feed-token")) return TaxiiPrincipal{"feed", "", Tlp::red, true, true};
    return std::nullopt;
  };
  Router router;
  register_taxii_routes(router, taxii);
  HttpServer http(router);
  auto port = http.listen("127.0.0.1", 0);
  ASSERT_TRUE(port) << port.error().message;

  IntelServiceOptions options;
  options.rebuild_interval_ms = 3'600'000;
  auto& svc = start(options);
  auto detector = svc.make_detector();
  auto version = svc.holder().version();
  TaxiiFeedConfig feed;
  feed.url = fmt::format("http://127.0.0.1:{}/taxii2/khien/", *port);
  feed.collection = std::string(kDefaultStixCollection);
  feed.token = "feed-token";
  feed.interval = 3600;
  feed.tlp = "green";
  auto poller = svc.make_feed_poller({feed});
  poller->start();
  ASSERT_TRUE(svc.wait_for_version_above(version, 30'000)) << poller->status_json();
  poller->stop();
  http.stop();
  EXPECT_EQ(stix_->count(std::string(kDefaultStixCollection)), 1);
  auto alerts = detect(*detector, [](Event& e) { e.set_string(field::query_hostname, "www.feed.vn"); });
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule_id, uuid_id("indicator", 7));
  EXPECT_EQ(svc.status_json()["indicators"], 1);
}

TEST(AppIntelFormat, Names) {
  EXPECT_EQ(parse_intel_format("stix"), IntelFormat::stix);
  EXPECT_EQ(parse_intel_format("misp"), IntelFormat::misp);
  EXPECT_EQ(parse_intel_format("misp-feed"), IntelFormat::misp_feed);
  EXPECT_EQ(parse_intel_format("csv"), IntelFormat::csv);
  EXPECT_FALSE(parse_intel_format("STIX2"));
}

}  // namespace
}  // namespace khien
