// HTTP bulk ingest: an NDJSON body (plain, gzip or zstd) from one SOC, validated per line and spooled.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/source.h"

namespace khien {

struct HttpBulkRequest {
  std::uint32_t soc_row = 0;
  std::string soc_id;
  std::string format = "auto";
  std::string content_encoding;  ///< "", "identity", "gzip", "x-gzip" or "zstd"
  std::string_view body;
  std::string idempotency_key;   ///< optional: a retried batch with the same key is not stored twice
};

struct HttpBulkAnswer {
  int status = 200;
  std::string body;  ///< JSON: {"accepted":N,"rejected":M,"errors":[{"line":K,"error":"..."}]} or {"error":...}
  int retry_after_seconds = 0;
};

/// The HTTP bulk source. The HTTP server (api/) hands it each authenticated request; it answers
/// only once accepted lines are durable in the spool.
///
/// Threading: handle() runs on the HTTP connection's thread; many run at once.
class HttpBulkSource {
 public:
  explicit HttpBulkSource(SourceContext context) : ctx_(std::move(context)) {}
  HttpBulkAnswer handle(const HttpBulkRequest& request);

 private:
  SourceContext ctx_;
};

/// Decompresses `body` per Content-Encoding into `out`, refusing to grow past `limit` bytes.
Status decode_content(std::string_view encoding, std::string_view body, std::size_t limit, std::string& out);

}  // namespace khien
