// UserStore: argon2id hashing, users with scopes checked against the registry, lockout counting, API keys.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "store/state_store.h"
#include "store/user_store.h"
#include "test_files.h"

namespace khien {
namespace {

constexpr TimeNs kMinute = 60'000'000'000;

class UserStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto state = StateStore::open(dir_ / "state.db");
    ASSERT_TRUE(state) << state.error().message;
    state_ = std::move(*state);
    SectorRow sector{"nang-luong", "Năng lượng", "Energy", "evn", 5};
    ProvinceRow province{"ha-noi", "Hà Nội", "Hanoi", "city", "north", 21.0, 105.8};
    OrgRow org{"evn", "EVN", "EVN", "enterprise", "nang-luong", "ha-noi", "", {}, {}, {}};
    ASSERT_TRUE(state_->import_registry({sector}, {province}, {org}, {}));
    auto users = UserStore::open(dir_ / "state.db", state_.get());
    ASSERT_TRUE(users) << users.error().message;
    users_ = std::move(*users);
  }
  void TearDown() override {
    users_.reset();
    state_.reset();
  }

  test::ScratchDir scratch_{"users"};
  std::filesystem::path dir_ = scratch_.path();
  std::unique_ptr<StateStore> state_;
  std::unique_ptr<UserStore> users_;
};

TEST(PasswordHash, Argon2idEncodedWithRandomSaltAndVerifies) {
  auto a = hash_password("correct horse battery");
  auto b = hash_password("correct horse battery");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *a;
  EXPECT_NE(*a, *b) << "two hashes of one password share a salt";
  EXPECT_TRUE(verify_password(*a, "correct horse battery"));
  EXPECT_TRUE(verify_password(*b, "correct horse battery"));
  EXPECT_FALSE(verify_password(*a, "correct horse batterz"));
  EXPECT_FALSE(verify_password(*a, ""));
  EXPECT_FALSE(verify_password("", "correct horse battery"));
  EXPECT_FALSE(verify_password("$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "x")) << "only argon2id is accepted";
  EXPECT_FALSE(hash_password(std::string(kMaxPasswordBytes + 1, 'p')));
  EXPECT_FALSE(verify_password(*a, std::string(kMaxPasswordBytes + 1, 'p')));
}

TEST_F(UserStoreTest, AddsUsersWithRolesAndScopesCheckedAgainstTheRegistry) {
  auto u = users_->add_user("lan.tran", "Trần Lan", Role::sector_cert, "nang-luong", "a-long-password");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->role, Role::sector_cert);
  EXPECT_EQ(u->scope, "nang-luong");
  EXPECT_TRUE(verify_password(u->password_hash, "a-long-password"));
  EXPECT_TRUE(users_->add_user("soc.evn", "", Role::org_soc, "evn", "a-long-password"));
  EXPECT_EQ(users_->user("soc.evn")->display_name, "soc.evn");

  auto bad_sector = users_->add_user("x1", "", Role::sector_cert, "no-sector", "a-long-password");
  ASSERT_FALSE(bad_sector);
  EXPECT_NE(bad_sector.error().message.find("no-sector"), std::string::npos);
  EXPECT_FALSE(users_->add_user("x2", "", Role::org_soc, "no-org", "a-long-password"));
  EXPECT_FALSE(users_->add_user("x3", "", Role::org_soc, "", "a-long-password"));
  EXPECT_FALSE(users_->add_user("x4", "", Role::national_analyst, "evn", "a-long-password")) << "national roles take no scope";
  EXPECT_FALSE(users_->add_user("lan.tran", "", Role::auditor, "", "a-long-password")) << "duplicate login";
  EXPECT_FALSE(users_->add_user("Upper", "", Role::auditor, "", "a-long-password"));
  EXPECT_FALSE(users_->add_user(std::string(kMaxLoginBytes + 1, 'a'), "", Role::auditor, "", "a-long-password"));
  EXPECT_FALSE(users_->add_user("short.pw", "", Role::auditor, "", "short"));
  EXPECT_EQ(users_->users().size(), 2u);
}

TEST_F(UserStoreTest, RoleNamesRoundTrip) {
  for (Role r : {Role::national_admin, Role::national_analyst, Role::sector_cert, Role::org_soc, Role::isp_consumer,
                 Role::auditor, Role::reporter})
    EXPECT_EQ(parse_role(role_name(r)), r);
  EXPECT_FALSE(parse_role("admin"));
}

TEST_F(UserStoreTest, LocksAfterConsecutiveFailuresAndSuccessResetsTheCount) {
  auto u = users_->add_user("an", "", Role::national_analyst, "", "a-long-password");
  ASSERT_TRUE(u);
  TimeNs now = 1'000 * kMinute;
  EXPECT_FALSE(users_->record_failed_login(u->id, now, 3, 15 * kMinute));
  EXPECT_FALSE(users_->record_failed_login(u->id, now, 3, 15 * kMinute));
  users_->record_successful_login(u->id);
  EXPECT_EQ(users_->user("an")->failed_logins, 0);
  EXPECT_FALSE(users_->record_failed_login(u->id, now, 3, 15 * kMinute));
  EXPECT_FALSE(users_->record_failed_login(u->id, now, 3, 15 * kMinute));
  auto locked = users_->record_failed_login(u->id, now, 3, 15 * kMinute);
  ASSERT_TRUE(locked);
  EXPECT_EQ(*locked, now + 15 * kMinute);
  EXPECT_EQ(users_->user("an")->locked_until, now + 15 * kMinute);
  ASSERT_TRUE(users_->set_password("an", "another-long-password"));
  EXPECT_EQ(users_->user("an")->locked_until, 0) << "a new password clears the lock";
  EXPECT_TRUE(verify_password(users_->user("an")->password_hash, "another-long-password"));
}

TEST_F(UserStoreTest, ApiKeysAreStoredHashedAndStopWorkingWhenRevoked) {
  auto u = users_->add_user("svc", "", Role::isp_consumer, "", "a-long-password");
  ASSERT_TRUE(u);
  auto key = users_->create_api_key(u->id, "rpz-puller");
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->second.rfind("khk_", 0), 0u);
  EXPECT_EQ(key->second.size(), 4u + 64u) << "256 random bits";
  auto found = users_->api_key(key->second, 42);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->login, "svc");
  EXPECT_EQ(users_->api_key_by_id(key->first.id)->last_used, 42);
  EXPECT_FALSE(users_->api_key(key->second + "x", 43));
  ASSERT_TRUE(users_->revoke_api_key(key->first.id));
  EXPECT_FALSE(users_->api_key(key->second, 44));
  EXPECT_TRUE(users_->api_keys(u->id).front().revoked);
  EXPECT_FALSE(users_->revoke_api_key("key-none"));
}

TEST_F(UserStoreTest, DisablingAUserDeletesTheirSessions) {
  auto u = users_->add_user("an", "", Role::national_analyst, "", "a-long-password");
  ASSERT_TRUE(u);
  ASSERT_TRUE(users_->create_session({"h1", u->id, "csrf", 1, 1, 100}));
  ASSERT_TRUE(users_->session("h1"));
  ASSERT_TRUE(users_->set_disabled("an", true));
  EXPECT_FALSE(users_->session("h1"));
  EXPECT_TRUE(users_->user("an")->disabled);
  EXPECT_FALSE(users_->set_disabled("nobody", true));
}

}  // namespace
}  // namespace khien
