// HTTP bulk source: per-line validation, backpressure (429 + Retry-After), decompression limits.
#include <gtest/gtest.h>

#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "ingest/http_bulk_source.h"
#include "test_files.h"

namespace khien {

namespace {

struct Fixture {
  test::ScratchDir scratch;
  std::filesystem::path dir = scratch.path();
  std::unique_ptr<Spool> spool;
  SocStats stats;
  SourceContext ctx;

  explicit Fixture(std::uint64_t max_backlog) : scratch("bulk-" + std::to_string(max_backlog)) {
    spool = std::move(*Spool::open(dir));
    ctx.spool = spool.get();
    ctx.stats = &stats;
    ctx.limits.max_backlog_records = max_backlog;
    ctx.limits.max_line_bytes = 64;
    ctx.limits.max_body_bytes = 4096;
    // Accepts lines that start with '{', as the real validator accepts decodable records.
    ctx.validate = [](std::string_view line, std::string_view) -> Result<std::uint8_t> {
      if (line.front() != '{') return fail("not JSON");
      return std::uint8_t{1};
    };
  }
  ~Fixture() {
    spool.reset();
  }
};

std::string gzip(const std::string& text) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(compressBound(static_cast<uLong>(text.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// A request of `soc` with `body` (which must outlive it).
HttpBulkRequest request_of(std::string_view body, std::string soc = "soc-a") {
  HttpBulkRequest req;
  req.soc_id = std::move(soc);
  req.body = body;
  return req;
}

}  // namespace

TEST(HttpBulk, AcceptsGoodLinesAndReportsBadOnesByLineNumber) {
  Fixture f(1000);
  HttpBulkSource source(f.ctx);
  HttpBulkRequest req;
  req.soc_id = "soc-a";
  std::string body = "{\"a\":1}\r\nnot json\n\n{\"b\":2}\n{\"c\":\"" + std::string(100, 'x') + "\"}\n";
  req.body = body;
  auto answer = source.handle(req);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body,
            R"({"accepted":2,"rejected":2,"errors":[{"line":2,"error":"not JSON"},{"line":5,"error":"line of 108 bytes exceeds the maximum of 64"}]})");
  EXPECT_EQ(f.spool->last_seq(), 2u);
}

TEST(HttpBulk, PushesBackWith429WhenThePipelineIsBehind) {
  Fixture f(2);
  HttpBulkSource source(f.ctx);
  HttpBulkRequest req;
  req.soc_id = "soc-a";
  std::string body = "{\"a\":1}\n{\"a\":2}\n";
  req.body = body;
  EXPECT_EQ(source.handle(req).status, 200);
  auto answer = source.handle(req);
  EXPECT_EQ(answer.status, 429) << "backlog of 2 unprocessed records reached the limit";
  EXPECT_EQ(answer.retry_after_seconds, 1);
  EXPECT_NE(answer.body.find("Retry-After"), std::string::npos);
  EXPECT_EQ(f.spool->last_seq(), 2u) << "nothing of the refused batch was stored";
  f.spool->release(2);
  EXPECT_EQ(source.handle(req).status, 200) << "accepted again once the pipeline caught up";
}

TEST(HttpBulk, DecompressesGzipWithinTheLimitAndRefusesBombs) {
  Fixture f(1000);
  HttpBulkSource source(f.ctx);
  HttpBulkRequest req;
  req.soc_id = "soc-a";
  req.content_encoding = "gzip";
  std::string good = gzip("{\"a\":1}\n{\"a\":2}\n");
  req.body = good;
  auto answer = source.handle(req);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, R"({"accepted":2,"rejected":0,"errors":[]})");
  std::string bomb = gzip(std::string(1 << 20, '{'));
  req.body = bomb;
  answer = source.handle(req);
  EXPECT_EQ(answer.status, 413);
  EXPECT_NE(answer.body.find("larger than 4096"), std::string::npos);
  std::string truncated = good.substr(0, good.size() / 2);
  req.body = truncated;
  answer = source.handle(req);
  EXPECT_EQ(answer.status, 400);
  EXPECT_NE(answer.body.find("gzip"), std::string::npos);
}

TEST(HttpBulk, IdempotencyKeyAnswersARetryWithoutStoringTwice) {
  Fixture f(1000);
  HttpBulkSource source(f.ctx);
  HttpBulkRequest req;
  req.soc_id = "soc-a";
  req.idempotency_key = "k1";
  std::string body = "{\"a\":1}\n";
  req.body = body;
  auto first = source.handle(req);
  auto seq = f.spool->last_seq();
  auto second = source.handle(req);
  EXPECT_EQ(first.body, second.body);
  EXPECT_EQ(f.spool->last_seq(), seq);
}


// Two SOCs may pick the same key (a counter, a date): each is answered for its own batch.
TEST(HttpBulk, IdempotencyKeysAreTheSocsOwn) {
  Fixture f(1000);
  HttpBulkSource source(f.ctx);
  HttpBulkRequest a = request_of("{\"a\":1}\nnot json\n");
  a.idempotency_key = "batch-1";
  auto first = source.handle(a);
  const auto after_a = f.spool->last_seq();
  HttpBulkRequest b = request_of("{\"b\":1}\n{\"b\":2}\n", "soc-b");
  b.idempotency_key = "batch-1";
  auto answer_b = source.handle(b);
  EXPECT_EQ(answer_b.body, R"({"accepted":2,"rejected":0,"errors":[]})");
  const auto after_b = f.spool->last_seq();
  EXPECT_GE(after_b, after_a + 2) << "soc-b's two records are stored (and its answer's marker)";
  EXPECT_EQ(source.handle(a).body, first.body) << "soc-a's retry is still answered from the spool";
  EXPECT_EQ(source.handle(b).body, answer_b.body);
  EXPECT_EQ(f.spool->last_seq(), after_b) << "retries store nothing";
}

// `cat a.gz b.gz` is one valid gzip body of two members; bytes after a member that are not
// another member are refused, not dropped. Content codings are case-insensitive.
TEST(HttpBulk, GzipBodiesOfSeveralMembersAreReadWhole) {
  Fixture f(1000);
  HttpBulkSource source(f.ctx);
  std::string two = gzip("{\"a\":1}\n{\"a\":2}\n") + gzip("{\"a\":3}\n");
  HttpBulkRequest req = request_of(two);
  req.content_encoding = "GZIP";
  auto answer = source.handle(req);
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.body, R"({"accepted":3,"rejected":0,"errors":[]})");
  std::string trailing = gzip("{\"a\":1}\n") + "garbage";
  req.body = trailing;
  answer = source.handle(req);
  EXPECT_EQ(answer.status, 400);
  EXPECT_NE(answer.body.find("7 bytes after the end"), std::string::npos) << answer.body;
}


// A format= that names no decoder refuses the request as a whole: no line is looked at, and the
// SOC's rejected count does not grow by every line of a batch it meant to send.
TEST(HttpBulk, AnUnknownFormatRefusesTheRequest) {
  Fixture f(1000);
  f.ctx.http_formats = {"auto", "eve", "ecs"};
  HttpBulkSource source(f.ctx);
  HttpBulkRequest req = request_of("{\"a\":1}\n{\"a\":2}\n");
  req.format = "foo";
  const auto seq = f.spool->last_seq();
  auto answer = source.handle(req);
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.body, R"({"error":"parameter 'format': 'foo' is not one of auto, eve, ecs"})");
  EXPECT_EQ(f.spool->last_seq(), seq);
  req.format = "eve";
  EXPECT_EQ(source.handle(req).status, 200);
}


// Windows tools start files with a byte order mark: it is not part of the first record.
TEST(HttpBulk, AByteOrderMarkIsNotPartOfTheFirstLine) {
  Fixture f(1000);
  HttpBulkSource source(f.ctx);
  EXPECT_EQ(source.handle(request_of("\xEF\xBB\xBF{\"a\":1}\n{\"a\":2}\n")).body, R"({"accepted":2,"rejected":0,"errors":[]})");
}


// The SOC's last refusal is kept (time, transport, reason with its line, the record's first
// bytes in printable UTF-8) for its operators to see in GET /api/v1/socs/{id}.
TEST(HttpBulk, TheSocsLastRejectionIsKept) {
  Fixture f(1000);
  HttpBulkSource source(f.ctx);
  source.handle(request_of("{\"a\":1}\nnot json\n\xff\xfe{\n"));
  const auto stats = f.stats.snapshot();
  ASSERT_EQ(stats.count("soc-a"), 1u);
  const auto& s = stats.at("soc-a");
  EXPECT_GT(s.last_rejection, 0);
  EXPECT_EQ(s.last_rejection_source, "http");
  EXPECT_EQ(s.last_rejection_reason, "line 2: not JSON");
  EXPECT_EQ(s.last_rejection_sample, "not json");
  source.handle(request_of("\xff\xfe{\n"));
  EXPECT_EQ(f.stats.snapshot().at("soc-a").last_rejection_reason, "line 1: invalid UTF-8");
  EXPECT_EQ(f.stats.snapshot().at("soc-a").last_rejection_sample, "??{");
}

}  // namespace khien
