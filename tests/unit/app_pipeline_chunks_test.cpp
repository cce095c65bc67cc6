// The pipeline decodes a batch in chunks (arena reset between them): every record of a batch
// larger than a chunk reaches the detectors once, in order, and is archived under its own seq.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/bench_command.h"
#include "app/pipeline.h"
#include "app/registry_import.h"
#include "core/field_dictionary.h"
#include "test_files.h"

namespace khien {
namespace {

// Remembers each batch it is given and raises one alert per event, naming the event's seq, after
// checking the event is one of the batch it was announced in.
class RecordingDetector : public Detector {
 public:
  std::string_view name() const override { return "recording"; }
  void begin_batch(std::span<const Event* const> events) override {
    batch_.assign(events.begin(), events.end());
    batch_sizes.push_back(events.size());
  }
  void detect(const Event& event, std::vector<Alert>& out) override {
    bool announced = false;
    for (const Event* e : batch_) announced |= e == &event;
    const Value* seq = event.get(field::khien_seq);
    Alert a;
    a.kind = "test";
    a.rule_id = announced ? "announced" : "unannounced";
    a.matched = seq ? std::to_string(seq->i) : "none";
    out.push_back(std::move(a));
  }
  std::vector<std::size_t> batch_sizes;

 private:
  std::vector<const Event*> batch_;
};

// A data directory with the shipped registry, a spool and an archive, for one pipeline.
struct PipelineParts {
  test::ScratchDir scratch;
  std::unique_ptr<StateStore> store;
  std::unique_ptr<Spool> spool;
  std::unique_ptr<ArchiveWriter> archive;
  std::unique_ptr<ConstituencyHolder> holder;
  SocRow soc;
  explicit PipelineParts(const std::string& name) : scratch(name) {
    const std::filesystem::path& dir = scratch.path();
    store = std::move(StateStore::open(dir / "state.db").value());
    EXPECT_TRUE(import_registry(*store, ""));
    soc = store->socs().front();
    spool = std::move(Spool::open(dir / "spool").value());
    archive = std::move(ArchiveWriter::open(dir / "archive").value());
    holder = std::make_unique<ConstituencyHolder>(*store);
  }
  // Spools lines [from, to) of `lines` from the SOC, line i in the format the bench wrote it in
  // (bench_lines below).
  void append(const std::vector<std::string>& lines, std::size_t from, std::size_t to) {
    std::vector<SpoolInput> batch;
    for (std::size_t i = from; i < to; ++i)
      batch.push_back(SpoolInput{static_cast<std::uint32_t>(soc.row_id), static_cast<std::uint8_t>(format_code(format_of(i))),
                                 SourceKind::Http, lines[i]});
    EXPECT_TRUE(spool->append(batch, true));
  }
  // EVE and ECS records in turn, or EVE only.
  bool mixed = true;
  std::string_view format_of(std::size_t i) const { return mixed && i % 2 ? "ecs" : "eve"; }
  std::vector<std::string> bench_lines(std::size_t n) const {
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < n; ++i) lines.push_back(bench_event_line(std::string(format_of(i)), i));
    return lines;
  }
};

TEST(PipelineChunks, BatchLargerThanAChunkIsDetectedAndArchivedInOrder) {
  PipelineParts parts("pipeline-chunks");
  auto& archive = parts.archive;
  constexpr std::size_t kRecords = 2500;  // two full chunks of 1024 and a partial one, one batch
  const std::vector<std::string> lines = parts.bench_lines(kRecords);
  parts.append(lines, 0, kRecords);

  std::vector<Alert> alerts;
  {
    Pipeline pipeline(*parts.spool, *archive, *parts.holder);
    auto detector = std::make_unique<RecordingDetector>();
    RecordingDetector* recording = detector.get();
    pipeline.add_detector(std::move(detector));
    pipeline.set_alert_hook([&](const std::vector<Alert>& a) { alerts.insert(alerts.end(), a.begin(), a.end()); });
    ASSERT_TRUE(pipeline.drain());
    EXPECT_EQ(pipeline.processed_seq(), kRecords);
    EXPECT_EQ(recording->batch_sizes, (std::vector<std::size_t>{1024, 1024, 452}));
  }
  EXPECT_EQ(archive->committed_seq(), kRecords);
  ASSERT_EQ(alerts.size(), kRecords);
  for (std::size_t i = 0; i < kRecords; ++i) {
    EXPECT_EQ(alerts[i].rule_id, "announced") << i;
    EXPECT_EQ(alerts[i].matched, std::to_string(i + 1)) << i;
    EXPECT_EQ(alerts[i].event_seq, i + 1) << i;
    // The archived line is the event's own.
    EXPECT_NE(alerts[i].event_json.find("\"khien.seq\":" + std::to_string(i + 1) + ","), std::string::npos) << i;
  }
}

// Records archived between syncs hold the spool (and count as backlog) until they are on disk;
// once the stream stops, the idle pipeline syncs them after the interval and releases the spool,
// so no backlog is left standing while nothing arrives.
TEST(PipelineSync, AnIdlePipelineSyncsAndReleasesWhatItArchived) {
  PipelineParts parts("pipeline-idle-sync");
  parts.mixed = false;
  auto& spool = parts.spool;
  const std::vector<std::string> lines = parts.bench_lines(20);
  PipelineOptions options;
  options.sync_interval_ns = 300'000'000;
  Pipeline pipeline(*spool, *parts.archive, *parts.holder, options);
  parts.append(lines, 0, 10);
  ASSERT_EQ(pipeline.run_once().value_or(0), 10u);  // the first commit syncs
  EXPECT_EQ(spool->backlog(), 0u);
  parts.append(lines, 10, 20);
  ASSERT_EQ(pipeline.run_once().value_or(0), 10u);  // within the interval: archived, not yet synced
  EXPECT_EQ(spool->backlog(), 10u);
  ASSERT_EQ(pipeline.run_once().value_or(1), 0u);   // idle, interval not over: nothing changes
  EXPECT_EQ(spool->backlog(), 10u);
  ::usleep(350'000);
  ASSERT_EQ(pipeline.run_once().value_or(1), 0u);   // idle past the interval: synced and released
  EXPECT_EQ(spool->backlog(), 0u);
  EXPECT_EQ(parts.archive->committed_seq(), 20u);
}

}  // namespace
}  // namespace khien
