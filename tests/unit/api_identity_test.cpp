// IdentityService: principal resolution, login and lockout, session idle/absolute expiry, CSRF, API key revocation, tenant predicates.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "api/identity.h"
#include "store/state_store.h"
#include "test_files.h"

namespace khien {
namespace {

constexpr TimeNs kMinute = 60'000'000'000;

class IdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto state = StateStore::open(dir_ / "state.db");
    ASSERT_TRUE(state) << state.error().message;
    state_ = std::move(*state);
    ASSERT_TRUE(state_->import_registry({{"nang-luong", "Năng lượng", "Energy", "evn", 5}},
                                        {{"ha-noi", "Hà Nội", "Hanoi", "city", "north", 21.0, 105.8}},
                                        {{"evn", "EVN", "EVN", "enterprise", "nang-luong", "ha-noi", "", {}, {}, {}}}, {}));
    auto users = UserStore::open(dir_ / "state.db", state_.get());
    ASSERT_TRUE(users) << users.error().message;
    users_ = std::move(*users);
    ASSERT_TRUE(users_->add_user("an", "An", Role::national_analyst, "", "analyst-password"));
    ASSERT_TRUE(users_->add_user("soc.evn", "", Role::org_soc, "evn", "soc-evn-password"));
    IdentityOptions o;
    o.session_idle_minutes = 30;
    o.session_absolute_hours = 2;
    o.lockout_attempts = 3;
    o.lockout_minutes = 10;
    identity_ = std::make_unique<IdentityService>(*users_, sha256_hex("kha_admin"), o, [this] { return now_; });
  }
  void TearDown() override {
    identity_.reset();
    users_.reset();
    state_.reset();
  }

  HttpRequest with_cookie(const std::string& method, const std::string& token, const std::string& csrf = "") {
    HttpRequest r;
    r.method = method;
    r.path = "/api/v1/x";
    r.headers["cookie"] = "theme=dark; khien_session=" + token;
    if (!csrf.empty()) r.headers["x-csrf-token"] = csrf;
    return r;
  }

  TimeNs now_ = 100'000 * kMinute;
  test::ScratchDir scratch_{"identity"};
  std::filesystem::path dir_ = scratch_.path();
  std::unique_ptr<StateStore> state_;
  std::unique_ptr<UserStore> users_;
  std::unique_ptr<IdentityService> identity_;
};

TEST_F(IdentityTest, AdministratorTokenIsNationalAdmin) {
  HttpRequest r;
  r.method = "POST";
  r.headers["authorization"] = "Bearer kha_admin";
  auto p = identity_->authenticate(r);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->role, Role::national_admin);
  EXPECT_EQ(p->via, AuthVia::admin_token);
  EXPECT_TRUE(p->csrf_ok);
  r.headers["authorization"] = "Bearer kha_wrong";
  EXPECT_FALSE(identity_->authenticate(r));
  EXPECT_FALSE(identity_->authenticate(HttpRequest{}));
}

TEST_F(IdentityTest, LoginOpensASessionBoundToItsCsrfToken) {
  auto login = identity_->login("an", "analyst-password", "127.0.0.1");
  ASSERT_EQ(login.outcome, LoginResult::Outcome::ok);
  EXPECT_EQ(login.session_token.size(), 64u) << "256-bit session id";
  EXPECT_FALSE(users_->session(login.session_token)) << "the raw session id is never stored";
  auto get = identity_->authenticate(with_cookie("GET", login.session_token));
  ASSERT_TRUE(get);
  EXPECT_EQ(get->user, "an");
  EXPECT_EQ(get->via, AuthVia::session);
  EXPECT_TRUE(get->csrf_ok) << "reads need no CSRF token";
  auto post = identity_->authenticate(with_cookie("POST", login.session_token));
  ASSERT_TRUE(post);
  EXPECT_FALSE(post->csrf_ok);
  EXPECT_EQ(check_access(post, RoleSet::all())->status, 403);
  EXPECT_FALSE(identity_->authenticate(with_cookie("DELETE", login.session_token, "not-the-token"))->csrf_ok);
  // Another session's token does not pass either: the token is bound to its session.
  auto other = identity_->login("soc.evn", "soc-evn-password", "127.0.0.1");
  EXPECT_FALSE(identity_->authenticate(with_cookie("POST", login.session_token, other.csrf_token))->csrf_ok);
  auto good = identity_->authenticate(with_cookie("POST", login.session_token, login.csrf_token));
  ASSERT_TRUE(good);
  EXPECT_TRUE(good->csrf_ok);
  EXPECT_FALSE(check_access(good, RoleSet::all()));
  EXPECT_EQ(identity_->session_cookie(login.session_token).find("HttpOnly") != std::string::npos, true);
  identity_->logout(*good);
  EXPECT_FALSE(identity_->authenticate(with_cookie("GET", login.session_token)));
}

TEST_F(IdentityTest, SessionsExpireWhenIdleAndAtTheirAbsoluteLimit) {
  auto login = identity_->login("an", "analyst-password", "127.0.0.1");
  ASSERT_EQ(login.outcome, LoginResult::Outcome::ok);
  now_ += 29 * kMinute;
  ASSERT_TRUE(identity_->authenticate(with_cookie("GET", login.session_token))) << "29 idle minutes of 30";
  // Used every 25 minutes it survives idling, until the 2-hour absolute limit.
  for (int i = 0; i < 3; ++i) {
    now_ += 25 * kMinute;
    ASSERT_TRUE(identity_->authenticate(with_cookie("GET", login.session_token))) << i;
  }
  now_ += 25 * kMinute;  // 29 + 100 minutes after login: past two hours
  EXPECT_FALSE(identity_->authenticate(with_cookie("GET", login.session_token)));

  auto second = identity_->login("an", "analyst-password", "127.0.0.1");
  now_ += 31 * kMinute;
  EXPECT_FALSE(identity_->authenticate(with_cookie("GET", second.session_token))) << "31 idle minutes";
  EXPECT_FALSE(users_->session(sha256_hex(second.session_token))) << "an expired session is deleted";
}

TEST_F(IdentityTest, LockoutAfterRepeatedFailuresThenExpires) {
  EXPECT_EQ(identity_->login("an", "wrong-1", "10.0.0.9").outcome, LoginResult::Outcome::bad_credentials);
  EXPECT_EQ(identity_->login("an", "wrong-2", "10.0.0.9").outcome, LoginResult::Outcome::bad_credentials);
  auto third = identity_->login("an", "wrong-3", "10.0.0.9");
  EXPECT_EQ(third.outcome, LoginResult::Outcome::locked);
  EXPECT_EQ(third.locked_until, now_ + 10 * kMinute);
  EXPECT_EQ(identity_->login("an", "analyst-password", "10.0.0.9").outcome, LoginResult::Outcome::locked)
      << "the right password does not open a locked account";
  now_ += 10 * kMinute + 1;
  EXPECT_EQ(identity_->login("an", "analyst-password", "10.0.0.9").outcome, LoginResult::Outcome::ok);
  EXPECT_EQ(identity_->login("nobody", "whatever-pass", "10.0.0.9").outcome, LoginResult::Outcome::bad_credentials);
}

TEST_F(IdentityTest, DisabledUsersCannotLogInAndLoseTheirKeys) {
  auto u = users_->user("soc.evn");
  auto key = users_->create_api_key(u->id, "connector");
  ASSERT_TRUE(key);
  HttpRequest r;
  r.method = "POST";
  r.headers["authorization"] = "Bearer " + key->second;
  auto p = identity_->authenticate(r);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->via, AuthVia::api_key);
  EXPECT_EQ(p->scope_kind, ScopeKind::organisation);
  EXPECT_EQ(p->scope_id, "evn");
  ASSERT_TRUE(users_->set_disabled("soc.evn", true));
  EXPECT_FALSE(identity_->authenticate(r)) << "a disabled user's key stops working";
  EXPECT_EQ(identity_->login("soc.evn", "soc-evn-password", "::1").outcome, LoginResult::Outcome::disabled);
  ASSERT_TRUE(users_->set_disabled("soc.evn", false));
  ASSERT_TRUE(identity_->authenticate(r));
  ASSERT_TRUE(users_->revoke_api_key(key->first.id));
  EXPECT_FALSE(identity_->authenticate(r)) << "a revoked key stops working";
}

TEST_F(IdentityTest, SecurityEventsGoToTheSinkWithActorSourceAndReason) {
  std::vector<SecurityEvent> seen;
  identity_->set_security_sink([&seen](const SecurityEvent& e) { seen.push_back(e); });
  auto find = [&seen](const std::string& action, const std::string& actor) -> const SecurityEvent* {
    for (const auto& e : seen)
      if (e.action == action && e.actor == actor) return &e;
    return nullptr;
  };
  // Failed logins (known and unknown login) and the lockout they cause.
  identity_->login("nobody", "whatever-pass", "10.0.0.9");
  for (int i = 0; i < 3; ++i) identity_->login("an", "wrong-password", "10.0.0.9");
  const auto* failed = find("security.login_failed", "an");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->source, "10.0.0.9");
  EXPECT_EQ(failed->reason, "wrong password");
  ASSERT_TRUE(find("security.login_failed", "anonymous"));
  EXPECT_NE(find("security.login_failed", "anonymous")->reason.find("unknown login 'nobody'"), std::string::npos);
  ASSERT_TRUE(find("security.account_locked", "an"));

  // A cookie write without the session's CSRF token.
  auto login = identity_->login("soc.evn", "soc-evn-password", "10.0.0.10");
  ASSERT_EQ(login.outcome, LoginResult::Outcome::ok);
  auto write = with_cookie("POST", login.session_token);
  write.remote_ip = "10.0.0.10";
  auto p = identity_->authenticate(write);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->csrf_ok);
  const auto* csrf = find("security.csrf_refused", "soc.evn");
  ASSERT_TRUE(csrf);
  EXPECT_EQ(csrf->source, "10.0.0.10");
  EXPECT_NE(csrf->reason.find("missing X-CSRF-Token (POST /api/v1/x)"), std::string::npos);
  std::size_t before = seen.size();
  ASSERT_TRUE(identity_->authenticate(with_cookie("POST", login.session_token, login.csrf_token))->csrf_ok);
  EXPECT_TRUE(identity_->authenticate(with_cookie("GET", login.session_token)));
  EXPECT_EQ(seen.size(), before) << "accepted requests record nothing";

  // An expired session and an unknown one.
  now_ += 31 * kMinute;
  EXPECT_FALSE(identity_->authenticate(with_cookie("GET", login.session_token)));
  ASSERT_TRUE(find("security.session_refused", "soc.evn"));
  EXPECT_NE(find("security.session_refused", "soc.evn")->reason.find("expired session (idle)"), std::string::npos);
  EXPECT_FALSE(identity_->authenticate(with_cookie("GET", std::string(64, 'a'))));
  ASSERT_TRUE(find("security.session_refused", "anonymous"));

  // A revoked key is named by its id; an unknown bearer token by nobody.
  auto key = users_->create_api_key(users_->user("soc.evn")->id, "connector");
  ASSERT_TRUE(key);
  ASSERT_TRUE(users_->revoke_api_key(key->first.id));
  HttpRequest r;
  r.method = "GET";
  r.path = "/api/v1/incidents";
  r.remote_ip = "10.0.0.11";
  r.headers["authorization"] = "Bearer " + key->second;
  EXPECT_FALSE(identity_->authenticate(r));
  const auto* revoked = find("security.api_key_refused", "key:" + key->first.id);
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->source, "10.0.0.11");
  EXPECT_NE(revoked->reason.find("revoked API key of 'soc.evn'"), std::string::npos);
  r.headers["authorization"] = "Bearer khk_" + std::string(64, '0');
  EXPECT_FALSE(identity_->authenticate(r));
  ASSERT_TRUE(find("security.api_key_refused", "anonymous"));
}

TEST(AccessPolicy, RolesAndTenants) {
  Principal admin{"admin", 0, Role::national_admin, ScopeKind::national, "", AuthVia::admin_token, true, ""};
  Principal cert{"c", 1, Role::sector_cert, ScopeKind::sector, "nang-luong", AuthVia::session, true, ""};
  Principal soc{"s", 2, Role::org_soc, ScopeKind::organisation, "evn", AuthVia::api_key, true, ""};
  Principal isp{"i", 3, Role::isp_consumer, ScopeKind::none, "", AuthVia::api_key, true, ""};
  Principal auditor{"a", 4, Role::auditor, ScopeKind::national, "", AuthVia::session, true, ""};

  RoleSet analysts{Role::national_admin, Role::national_analyst};
  EXPECT_TRUE(allows(admin, analysts));
  EXPECT_FALSE(allows(soc, analysts));
  EXPECT_TRUE(allows(isp, RoleSet::all()));
  EXPECT_FALSE(allows(isp, RoleSet{}));

  EXPECT_TRUE(can_see_org(admin, "evn", "nang-luong"));
  EXPECT_TRUE(can_see_org(auditor, "vnpt", "thong-tin"));
  EXPECT_TRUE(can_see_org(cert, "evn", "nang-luong"));
  EXPECT_TRUE(can_see_org(cert, "pvn", "nang-luong"));
  EXPECT_FALSE(can_see_org(cert, "vnpt", "thong-tin"));
  EXPECT_TRUE(can_see_org(soc, "evn", "nang-luong"));
  EXPECT_FALSE(can_see_org(soc, "pvn", "nang-luong")) << "same sector, other organisation";
  EXPECT_FALSE(can_see_org(isp, "evn", "nang-luong"));
  EXPECT_TRUE(can_see_sector(cert, "nang-luong"));
  EXPECT_FALSE(can_see_sector(soc, "nang-luong"));

  EXPECT_EQ(check_access(std::nullopt, RoleSet::all())->status, 401);
  EXPECT_EQ(check_access(soc, analysts)->status, 403);
  EXPECT_FALSE(check_access(admin, analysts));
}

TEST(RequestCookie, FindsTheNamedCookie) {
  HttpRequest r;
  r.headers["cookie"] = "a=1;khien_session=abc; b=2";
  EXPECT_EQ(request_cookie(r, "khien_session"), "abc");
  EXPECT_EQ(request_cookie(r, "b"), "2");
  EXPECT_EQ(request_cookie(r, "c"), "");
  r.headers["cookie"] = "xkhien_session=abc";
  EXPECT_EQ(request_cookie(r, "khien_session"), "");
}

}  // namespace
}  // namespace khien
