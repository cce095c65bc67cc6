// TAXII 2.1 routes through the Router, replaying the requests of medallion's test suite
// (the OASIS reference server) against its data file, plus khien's TLP and ACL rules.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "api/taxii_routes.h"
#include "intel/stix_bundle_importer.h"
#include "test_files.h"

namespace khien {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kMedia = "application/taxii+json;version=2.1";
const std::string kRoot = "/taxii2/trustgroup1/";
const std::string kCollections = kRoot + "collections/";
const std::string kGetObjects = kCollections + "91a7b528-80eb-42ed-a74d-c6fbd5a26116/objects/";
const std::string kGetManifest = kCollections + "91a7b528-80eb-42ed-a74d-c6fbd5a26116/manifest/";
const std::string kAddObjects = kCollections + "365fed99-08fa-fdcd-a1b3-fb247eb41d01/objects/";
const std::string kForbidden = kCollections + "64993447-4d7e-4f70-b94d-d7f33742ee63/";
const std::string kMissing = kCollections + "12345678-1234-1234-1234-123456789012/";

const char* kCourseOfAction = R"({"objects":[{"type":"course-of-action","spec_version":"2.1",
  "id":"course-of-action--68794cd5-28db-429d-ab1e-1256704ef906","created":"2017-01-27T13:49:53.935Z",
  "modified":"2017-01-27T13:49:53.935Z","name":"Test object"}]})";

struct Answer {
  int status = 0;
  json body;
  std::map<std::string, std::string> headers;
  std::string content_type;
};

class TaxiiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = StixStore::open(dir_ / "state.db");
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    auto st = load_medallion_data(fs::path(KHIEN_CORPUS_DIR) / "taxii" / "default_data.json", *store_);
    ASSERT_TRUE(st) << st.error().message;
    ctx_.store = store_.get();
    ctx_.max_page_size = 20;
    ctx_.authenticate = [](const HttpRequest& req) -> std::optional<TaxiiPrincipal> {
      if (auto basic = basic_credentials(req); basic && basic->first == "admin" && basic->second == "Password0")
        return TaxiiPrincipal{"admin", "vncert", Tlp::red, true, true};
      if (auto token = bearer_token(req)) {
        if (*token == "green-reader") return TaxiiPrincipal{"reader", "bank-a", Tlp::green, false, false};
        if (*token == "red-recipient") return TaxiiPrincipal{"analyst", "bo-cong-an", Tlp::red, true, false};
        if (*token == "red-outsider") return TaxiiPrincipal{"analyst", "bank-a", Tlp::red, true, false};
      }
      return std::nullopt;
    };
    register_taxii_routes(router_, ctx_);
  }
  void TearDown() override {
    store_.reset();
  }

  Answer call(const std::string& method, const std::string& target, const std::string& body = {},
              std::map<std::string, std::string> headers = {{"authorization", "Basic YWRtaW46UGFzc3dvcmQw"},
                                                            {"accept", kMedia}}) {
    HttpRequest req;
    req.method = method;
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string qs = target.substr(q + 1);
      std::size_t start = 0;
      while (start <= qs.size()) {
        auto amp = qs.find('&', start);
        if (amp == std::string::npos) amp = qs.size();
        auto kv = qs.substr(start, amp - start);
        auto eq = kv.find('=');
        if (!kv.empty()) req.query.emplace(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
        start = amp + 1;
      }
    }
    req.headers = std::move(headers);
    req.headers["host"] = "localhost:5000";
    req.body = body;
    if (!body.empty() && !req.headers.count("content-type")) req.headers["content-type"] = kMedia;
    auto res = router_.dispatch(req);
    Answer a;
    a.status = res.status;
    a.content_type = res.content_type;
    a.body = res.body.empty() ? json() : json::parse(res.body, nullptr, false);
    for (const auto& [k, v] : res.headers) a.headers[k] = v;
    return a;
  }
  Answer get(const std::string& target) { return call("GET", target); }
  std::vector<std::string> object_ids(const Answer& a) {
    std::vector<std::string> out;
    for (const auto& o : a.body.value("objects", json::array())) out.push_back(o["id"].get<std::string>());
    return out;
  }

  test::ScratchDir scratch_{"taxii"};
  std::filesystem::path dir_ = scratch_.path();
  std::unique_ptr<StixStore> store_;
  TaxiiContext ctx_;
  Router router_;
};

TEST_F(TaxiiTest, DiscoveryApiRootStatusCollections) {
  auto a = get("/taxii2/");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.content_type, kMedia);
  EXPECT_EQ(a.body["title"], "Some TAXII Server");
  EXPECT_EQ(a.body["api_roots"][0], "http://localhost:5000/taxii2/api1/");
  EXPECT_EQ(a.body["default"], "http://localhost:5000/taxii2/trustgroup1/");

  a = get(kRoot);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body["title"], "Malware Research Group");
  EXPECT_EQ(a.body["versions"][0], kMedia);
  EXPECT_EQ(a.body["max_content_length"], 9765625);

  a = get(kRoot + "status/2d086da7-4bdc-4f91-900e-d77486753710/");
  EXPECT_EQ(a.status, 200);
  for (const char* k : {"successes", "failures", "pendings"}) EXPECT_TRUE(a.body.contains(k)) << k;

  a = get(kCollections);
  EXPECT_EQ(a.status, 200);
  ASSERT_EQ(a.body["collections"].size(), 5u);
  a = get(kCollections + "91a7b528-80eb-42ed-a74d-c6fbd5a26116/");
  EXPECT_EQ(a.body["title"], "High Value Indicator Collection");
  EXPECT_EQ(a.body["can_read"], true);
}

TEST_F(TaxiiTest, GetObjectsOrderHeadersAndFilters) {
  auto a = get(kGetObjects);
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.content_type, kMedia);
  EXPECT_EQ(a.body["more"], false);
  EXPECT_EQ(object_ids(a),
            (std::vector<std::string>{
                "relationship--2f9a9aa9-108a-4333-83e2-4fb25add0463", "indicator--cd981c25-8042-4166-8945-51178443bdac",
                "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
                "malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec", "indicator--6770298f-0fd8-471a-ab8c-1c658a46574e"}));
  EXPECT_EQ(a.headers["X-TAXII-Date-Added-First"], "2014-05-08T09:00:00.000000Z");
  EXPECT_EQ(a.headers["X-TAXII-Date-Added-Last"], "2017-12-31T13:49:53.935000Z");

  EXPECT_EQ(get(kGetObjects + "?added_after=2016-11-03T12:30:59Z").body["objects"].size(), 3u);
  EXPECT_EQ(get(kGetObjects + "?match[id]=malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec").body["objects"].size(), 1u);
  a = get(kGetObjects + "?match[type]=indicator");
  EXPECT_EQ(a.body["objects"].size(), 2u);
  a = get(kGetObjects + "?match[version]=2016-12-25T12:30:59.444Z");
  ASSERT_EQ(a.body["objects"].size(), 1u);
  EXPECT_EQ(a.body["objects"][0]["id"], "indicator--6770298f-0fd8-471a-ab8c-1c658a46574e");
  a = get(kGetObjects + "?match[version]=first");
  for (const auto& o : a.body["objects"])
    if (o["id"] == "indicator--6770298f-0fd8-471a-ab8c-1c658a46574e") {
      EXPECT_EQ(o["modified"], "2016-11-03T12:30:59.000Z");
    }
  a = get(kGetObjects + "?match[version]=last");
  for (const auto& o : a.body["objects"])
    if (o["id"] == "indicator--6770298f-0fd8-471a-ab8c-1c658a46574e") {
      EXPECT_EQ(o["modified"], "2017-01-27T13:49:53.935Z");
    }
  EXPECT_EQ(get(kGetObjects + "?match[version]=all").body["objects"].size(), 7u);
  a = get(kGetObjects + "?match[spec_version]=2.0");
  ASSERT_EQ(a.body["objects"].size(), 1u);
  EXPECT_FALSE(a.body["objects"][0].contains("spec_version"));
  EXPECT_EQ(get(kGetObjects + "?match[spec_version]=2.0,2.1").body["objects"].size(), 5u);
  EXPECT_EQ(get(kGetObjects + "?match[spec_version]=2.1").body["objects"].size(), 5u);
  a = get(kGetObjects + "?match[type]=indicator&match[version]=2017-01-27T13:49:53.935Z");
  ASSERT_EQ(a.body["objects"].size(), 1u);
  EXPECT_EQ(a.body["objects"][0]["id"], "indicator--6770298f-0fd8-471a-ab8c-1c658a46574e");
}

TEST_F(TaxiiTest, Pagination) {
  auto a = get(kGetObjects + "?limit=3");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body["more"], true);
  EXPECT_EQ(a.body["objects"].size(), 3u);
  EXPECT_EQ(a.headers["X-TAXII-Date-Added-First"], "2014-05-08T09:00:00.000000Z");
  EXPECT_EQ(a.headers["X-TAXII-Date-Added-Last"], "2017-01-20T00:00:00.000000Z");
  a = get(kGetObjects + "?limit=3&next=" + a.body["next"].get<std::string>());
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body["more"], false);
  EXPECT_EQ(object_ids(a), (std::vector<std::string>{"malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec",
                                                     "indicator--6770298f-0fd8-471a-ab8c-1c658a46574e"}));
  EXPECT_EQ(a.headers["X-TAXII-Date-Added-First"], "2017-01-27T13:49:59.997000Z");
  EXPECT_EQ(a.headers["X-TAXII-Date-Added-Last"], "2017-12-31T13:49:53.935000Z");

  EXPECT_EQ(get(kGetObjects + "?limit=-20").status, 400);
  a = get(kGetObjects + "?match[version]=all&limit=2");
  a = get(kGetObjects + "?match[version]=all&limit=2&next=" + a.body["next"].get<std::string>());
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body["more"], true);
  a = get(kGetObjects + "?match[version]=first&limit=2&next=" + a.body["next"].get<std::string>());
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body["title"], "ProcessingError");

  // Single object, all versions, two per page.
  std::string obj = kGetObjects + "indicator--6770298f-0fd8-471a-ab8c-1c658a46574e/";
  a = get(obj + "?match[version]=all&limit=2");
  EXPECT_EQ(a.body["more"], true);
  EXPECT_EQ(a.headers["X-TAXII-Date-Added-First"], "2016-11-03T12:30:59.001000Z");
  EXPECT_EQ(a.headers["X-TAXII-Date-Added-Last"], "2016-12-27T13:49:59.000000Z");
  EXPECT_EQ(a.body["objects"][1]["modified"], "2016-12-25T12:30:59.444Z");
  a = get(obj + "?match[version]=all&limit=2&next=" + a.body["next"].get<std::string>());
  EXPECT_EQ(a.body["more"], false);
  EXPECT_EQ(a.headers["X-TAXII-Date-Added-First"], "2017-12-31T13:49:53.935000Z");
}

TEST_F(TaxiiTest, SingleObjectVersionsAndManifest) {
  auto a = get(kGetObjects + "malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec/");
  ASSERT_EQ(a.status, 200);
  ASSERT_EQ(a.body["objects"].size(), 1u);
  EXPECT_EQ(a.headers["X-TAXII-Date-Added-First"], "2017-01-27T13:49:59.997000Z");
  a = get(kGetObjects + "malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec/?added_after=2018-01-27T13:49:59.997000Z");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, json::object());
  a = get(kGetObjects + "malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec/?match[spec_version]=2.0,2.1");
  EXPECT_EQ(a.body["objects"][0]["modified"], "2018-02-23T18:30:00.000Z");
  EXPECT_EQ(get(kGetObjects + "malware--cee60c30-a68c-11e3-b0c1-a01aac20d000/").status, 404);

  a = get(kGetObjects + "relationship--2f9a9aa9-108a-4333-83e2-4fb25add0463/versions");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body["versions"].size(), 1u);
  EXPECT_EQ(a.headers["X-TAXII-Date-Added-Last"], "2014-05-08T09:00:00.000000Z");
  a = get(kGetObjects + "relationship--2f9a9aa9-108a-4333-83e2-4fb25add0463/versions?added_after=2014-05-08T09:00:00Z");
  EXPECT_EQ(a.body, json::object());
  a = get(kGetObjects + "indicator--6770298f-0fd8-471a-ab8c-1c658a46574e/versions?limit=1");
  EXPECT_EQ(a.body["more"], true);
  EXPECT_EQ(a.body["versions"][0], "2016-11-03T12:30:59.000Z");
  a = get(kGetObjects +
          "indicator--6770298f-0fd8-471a-ab8c-1c658a46574e/versions?limit=1&next=" + a.body["next"].get<std::string>());
  EXPECT_EQ(a.body["versions"][0], "2016-12-25T12:30:59.444Z");
  EXPECT_EQ(get(kGetObjects + "malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec/versions?match[spec_version]=2.0")
                .body["versions"][0],
            "2018-02-23T18:30:00.000Z");
  EXPECT_EQ(get(kGetObjects + "malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec/versions?match[spec_version]=2.0,2.1")
                .body["versions"]
                .size(),
            2u);
  EXPECT_EQ(get(kGetObjects + "malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec/versions").body["versions"].size(), 1u);

  a = get(kGetManifest);
  ASSERT_EQ(a.status, 200);
  ASSERT_EQ(a.body["objects"].size(), 5u);
  for (std::size_t i = 1; i < a.body["objects"].size(); ++i)
    EXPECT_LT(a.body["objects"][i - 1]["date_added"].get<std::string>(),
              a.body["objects"][i]["date_added"].get<std::string>());
  EXPECT_EQ(get(kGetManifest + "?added_after=2017-01-20T00:00:00.000Z").body["objects"].size(), 2u);
  a = get(kGetManifest + "?match[spec_version]=2.0");
  ASSERT_EQ(a.body["objects"].size(), 1u);
  EXPECT_EQ(a.body["objects"][0]["media_type"], "application/stix+json;version=2.0");
  EXPECT_EQ(get(kGetManifest + "?match[version]=all").body["objects"].size(), 7u);
  a = get(kGetManifest + "?match[version]=2016-12-25T12:30:59.444Z");
  EXPECT_EQ(a.body["objects"][0]["version"], "2016-12-25T12:30:59.444Z");
  a = get(kGetManifest + "?limit=2");
  EXPECT_EQ(a.headers["X-TAXII-Date-Added-First"], a.body["objects"][0]["date_added"]);
  a = get(kGetManifest + "?limit=2&next=" + a.body["next"].get<std::string>());
  a = get(kGetManifest + "?limit=2&next=" + a.body["next"].get<std::string>());
  EXPECT_EQ(a.body["more"], false);
  EXPECT_EQ(a.body["objects"].size(), 1u);
}

TEST_F(TaxiiTest, AddGetDeleteObjects) {
  auto a = call("POST", kAddObjects, kCourseOfAction);
  ASSERT_EQ(a.status, 202) << a.body.dump();
  EXPECT_EQ(a.content_type, kMedia);
  EXPECT_EQ(a.body["status"], "complete");
  EXPECT_EQ(a.body["success_count"], 1);
  EXPECT_FALSE(a.body.contains("failures"));
  std::string status_id = a.body["id"];
  a = get(kAddObjects + "?match[id]=course-of-action--68794cd5-28db-429d-ab1e-1256704ef906");
  ASSERT_EQ(a.body["objects"].size(), 1u);
  a = get(kRoot + "status/" + status_id + "/");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body["success_count"], 1);
  // The same version again: accepted, nothing changes.
  a = call("POST", kAddObjects, kCourseOfAction);
  EXPECT_EQ(a.status, 202);
  EXPECT_EQ(a.body["successes"][0]["message"], "already present; unchanged");

  a = call("DELETE", kAddObjects + "course-of-action--68794cd5-28db-429d-ab1e-1256704ef906/");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(get(kAddObjects + "course-of-action--68794cd5-28db-429d-ab1e-1256704ef906/").status, 404);

  // Five versions, then deletes by specific, first, last and all.
  json env = json::parse(kCourseOfAction);
  json base = env["objects"][0];
  base["created"] = "2014-01-27T13:49:53.935Z";
  env["objects"] = json::array();
  for (const char* m : {"2014-01-27T13:49:53.935Z", "2015-01-27T13:49:53.935Z", "2016-01-27T13:49:53.935Z",
                        "2018-01-27T13:49:53.935Z", "2019-01-27T13:49:53.935Z"}) {
    base["modified"] = m;
    env["objects"].push_back(base);
  }
  a = call("POST", kAddObjects, env.dump());
  EXPECT_EQ(a.body["success_count"], 5);
  std::string obj = kAddObjects + "course-of-action--68794cd5-28db-429d-ab1e-1256704ef906/";
  EXPECT_EQ(get(obj + "versions/").body["versions"].size(), 5u);
  EXPECT_EQ(call("DELETE", obj + "?match[version]=2018-01-27T13:49:53.935Z").status, 200);
  EXPECT_EQ(call("DELETE", obj + "?match[version]=first").status, 200);
  EXPECT_EQ(call("DELETE", obj + "?match[version]=last").status, 200);
  EXPECT_EQ(get(obj + "versions/").body["versions"], (json{"2015-01-27T13:49:53.935Z", "2016-01-27T13:49:53.935Z"}));
  EXPECT_EQ(call("DELETE", obj + "?match[version]=all").status, 200);
  EXPECT_EQ(get(obj + "versions/").status, 404);

  // An SCO has one version, its date_added.
  a = call(
      "POST", kAddObjects,
      R"({"objects":[{"type":"artifact","spec_version":"2.1","id":"artifact--6f437177-6e48-5cf8-9d9e-872a2bddd641","mime_type":"application/zip"}]})");
  EXPECT_EQ(a.status, 202);
  EXPECT_EQ(
      get(kAddObjects + "artifact--6f437177-6e48-5cf8-9d9e-872a2bddd641/?match[version]=all").body["objects"].size(),
      1u);
}

TEST_F(TaxiiTest, ErrorsAreTaxiiErrorMessages) {
  std::map<std::string, std::string> none{{"accept", kMedia}};
  auto a = call("GET", kCollections, "", none);
  EXPECT_EQ(a.status, 401);
  EXPECT_EQ(a.content_type, kMedia);
  EXPECT_EQ(a.body["http_status"], "401");
  EXPECT_TRUE(a.headers.count("WWW-Authenticate"));
  EXPECT_EQ(call("POST", kAddObjects, kCourseOfAction, none).status, 401);
  EXPECT_EQ(get("/taxii2/trustgroup2/").status, 404);
  EXPECT_EQ(get("/taxii2/carbon1/collections/").status, 404);
  EXPECT_EQ(get(kMissing).status, 404);
  EXPECT_EQ(get(kMissing + "objects/").status, 404);
  EXPECT_EQ(call("POST", kMissing + "objects/", kCourseOfAction).status, 404);
  EXPECT_EQ(get(kRoot + "status/22101993/").status, 404);
  EXPECT_EQ(get(kForbidden + "manifest/").status, 403);
  EXPECT_EQ(get(kForbidden + "objects/indicator--b81f86b9-975b-bb0b-775e-810c5bd45b4f/").status, 403);
  EXPECT_EQ(call("POST", kForbidden + "objects/", kCourseOfAction).status, 403);

  // A bare object instead of an envelope: 422 ProcessingError.
  a = call("POST", kAddObjects, json::parse(kCourseOfAction)["objects"][0].dump());
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(a.body["title"], "ProcessingError");
  EXPECT_EQ(a.body["http_status"], "422");
  EXPECT_NE(a.body["description"].get<std::string>().find("While processing supplied content, an error occurred"),
            std::string::npos);

  // An invalid object rejects the whole envelope, naming the object and property.
  json env = json::parse(kCourseOfAction);
  json bad = env["objects"][0];
  bad["id"] = "course-of-action--78794cd5-28db-429d-ab1e-1256704ef906";
  bad["modified"] = "2017-01-27";
  env["objects"].push_back(bad);
  a = call("POST", kAddObjects, env.dump());
  EXPECT_EQ(a.status, 422);
  EXPECT_NE(a.body["description"].get<std::string>().find(
                "course-of-action--78794cd5-28db-429d-ab1e-1256704ef906: property 'modified'"),
            std::string::npos)
      << a.body.dump();
  EXPECT_EQ(get(kAddObjects).body, json::object());  // nothing of it applied
  // STIX 2.0 content is not accepted by POST (the server speaks 2.1).
  a = call(
      "POST", kAddObjects,
      R"({"objects":[{"type":"indicator","spec_version":"2.0","id":"indicator--68794cd5-28db-429d-ab1e-1256704ef906","created":"2017-01-27T13:49:53.935Z","modified":"2017-01-27T13:49:53.935Z","name":"Test object"}]})");
  EXPECT_EQ(a.status, 422);

  // Media types.
  std::map<std::string, std::string> wrong_accept{{"authorization", "Basic YWRtaW46UGFzc3dvcmQw"},
                                                  {"accept", "application/json"}};
  a = call("GET", kCollections, "", wrong_accept);
  EXPECT_EQ(a.status, 406);
  EXPECT_EQ(a.body["http_status"], "406");
  wrong_accept["accept"] = "application/taxii+json;version=2.0";
  EXPECT_EQ(call("GET", kCollections, "", wrong_accept).status, 406);
  wrong_accept["accept"] = "application/json, application/taxii+json; version=2.1";
  EXPECT_EQ(call("GET", kCollections, "", wrong_accept).status, 200);
  std::map<std::string, std::string> wrong_type{
      {"authorization", "Basic YWRtaW46UGFzc3dvcmQw"}, {"accept", kMedia}, {"content-type", "application/json"}};
  a = call("POST", kAddObjects, kCourseOfAction, wrong_type);
  EXPECT_EQ(a.status, 415);
  EXPECT_EQ(a.body["http_status"], "415");
  wrong_type["content-type"] = "application/taxii+json;version=2.0";
  EXPECT_EQ(call("POST", kAddObjects, kCourseOfAction, wrong_type).status, 415);
  // Larger than the API root's max_content_length.
  std::string big = std::string(R"({"objects":[],"pad":")") + std::string(9765626, 'x') + "\"}";
  EXPECT_EQ(call("POST", kAddObjects, big).status, 413);
  EXPECT_EQ(get(kGetObjects + "?added_after=yesterday").status, 400);
}

TEST_F(TaxiiTest, TlpAndRecipients) {
  TaxiiCollectionRow shared;
  shared.id = "b1b2c3d4-0000-4000-8000-000000000001";
  shared.api_root = "trustgroup1";
  shared.title = "Shared";
  shared.can_read = shared.can_write = true;
  shared.recipients = {"bo-cong-an"};
  ASSERT_TRUE(store_->put_collection(shared));
  TaxiiCollectionRow closed = shared;
  closed.id = "b1b2c3d4-0000-4000-8000-000000000002";
  closed.readers = {"bo-cong-an"};
  ASSERT_TRUE(store_->put_collection(closed));

  auto marked = [](const char* id, const char* marking) {
    return json{{"type", "indicator"},
                {"spec_version", "2.1"},
                {"id", id},
                {"created", "2020-01-01T00:00:00.000Z"},
                {"modified", "2020-01-01T00:00:00.000Z"},
                {"pattern_type", "stix"},
                {"pattern", "[domain-name:value = 'evil.vn']"},
                {"valid_from", "2020-01-01T00:00:00Z"},
                {"object_marking_refs", {marking}}};
  };
  json env{{"objects",
            {marked("indicator--00000000-0000-4000-8000-000000000001",
                    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"),
             marked("indicator--00000000-0000-4000-8000-000000000002",
                    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"),
             marked("indicator--00000000-0000-4000-8000-000000000003",
                    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1")}}};
  std::string objects = kCollections + shared.id + "/objects/";
  ASSERT_EQ(call("POST", objects, env.dump()).status, 202);

  auto as = [&](const std::string& token, const std::string& target) {
    return call("GET", target, "", {{"authorization", "Bearer " + token}, {"accept", kMedia}});
  };
  EXPECT_EQ(object_ids(as("green-reader", objects)),
            std::vector<std::string>{"indicator--00000000-0000-4000-8000-000000000001"});
  EXPECT_EQ(as("red-outsider", objects).body["objects"].size(), 2u);  // RED only to named recipients
  EXPECT_EQ(as("red-recipient", objects).body["objects"].size(), 3u);
  EXPECT_EQ(as("green-reader", objects + "indicator--00000000-0000-4000-8000-000000000003/").status, 404);
  EXPECT_EQ(as("nobody", objects).status, 401);
  // The closed collection is invisible outside its readers.
  EXPECT_EQ(as("red-outsider", kCollections + closed.id + "/").status, 404);
  EXPECT_EQ(as("red-recipient", kCollections + closed.id + "/").status, 200);
  EXPECT_EQ(as("red-outsider", kCollections).body["collections"].size(), 6u);
  // The green reader may not write.
  auto w = call("POST", objects, env.dump(),
                {{"authorization", "Bearer green-reader"}, {"accept", kMedia}, {"content-type", kMedia}});
  EXPECT_EQ(w.status, 403);
}

}  // namespace
}  // namespace khien
