// StixStore: versions keyed by (collection, id, version), added ordering, TAXII filters and
// cursors, deletes, active indicators, TAXII metadata, all-or-nothing inserts, several writers on
// one database.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <set>
#include <thread>

#include "store/stix_store.h"
#include "test_files.h"

namespace khien {
namespace {

namespace fs = std::filesystem;

class StixStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = StixStore::open(dir_ / "state.db");
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
  }
  static StixRecord record(std::string id, std::int64_t version, std::string spec = "2.1", std::int64_t added = 0) {
    StixRecord r;
    r.collection = "c1";
    r.id = std::move(id);
    r.type = r.id.substr(0, r.id.find("--"));
    r.spec_version = std::move(spec);
    r.version_us = version;
    r.modified = std::to_string(version);
    r.added_us = added;
    r.tlp = "green";
    r.json = "{\"id\":\"" + r.id + "\"}";
    return r;
  }
  std::vector<std::string> ids(const StixQuery& q) {
    auto page = store_->query(q);
    EXPECT_TRUE(page);
    std::vector<std::string> out;
    for (const auto& r : page->records) out.push_back(r.id + "@" + r.modified);
    return out;
  }

  test::ScratchDir scratch_{"stix-store"};
  std::filesystem::path dir_ = scratch_.path();
  std::unique_ptr<StixStore> store_;
};

TEST_F(StixStoreTest, VersionsAndFilters) {
  std::vector<StixRecord> rs{record("indicator--a", 100, "2.1", 10), record("indicator--a", 200, "2.1", 30),
                             record("malware--b", 100, "2.1", 20), record("malware--b", 300, "2.0", 20),
                             record("indicator--a", 150, "2.1", 40)};
  auto added = store_->add(rs);
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(*added, std::vector<bool>(5, true));
  // Re-adding the same versions changes nothing.
  std::vector<StixRecord> again{record("indicator--a", 100)};
  EXPECT_EQ(*store_->add(again), std::vector<bool>{false});
  EXPECT_EQ(store_->count("c1"), 5);

  StixQuery q;
  q.collection = "c1";
  EXPECT_EQ(ids(q), (std::vector<std::string>{"malware--b@100", "indicator--a@200"}));  // last version, latest spec
  q.versions.first = true;
  EXPECT_EQ(ids(q), (std::vector<std::string>{"indicator--a@100", "malware--b@100"}));
  q.versions = {};
  q.versions.all = true;
  EXPECT_EQ(ids(q).size(), 4u);
  q.spec_versions = {"2.0", "2.1"};
  EXPECT_EQ(ids(q).size(), 5u);
  q.spec_versions = {"2.0"};
  EXPECT_EQ(ids(q), (std::vector<std::string>{"malware--b@300"}));
  q.spec_versions.clear();
  q.versions = {};
  q.versions.exact = {150};
  EXPECT_EQ(ids(q), (std::vector<std::string>{"indicator--a@150"}));
  q.versions = {};
  q.types = {"malware"};
  EXPECT_EQ(ids(q), (std::vector<std::string>{"malware--b@100"}));
  q.types.clear();
  q.ids = {"indicator--a"};
  q.versions.all = true;
  q.added_after_us = 10;
  EXPECT_EQ(ids(q), (std::vector<std::string>{"indicator--a@200", "indicator--a@150"}));

  // Pagination: limit and resume after the last (added, seq).
  StixQuery p;
  p.collection = "c1";
  p.versions.all = true;
  p.spec_versions = {"2.0", "2.1"};
  p.limit = 2;
  auto page = store_->query(p);
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->more);
  ASSERT_EQ(page->records.size(), 2u);
  EXPECT_EQ(page->records[0].added_us, 10);
  p.after = std::make_pair(page->records[1].added_us, page->records[1].seq);
  page = store_->query(p);
  EXPECT_TRUE(page->more);
  p.after = std::make_pair(page->records[1].added_us, page->records[1].seq);
  page = store_->query(p);
  EXPECT_FALSE(page->more);
  EXPECT_EQ(page->records.size(), 1u);
  EXPECT_EQ(page->records[0].added_us, 40);

  // Visibility is applied before versions are picked and pages are cut.
  StixQuery v;
  v.collection = "c1";
  v.visible = [](const StixRecord& r) { return r.version_us != 200; };
  EXPECT_EQ(ids(v), (std::vector<std::string>{"malware--b@100", "indicator--a@150"}));

  StixQuery d;
  d.collection = "c1";
  d.ids = {"indicator--a"};
  d.versions.first = true;
  EXPECT_EQ(*store_->remove(d), 1u);
  EXPECT_EQ(store_->count("c1"), 4);
}

TEST_F(StixStoreTest, ServerAddedTimesIncrease) {
  std::vector<StixRecord> rs{record("indicator--a", 1), record("indicator--b", 1), record("indicator--c", 1)};
  ASSERT_TRUE(store_->add(rs));
  EXPECT_LT(rs[0].added_us, rs[1].added_us);
  EXPECT_LT(rs[1].added_us, rs[2].added_us);
  EXPECT_LT(rs[0].seq, rs[1].seq);
}

TEST_F(StixStoreTest, FailedInsertLeavesNothing) {
  // A trigger makes the second row fail: the first must not stay behind.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "state.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TRIGGER refuse_b BEFORE INSERT ON stix_objects WHEN NEW.id = 'indicator--b' "
                         "BEGIN SELECT RAISE(ABORT, 'refused'); END;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  std::vector<StixRecord> rs{record("indicator--a", 1), record("indicator--b", 1)};
  auto r = store_->add(rs);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("indicator--b"), std::string::npos) << r.error().message;
  EXPECT_EQ(store_->count("c1"), 0);
  std::vector<StixRecord> ok{record("indicator--a", 1)};
  ASSERT_TRUE(store_->add(ok));
  EXPECT_EQ(store_->count("c1"), 1);
}

TEST_F(StixStoreTest, ActiveIndicators) {
  auto a = record("indicator--a", 1);
  a.valid_from_us = 100;
  a.valid_until_us = 200;
  auto b1 = record("indicator--b", 1);
  auto b2 = record("indicator--b", 2);
  b2.revoked = true;
  auto c = record("indicator--c", 1);
  c.valid_from_us = 500;
  std::vector<StixRecord> rs{a, b1, b2, c};
  ASSERT_TRUE(store_->add(rs));
  auto active = store_->active_indicators(150);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].id, "indicator--a");
  EXPECT_EQ(store_->active_indicators(250).size(), 0u);
  EXPECT_EQ(store_->active_indicators(600).size(), 1u);
}

TEST_F(StixStoreTest, TaxiiMetadata) {
  TaxiiApiRootRow root;
  root.name = "r1";
  root.title = "Root";
  ASSERT_TRUE(store_->put_api_root(root));
  TaxiiCollectionRow c;
  c.id = "c1";
  c.api_root = "r1";
  c.title = "C";
  c.recipients = {"bo-cong-an"};
  ASSERT_TRUE(store_->put_collection(c));
  ASSERT_EQ(store_->collections("r1").size(), 1u);
  EXPECT_EQ(store_->collection("r1", "c1")->recipients, std::vector<std::string>{"bo-cong-an"});
  EXPECT_FALSE(store_->collection("r2", "c1"));
  ASSERT_TRUE(store_->put_status("r1", "s1", 5, "{\"id\":\"s1\"}"));
  EXPECT_EQ(*store_->status("r1", "s1"), "{\"id\":\"s1\"}");
  EXPECT_FALSE(store_->status("r1", "s2"));
  ASSERT_TRUE(store_->put_meta("discovery", "{}"));
  EXPECT_EQ(*store_->meta("discovery"), "{}");
}

// Two instances on one file (a server and `khien intel poll` on the same data directory): each
// import numbers its rows from what the database holds, not from what its instance saw at open.
TEST_F(StixStoreTest, TwoInstancesOnOneFileInterleave) {
  auto other = StixStore::open(dir_ / "state.db");
  ASSERT_TRUE(other) << other.error().message;
  StixStore& a = *store_;
  StixStore& b = **other;
  std::vector<StixRecord> a1{record("indicator--a", 1), record("indicator--b", 1)};
  std::vector<StixRecord> b1{record("indicator--c", 1), record("indicator--a", 2)};
  std::vector<StixRecord> a2{record("indicator--d", 1), record("indicator--c", 2), record("indicator--a", 1)};
  std::vector<StixRecord> b2{record("indicator--e", 1), record("indicator--b", 2)};
  auto ra1 = a.add(a1);
  ASSERT_TRUE(ra1) << ra1.error().message;
  auto rb1 = b.add(b1);
  ASSERT_TRUE(rb1) << rb1.error().message;
  auto ra2 = a.add(a2);
  ASSERT_TRUE(ra2) << ra2.error().message;
  auto rb2 = b.add(b2);
  ASSERT_TRUE(rb2) << rb2.error().message;
  EXPECT_EQ(*ra2, (std::vector<bool>{true, true, false}));  // indicator--a@1 was there already

  std::set<std::int64_t> seqs;
  std::int64_t last_added = 0;
  for (auto* batch : {&a1, &b1, &a2, &b2})
    for (const auto& r : *batch) {
      if (r.seq == 0) continue;  // not added
      EXPECT_TRUE(seqs.insert(r.seq).second) << r.id << " got seq " << r.seq << " twice";
      EXPECT_GT(r.added_us, last_added) << r.id;  // added_after pagination needs increasing times
      last_added = r.added_us;
    }
  EXPECT_EQ(seqs.size(), 8u);
  StixQuery all;
  all.collection = "c1";
  all.versions.all = true;
  for (auto* s : {&a, &b}) {
    auto page = s->query(all);
    ASSERT_TRUE(page) << page.error().message;
    std::multiset<std::string> got;
    for (const auto& r : page->records) {
      got.insert(r.id + "@" + r.modified);
      EXPECT_EQ(r.json, "{\"id\":\"" + r.id + "\"}");
    }
    EXPECT_EQ(got, (std::multiset<std::string>{"indicator--a@1", "indicator--a@2", "indicator--b@1", "indicator--b@2",
                                                "indicator--c@1", "indicator--c@2", "indicator--d@1",
                                                "indicator--e@1"}));
    EXPECT_EQ(s->latest("indicator--a")->modified, "2");
    EXPECT_EQ(s->latest("indicator--c")->modified, "2");
  }
}

// The same with both instances writing at once from two threads: the second waits for the lock.
TEST_F(StixStoreTest, TwoInstancesWriteConcurrently) {
  auto other = StixStore::open(dir_ / "state.db");
  ASSERT_TRUE(other) << other.error().message;
  constexpr int kBatches = 40, kPerBatch = 5;
  auto writer = [&](StixStore* s, std::string prefix, std::vector<std::string>* errors) {
    for (int i = 0; i < kBatches; ++i) {
      std::vector<StixRecord> rs;
      for (int k = 0; k < kPerBatch; ++k) rs.push_back(record(prefix + std::to_string(i * kPerBatch + k), 1 + i % 3));
      if (auto r = s->add(rs); !r) errors->push_back(r.error().message);
    }
  };
  std::vector<std::string> errors_a, errors_b;
  std::thread ta(writer, store_.get(), "indicator--a", &errors_a);
  std::thread tb(writer, other->get(), "indicator--b", &errors_b);
  ta.join();
  tb.join();
  EXPECT_TRUE(errors_a.empty()) << errors_a.front();
  EXPECT_TRUE(errors_b.empty()) << errors_b.front();
  StixQuery all;
  all.collection = "c1";
  all.versions.all = true;
  all.with_json = false;
  auto page = store_->query(all);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->records.size(), static_cast<std::size_t>(2 * kBatches * kPerBatch));
  std::set<std::int64_t> seqs;
  std::set<std::string> ids;
  for (const auto& r : page->records) {
    seqs.insert(r.seq);
    ids.insert(r.id);
  }
  EXPECT_EQ(seqs.size(), page->records.size());
  EXPECT_EQ(ids.size(), page->records.size());
}

}  // namespace
}  // namespace khien
