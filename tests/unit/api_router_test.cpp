// The HTTP router: patterns with {name} segments, URL-decoded parameters, 404 and 405, HEAD on GET routes.
#include <gtest/gtest.h>

#include <string>

#include "api/http_server.h"

namespace khien {
namespace {

HttpResponse text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("GET", "/api/v1/orgs", [](HttpRequest&) { return text(200, "orgs"); });
    router_.add("GET", "/api/v1/orgs/{id}", [](HttpRequest& r) { return text(200, "org " + r.path_params["id"]); });
    router_.add("POST", "/api/v1/orgs/{id}/notes", [](HttpRequest& r) { return text(201, "note " + r.path_params["id"]); });
    router_.add("GET", "/api/v1/orgs/{id}/notes", [](HttpRequest&) { return text(200, "notes"); });
  }
  HttpResponse call(std::string method, std::string path) {
    HttpRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    return router_.dispatch(r);
  }
  Router router_;
};

TEST_F(RouterTest, PatternsBindDecodedParametersAndHeadFollowsGet) {
  EXPECT_EQ(call("GET", "/api/v1/orgs").body, "orgs");
  EXPECT_EQ(call("GET", "/api/v1/orgs/bo-cong-an").body, "org bo-cong-an");
  EXPECT_EQ(call("GET", "/api/v1/orgs/t%E1%BB%89nh%20l%C3%A0o+cai").body, "org tỉnh lào cai");
  EXPECT_EQ(call("POST", "/api/v1/orgs/evn/notes").status, 201);
  EXPECT_EQ(call("HEAD", "/api/v1/orgs/evn").status, 200);
}

TEST_F(RouterTest, UnknownPathIs404AndAnotherMethodIs405) {
  auto missing = call("GET", "/api/v1/orgs/evn/extra/more");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("no such endpoint: /api/v1/orgs/evn/extra/more"), std::string::npos) << missing.body;
  auto wrong = call("DELETE", "/api/v1/orgs/evn");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_NE(wrong.body.find("method DELETE not allowed on /api/v1/orgs/evn"), std::string::npos) << wrong.body;
}

TEST_F(RouterTest, MethodsForAPathAreThoseOfEveryMatchingPattern) {
  EXPECT_EQ(router_.methods_for("/api/v1/orgs/evn/notes"), (std::vector<std::string>{"POST", "GET"}));
  EXPECT_EQ(router_.methods_for("/api/v1/orgs/evn"), (std::vector<std::string>{"GET"}));
  EXPECT_TRUE(router_.methods_for("/api/v1/orgs/evn/other").empty());
  EXPECT_TRUE(router_.methods_for("/").empty());
}

}  // namespace
}  // namespace khien
