// Decoding the shared public corpus in place (KHIEN_CORPUS_DIR): Sigma regression evtx dumps,
// Suricata EVE samples and Zeek JSON baselines. Skips loudly without the corpus, fails in CI.
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "core/arena.h"
#include "core/event.h"
#include "core/field_dictionary.h"
#include "decode/decoder.h"
#include "decode/json_documents.h"
#include "test_files.h"

namespace khien {
namespace {

namespace fs = std::filesystem;

fs::path corpus() { return fs::path(KHIEN_CORPUS_DIR); }

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

#define REQUIRE_CORPUS(path)                                                                      \
  do {                                                                                            \
    if (!fs::exists(path)) {                                                                      \
      if (in_ci()) FAIL() << "corpus missing in CI: " << (path);                                 \
      GTEST_SKIP() << "*** corpus missing, test SKIPPED: " << (path) << " (set up ../shared/corpus)"; \
    }                                                                                             \
  } while (0)

TEST(DecodeCorpus, SigmaRegressionEvtxDumpsDecodeAsWinlog) {
  fs::path dir = corpus() / "sigma" / "regression_data";
  REQUIRE_CORPUS(dir);
  auto winlog = make_decoder("winlog");
  auto detect = make_decoder("auto");
  ASSERT_TRUE(winlog && detect);
  int files = 0, events = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    ++files;
    std::string text = test::read_text_file(entry.path());
    auto docs = split_json_documents(text);
    EXPECT_FALSE(docs.empty()) << entry.path();
    for (auto doc : docs) {
      ++events;
      Arena arena;
      Event event(arena);
      auto status = (*winlog)->decode(doc, event);
      ASSERT_TRUE(status) << entry.path() << ": " << status.error().message;
      EXPECT_TRUE(event.has(field::winlog_event_id)) << entry.path();
      EXPECT_FALSE(event.get_string(field::winlog_channel).empty()) << entry.path();
      EXPECT_FALSE(event.get_string(field::winlog_provider_name).empty()) << entry.path();
      EXPECT_TRUE(event.has(field::time)) << entry.path();
      EXPECT_EQ(event.raw().find('\n'), std::string_view::npos) << entry.path();
      const Value* id = event.get(field::winlog_event_id);
      if (id && id->i == 1 && event.get_string(field::winlog_provider_name) == "Microsoft-Windows-Sysmon") {
        EXPECT_EQ(event.get(field::class_uid)->i, 1007) << entry.path();
        EXPECT_FALSE(event.get_string(field::process_cmd_line).empty()) << entry.path();
        EXPECT_FALSE(event.get_string(field::process_file_path).empty()) << entry.path();
      }
      Arena arena2;
      Event again(arena2);
      ASSERT_TRUE((*detect)->decode(doc, again)) << entry.path();
      EXPECT_EQ(again.get(field::winlog_event_id)->i, event.get(field::winlog_event_id)->i);
    }
  }
  EXPECT_EQ(files, 96);
  EXPECT_GE(events, files);
}

TEST(DecodeCorpus, SuricataEveSamples) {
  fs::path file = corpus() / "suricata" / "eve-samples.ndjson";
  REQUIRE_CORPUS(file);
  std::string text = test::read_text_file(file);
  auto eve = make_decoder("eve");
  ASSERT_TRUE(eve);
  int n = 0;
  for (auto doc : split_json_documents(text)) {
    Arena arena;
    Event event(arena);
    auto status = (*eve)->decode(doc, event);
    ASSERT_TRUE(status) << doc << ": " << status.error().message;
    ++n;
    EXPECT_TRUE(event.has(field::time));
    EXPECT_EQ(event.get_string(field::metadata_product_name), "Suricata");
    std::string_view type = event.get_string(field::metadata_log_name);
    if (type == "dns") {
      EXPECT_EQ(event.get(field::class_uid)->i, 4003);
      EXPECT_EQ(event.get_string(field::query_hostname), "static.programme-tv.net");
      EXPECT_EQ(event.get_string(field::answers_rdata), "programme-tv.net.edgesuite.net");
    } else if (type == "http") {
      EXPECT_EQ(event.get(field::class_uid)->i, 4002);
      EXPECT_FALSE(event.get_string(field::url_hostname).empty());
    } else if (type == "fileinfo") {
      EXPECT_EQ(event.get(field::class_uid)->i, 4010);
    }
  }
  EXPECT_EQ(n, 5);
}

TEST(DecodeCorpus, ZeekJsonBaselines) {
  fs::path dir = corpus() / "zeek" / "testing" / "btest" / "Baseline";
  REQUIRE_CORPUS(dir);
  auto zeek = make_decoder("zeek");
  ASSERT_TRUE(zeek);
  int http = 0;
  for (const char* name : {"javascript.http-uri-sha256/http.log", "scripts.base.frameworks.logging.json-non-printable-escaping/http.log.json"}) {
    fs::path file = dir / name;
    ASSERT_TRUE(fs::exists(file)) << file;
    std::string text = test::read_text_file(file);
    // btest canonifies timestamps to XXXXXXXXXX.XXXXXX, which is not JSON; put a number back.
    for (std::size_t p; (p = text.find("XXXXXXXXXX.XXXXXX")) != std::string::npos;) text.replace(p, 17, "1700000000.000000");
    for (auto doc : split_json_documents(text)) {
      if (doc.rfind("###", 0) == 0) continue;  // the btest banner line
      Arena arena;
      Event event(arena);
      auto status = (*zeek)->decode(doc, event);
      ASSERT_TRUE(status) << doc << ": " << status.error().message;
      ++http;
      EXPECT_EQ(event.get(field::class_uid)->i, 4002) << doc;
      EXPECT_EQ(event.get_string(field::http_request_http_method), "GET");
      EXPECT_TRUE(event.has(field::src_endpoint_ip));
      EXPECT_TRUE(event.has(field::http_response_code));
      EXPECT_EQ(event.get(field::time)->t, 1700000000LL * 1000000000LL);
    }
  }
  EXPECT_GE(http, 2);
}

}  // namespace
}  // namespace khien
