// State store: registry import, SOC keys (hashed, rotated, revoked).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "store/state_store.h"
#include "test_files.h"

namespace khien {

TEST(StateStore, SocKeysAreHashedRotatedAndRevoked) {
  test::ScratchDir scratch("state");
  const std::filesystem::path& dir = scratch.path();
  auto store = StateStore::open(dir / "state.db");
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_FALSE((*store)->registry_loaded());
  ASSERT_TRUE((*store)->import_registry({{"nang-luong", "Năng lượng", "Energy", "bo-cong-thuong", 5}},
                                        {{"ha-noi", "Hà Nội", "Hanoi", "city", "north", 21.0, 105.8}},
                                        {{"evn", "EVN", "EVN", "enterprise", "nang-luong", "ha-noi", "", {"14.160.0.0/24"}, {45899}, {"evn.com.vn"}}},
                                        {}));
  EXPECT_TRUE((*store)->registry_loaded());
  EXPECT_FALSE((*store)->add_soc("nobody", "soc-x", "X", {})) << "unknown organisation";
  auto key = (*store)->add_soc("evn", "soc-evn", "EVN SOC", {"14.160.0.10/32"});
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->rfind("khs_", 0), 0u);
  auto soc = (*store)->soc_by_key(*key);
  ASSERT_TRUE(soc);
  EXPECT_EQ(soc->id, "soc-evn");
  EXPECT_EQ(soc->org, "evn");
  EXPECT_FALSE((*store)->soc_by_key("khs_wrong"));
  auto rotated = (*store)->rotate_soc_key("soc-evn");
  ASSERT_TRUE(rotated);
  EXPECT_FALSE((*store)->soc_by_key(*key)) << "the old key stops working";
  EXPECT_TRUE((*store)->soc_by_key(*rotated));
  ASSERT_TRUE((*store)->revoke_soc("soc-evn"));
  EXPECT_FALSE((*store)->soc_by_key(*rotated));
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// `add` never takes a working key away: a SOC that has one is refused (rotate_soc_key replaces
// it), as is an id of another organisation; a registry connector without a key, or a revoked
// SOC, is issued one, with the name and ranges given.
TEST(StateStore, AddingASocNeverCutsOffTheOneHoldingAKey) {
  test::ScratchDir scratch("state-add");
  auto store = StateStore::open(scratch.path() / "state.db");
  ASSERT_TRUE(store) << store.error().message;
  SocRow connector;
  connector.id = "soc-evn";
  connector.name = "EVN (registry)";
  connector.org = "evn";
  ASSERT_TRUE((*store)->import_registry({{"nang-luong", "Năng lượng", "Energy", "bo-cong-thuong", 5}},
                                        {{"ha-noi", "Hà Nội", "Hanoi", "city", "north", 21.0, 105.8}},
                                        {{"evn", "EVN", "EVN", "enterprise", "nang-luong", "ha-noi", "", {}, {}, {}},
                                         {"pvn", "PVN", "PVN", "enterprise", "nang-luong", "ha-noi", "", {}, {}, {}}},
                                        {connector}));
  EXPECT_FALSE((*store)->soc("soc-evn")->has_key);
  auto first = (*store)->add_soc("evn", "soc-evn", "EVN SOC", {"14.160.0.10/32"});
  ASSERT_TRUE(first) << "a registry connector without a key is issued one: " << first.error().message;
  EXPECT_EQ((*store)->soc("soc-evn")->name, "EVN SOC");
  EXPECT_EQ((*store)->soc("soc-evn")->sender_ranges, std::vector<std::string>{"14.160.0.10/32"});

  auto again = (*store)->add_soc("evn", "soc-evn", "Another", {"10.0.0.0/8"});
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("rotate-key"), std::string::npos) << again.error().message;
  EXPECT_TRUE((*store)->soc_by_key(*first)) << "the first key still works";
  EXPECT_EQ((*store)->soc("soc-evn")->name, "EVN SOC") << "nothing changed";
  EXPECT_EQ((*store)->soc("soc-evn")->sender_ranges, std::vector<std::string>{"14.160.0.10/32"});

  auto other_org = (*store)->add_soc("pvn", "soc-evn", "PVN SOC", {});
  ASSERT_FALSE(other_org);
  EXPECT_NE(other_org.error().message.find("belongs to organisation 'evn'"), std::string::npos) << other_org.error().message;

  ASSERT_TRUE((*store)->revoke_soc("soc-evn"));
  auto after_revoke = (*store)->add_soc("evn", "soc-evn", "", {});
  ASSERT_TRUE(after_revoke) << "a revoked SOC is issued a new key: " << after_revoke.error().message;
  EXPECT_TRUE((*store)->soc_by_key(*after_revoke));
  EXPECT_EQ((*store)->soc("soc-evn")->name, "EVN SOC") << "an empty name keeps the name";

  ASSERT_TRUE((*store)->set_soc_ranges("soc-evn", {"127.1.0.1/32"}));
  EXPECT_EQ((*store)->soc("soc-evn")->sender_ranges, std::vector<std::string>{"127.1.0.1/32"});
  EXPECT_FALSE((*store)->set_soc_ranges("soc-none", {}));
}

// A data directory made before SOCs had a syslog local time gains the column, empty; the offset
// is checked when set.
TEST(StateStore, OldDataDirectoriesGainTheSyslogLocalTime) {
  test::ScratchDir scratch("state-old");
  const auto path = scratch.path() / "state.db";
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const char* old_schema =
        "CREATE TABLE organisations (id TEXT PRIMARY KEY, name TEXT NOT NULL, name_en TEXT NOT NULL, type TEXT NOT NULL, "
        "sector TEXT NOT NULL, province TEXT NOT NULL, parent TEXT NOT NULL, ip_ranges TEXT NOT NULL, asns TEXT NOT NULL, "
        "domains TEXT NOT NULL);"
        "CREATE TABLE socs (row_id INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, org TEXT NOT NULL "
        "REFERENCES organisations(id), sender_ranges TEXT NOT NULL, formats TEXT NOT NULL, transport TEXT NOT NULL, "
        "key_hash TEXT, revoked INTEGER NOT NULL DEFAULT 0, created BIGINT NOT NULL);"
        "INSERT INTO organisations VALUES ('evn', 'EVN', 'EVN', 'enterprise', 'nang-luong', 'ha-noi', '', '[]', '[]', '[]');"
        "INSERT INTO socs (id, name, org, sender_ranges, formats, transport, created) VALUES ('soc-evn', 'EVN', 'evn', '[]', '[]', 'http', 1);";
    ASSERT_EQ(sqlite3_exec(db, old_schema, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  auto store = StateStore::open(path);
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->soc("soc-evn"));
  EXPECT_EQ((*store)->soc("soc-evn")->syslog_local_time, "");
  ASSERT_TRUE((*store)->set_soc_syslog_local_time("soc-evn", "+07:00"));
  EXPECT_EQ((*store)->soc("soc-evn")->syslog_local_time, "+07:00");
  EXPECT_FALSE((*store)->set_soc_syslog_local_time("soc-evn", "+7"));
  EXPECT_FALSE((*store)->set_soc_syslog_local_time("soc-none", "+07:00"));
  ASSERT_TRUE((*store)->set_soc_syslog_local_time("soc-evn", ""));
  EXPECT_EQ((*store)->soc("soc-evn")->syslog_local_time, "");
}

}  // namespace khien
