// Spool: ordering, durability, torn-tail recovery, segment rotation, idempotency answers.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ingest/spool.h"
#include "test_files.h"

namespace khien {

namespace {

std::vector<std::string> read_all(Spool& spool, std::uint64_t after = 0) {
  std::vector<std::string> out;
  std::vector<SpoolRecord> recs;
  std::string buf;
  for (;;) {
    auto n = spool.read(after, 1000, 1 << 20, recs, buf);
    EXPECT_TRUE(n.has_value());
    if (!n || *n == 0) break;
    for (const auto& r : recs) {
      if (r.source != SourceKind::Marker) out.emplace_back(r.payload);
      after = r.seq;
    }
  }
  return out;
}

}  // namespace

TEST(Spool, AppendsAndReadsInOrder) {
  test::ScratchDir scratch("spool-order");
  const std::filesystem::path& dir = scratch.path();
  auto spool = Spool::open(dir);
  ASSERT_TRUE(spool) << spool.error().message;
  std::vector<SpoolInput> in{{7, 1, SourceKind::Http, "one"}, {7, 1, SourceKind::Http, "two"}};
  auto seq = (*spool)->append(in, true);
  ASSERT_TRUE(seq);
  EXPECT_EQ(*seq, 2u);
  in = {{8, 2, SourceKind::SyslogTcp, "three"}};
  ASSERT_TRUE((*spool)->append(in, true));
  EXPECT_EQ(read_all(**spool), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(read_all(**spool, 2), (std::vector<std::string>{"three"}));
}

TEST(Spool, SurvivesReopenAndContinuesSequence) {
  test::ScratchDir scratch("spool-reopen");
  const std::filesystem::path& dir = scratch.path();
  {
    auto spool = Spool::open(dir);
    std::vector<SpoolInput> in{{1, 0, SourceKind::Http, "a"}, {1, 0, SourceKind::Http, "b"}};
    ASSERT_TRUE((*spool)->append(in, true));
  }
  auto spool = Spool::open(dir);
  ASSERT_TRUE(spool);
  EXPECT_EQ((*spool)->last_seq(), 2u);
  std::vector<SpoolInput> in{{1, 0, SourceKind::Http, "c"}};
  EXPECT_EQ(*(*spool)->append(in, true), 3u);
  EXPECT_EQ(read_all(**spool), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(Spool, CutsATornBatchAfterACrash) {
  test::ScratchDir scratch("spool-torn");
  const std::filesystem::path& dir = scratch.path();
  std::filesystem::path segment;
  {
    auto spool = Spool::open(dir);
    std::vector<SpoolInput> in{{1, 0, SourceKind::Http, "kept"}};
    ASSERT_TRUE((*spool)->append(in, true));
  }
  for (const auto& e : std::filesystem::directory_iterator(dir)) segment = e.path();
  auto good_size = std::filesystem::file_size(segment);
  {
    // A second batch of two records whose write was cut in the middle of the second record:
    // append a full batch, then chop bytes off its end.
    auto spool = Spool::open(dir);
    std::vector<SpoolInput> in{{1, 0, SourceKind::Http, "lost-1"}, {1, 0, SourceKind::Http, "lost-2"}};
    ASSERT_TRUE((*spool)->append(in, true));
  }
  std::filesystem::resize_file(segment, std::filesystem::file_size(segment) - 3);
  auto spool = Spool::open(dir);
  ASSERT_TRUE(spool);
  EXPECT_EQ(std::filesystem::file_size(segment), good_size) << "the whole torn batch is cut, not just its last record";
  EXPECT_EQ(read_all(**spool), (std::vector<std::string>{"kept"}));
  EXPECT_EQ((*spool)->last_seq(), 1u);
}

TEST(Spool, RejectsCorruptedRecords) {
  test::ScratchDir scratch("spool-corrupt");
  const std::filesystem::path& dir = scratch.path();
  std::filesystem::path segment;
  {
    auto spool = Spool::open(dir);
    std::vector<SpoolInput> in{{1, 0, SourceKind::Http, "first"}};
    ASSERT_TRUE((*spool)->append(in, true));
    in = {{1, 0, SourceKind::Http, "second"}};
    ASSERT_TRUE((*spool)->append(in, true));
  }
  for (const auto& e : std::filesystem::directory_iterator(dir)) segment = e.path();
  // Flip a payload byte of the last record: its CRC no longer matches.
  int fd = ::open(segment.c_str(), O_RDWR);
  auto size = std::filesystem::file_size(segment);
  char c = 'X';
  ASSERT_EQ(::pwrite(fd, &c, 1, static_cast<off_t>(size - 2)), 1);
  ::close(fd);
  auto spool = Spool::open(dir);
  ASSERT_TRUE(spool);
  EXPECT_EQ(read_all(**spool), (std::vector<std::string>{"first"}));
}

TEST(Spool, RotatesSegmentsAndReleasesConsumedOnes) {
  test::ScratchDir scratch("spool-rotate");
  const std::filesystem::path& dir = scratch.path();
  SpoolOptions opts;
  opts.segment_bytes = 4096;
  opts.retain_bytes = 0;
  auto spool = Spool::open(dir, opts);
  std::string payload(1000, 'x');
  for (int i = 0; i < 20; ++i) {
    std::vector<SpoolInput> in{{1, 0, SourceKind::Http, payload}};
    ASSERT_TRUE((*spool)->append(in, true));
  }
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.path().extension() == ".spool";
  EXPECT_GT(files, 3u);
  EXPECT_EQ(read_all(**spool).size(), 20u);
  (*spool)->release(20);
  std::size_t after = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) after += e.path().extension() == ".spool";
  EXPECT_EQ(after, 1u) << "consumed segments beyond the retention are deleted; the tail stays";
  EXPECT_EQ((*spool)->backlog(), 0u);
}

TEST(Spool, RemembersIdempotencyAnswersAcrossRestarts) {
  test::ScratchDir scratch("spool-idem");
  const std::filesystem::path& dir = scratch.path();
  {
    auto spool = Spool::open(dir);
    std::vector<SpoolInput> in{{1, 0, SourceKind::Http, "x"}};
    ASSERT_TRUE((*spool)->append(in, true, "batch-1", R"({"accepted":1})"));
    EXPECT_EQ((*spool)->answer_for("batch-1"), R"({"accepted":1})");
    EXPECT_FALSE((*spool)->answer_for("batch-2"));
  }
  auto spool = Spool::open(dir);
  EXPECT_EQ((*spool)->answer_for("batch-1"), R"({"accepted":1})");
  EXPECT_EQ(read_all(**spool), (std::vector<std::string>{"x"}));
}

// Records are read in blocks of 256 KiB: records larger than a block, records cut by a block's
// edge and by a segment's end come back whole, in order, whatever the read's record limit.
TEST(Spool, ReadsRecordsWholeAcrossBlockAndSegmentEdges) {
  test::ScratchDir scratch("spool-blocks");
  const std::filesystem::path& dir = scratch.path();
  SpoolOptions opts;
  opts.segment_bytes = 3u << 20;
  auto spool = Spool::open(dir, opts);
  ASSERT_TRUE(spool);
  const std::size_t sizes[] = {1, 700, 100 << 10, 300 << 10, (1 << 20) + 3, 37, 262'108, 262'144, 5'000, 2'000'000, 9};
  std::vector<std::string> written;
  for (int round = 0; round < 3; ++round)
    for (std::size_t i = 0; i < std::size(sizes); ++i) {
      std::string payload(sizes[i], static_cast<char>('a' + (written.size() % 26)));
      payload.front() = '<';
      payload.back() = '>';
      written.push_back(payload);
      std::vector<SpoolInput> in{{1, 0, SourceKind::Http, written.back()}};
      ASSERT_TRUE((*spool)->append(in, true));
    }
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.path().extension() == ".spool";
  EXPECT_GT(files, 2u) << "the records span several segments";
  for (std::size_t step : {1u, 4u, 1000u}) {
    std::vector<std::string> read;
    std::vector<SpoolRecord> recs;
    std::string buf;
    std::uint64_t after = 0;
    for (;;) {
      auto n = (*spool)->read(after, step, 64u << 20, recs, buf);
      ASSERT_TRUE(n) << n.error().message;
      if (*n == 0) break;
      EXPECT_LE(*n, step);
      for (const auto& r : recs) {
        EXPECT_EQ(r.seq, after + 1);
        after = r.seq;
        read.emplace_back(r.payload);
      }
    }
    ASSERT_EQ(read.size(), written.size()) << "reading " << step << " at a time";
    for (std::size_t i = 0; i < read.size(); ++i) EXPECT_TRUE(read[i] == written[i]) << "record " << i + 1 << ", " << step << " at a time";
  }
  // Recovery walks the same segments in blocks: after a torn batch at the end of the last one,
  // every committed record and the idempotency answer stored among them are found again.
  std::vector<SpoolInput> marked{{1, 0, SourceKind::Http, written.back()}};
  ASSERT_TRUE((*spool)->append(marked, true, "key-after-big-records", "answer"));
  written.push_back(written.back());
  spool->reset();
  std::filesystem::path last;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".spool" && (last.empty() || e.path() > last)) last = e.path();
  const auto committed = std::filesystem::file_size(last);
  {
    std::ofstream torn(last, std::ios::binary | std::ios::app);
    torn << std::string(300u << 10, 'T');  // a batch cut short: not a record
  }
  auto reopened = Spool::open(dir, opts);
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(std::filesystem::file_size(last), committed);
  EXPECT_EQ((*reopened)->last_seq(), written.size() + 1);  // and the marker
  EXPECT_EQ((*reopened)->answer_for("key-after-big-records"), "answer");
  EXPECT_TRUE(read_all(**reopened) == written);
}

TEST(Spool, ReadStopsAtTheRecordAndByteLimitsAndGoesOnFromThere) {
  test::ScratchDir scratch("spool-limits");
  const std::filesystem::path& dir = scratch.path();
  auto spool = Spool::open(dir);
  ASSERT_TRUE(spool);
  std::vector<std::string> payloads;
  for (int i = 0; i < 100; ++i) payloads.push_back(std::to_string(i) + std::string(1021, '.'));
  std::vector<SpoolInput> in;
  for (const auto& p : payloads) in.push_back({1, 0, SourceKind::Http, p});
  ASSERT_TRUE((*spool)->append(in, true));
  std::vector<SpoolRecord> recs;
  std::string buf;
  auto n = (*spool)->read(0, 10, 64u << 20, recs, buf);
  ASSERT_TRUE(n);
  ASSERT_EQ(*n, 10u);
  EXPECT_EQ(recs.back().seq, 10u);
  // About 2,500 bytes: records are taken while fewer have been read, so three of ~1 KiB.
  n = (*spool)->read(10, 1000, 2500, recs, buf);
  ASSERT_TRUE(n);
  ASSERT_EQ(*n, 3u);
  EXPECT_EQ(recs.front().payload, payloads[10]);
  EXPECT_EQ(recs.back().payload, payloads[12]);
  // A reader that goes back (a restarted pipeline) is positioned again.
  n = (*spool)->read(49, 1, 64u << 20, recs, buf);
  ASSERT_TRUE(n);
  ASSERT_EQ(*n, 1u);
  EXPECT_EQ(recs.front().payload, payloads[49]);
  n = (*spool)->read(50, 1000, 64u << 20, recs, buf);
  ASSERT_TRUE(n);
  ASSERT_EQ(*n, 50u);
  EXPECT_EQ(recs.back().payload, payloads[99]);
  n = (*spool)->read(100, 1000, 64u << 20, recs, buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0u);
}

}  // namespace khien
