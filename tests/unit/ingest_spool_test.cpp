// Spool: ordering, durability, torn-tail recovery, segment rotation, idempotency answers.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "ingest/spool.h"

namespace khien {

namespace {

std::filesystem::path fresh_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("khien-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

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
  auto dir = fresh_dir("order");
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
  std::filesystem::remove_all(dir);
}

TEST(Spool, SurvivesReopenAndContinuesSequence) {
  auto dir = fresh_dir("reopen");
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
  std::filesystem::remove_all(dir);
}

TEST(Spool, CutsATornBatchAfterACrash) {
  auto dir = fresh_dir("torn");
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
  std::filesystem::remove_all(dir);
}

TEST(Spool, RejectsCorruptedRecords) {
  auto dir = fresh_dir("corrupt");
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
  std::filesystem::remove_all(dir);
}

TEST(Spool, RotatesSegmentsAndReleasesConsumedOnes) {
  auto dir = fresh_dir("rotate");
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
  std::filesystem::remove_all(dir);
}

TEST(Spool, RemembersIdempotencyAnswersAcrossRestarts) {
  auto dir = fresh_dir("idem");
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
  std::filesystem::remove_all(dir);
}

}  // namespace khien
