// Archive: commit, crash recovery against the journal, search filters, paging with cursors.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "store/archive_search.h"
#include "store/archive_writer.h"
#include "test_files.h"

namespace khien {

namespace {

std::string event(int i, const std::string& org, const std::string& ip) {
  return fmt::format(R"({{"time":"2026-11-22T10:00:{:02}.000000Z","src_endpoint.ip":"{}","class_uid":{},"khien.org":"{}","khien.sector":"nang-luong","khien.seq":{},"raw":{{"alert":{{"signature":"ET SCAN {}"}}}}}})",
                     i % 60, ip, i % 2 ? 4001 : 4003, org, i, i % 3 ? "Nmap" : "Masscan");
}

// Writes events 1 .. commits.back() of soc-a, one a second from `base`, committing a frame after
// each event numbered in `commits`.
void write_soc_a(const std::filesystem::path& dir, TimeNs base, std::initializer_list<int> commits) {
  auto w = ArchiveWriter::open(dir);
  ASSERT_TRUE(w) << w.error().message;
  auto next_commit = commits.begin();
  for (int i = 1; next_commit != commits.end(); ++i) {
    (*w)->add("soc-a", base + i * 1'000'000'000LL, static_cast<std::uint64_t>(i), event(i, "org-a", "10.0.0.1"));
    if (i == *next_commit) {
      ASSERT_TRUE((*w)->commit(static_cast<std::uint64_t>(i), base, false));
      ++next_commit;
    }
  }
}

}  // namespace

TEST(Archive, WritesSearchesAndPagesNewestFirst) {
  test::ScratchDir scratch("archive");
  const std::filesystem::path& dir = scratch.path();
  {
    auto w = ArchiveWriter::open(dir);
    ASSERT_TRUE(w) << w.error().message;
    TimeNs base = *parse_iso8601("2026-11-22T10:00:00Z");
    for (int i = 1; i <= 30; ++i) {
      (*w)->add(i % 2 ? "soc-a" : "soc-b", base + i * 1'000'000'000LL, static_cast<std::uint64_t>(i), event(i, i % 2 ? "org-a" : "org-b", fmt::format("10.0.0.{}", i)));
      if (i % 10 == 0) {
        ASSERT_TRUE((*w)->commit(static_cast<std::uint64_t>(i), base, false));
      }
    }
    EXPECT_EQ((*w)->committed_seq(), 30u);
  }
  SearchRequest all;
  all.limit = 1000;
  auto r = search_archive(dir, all);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->total, 30u);
  ASSERT_EQ(r->events.size(), 30u);
  EXPECT_NE(r->events.front().find("\"khien.seq\":30"), std::string::npos) << "newest first";

  SearchRequest q;
  q.query = "src_endpoint.ip:10.0.0.0/24 AND class_uid:4001 AND NOT alert.signature:*masscan*";
  q.limit = 1000;
  r = search_archive(dir, q);
  ASSERT_TRUE(r);
  // Odd i (class 4001) whose i % 3 != 0 (Nmap): 1,5,7,11,13,17,19,23,25,29 = 10.
  EXPECT_EQ(r->total, 10u);

  SearchRequest org;
  org.orgs = {"org-b"};
  org.limit = 4;
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    org.cursor = cursor;
    auto page = search_archive(dir, org);
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_EQ(page->total, 15u);
    for (const auto& e : page->events) EXPECT_TRUE(seen.insert(e).second) << "no event twice across pages";
    cursor = page->next_cursor;
    ++pages;
  } while (!cursor.empty() && pages < 20);
  EXPECT_EQ(seen.size(), 15u);
  EXPECT_EQ(pages, 4);

  SearchRequest socs;
  socs.socs = {"soc-a"};
  socs.since = *parse_iso8601("2026-11-22T10:00:20Z");
  r = search_archive(dir, socs);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->total, 5u);  // odd i from 21..29

  SearchRequest bad;
  bad.query = "(class_uid:1";
  EXPECT_FALSE(search_archive(dir, bad));
  bad.query = "";
  bad.cursor = "garbage";
  EXPECT_FALSE(search_archive(dir, bad));
}

// Pages of every size, with no filter (whole frames skipped unread once a page is full), with a
// time filter and with a query: every event exactly once, newest first, and a cursor whenever
// events remain, including when a page ends on a frame's last line.
TEST(Archive, EveryPageSizeWalksEveryEventOnce) {
  test::ScratchDir scratch("archive-pages");
  const std::filesystem::path& dir = scratch.path();
  const TimeNs base = *parse_iso8601("2026-11-22T10:00:00Z");
  // Frames of 5, 5, 1, 7, 2 lines.
  write_soc_a(dir, base, {5, 10, 11, 18, 20});
  auto walk = [&](SearchRequest req, std::size_t expected) {
    std::vector<std::string> seen;
    std::string cursor;
    for (int pages = 0; pages < 100; ++pages) {
      req.cursor = cursor;
      auto page = search_archive(dir, req);
      EXPECT_TRUE(page) << page.error().message;
      if (!page) return;
      EXPECT_LE(page->events.size(), req.limit);
      for (const auto& e : page->events) seen.push_back(e);
      cursor = page->next_cursor;
      if (cursor.empty()) break;
      EXPECT_FALSE(page->events.empty()) << "a cursor after an empty page";
    }
    std::vector<std::string> unique(seen);
    std::sort(unique.begin(), unique.end());
    EXPECT_EQ(std::unique(unique.begin(), unique.end()), unique.end()) << "an event twice, limit " << req.limit;
    EXPECT_EQ(seen.size(), expected) << "limit " << req.limit << ", query '" << req.query << "'";
  };
  for (std::size_t limit = 1; limit <= 21; ++limit) {
    SearchRequest all;
    all.limit = limit;
    walk(all, 20);
    SearchRequest since;
    since.limit = limit;
    since.since = base + 6 * 1'000'000'000LL;  // from i = 6: the first two frames partly or not at all
    walk(since, 15);
    SearchRequest query;
    query.limit = limit;
    query.query = "class_uid:4001";  // odd i
    walk(query, 10);
  }
}

// A search that runs out of time answers with what it found, marked partial, and a cursor from
// which the next request goes on: nothing is skipped and nothing shown twice.
TEST(Archive, ASearchOutOfTimeGoesOnFromItsCursor) {
  test::ScratchDir scratch("archive-deadline");
  const std::filesystem::path& dir = scratch.path();
  const TimeNs base = *parse_iso8601("2026-11-22T10:00:00Z");
  write_soc_a(dir, base, {4, 8, 12});
  SearchRequest late;
  late.limit = 5;
  late.deadline = 0;  // long past
  auto r = search_archive(dir, late);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->partial);
  EXPECT_FALSE(r->total_is_exact);
  EXPECT_TRUE(r->events.empty());
  ASSERT_FALSE(r->next_cursor.empty());
  // A first page in time, then a request past its deadline: it hands back the cursor it was given.
  SearchRequest page;
  page.limit = 5;
  auto first = search_archive(dir, page);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->events.size(), 5u);
  late.cursor = first->next_cursor;
  r = search_archive(dir, late);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->partial);
  EXPECT_EQ(r->next_cursor, first->next_cursor);
  // From the cursor of the first, out-of-time answer, in time: every event once.
  std::vector<std::string> seen;
  SearchRequest out_of_time;
  out_of_time.limit = 5;
  out_of_time.deadline = 0;
  page.cursor = search_archive(dir, out_of_time)->next_cursor;
  for (int pages = 0; pages < 10; ++pages) {
    auto p = search_archive(dir, page);
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->partial);
    seen.insert(seen.end(), p->events.begin(), p->events.end());
    if (p->next_cursor.empty()) break;
    page.cursor = p->next_cursor;
  }
  EXPECT_EQ(seen.size(), 12u);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
}

// Lines come in runs from one SOC and in alternation; the writer remembers the last SOC's frame,
// and each line must still land in its own SOC's frame, in order, across commits.
TEST(Archive, LinesInRunsAndAlternationLandInTheirSocsFrames) {
  test::ScratchDir scratch("archive-runs");
  const std::filesystem::path& dir = scratch.path();
  const TimeNs base = *parse_iso8601("2026-11-22T10:00:00Z");
  const char* socs[] = {"soc-a", "soc-b", "soc-c"};
  std::map<std::string, std::vector<std::string>> expected;
  {
    auto w = ArchiveWriter::open(dir);
    ASSERT_TRUE(w) << w.error().message;
    for (int i = 1; i <= 60; ++i) {
      // Runs of 1 to 4 lines from one SOC, then another.
      const std::string soc = socs[(i / 4 + (i % 7 == 0)) % 3];
      const std::string line = event(i, soc, "10.0.0.1");
      (*w)->add(soc, base + i * 1'000'000'000LL, static_cast<std::uint64_t>(i), line);
      expected[soc].insert(expected[soc].begin(), line);  // search answers newest first
      if (i % 25 == 0) {
        ASSERT_TRUE((*w)->commit(static_cast<std::uint64_t>(i), base, false));
      }
    }
    ASSERT_TRUE((*w)->commit(60, base, false));
  }
  for (const char* soc : socs) {
    SearchRequest one;
    one.socs = {soc};
    one.limit = 1000;
    auto r = search_archive(dir, one);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->events, expected[soc]) << soc;
  }
}

TEST(Archive, RecoveryCutsFramesTheJournalDoesNotList) {
  test::ScratchDir scratch("archive-recover");
  const std::filesystem::path& dir = scratch.path();
  TimeNs now = *parse_iso8601("2026-11-22T10:00:00Z");
  {
    auto w = ArchiveWriter::open(dir);
    (*w)->add("soc-a", now, 1, event(1, "org-a", "10.0.0.1"));
    ASSERT_TRUE((*w)->commit(1, now, true));
    (*w)->add("soc-a", now, 2, event(2, "org-a", "10.0.0.2"));
    ASSERT_TRUE((*w)->commit(2, now, true));
  }
  // Simulate a crash after the second frame was written but before its journal line: drop the line.
  auto hour = dir / "2026112210";
  auto journal = hour / "journal.ndjson";
  std::ifstream in(journal);
  std::string first;
  std::getline(in, first);
  in.close();
  std::ofstream(journal, std::ios::trunc) << first << "\n" << R"({"seq":2,"fra)";
  auto w = ArchiveWriter::open(dir);
  ASSERT_TRUE(w);
  EXPECT_EQ((*w)->committed_seq(), 1u);
  SearchRequest all;
  auto r = search_archive(dir, all);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->total, 1u);
  // Writing resumes cleanly after the cut.
  (*w)->add("soc-a", now, 2, event(2, "org-a", "10.0.0.2"));
  ASSERT_TRUE((*w)->commit(2, now, true));
  r = search_archive(dir, all);
  EXPECT_EQ(r->total, 2u);
}

TEST(Archive, SegmentsAreStandardZstdStreams) {
  test::ScratchDir scratch("archive-zstd");
  const std::filesystem::path& dir = scratch.path();
  TimeNs now = *parse_iso8601("2026-11-22T10:00:00Z");
  {
    auto w = ArchiveWriter::open(dir);
    (*w)->add("soc-x", now, 1, event(1, "org-a", "10.0.0.1"));
    ASSERT_TRUE((*w)->commit(1, now, true));
    (*w)->add("soc-x", now, 2, event(2, "org-a", "10.0.0.2"));
    ASSERT_TRUE((*w)->commit(2, now, true));
  }
  std::string cmd = "zstd -dc " + (dir / "2026112210" / "soc-x.ndjson.zst").string() + " | wc -l";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[64] = {};
  ASSERT_NE(std::fgets(buf, sizeof(buf), p), nullptr);
  ::pclose(p);
  EXPECT_EQ(std::atoi(buf), 2) << "the zstd command-line tool reads a segment whole";
}

}  // namespace khien

namespace khien {

TEST(Archive, RecoveryDropsJournalLinesWhoseFramesAreMissing) {
  // Power loss can persist the journal line but not the frame it lists.
  test::ScratchDir scratch("archive-power");
  const std::filesystem::path& dir = scratch.path();
  TimeNs now = *parse_iso8601("2026-11-22T10:00:00Z");
  {
    auto w = ArchiveWriter::open(dir);
    (*w)->add("soc-a", now, 1, R"({"n":1})");
    ASSERT_TRUE((*w)->commit(1, now, true));
    (*w)->add("soc-a", now, 2, R"({"n":2})");
    ASSERT_TRUE((*w)->commit(2, now, true));
  }
  auto segment = dir / "2026112210" / "soc-a.ndjson.zst";
  std::filesystem::resize_file(segment, std::filesystem::file_size(segment) - 5);
  auto w = ArchiveWriter::open(dir);
  ASSERT_TRUE(w);
  EXPECT_EQ((*w)->committed_seq(), 1u) << "the pipeline will archive record 2 again from the spool";
  SearchRequest all;
  auto r = search_archive(dir, all);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->total, 1u);
}

}  // namespace khien
