// Sigma correlation rules: each type across window edges, group-by, aliases, chains, memory
// bounds; and khien's shipped rules on example events.
#include <gtest/gtest.h>

#include "core/field_dictionary.h"
#include "detect/correlation_engine.h"
#include "detect/field_pipeline.h"
#include "detect/rule_set.h"
#include "detect/rules_check.h"

namespace khien {
namespace {

constexpr TimeNs kSec = 1000000000LL;

const FieldPipeline& test_pipeline() {
  static FieldPipeline p = [] {
    FieldPipeline x;
    EXPECT_TRUE(x.load_text("logsources:\n  - match: {product: test}\n", "test.yaml"));
    return x;
  }();
  return p;
}

const char* const kBase =
    "title: A\nid: rule-a\nname: rule_a\nlogsource: {product: test}\ndetection:\n  s:\n    kind: a\n  condition: s\n---\n"
    "title: B\nid: rule-b\nname: rule_b\nlogsource: {product: test}\ndetection:\n  s:\n    kind: b\n  condition: s\n";

RuleSet compile(const std::string& correlations) {
  std::vector<SigmaRule> rules;
  std::vector<SigmaLoadError> errors;
  parse_sigma_text(std::string(kBase) + "---\n" + correlations, "c.yml", rules, errors);
  for (const auto& e : errors) ADD_FAILURE() << e.line << ": " << e.reason;
  auto set = compile_rules(std::move(rules), test_pipeline());
  EXPECT_TRUE(set);
  return std::move(*set);
}

struct Feeder {
  const RuleSet& set;
  CorrelationEngine engine;
  Arena arena;
  std::vector<CorrelationHit> hits;
  explicit Feeder(const RuleSet& s, CorrelationOptions o = {}) : set(s), engine(s, o) {}

  // Feeds a hit of `rule` ("rule_a"/"rule_b") at second `t` with event fields.
  std::size_t feed(const char* rule, double t, std::vector<std::pair<const char*, std::string_view>> fields) {
    Event e(arena);
    for (auto [k, v] : fields) e.add(intern_field(k), Value::of_string(v));
    const std::size_t before = hits.size();
    engine.feed(set.find_rule(rule), e, static_cast<TimeNs>(t * 1e9), hits);
    return hits.size() - before;
  }
};

TEST(SigmaCorrelation, EventCountWindowEdges) {
  RuleSet set = compile(
      "title: C\nid: corr\ncorrelation:\n  type: event_count\n  rules: [rule_a]\n  group-by: [host]\n  timespan: 10s\n"
      "  condition: {gte: 3}\n");
  ASSERT_EQ(set.correlations().size(), 1u);
  Feeder f(set);
  ASSERT_TRUE(f.engine.errors().empty());
  EXPECT_EQ(f.feed("rule_a", 0, {{"host", "h1"}}), 0u);
  EXPECT_EQ(f.feed("rule_a", 5, {{"host", "h1"}}), 0u);
  EXPECT_EQ(f.feed("rule_a", 10, {{"host", "h1"}}), 1u);  // 0..10 inclusive: three in the window
  EXPECT_EQ(f.hits.back().count, 3);
  EXPECT_EQ(f.hits.back().group, "h1");
  // Just past the edge: the first event has left the window.
  Feeder g(set);
  g.feed("rule_a", 0, {{"host", "h1"}});
  g.feed("rule_a", 5, {{"host", "h1"}});
  EXPECT_EQ(g.feed("rule_a", 10.000001, {{"host", "h1"}}), 0u);
  EXPECT_EQ(g.feed("rule_a", 11, {{"host", "h1"}}), 1u);
  // Another group does not add up.
  Feeder h(set);
  h.feed("rule_a", 0, {{"host", "h1"}});
  h.feed("rule_a", 1, {{"host", "h2"}});
  EXPECT_EQ(h.feed("rule_a", 2, {{"host", "h3"}}), 0u);
}

TEST(SigmaCorrelation, EventCountRangeCondition) {
  RuleSet set = compile(
      "title: C\nid: corr\ncorrelation:\n  type: event_count\n  rules: [rule_a, rule_b]\n  group-by: [host]\n"
      "  timespan: 1m\n  condition: {gt: 1, lte: 2}\n");
  Feeder f(set);
  EXPECT_EQ(f.feed("rule_a", 0, {{"host", "h"}}), 0u);
  EXPECT_EQ(f.feed("rule_b", 1, {{"host", "h"}}), 1u);
}

TEST(SigmaCorrelation, ValueCount) {
  RuleSet set = compile(
      "title: C\nid: corr\ncorrelation:\n  type: value_count\n  rules: [rule_a]\n  group-by: [host]\n  timespan: 1m\n"
      "  condition: {field: user, gte: 3}\n");
  Feeder f(set);
  EXPECT_EQ(f.feed("rule_a", 0, {{"host", "h"}, {"user", "u1"}}), 0u);
  EXPECT_EQ(f.feed("rule_a", 1, {{"host", "h"}, {"user", "u1"}}), 0u);  // same value again
  EXPECT_EQ(f.feed("rule_a", 2, {{"host", "h"}, {"user", "u2"}}), 0u);
  EXPECT_EQ(f.feed("rule_a", 70, {{"host", "h"}, {"user", "u3"}}), 0u);  // u1, u2 expired
  EXPECT_EQ(f.feed("rule_a", 80, {{"host", "h"}, {"user", "u4"}}), 0u);
  EXPECT_EQ(f.feed("rule_a", 90, {{"host", "h"}, {"user", "u5"}}), 1u);
  EXPECT_EQ(f.hits.back().count, 3);
}

TEST(SigmaCorrelation, TemporalAnyOrder) {
  RuleSet set = compile(
      "title: C\nid: corr\ncorrelation:\n  type: temporal\n  rules: [rule_a, rule_b]\n  group-by: [host]\n  timespan: 30s\n");
  Feeder f(set);
  EXPECT_EQ(f.feed("rule_b", 0, {{"host", "h"}}), 0u);
  EXPECT_EQ(f.feed("rule_a", 30, {{"host", "h"}}), 1u);  // edge included
  Feeder g(set);
  EXPECT_EQ(g.feed("rule_a", 0, {{"host", "h"}}), 0u);
  EXPECT_EQ(g.feed("rule_b", 31, {{"host", "h"}}), 0u);  // too late
  EXPECT_EQ(g.feed("rule_b", 32, {{"host", "other"}}), 0u);
  EXPECT_EQ(g.feed("rule_a", 40, {{"host", "h"}}), 1u);  // b at 31 and a at 40
}

TEST(SigmaCorrelation, TemporalOrdered) {
  RuleSet set = compile(
      "title: C\nid: corr\ncorrelation:\n  type: temporal_ordered\n  rules: [rule_a, rule_b]\n  group-by: [host]\n"
      "  timespan: 30s\n");
  Feeder f(set);
  EXPECT_EQ(f.feed("rule_b", 0, {{"host", "h"}}), 0u);
  EXPECT_EQ(f.feed("rule_a", 1, {{"host", "h"}}), 0u);  // wrong order so far
  EXPECT_EQ(f.feed("rule_b", 31, {{"host", "h"}}), 1u);  // a at 1, b at 31: on the edge
  Feeder g(set);
  g.feed("rule_a", 0, {{"host", "h"}});
  EXPECT_EQ(g.feed("rule_b", 30.5, {{"host", "h"}}), 0u);
}

TEST(SigmaCorrelation, AliasesJoinDifferentFields) {
  RuleSet set = compile(
      "title: C\nid: corr\ncorrelation:\n  type: temporal\n  rules: [rule_a, rule_b]\n  group-by: [ip]\n  timespan: 1m\n"
      "  aliases:\n    ip:\n      rule_a: src_ip\n      rule_b: dst_ip\n");
  Feeder f(set);
  EXPECT_EQ(f.feed("rule_a", 0, {{"src_ip", "10.0.0.1"}}), 0u);
  EXPECT_EQ(f.feed("rule_b", 1, {{"dst_ip", "10.0.0.2"}}), 0u);
  EXPECT_EQ(f.feed("rule_b", 2, {{"dst_ip", "10.0.0.1"}}), 1u);
  EXPECT_EQ(f.hits.back().group, "10.0.0.1");
}

TEST(SigmaCorrelation, ChainedAndGenerate) {
  RuleSet set = compile(
      "title: Many A\nid: many-a\nname: many_a\ncorrelation:\n  type: event_count\n  rules: [rule_a]\n  group-by: [host]\n"
      "  timespan: 1m\n  condition: {gte: 2}\n---\n"
      "title: Many A then B\nid: chain\ncorrelation:\n  type: temporal_ordered\n  rules: [many_a, rule_b]\n"
      "  group-by: [host]\n  timespan: 5m\n");
  EXPECT_FALSE(set.generates_alerts(set.find_rule("rule_a")));
  EXPECT_FALSE(set.generates_alerts(set.find_rule("rule_b")));
  Feeder f(set);
  ASSERT_TRUE(f.engine.errors().empty()) << f.engine.errors()[0];
  EXPECT_EQ(f.feed("rule_b", 0, {{"host", "h"}}), 0u);
  f.feed("rule_a", 10, {{"host", "h"}});
  EXPECT_EQ(f.feed("rule_a", 20, {{"host", "h"}}), 1u);  // many_a
  EXPECT_EQ(f.feed("rule_b", 100, {{"host", "h"}}), 1u);  // chain
  EXPECT_EQ(set.correlations()[f.hits.back().correlation].id, "chain");

  RuleSet gen = compile(
      "title: G\nid: g\ncorrelation:\n  type: event_count\n  rules: [rule_a]\n  timespan: 1m\n  generate: true\n"
      "  condition: {gte: 2}\n");
  EXPECT_TRUE(gen.generates_alerts(gen.find_rule("rule_a")));
}

TEST(SigmaCorrelation, UnknownReferenceIsReported) {
  RuleSet set = compile("title: C\nid: corr\ncorrelation:\n  type: temporal\n  rules: [rule_a, nowhere]\n  timespan: 1m\n");
  CorrelationEngine e(set);
  ASSERT_EQ(e.errors().size(), 1u);
  EXPECT_NE(e.errors()[0].find("nowhere"), std::string::npos);
}

TEST(SigmaCorrelation, MemoryBoundedAndExpiring) {
  RuleSet set = compile(
      "title: C\nid: corr\ncorrelation:\n  type: event_count\n  rules: [rule_a]\n  group-by: [host]\n  timespan: 10s\n"
      "  condition: {gte: 1000}\n");
  CorrelationOptions o;
  o.max_groups = 10;
  Feeder f(set, o);
  char name[32];
  for (int i = 0; i < 100; ++i) {
    std::snprintf(name, sizeof name, "h%d", i);
    f.feed("rule_a", 0, {{"host", f.arena.copy(name)}});
  }
  EXPECT_LE(f.engine.group_count(), 10u);
  // Time moves on: idle groups expire.
  f.feed("rule_a", 100, {{"host", "late"}});
  EXPECT_EQ(f.engine.group_count(), 1u);
}

TEST(SigmaCorrelation, ParseErrors) {
  std::vector<SigmaRule> rules;
  std::vector<SigmaLoadError> errors;
  parse_sigma_text("title: C\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 10x\n  condition: {gte: 1}\n", "c.yml",
                   rules, errors);
  parse_sigma_text("title: C\ncorrelation:\n  type: value_count\n  rules: [a]\n  timespan: 1m\n  condition: {gte: 1}\n", "c.yml",
                   rules, errors);
  parse_sigma_text("title: C\ncorrelation:\n  type: sometimes\n  rules: [a]\n  timespan: 1m\n", "c.yml", rules, errors);
  EXPECT_TRUE(rules.empty());
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_NE(errors[0].reason.find("timespan"), std::string::npos);
  EXPECT_NE(errors[1].reason.find("field"), std::string::npos);
  EXPECT_NE(errors[2].reason.find("sometimes"), std::string::npos);
}

// khien's shipped rules on example events in the common schema.
struct KhienRules : ::testing::Test {
  static RuleSet& set() {
    static RuleSet s = [] {
      auto p = FieldPipeline::load_default(KHIEN_SOURCE_DIR);
      EXPECT_TRUE(p);
      LoadedRules loaded = load_rules({std::string(KHIEN_SOURCE_DIR) + "/data/rules"});
      EXPECT_TRUE(loaded.errors.empty());
      auto r = compile_rules(std::move(loaded.rules), *p);
      EXPECT_TRUE(r);
      return std::move(*r);
    }();
    return s;
  }
  Arena arena;
  Event event(std::vector<std::pair<FieldId, Value>> fields) {
    Event e(arena);
    for (auto& [f, v] : fields) e.add(f, v);
    return e;
  }
  std::vector<std::string> titles(const Event& e) {
    std::vector<std::string> out;
    auto scratch = set().make_scratch();
    set().match(e, scratch, [&](std::size_t r) { out.push_back(set().rule(r).title); });
    return out;
  }
};

TEST_F(KhienRules, CriticalSectorIdsAlert) {
  auto hit = event({{field::class_uid, Value::of_int(2004)}, {field::severity_id, Value::of_int(4)},
                    {field::khien_sector, Value::of_string("nang-luong")}, {field::finding_info_title, Value::of_string("ET EXPLOIT x")}});
  EXPECT_EQ(titles(hit), std::vector<std::string>{"High-Severity IDS Alert at a Critical-Sector Organisation"});
  auto low = event({{field::class_uid, Value::of_int(2004)}, {field::severity_id, Value::of_int(2)},
                    {field::khien_sector, Value::of_string("nang-luong")}});
  EXPECT_TRUE(titles(low).empty());
  auto no_sector = event({{field::class_uid, Value::of_int(2004)}, {field::severity_id, Value::of_int(5)}});
  EXPECT_TRUE(titles(no_sector).empty());
}

TEST_F(KhienRules, CrossSectorScanning) {
  CorrelationEngine engine(set());
  ASSERT_TRUE(engine.errors().empty()) << engine.errors()[0];
  std::vector<CorrelationHit> hits;
  auto scratch = set().make_scratch();
  const char* sectors[] = {"nang-luong", "ngan-hang", "nang-luong", "thong-tin"};
  for (int i = 0; i < 4; ++i) {
    auto e = event({{field::class_uid, Value::of_int(4001)}, {field::dst_endpoint_port, Value::of_int(3389)},
                    {field::src_endpoint_ip, Value::of_ip(*IpAddress::parse("198.51.100.7"))},
                    {field::khien_sector, Value::of_string(sectors[i])}});
    set().match(e, scratch, [&](std::size_t r) {
      EXPECT_FALSE(set().generates_alerts(r));
      engine.feed(r, e, i * 60 * kSec, hits);
    });
  }
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(set().correlations()[hits[0].correlation].title, "Cross-Sector Scanning From One Source");
  EXPECT_EQ(hits[0].group, "198.51.100.7");
}

TEST_F(KhienRules, BruteForceThenLogon) {
  CorrelationEngine engine(set());
  std::vector<CorrelationHit> hits;
  auto scratch = set().make_scratch();
  auto logon = [&](const char* status, TimeNs t) {
    auto e = event({{field::class_uid, Value::of_int(3002)}, {field::status, Value::of_string(status)},
                    {field::src_endpoint_ip, Value::of_ip(*IpAddress::parse("203.0.113.9"))}});
    set().match(e, scratch, [&](std::size_t r) { engine.feed(r, e, t, hits); });
  };
  for (int i = 0; i < 10; ++i) logon("Failure", i * kSec);
  ASSERT_EQ(hits.size(), 1u);  // the bruteforce count
  logon("Success", 600 * kSec);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(set().correlations()[hits[1].correlation].level, "critical");
}

}  // namespace
}  // namespace khien
