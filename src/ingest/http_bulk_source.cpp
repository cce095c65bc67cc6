// HTTP bulk ingest implementation: decompression, per-line validation, durable append, answer.
#include "ingest/http_bulk_source.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>

#include <fmt/format.h>

#include "core/json_writer.h"
#include "core/metrics.h"
#include "core/text.h"

namespace khien {

namespace {
constexpr std::size_t kMaxReportedErrors = 100;
}

Status decode_content(std::string_view encoding_text, std::string_view body, std::size_t limit, std::string& out) {
  out.clear();
  // Content codings are case-insensitive (RFC 9110, 8.4.1).
  const std::string lowered = ascii_lower(trim_whitespace(encoding_text));
  const std::string_view encoding = lowered;
  if (encoding.empty() || encoding == "identity") {
    if (body.size() > limit) return fail(fmt::format("body larger than {} bytes", limit));
    out.assign(body);
    return {};
  }
  if (encoding == "gzip" || encoding == "x-gzip") {
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return fail("gzip: cannot initialise");
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    zs.avail_in = static_cast<uInt>(body.size());
    char chunk[64 * 1024];
    int rc = Z_OK;
    while (true) {
      if (rc == Z_STREAM_END) {
        if (zs.avail_in == 0) break;
        // A gzip body may hold several members one after another (RFC 1952, 2.2), as `cat a.gz
        // b.gz` makes; anything else after a member is an error, not something to drop quietly.
        if (zs.avail_in < 2 || zs.next_in[0] != 0x1f || zs.next_in[1] != 0x8b) {
          const std::size_t trailing = zs.avail_in;
          inflateEnd(&zs);
          return fail(fmt::format("gzip: {} bytes after the end of the compressed data are not another gzip member", trailing));
        }
        if (inflateReset(&zs) != Z_OK) {
          inflateEnd(&zs);
          return fail("gzip: cannot start the next member");
        }
      }
      zs.next_out = reinterpret_cast<Bytef*>(chunk);
      zs.avail_out = sizeof(chunk);
      rc = inflate(&zs, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END) {
        std::string why = zs.msg ? zs.msg : (rc == Z_BUF_ERROR ? "truncated stream" : "corrupt data");
        inflateEnd(&zs);
        return fail("gzip: " + why);
      }
      out.append(chunk, sizeof(chunk) - zs.avail_out);
      if (out.size() > limit) {
        inflateEnd(&zs);
        return fail(fmt::format("gzip: decompressed body larger than {} bytes", limit));
      }
      if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
        inflateEnd(&zs);
        return fail("gzip: truncated stream");
      }
    }
    inflateEnd(&zs);
    return {};
  }
  if (encoding == "zstd") {
    ZSTD_DStream* ds = ZSTD_createDStream();
    ZSTD_inBuffer in{body.data(), body.size(), 0};
    char chunk[64 * 1024];
    std::size_t rc = 0;
    for (;;) {
      ZSTD_outBuffer o{chunk, sizeof(chunk), 0};
      rc = ZSTD_decompressStream(ds, &o, &in);
      if (ZSTD_isError(rc)) {
        std::string why = ZSTD_getErrorName(rc);
        ZSTD_freeDStream(ds);
        return fail("zstd: " + why);
      }
      out.append(chunk, o.pos);
      if (out.size() > limit) {
        ZSTD_freeDStream(ds);
        return fail(fmt::format("zstd: decompressed body larger than {} bytes", limit));
      }
      // Done when every input byte is consumed and the decoder had no more output to give.
      if (in.pos == in.size && o.pos < o.size) break;
    }
    ZSTD_freeDStream(ds);
    if (rc != 0) return fail("zstd: truncated stream");
    return {};
  }
  return fail(fmt::format("unsupported Content-Encoding '{}' (use gzip, zstd or none)", encoding));
}

HttpBulkAnswer HttpBulkSource::handle(const HttpBulkRequest& req) {
  HttpBulkAnswer answer;
  auto error_body = [](const std::string& message) {
    std::string out = "{\"error\":";
    append_json_string(out, message);
    out.push_back('}');
    return out;
  };
  // A key names a batch of one SOC: two SOCs choosing the same key (a counter, a date) must not
  // be answered each other's batches. SOC ids hold no space, so the prefix cannot be forged.
  const std::string idempotency_key = req.idempotency_key.empty() ? std::string() : req.soc_id + " " + req.idempotency_key;
  if (!idempotency_key.empty()) {
    if (auto previous = ctx_.spool->answer_for(idempotency_key)) {
      Metrics::instance().counter("khien_ingest_idempotent_replays_total", "Retried batches answered from the spool").add();
      answer.body = *previous;
      return answer;
    }
  }
  if (!ctx_.http_formats.empty() &&
      std::find(ctx_.http_formats.begin(), ctx_.http_formats.end(), req.format) == ctx_.http_formats.end()) {
    std::string known;
    for (const auto& f : ctx_.http_formats) known += (known.empty() ? "" : ", ") + f;
    answer.status = 400;
    answer.body = error_body(fmt::format("parameter 'format': '{}' is not one of {}", req.format, known));
    return answer;
  }
  if (spool_saturated(ctx_)) {
    answer.status = 429;
    answer.retry_after_seconds = 1;
    answer.body = error_body("khien is saturated: the pipeline is behind; retry after the delay in Retry-After");
    Metrics::instance().counter("khien_ingest_throttled_total", "Requests answered 429 because the pipeline was behind").add();
    return answer;
  }
  std::string plain;
  if (auto st = decode_content(req.content_encoding, req.body, ctx_.limits.max_body_bytes, plain); !st) {
    answer.status = st.error().message.find("larger than") != std::string::npos ? 413 : 400;
    answer.body = error_body(st.error().message);
    return answer;
  }
  std::vector<SpoolInput> records;
  std::string errors;
  std::uint64_t accepted = 0, rejected = 0, reported = 0;
  std::size_t line_no = 0, start = 0;
  // A byte order mark, as Windows tools write at the start of a file, is not part of line 1.
  if (plain.starts_with("\xEF\xBB\xBF")) start = 3;
  std::string first_rejection;  // the batch's first refusal, kept as the SOC's last rejection
  std::string_view first_rejected;
  std::string_view current;      // the line being looked at
  auto reject = [&](std::size_t line, const std::string& why) {
    if (rejected == 0) {
      first_rejection = fmt::format("line {}: {}", line, why);
      first_rejected = current;
    }
    ++rejected;
    if (reported++ >= kMaxReportedErrors) return;
    if (!errors.empty()) errors.push_back(',');
    errors += fmt::format("{{\"line\":{},\"error\":", line);
    append_json_string(errors, why);
    errors.push_back('}');
  };
  while (start < plain.size()) {
    std::size_t nl = plain.find('\n', start);
    if (nl == std::string::npos) nl = plain.size();
    std::string_view line(plain.data() + start, nl - start);
    current = line;
    start = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (line.size() > ctx_.limits.max_line_bytes) {
      reject(line_no, fmt::format("line of {} bytes exceeds the maximum of {}", line.size(), ctx_.limits.max_line_bytes));
      continue;
    }
    if (!is_valid_utf8(line)) {
      reject(line_no, "invalid UTF-8");
      continue;
    }
    auto code = ctx_.validate(line, req.format);
    if (!code) {
      reject(line_no, code.error().message);
      continue;
    }
    records.push_back(SpoolInput{req.soc_row, *code, SourceKind::Http, line});
    ++accepted;
  }
  std::string body = fmt::format("{{\"accepted\":{},\"rejected\":{},\"errors\":[{}]", accepted, rejected, errors);
  if (reported > kMaxReportedErrors) body += fmt::format(",\"errors_not_shown\":{}", reported - kMaxReportedErrors);
  body.push_back('}');
  if (!records.empty() || !idempotency_key.empty()) {
    auto appended = ctx_.spool->append(records, true, idempotency_key, body);
    if (!appended) {
      answer.status = 503;
      answer.retry_after_seconds = 5;
      answer.body = error_body("cannot store the batch: " + appended.error().message);
      return answer;
    }
  }
  ctx_.stats->record(req.soc_id, "http", accepted, rejected);
  if (rejected > 0) ctx_.stats->note_rejection(req.soc_id, "http", first_rejection, first_rejected);
  answer.body = std::move(body);
  return answer;
}

}  // namespace khien
