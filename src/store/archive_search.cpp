// Archive search: walks journals newest first, decompresses candidate frames, filters lines.
#include "store/archive_search.h"

#include <zstd.h>

#include <algorithm>
#include <charconv>
#include <fstream>

#include <fmt/format.h>
#include <simdjson.h>

#include "store/archive_writer.h"
#include "store/event_query.h"

namespace khien {

namespace {

struct Position {
  std::string hour;
  std::size_t frame = 0;  // index of the frame within the hour, in journal order
  std::size_t line = 0;   // index of the line within the frame
};

std::string encode_cursor(const Position& p) { return fmt::format("{}.{}.{}", p.hour, p.frame, p.line); }

Result<Position> decode_cursor(const std::string& text) {
  Position p;
  auto a = text.find('.');
  auto b = text.find('.', a == std::string::npos ? a : a + 1);
  if (a != 10 || b == std::string::npos) return fail("cursor: malformed; pass next_cursor back unchanged");
  p.hour = text.substr(0, a);
  auto parse = [](std::string_view s, std::size_t& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
  };
  if (!parse(std::string_view(text).substr(a + 1, b - a - 1), p.frame) || !parse(std::string_view(text).substr(b + 1), p.line))
    return fail("cursor: malformed; pass next_cursor back unchanged");
  return p;
}

bool in_set(const std::set<std::string>& set, std::string_view value) {
  return set.empty() || set.count(std::string(value)) > 0;
}

std::string_view string_field(simdjson::dom::object& obj, std::string_view key) {
  std::string_view v;
  if (obj[key].get_string().get(v)) return {};
  return v;
}

}  // namespace

Result<SearchResult> search_archive(const std::filesystem::path& dir, const SearchRequest& req) {
  auto query = EventQuery::parse(req.query);
  if (!query) return tl::unexpected(query.error());
  std::optional<Position> resume;
  if (!req.cursor.empty()) {
    auto p = decode_cursor(req.cursor);
    if (!p) return tl::unexpected(p.error());
    resume = *p;
  }
  SearchResult result;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return result;
  std::vector<std::string> hours;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_directory() && e.path().filename().string().size() == 10) hours.push_back(e.path().filename().string());
  std::sort(hours.rbegin(), hours.rend());

  const bool needs_lines = !query->empty() || !req.orgs.empty() || !req.sectors.empty() || !req.provinces.empty();
  simdjson::dom::parser parser;
  std::string plain, compressed;
  bool page_full = false;
  for (const auto& hour : hours) {
    std::vector<ArchiveFrame> frames;
    std::ifstream journal(dir / hour / "journal.ndjson", std::ios::binary);
    std::string line;
    while (std::getline(journal, line)) {
      if (journal.eof()) break;  // a line still being written
      auto parsed = parse_journal_line(line);
      if (!parsed) break;
      for (auto& f : parsed->second) frames.push_back(std::move(f));
    }
    std::ifstream segment;
    std::string open_file;
    for (std::size_t fi = frames.size(); fi-- > 0;) {
      const ArchiveFrame& f = frames[fi];
      if (!in_set(req.socs, f.soc)) continue;
      if (req.since && f.time_max < *req.since) continue;
      if (req.until && f.time_min >= *req.until) continue;
      if (req.deadline && now_ns() >= *req.deadline) {
        // Out of time: the next request resumes at this frame (or, still short of the cursor it
        // was given, at that cursor).
        result.partial = true;
        result.total_is_exact = false;
        if (result.next_cursor.empty()) {
          const bool short_of_cursor = resume && (hour > resume->hour || (hour == resume->hour && fi >= resume->frame));
          result.next_cursor = short_of_cursor ? encode_cursor(*resume) : encode_cursor(Position{hour, fi, static_cast<std::size_t>(f.count)});
        }
        return result;
      }
      const bool whole_frame = !needs_lines && (!req.since || f.time_min >= *req.since) && (!req.until || f.time_max < *req.until);
      // Frames wholly before the cursor only count towards the total.
      bool before_cursor = resume && (hour > resume->hour || (hour == resume->hour && fi > resume->frame));
      if (whole_frame && (before_cursor || page_full)) {
        // A whole frame past a full page: the next page starts at its newest line (cursor lines
        // are exclusive upper bounds).
        if (!before_cursor && f.count > 0 && result.next_cursor.empty())
          result.next_cursor = encode_cursor(Position{hour, fi, static_cast<std::size_t>(f.count)});
        result.total += f.count;
        continue;
      }
      // Past a full page, frames are read to count matches up to max_total, and in any case until
      // the first match past the page is found: it is where the next page starts.
      if (!page_full || result.total < req.max_total || result.next_cursor.empty()) {
        if (open_file != f.file) {
          segment.close();
          segment.open(dir / hour / f.file, std::ios::binary);
          open_file = f.file;
        }
        compressed.resize(f.length);
        segment.seekg(static_cast<std::streamoff>(f.offset));
        if (!segment.read(compressed.data(), static_cast<std::streamsize>(f.length))) continue;
        auto size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
        if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (1ull << 31)) continue;
        plain.resize(size);
        auto n = ZSTD_decompress(plain.data(), plain.size(), compressed.data(), compressed.size());
        if (ZSTD_isError(n)) continue;
        plain.resize(n);
      } else {
        result.total_is_exact = false;
        continue;
      }
      // Lines of the frame, newest (last) first.
      std::vector<std::string_view> lines;
      std::size_t start = 0;
      while (start < plain.size()) {
        auto nl = plain.find('\n', start);
        if (nl == std::string::npos) nl = plain.size();
        lines.emplace_back(plain.data() + start, nl - start);
        start = nl + 1;
      }
      for (std::size_t li = lines.size(); li-- > 0;) {
        std::string_view text = lines[li];
        bool matched = true;
        if (needs_lines || !whole_frame) {
          simdjson::dom::element ev;
          if (parser.parse(text.data(), text.size()).get(ev)) continue;
          simdjson::dom::object obj;
          if (ev.get_object().get(obj)) continue;
          if (!in_set(req.orgs, string_field(obj, "khien.org")) || !in_set(req.sectors, string_field(obj, "khien.sector")) ||
              !in_set(req.provinces, string_field(obj, "khien.province")))
            continue;
          if (req.since || req.until) {
            std::string_view t = string_field(obj, "time");
            if (t.empty()) t = string_field(obj, "khien.received");
            auto ts = parse_iso8601(t);
            if (!ts || (req.since && *ts < *req.since) || (req.until && *ts >= *req.until)) continue;
          }
          matched = query->matches(ev, text);
        }
        if (!matched) continue;
        ++result.total;
        bool skip = resume && (hour > resume->hour || (hour == resume->hour && (fi > resume->frame || (fi == resume->frame && li >= resume->line))));
        if (skip) continue;
        if (!page_full) {
          if (result.events.size() < req.limit) {
            result.events.emplace_back(text);
            if (result.events.size() == req.limit) page_full = true;
          }
        } else if (result.next_cursor.empty()) {
          // The first match past the page: resume just before it (cursor positions are exclusive upper bounds).
          result.next_cursor = encode_cursor(Position{hour, fi, li + 1});
        }
        if (page_full && result.total >= req.max_total) {
          result.total_is_exact = false;
        }
      }
    }
  }
  return result;
}

}  // namespace khien
