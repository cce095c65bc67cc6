// Sigma in `serve`: a published rule set reaches a detector that is matching on another thread,
// a broken rule file is reported while the rest load, a failed reload keeps the old set, and
// correlation rules fire from live detector input.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/sigma_detector.h"
#include "app/sigma_rules_service.h"
#include "core/schema.h"
#include "test_files.h"

namespace khien {
namespace {

namespace fs = std::filesystem;
constexpr TimeNs kSec = 1000000000LL;
constexpr TimeNs kBase = 1'780'000'000LL * kSec;

const char* const kPortRule =
    "title: Port 31337\nid: test-port\nname: test_port\nlogsource: {product: khien, category: network}\n"
    "detection:\n  sel:\n    dst_endpoint.port: 31337\n  condition: sel\nlevel: high\ntags: [attack.t1571]\n";
const char* const kOtherRule =
    "title: Port 1\nid: test-other\nlogsource: {product: khien, category: network}\n"
    "detection:\n  sel:\n    dst_endpoint.port: 1\n  condition: sel\nlevel: low\n";
const char* const kBurst =
    "title: Burst\nid: test-burst\ncorrelation:\n  type: event_count\n  rules: [test_port]\n  group-by: [src_endpoint.ip]\n"
    "  timespan: 1m\n  condition: {gte: 3}\nlevel: critical\n";

std::shared_ptr<const RuleSet> compile_text(const std::string& text) {
  FieldPipeline pipeline;
  for (const auto& [name, body] : embedded_pipeline_files()) EXPECT_TRUE(pipeline.load_text(body, name));
  std::vector<SigmaRule> rules;
  std::vector<SigmaLoadError> errors;
  parse_sigma_text(text, "test.yml", rules, errors);
  for (const auto& e : errors) ADD_FAILURE() << e.line << ": " << e.reason;
  auto set = compile_rules(std::move(rules), pipeline);
  EXPECT_TRUE(set);
  return std::make_shared<const RuleSet>(std::move(*set));
}

struct Events {
  Arena arena;
  Event make(std::string_view src, std::int64_t port, TimeNs time) {
    Event e(arena);
    e.set_int(field::class_uid, 4001);
    e.set_ip(field::src_endpoint_ip, *IpAddress::parse(src));
    e.set_int(field::dst_endpoint_port, port);
    e.set_time(field::time, time);
    return e;
  }
};

std::size_t count_kind(const std::vector<Alert>& alerts, std::string_view kind) {
  std::size_t n = 0;
  for (const auto& a : alerts) n += a.kind == kind;
  return n;
}

TEST(SigmaReload, PublishedSetReachesADetectorWhileItMatches) {
  SigmaRulesHolder holder(std::make_shared<SigmaGeneration>(compile_text(kOtherRule), 1));
  SigmaDetector detector(holder);
  Events ev;
  const Event event = ev.make("198.51.100.1", 31337, kBase);
  std::atomic<bool> published{false}, done{false};
  std::atomic<std::size_t> before = 0, after = 0;
  std::thread worker([&] {
    std::vector<Alert> out;
    // Keeps matching across the swap; stops a bounded number of events after it.
    for (std::size_t i = 0; i < 5'000'000 && !done; ++i) {
      out.clear();
      detector.detect(event, out);
      // Read after the match: a flag still down then means the set was not yet published when the
      // match ran (read before it, the publish could land between the read and the match).
      const bool was_published = published.load();
      (was_published ? after : before) += count_kind(out, "sigma");
      if (was_published && after > 0) done = true;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  // The flag goes up first: an event counted under `before` surely ran on the first set.
  auto next = compile_text(kPortRule);
  published = true;
  holder.publish(std::move(next));
  worker.join();
  EXPECT_EQ(before.load(), 0u) << "the first set has no rule for port 31337";
  EXPECT_GE(after.load(), 1u) << "the detector never picked up the published set";
  EXPECT_EQ(detector.version(), 2u);
  EXPECT_EQ(holder.version(), 2u);
}

struct TempDir {
  test::ScratchDir scratch{"sigma-reload-" + std::to_string(reinterpret_cast<std::uintptr_t>(this))};
  fs::path path = scratch.path();
  void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
};

TEST(SigmaReload, BrokenFileReportedWhileTheRestLoad) {
  TempDir dir;
  dir.write("good.yml", kPortRule);
  dir.write("broken.yml", "title: broken\nlogsource: {product: khien}\ndetection:\n  sel:\n    x|nosuchmodifier: 1\n  condition: sel\n");
  auto service = SigmaRulesService::open({dir.path.string(), 0, {}});
  ASSERT_TRUE(service) << service.error().message;
  const SigmaRulesStatus s = (*service)->status();
  EXPECT_EQ(s.version, 1u);
  ASSERT_EQ(s.failures.size(), 1u);
  EXPECT_NE(s.failures[0].file.find("broken.yml"), std::string::npos);
  EXPECT_EQ(s.failures[0].line, 5);
  EXPECT_NE(s.failures[0].reason.find("nosuchmodifier"), std::string::npos);
  const auto g = (*service)->holder().get();
  EXPECT_NE(g->rules->find_rule("test-port"), static_cast<std::size_t>(-1));
  EXPECT_GT(s.rules, 1u);  // the shipped rules and the good file
}

TEST(SigmaReload, DirectoryChangeIsPickedUpAndAFailedReloadKeepsTheSet) {
  TempDir dir;
  dir.write("other.yml", kOtherRule);
  auto opened = SigmaRulesService::open({dir.path.string(), 0, {}});
  ASSERT_TRUE(opened) << opened.error().message;
  auto& service = **opened;
  EXPECT_FALSE(service.reload_if_changed());
  dir.write("port.yml", kPortRule);
  EXPECT_TRUE(service.reload_if_changed());
  EXPECT_EQ(service.status().version, 2u);
  EXPECT_NE(service.holder().get()->rules->find_rule("test-port"), static_cast<std::size_t>(-1));
  EXPECT_FALSE(service.reload_if_changed());

  // The detector made before the change runs the new set.
  auto detector = service.make_detector();
  Events ev;
  std::vector<Alert> out;
  detector->detect(ev.make("198.51.100.1", 31337, kBase), out);
  EXPECT_EQ(count_kind(out, "sigma"), 1u);

  std::error_code ec;
  fs::rename(dir.path, dir.path.string() + ".gone", ec);
  ASSERT_FALSE(ec);
  const SigmaRulesStatus s = service.reload();
  fs::rename(dir.path.string() + ".gone", dir.path, ec);
  EXPECT_FALSE(s.last_ok);
  EXPECT_NE(s.last_error.find("missing"), std::string::npos);
  EXPECT_EQ(s.version, 2u);
  EXPECT_EQ(s.failed_reloads, 1u);
  EXPECT_NE(service.holder().get()->rules->find_rule("test-port"), static_cast<std::size_t>(-1));
}

TEST(SigmaReload, WatcherThreadReloads) {
  TempDir dir;
  auto opened = SigmaRulesService::open({dir.path.string(), 1, {}});
  ASSERT_TRUE(opened) << opened.error().message;
  auto& service = **opened;
  service.start();
  dir.write("port.yml", kPortRule);
  for (int i = 0; i < 50 && service.status().version < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  service.stop();
  EXPECT_EQ(service.status().version, 2u);
}

TEST(SigmaLiveCorrelation, EventCountFiresOnceFromDetectorInput) {
  auto rules = compile_text(std::string(kPortRule) + "---\n" + kBurst);
  ASSERT_EQ(rules->correlations().size(), 1u);
  SigmaDetector detector(rules);
  Events ev;
  std::vector<Alert> out;
  detector.detect(ev.make("198.51.100.1", 31337, kBase), out);
  detector.detect(ev.make("198.51.100.1", 31337, kBase + 20 * kSec), out);
  EXPECT_EQ(count_kind(out, "sigma-correlation"), 0u) << "two events are not three";
  // The base rule is referenced without `generate: true`: its hits feed the correlation only.
  EXPECT_EQ(count_kind(out, "sigma"), 0u);
  detector.detect(ev.make("198.51.100.1", 31337, kBase + 40 * kSec), out);
  ASSERT_EQ(count_kind(out, "sigma-correlation"), 1u);
  const Alert& a = out.back();
  EXPECT_EQ(a.rule_id, "test-burst");
  EXPECT_EQ(a.title, "Burst");
  EXPECT_EQ(a.level, "critical");
  EXPECT_EQ(a.severity_id, 5);
  EXPECT_EQ(a.matched, "198.51.100.1");
  EXPECT_EQ(a.matched_field, "src_endpoint.ip");
  // A fourth event right after does not fire again (the window restarted at the hit).
  detector.detect(ev.make("198.51.100.1", 31337, kBase + 41 * kSec), out);
  EXPECT_EQ(count_kind(out, "sigma-correlation"), 1u);
}

TEST(SigmaLiveCorrelation, NoHitOutsideTheWindowOrAcrossGroups) {
  auto rules = compile_text(std::string(kPortRule) + "---\n" + kBurst);
  SigmaDetector detector(rules);
  Events ev;
  std::vector<Alert> out;
  // Three events spread over more than a minute.
  detector.detect(ev.make("198.51.100.2", 31337, kBase), out);
  detector.detect(ev.make("198.51.100.2", 31337, kBase + 35 * kSec), out);
  detector.detect(ev.make("198.51.100.2", 31337, kBase + 71 * kSec), out);
  EXPECT_EQ(count_kind(out, "sigma-correlation"), 0u);
  // Three events within a minute from three sources.
  detector.detect(ev.make("198.51.100.3", 31337, kBase + 80 * kSec), out);
  detector.detect(ev.make("198.51.100.4", 31337, kBase + 81 * kSec), out);
  detector.detect(ev.make("198.51.100.5", 31337, kBase + 82 * kSec), out);
  EXPECT_EQ(count_kind(out, "sigma-correlation"), 0u);
  // Events the base rule does not match never count.
  for (int i = 0; i < 5; ++i) detector.detect(ev.make("198.51.100.6", 80, kBase + (90 + i) * kSec), out);
  EXPECT_EQ(count_kind(out, "sigma-correlation"), 0u);
}

TEST(SigmaLiveCorrelation, DetectorsOfOneGenerationShareTheState) {
  // Two workers' detectors on one holder: hits seen by either count for the same group.
  SigmaRulesHolder holder(std::make_shared<SigmaGeneration>(compile_text(std::string(kPortRule) + "---\n" + kBurst), 1));
  SigmaDetector a(holder), b(holder);
  Events ev;
  std::vector<Alert> out;
  a.detect(ev.make("198.51.100.7", 31337, kBase), out);
  b.detect(ev.make("198.51.100.7", 31337, kBase + kSec), out);
  a.detect(ev.make("198.51.100.7", 31337, kBase + 2 * kSec), out);
  EXPECT_EQ(count_kind(out, "sigma-correlation"), 1u);
}

// The pipeline's way: begin_batch() matches the batch at once, then detect() on each event. The
// alerts are those of events detected one at a time, correlations included, and a set published
// in the middle of a batch applies from the next batch on.
std::vector<std::string> alert_names(const std::vector<Alert>& alerts) {
  std::vector<std::string> names;
  for (const auto& a : alerts) names.push_back(a.kind + ":" + a.rule_id);
  return names;
}

TEST(SigmaBatch, BatchRaisesWhatSingleEventsRaise) {
  // The burst rule with `generate: true`: the port rule's hits are alerts of their own too.
  std::string burst = kBurst;
  burst.insert(burst.find("  timespan:"), "  generate: true\n");
  const std::string text = std::string(kPortRule) + "---\n" + kOtherRule + "---\n" + burst;
  SigmaDetector batched(compile_text(text)), single(compile_text(text));
  Events ev;
  // More events than the detector matches in one slice (128), so slices meet inside the batch.
  std::vector<Event> events;
  const std::int64_t ports[] = {31337, 1, 31337, 80, 31337, 1};
  for (std::size_t i = 0; i < 300; ++i) events.push_back(ev.make("198.51.100.9", ports[i % 6], kBase + static_cast<TimeNs>(i) * kSec));
  std::vector<const Event*> batch;
  for (const auto& e : events) batch.push_back(&e);
  batched.begin_batch(batch);
  std::vector<std::vector<std::string>> got, want;
  for (const auto& e : events) {
    std::vector<Alert> a, b;
    batched.detect(e, a);
    single.detect(e, b);
    got.push_back(alert_names(a));
    want.push_back(alert_names(b));
  }
  EXPECT_EQ(got, want);
  ASSERT_EQ(got.size(), 300u);
  got.resize(6);
  const std::vector<std::vector<std::string>> expected = {
      {"sigma:test-port"}, {"sigma:test-other"}, {"sigma:test-port"}, {}, {"sigma:test-port", "sigma-correlation:test-burst"},
      {"sigma:test-other"}};
  EXPECT_EQ(got, expected);
  // An event outside the batch is matched alone.
  std::vector<Alert> out;
  batched.detect(ev.make("198.51.100.10", 1, kBase + 10 * kSec), out);
  EXPECT_EQ(alert_names(out), std::vector<std::string>{"sigma:test-other"});
}

TEST(SigmaBatch, PublishedSetAppliesFromTheNextBatch) {
  SigmaRulesHolder holder(std::make_shared<SigmaGeneration>(compile_text(kOtherRule), 1));
  SigmaDetector detector(holder);
  Events ev;
  const Event first = ev.make("198.51.100.11", 31337, kBase), second = ev.make("198.51.100.11", 1, kBase + kSec);
  const std::vector<const Event*> batch = {&first, &second};
  detector.begin_batch(batch);
  holder.publish(compile_text(kPortRule));
  std::vector<Alert> out;
  detector.detect(first, out);
  detector.detect(second, out);
  EXPECT_EQ(alert_names(out), std::vector<std::string>{"sigma:test-other"}) << "the batch ran on the set it began with";
  out.clear();
  detector.begin_batch(batch);
  detector.detect(first, out);
  detector.detect(second, out);
  EXPECT_EQ(alert_names(out), std::vector<std::string>{"sigma:test-port"});
  EXPECT_EQ(detector.version(), 2u);
}

}  // namespace
}  // namespace khien
