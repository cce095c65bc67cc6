// The cases routes in-process (Router dispatch, no sockets): status codes, nothing half-written, identity and clock
// rules; plus the upload, base64 and report helpers.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>

#include <nlohmann/json.hpp>

#include "app/case_multipart.h"
#include "app/case_service.h"
#include "app/situation_report.h"
#include "store/state_store.h"
#include "test_files.h"

namespace khien {
namespace {

using json = nlohmann::json;

class CaseRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    CaseServiceOptions options;
    options.data_dir = dir_;
    options.check_seconds = 0;
    options.clock_override = true;
    options.max_evidence_bytes = 1024;
    CaseServiceDeps deps;
    deps.admin_token_hash = sha256_hex("secret");
    auto s = CaseService::open(options, deps);
    ASSERT_TRUE(s) << s.error().message;
    service_ = std::move(*s);
    service_->register_routes(router_);
  }
  void TearDown() override {
    service_.reset();
  }

  HttpResponse call(const std::string& method, const std::string& target, const std::string& body = {},
                    std::map<std::string, std::string> headers = {}) {
    HttpRequest req;
    req.method = method;
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string query = target.substr(q + 1);
      std::size_t start = 0;
      while (start < query.size()) {
        auto amp = query.find('&', start);
        if (amp == std::string::npos) amp = query.size();
        auto kv = query.substr(start, amp - start);
        auto eq = kv.find('=');
        req.query.emplace(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
        start = amp + 1;
      }
    }
    req.body = body;
    req.headers = std::move(headers);
    if (!req.headers.count("authorization")) req.headers["authorization"] = "Bearer secret";
    return router_.dispatch(req);
  }
  std::size_t audit_entries() { return service_->audit().list(0, 100000).size(); }

  test::ScratchDir scratch_{"case-routes"};
  std::filesystem::path dir_ = scratch_.path();
  std::unique_ptr<CaseService> service_;
  Router router_;
};

TEST_F(CaseRoutes, ShippedSystemsAreLoadedOnceAtFirstStart) {
  auto r = call("GET", "/api/v1/systems?sector=nang-luong&min_level=4");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = json::parse(r.body);
  EXPECT_GE(j["total"].get<int>(), 4);
  std::size_t before = audit_entries();
  service_.reset();
  CaseServiceOptions options;
  options.data_dir = dir_;
  options.check_seconds = 0;
  auto again = CaseService::open(options, {});
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->audit().list(0, 100000).size(), before) << "a restart must not import the systems again";
}

TEST_F(CaseRoutes, RefusedRequestsChangeNothing) {
  std::size_t before = audit_entries();
  EXPECT_EQ(call("POST", "/api/v1/incidents", R"({"title": "x", "category": "nope"})").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/incidents", R"({"title": "x", "affected_systems": ["no-such-system"]})").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/incidents", R"({"from_alert": 5})").status, 400);  // no alert store connected
  EXPECT_EQ(call("POST", "/api/v1/incidents", R"({"title": "x", "colour": "red"})").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/incidents", R"({"title": "x"})", {{"authorization", "Bearer wrong"}}).status, 401);
  EXPECT_EQ(call("POST", "/api/v1/directives",
                 R"({"title": "t", "required_actions": ["a"], "deadline": "2020-01-01T00:00:00Z", "selector": {"orgs": ["evn"]}})",
                 {{"x-khien-now", "2026-04-20T00:00:00Z"}})
                .status,
            400);
  EXPECT_EQ(audit_entries(), before);
}

TEST_F(CaseRoutes, IllegalTransitionIsAConflictAndKeepsTheState) {
  auto r = call("POST", "/api/v1/incidents", R"({"title": "Phishing wave", "category": "fraud.phishing", "affected_orgs": ["evn"]})",
                {{"x-khien-now", "2026-04-20T08:00:00Z"}});
  ASSERT_EQ(r.status, 201) << r.body;
  std::string id = json::parse(r.body)["id"];
  std::size_t before = audit_entries();
  auto bad = call("POST", "/api/v1/incidents/" + id + "/transition", R"({"to": "resolved"})");
  EXPECT_EQ(bad.status, 409);
  EXPECT_NE(bad.body.find("cannot go from new to resolved"), std::string::npos) << bad.body;
  EXPECT_EQ(audit_entries(), before);
  EXPECT_EQ(json::parse(call("GET", "/api/v1/incidents/" + id).body)["state"], "new");
  EXPECT_EQ(call("GET", "/api/v1/incidents/INC-1999-000001").status, 404);
}

TEST_F(CaseRoutes, OrgHeadersOnlyForOrgScopedActions) {
  auto r = call("POST", "/api/v1/incidents", R"({"title": "x"})", {{"x-khien-org", "evn"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("apply only to acknowledging and completing directives"), std::string::npos);
  auto d = call("POST", "/api/v1/directives",
                R"({"title": "Patch", "required_actions": ["patch"], "deadline": "2026-05-01T00:00:00Z", "selector": {"orgs": ["evn", "evnnpt"]}})",
                {{"x-khien-now", "2026-04-20T00:00:00Z"}});
  ASSERT_EQ(d.status, 201) << d.body;
  std::string id = json::parse(d.body)["id"];
  EXPECT_EQ(call("POST", "/api/v1/directives/" + id + "/acknowledge", "", {{"x-khien-org", "bidv"}}).status, 403);
  EXPECT_EQ(call("POST", "/api/v1/directives/" + id + "/acknowledge", "", {{"x-khien-org", "no-such-org"}}).status, 400);
  EXPECT_EQ(call("POST", "/api/v1/directives/" + id + "/acknowledge", "", {{"x-khien-org", "evn"}, {"x-khien-actor", "a/b"}}).status,
            400);
  auto ok = call("POST", "/api/v1/directives/" + id + "/acknowledge", "", {{"x-khien-org", "evn"}, {"x-khien-actor", "Nguyễn Văn A"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json::parse(ok.body)["acknowledged_by"], "admin/evn/Nguyễn Văn A");
}

TEST(CaseClock, OverrideRefusedUnlessConfigured) {
  test::ScratchDir scratch("case-clock");
  const std::filesystem::path& dir = scratch.path();
  CaseServiceOptions options;
  options.data_dir = dir;
  options.check_seconds = 0;
  auto s = CaseService::open(options, {});
  ASSERT_TRUE(s);
  HttpRequest req;
  req.headers["x-khien-now"] = "2026-04-20T00:00:00Z";
  auto t = (*s)->now_of(req);
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("clock_override"), std::string::npos);
  s->reset();
}

TEST(CaseMultipart, TakesTheFirstFilePart) {
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".txt\"\r\nContent-Type: text/plain\r\n\r\n"
      "line1\r\nline2\r\n--XyZ--\r\n";
  auto f = parse_multipart_file(body, "multipart/form-data; boundary=XyZ");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->first, "a \"b\".txt");
  EXPECT_EQ(f->second, "line1\r\nline2");
  EXPECT_FALSE(parse_multipart_file(body, "multipart/form-data"));
  EXPECT_FALSE(parse_multipart_file("--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n--XyZ--", "multipart/form-data; boundary=XyZ"));
  EXPECT_FALSE(parse_multipart_file("--XyZ\r\nContent-Disposition: form-data; filename=\"x\"\r\n\r\nunterminated", "multipart/form-data; boundary=XyZ"));
}

TEST(CaseBase64, DecodesAndRefusesGarbage) {
  EXPECT_EQ(case_http::base64_decode("aGVsbG8="), "hello");
  EXPECT_EQ(case_http::base64_decode("aGVsbG8"), "hello");
  EXPECT_EQ(case_http::base64_decode(""), "");
  EXPECT_FALSE(case_http::base64_decode("aGV$bG8="));
  EXPECT_FALSE(case_http::base64_decode("aGVs=bG8"));
  EXPECT_EQ(case_http::previous_period("2026-01"), "2025-12");
  EXPECT_EQ(case_http::previous_period("2026-05"), "2026-04");
  EXPECT_EQ(case_http::previous_period("May"), "");
}

TEST(SituationReport, EscapesEverythingAndLoadsNothing) {
  SituationReport r;
  r.from = 1, r.to = 2, r.generated = 3;
  r.alerts_by_rule.push_back({"<script>alert(1)</script>", 5});
  r.by_sector_severity.push_back({"Năng \"lượng\" & <b>", {1, 2, 3, 4}});
  r.directives.push_back({"CD-1", "directive", "<img src=x onerror=y>", "centre", 0, 3, 66.7, 33.3, 2});
  r.ranking.push_back({"evn", "E<V>N", 1, 80, 2, 70});
  std::string html = render_situation_report(r);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("Năng &quot;lượng&quot; &amp; &lt;b&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // only the SVG namespace
  EXPECT_NE(html.find("▲ 1"), std::string::npos);
}

}  // namespace
}  // namespace khien
