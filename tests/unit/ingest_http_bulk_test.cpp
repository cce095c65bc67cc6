// HTTP bulk source: per-line validation, backpressure (429 + Retry-After), decompression limits.
#include <gtest/gtest.h>

#include <unistd.h>
#include <zlib.h>

#include <filesystem>

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

}  // namespace khien
