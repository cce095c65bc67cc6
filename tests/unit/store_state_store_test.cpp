// State store: registry import, SOC keys (hashed, rotated, revoked).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

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

}  // namespace khien
