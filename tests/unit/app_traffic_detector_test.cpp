// TrafficDetector on flow events as the collector and attribution produce them: scan alerts with the
// attacker and the victim organisation, non-flow events ignored, [traffic] option parsing; and traffic
// to an indicator address raised by IntelDetector on the same flow event (no second matcher).
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/intel_detector.h"
#include "app/intel_service.h"
#include "app/traffic_detector.h"
#include "core/arena.h"
#include "core/field_dictionary.h"
#include "core/schema.h"

namespace khien {
namespace {

constexpr TimeNs kT0 = 1'767'225'600'000'000'000;  // 2026-01-01T00:00:00Z

void fill_flow(Event& e, TimeNs t, const char* src, const char* dst, int dport, int packets, const char* victim_org) {
  e.set_int(field::class_uid, 4001);
  e.set_time(field::time, t);
  e.set_ip(field::src_endpoint_ip, *IpAddress::parse(src));
  e.set_ip(field::dst_endpoint_ip, *IpAddress::parse(dst));
  e.set_int(field::src_endpoint_port, 50000);
  e.set_int(field::dst_endpoint_port, dport);
  e.set_string(field::connection_info_protocol_name, "tcp");
  e.set_int(field::traffic_packets, packets);
  e.set_int(field::traffic_bytes, packets * 60);
  if (victim_org) {
    e.set_string(intern_field("khien.victim_org"), victim_org);
    e.set_string(intern_field("khien.victim_sector"), "an-ninh");
    e.set_string(intern_field("khien.victim_basis"), "dst_ip");
  }
}

TEST(AppTrafficDetector, HorizontalScanAlertFromFlowEvents) {
  TrafficDetector d;
  Arena arena;
  std::vector<Alert> out;
  for (int i = 1; i <= 200; ++i) {
    arena.reset();
    Event e(arena);
    fill_flow(e, kT0 + i * 50'000'000LL, "81.2.69.142", fmt::format("14.177.4.{}", i).c_str(), 445, 1, "bo-cong-an");
    d.detect(e, out);
  }
  ASSERT_EQ(out.size(), 1u);
  const Alert& a = out[0];
  EXPECT_EQ(a.kind, "traffic");
  EXPECT_EQ(a.rule_id, "traffic.scan.horizontal");
  EXPECT_EQ(a.matched, "81.2.69.142");
  EXPECT_EQ(a.matched_field, "src_endpoint.ip");
  EXPECT_EQ(a.level, "medium");
  EXPECT_NE(std::find(a.tags.begin(), a.tags.end(), "victim_org:bo-cong-an"), a.tags.end());
  EXPECT_NE(std::find(a.tags.begin(), a.tags.end(), "port:445"), a.tags.end());
}

// As the pipeline runs it: begin_batch() over the batch, then detect() per event; the alert goes
// with the event that crossed the threshold, exactly as event by event.
TEST(AppTrafficDetector, BatchGivesTheSameAlertsToTheSameEvents) {
  Arena arena;
  std::vector<Event> events;
  events.reserve(300);
  for (int i = 1; i <= 300; ++i) {
    Event& e = events.emplace_back(arena);
    fill_flow(e, kT0 + i * 50'000'000LL, i % 5 == 0 ? "203.0.113.9" : "81.2.69.142", fmt::format("14.177.{}.{}", i / 250, i % 250).c_str(),
              445, 1, "bo-cong-an");
    if (i % 7 == 0) e.set_int(field::class_uid, 4003);  // not flows: skipped, yet they keep their place
  }
  TrafficDetector one_by_one;
  std::vector<Alert> expected;
  std::vector<std::size_t> expected_owner;
  for (std::size_t i = 0; i < events.size(); ++i) {
    one_by_one.detect(events[i], expected);
    expected_owner.resize(expected.size(), i);
  }
  ASSERT_EQ(expected.size(), 1u);

  TrafficDetector batched;
  std::vector<const Event*> batch;
  for (const Event& e : events) batch.push_back(&e);
  // Two batches, split where no alert falls, like two pipeline batches.
  std::vector<Alert> got;
  std::vector<std::size_t> got_owner;
  for (auto [from, to] : {std::pair<std::size_t, std::size_t>{0, 120}, {120, events.size()}}) {
    batched.begin_batch(std::span<const Event* const>(batch.data() + from, to - from));
    for (std::size_t i = from; i < to; ++i) {
      batched.detect(events[i], got);
      got_owner.resize(got.size(), i);
    }
  }
  ASSERT_EQ(got.size(), expected.size());
  EXPECT_EQ(got_owner, expected_owner);
  EXPECT_EQ(got[0].rule_id, expected[0].rule_id);
  EXPECT_EQ(got[0].title, expected[0].title);
  EXPECT_EQ(got[0].tags, expected[0].tags);
  // An event outside any batch is still judged.
  Event lone(arena);
  fill_flow(lone, kT0 + 100 * 1'000'000'000LL, "81.2.69.142", "14.177.9.9", 445, 1, nullptr);
  std::vector<Alert> none;
  batched.detect(lone, none);
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(batched.detectors().scan().keys(), one_by_one.detectors().scan().keys() + 1);  // its (source, host) key
}

TEST(AppTrafficDetector, OtherClassesAreIgnored) {
  TrafficDetector d;
  Arena arena;
  std::vector<Alert> out;
  for (int i = 1; i <= 300; ++i) {
    arena.reset();
    Event e(arena);
    fill_flow(e, kT0, "81.2.69.142", fmt::format("14.177.4.{}", i % 250).c_str(), 445, 1, nullptr);
    e.set_int(field::class_uid, 4003);  // DNS activity: not a flow
    d.detect(e, out);
  }
  EXPECT_TRUE(out.empty());
}

TEST(AppTrafficDetector, Options) {
  TrafficDetectorOptions o;
  EXPECT_TRUE(set_traffic_option(o, "horizontal_scan_hosts", false, 150).has_value());
  EXPECT_EQ(o.horizontal_scan_hosts, 150u);
  EXPECT_TRUE(set_traffic_option(o, "beacon_max_cv", false, 0.3).has_value());
  EXPECT_DOUBLE_EQ(o.beacon_max_cv, 0.3);
  EXPECT_TRUE(set_traffic_option(o, "enabled", true, 0).has_value());
  EXPECT_FALSE(o.enabled);
  auto bad = set_traffic_option(o, "vertical_scan_ports", false, 2.5);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("traffic.vertical_scan_ports"), std::string::npos);
  EXPECT_FALSE(set_traffic_option(o, "max_keys", false, 10).has_value());
  EXPECT_FALSE(set_traffic_option(o, "enabled", false, 1).has_value());
  for (const auto& k : traffic_option_keys()) EXPECT_FALSE(traffic_option_text(o, k.name).empty()) << k.name;
  EXPECT_EQ(traffic_option_text(o, "horizontal_scan_hosts"), "150");
}

TEST(AppTrafficDetector, IndicatorAddressInAFlowRaisesIocAlert) {
  StixRecord r;
  r.id = "indicator--00000001-0000-4000-8000-000000000000";
  r.type = "indicator";
  r.tlp = "amber";
  r.source = "test-feed";
  r.json = nlohmann::json{{"type", "indicator"}, {"spec_version", "2.1"}, {"id", r.id},
                          {"created", "2026-01-01T00:00:00.000Z"}, {"modified", "2026-01-01T00:00:00.000Z"},
                          {"pattern_type", "stix"}, {"pattern", "[ipv4-addr:value = '203.0.113.0/24']"},
                          {"valid_from", "2026-01-01T00:00:00Z"}, {"name", "C2 range"}}
               .dump();
  MatcherHolder holder;
  auto built = build_intel_matcher({r}, nullptr);
  publish_intel(holder, built.matcher, built.catalog);
  IntelDetector d(holder);
  Arena arena;
  std::vector<Alert> out;
  Event e(arena);
  fill_flow(e, kT0, "14.177.4.20", "203.0.113.9", 443, 10, nullptr);  // a member host calling a C2 address
  d.detect(e, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, "ioc");
  EXPECT_EQ(out[0].rule_id, r.id);
  EXPECT_EQ(out[0].matched, "203.0.113.0/24");
  EXPECT_EQ(out[0].matched_field, "dst_endpoint.ip");
  out.clear();
  arena.reset();
  Event in(arena);
  fill_flow(in, kT0, "203.0.113.9", "14.177.4.20", 22, 10, "bo-cong-an");  // the C2 address calling in
  d.detect(in, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].matched_field, "src_endpoint.ip");
}

}  // namespace
}  // namespace khien
