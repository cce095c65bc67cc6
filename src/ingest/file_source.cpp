// File replay implementation.
#include "ingest/file_source.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/json_writer.h"
#include "ingest/http_bulk_source.h"

namespace khien {

Result<FileIngestReport> ingest_files(const SourceContext& ctx, const std::vector<std::filesystem::path>& files,
                                      const std::string& format, std::uint32_t soc_row, const std::string& soc_id) {
  FileIngestReport report;
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(fmt::format("{}: cannot open", path.string()));
    std::stringstream ss;
    ss << in.rdbuf();
    std::string raw = ss.str();
    std::string text;
    std::string ext = path.extension().string();
    std::string encoding = ext == ".gz" ? "gzip" : ext == ".zst" ? "zstd" : "";
    if (auto st = decode_content(encoding, raw, ctx.limits.max_body_bytes * 16, text); !st)
      return fail(fmt::format("{}: {}", path.string(), st.error().message));
    std::vector<SpoolInput> batch;
    std::size_t line_no = 0, start = 0;
    auto flush = [&]() -> Status {
      if (batch.empty()) return {};
      auto r = ctx.spool->append(batch, true);
      batch.clear();
      if (!r) return tl::unexpected(r.error());
      return {};
    };
    while (start < text.size()) {
      std::size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      std::string_view line(text.data() + start, nl - start);
      start = nl + 1;
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      std::string why;
      if (line.size() > ctx.limits.max_line_bytes) why = fmt::format("line of {} bytes exceeds the maximum of {}", line.size(), ctx.limits.max_line_bytes);
      else if (!is_valid_utf8(line)) why = "invalid UTF-8";
      std::uint8_t code = 0;
      if (why.empty()) {
        auto c = ctx.validate(line, format);
        if (c) code = *c;
        else why = c.error().message;
      }
      if (!why.empty()) {
        ++report.rejected;
        if (report.errors.size() < 1000) report.errors.push_back(fmt::format("{}:{}: {}", path.string(), line_no, why));
        continue;
      }
      batch.push_back(SpoolInput{soc_row, code, SourceKind::File, line});
      ++report.accepted;
      if (batch.size() >= 8192)
        if (auto st = flush(); !st) return tl::unexpected(st.error());
    }
    if (auto st = flush(); !st) return tl::unexpected(st.error());
  }
  ctx.stats->record(soc_id, "file", report.accepted, report.rejected);
  return report;
}

}  // namespace khien
