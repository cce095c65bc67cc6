// Archive writer: per-SOC buffers compressed into zstd frames, journal written last for atomic commits.
#include "store/archive_writer.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/file_io.h"
#include "core/json_writer.h"

namespace khien {

std::string archive_file_name(std::string_view soc) {
  std::string out;
  for (char c : soc) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    out.push_back(ok ? c : '_');
  }
  if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
  return out + ".ndjson.zst";
}

Result<std::pair<std::uint64_t, std::vector<ArchiveFrame>>> parse_journal_line(std::string_view line) {
  auto doc = nlohmann::json::parse(line, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("seq") || !doc.contains("frames"))
    return fail("archive journal: torn or malformed line");
  std::vector<ArchiveFrame> frames;
  try {
    for (const auto& f : doc["frames"]) {
      ArchiveFrame fr;
      fr.soc = f.at("soc").get<std::string>();
      fr.file = f.at("file").get<std::string>();
      fr.offset = f.at("off").get<std::uint64_t>();
      fr.length = f.at("len").get<std::uint64_t>();
      fr.count = f.at("n").get<std::uint64_t>();
      fr.time_min = f.at("t0").get<std::int64_t>();
      fr.time_max = f.at("t1").get<std::int64_t>();
      fr.seq_min = f.at("s0").get<std::uint64_t>();
      fr.seq_max = f.at("s1").get<std::uint64_t>();
      frames.push_back(std::move(fr));
    }
    return std::make_pair(doc["seq"].get<std::uint64_t>(), std::move(frames));
  } catch (const std::exception& e) {
    return fail(std::string("archive journal: ") + e.what());
  }
}

ArchiveWriter::ArchiveWriter(std::filesystem::path dir, int level) : dir_(std::move(dir)), level_(level) {
  cctx_ = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level_);
}

ArchiveWriter::~ArchiveWriter() {
  for (auto& [soc, seg] : segments_) {
    ::fdatasync(seg.first);
    ::close(seg.first);
  }
  if (journal_fd_ >= 0) {
    ::fdatasync(journal_fd_);
    ::close(journal_fd_);
  }
  ZSTD_freeCCtx(cctx_);
}

Result<std::unique_ptr<ArchiveWriter>> ArchiveWriter::open(const std::filesystem::path& dir, int zstd_level) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(fmt::format("archive: cannot create {}: {}", dir.string(), ec.message()));
  std::unique_ptr<ArchiveWriter> w(new ArchiveWriter(dir, zstd_level));
  if (auto st = w->recover(); !st) return tl::unexpected(st.error());
  return w;
}

Status ArchiveWriter::recover() {
  // Only the newest hour can hold a torn commit; older hours were finished before it began.
  std::vector<std::string> hours;
  for (const auto& e : std::filesystem::directory_iterator(dir_))
    if (e.is_directory() && e.path().filename().string().size() == 10) hours.push_back(e.path().filename().string());
  std::sort(hours.begin(), hours.end());
  while (!hours.empty()) {
    auto hour_dir = dir_ / hours.back();
    auto journal_path = hour_dir / "journal.ndjson";
    std::ifstream in(journal_path, std::ios::binary);
    std::string line;
    std::uint64_t good_bytes = 0, pos = 0;
    std::map<std::string, std::uint64_t> ends;
    std::uint64_t seq = 0;
    while (std::getline(in, line)) {
      pos += line.size() + 1;
      if (in.eof()) break;  // no trailing newline: torn
      auto parsed = parse_journal_line(line);
      if (!parsed) break;
      // After a power loss the journal may have reached the disk before the frames it lists:
      // stop at the first line whose frames are not wholly there (the spool still holds them).
      bool frames_present = true;
      for (const auto& f : parsed->second) {
        std::error_code size_ec;
        auto size = std::filesystem::file_size(hour_dir / f.file, size_ec);
        if (size_ec || size < f.offset + f.length) frames_present = false;
      }
      if (!frames_present) break;
      seq = parsed->first;
      for (const auto& f : parsed->second) ends[f.file] = std::max(ends[f.file], f.offset + f.length);
      good_bytes = pos;
    }
    in.close();
    if (seq == 0 && good_bytes == 0) {
      // An hour folder with no complete commit: whatever is in it was never acknowledged as archived.
      std::error_code ec;
      std::filesystem::remove_all(hour_dir, ec);
      hours.pop_back();
      continue;
    }
    std::filesystem::resize_file(journal_path, good_bytes);
    for (const auto& e : std::filesystem::directory_iterator(hour_dir)) {
      auto name = e.path().filename().string();
      if (name == "journal.ndjson") continue;
      auto it = ends.find(name);
      std::uint64_t keep = it == ends.end() ? 0 : it->second;
      if (e.file_size() != keep) {
        spdlog::warn("archive: {}: cutting {} bytes not recorded in the journal", e.path().string(), e.file_size() - keep);
        if (keep == 0) std::filesystem::remove(e.path());
        else std::filesystem::resize_file(e.path(), keep);
      }
    }
    committed_seq_ = seq;
    break;
  }
  return {};
}

Status ArchiveWriter::sync() {
  // Each descriptor once; a failed fdatasync means the data may not be on disk, so the caller
  // must not let the spool drop the records.
  std::sort(unsynced_.begin(), unsynced_.end());
  unsynced_.erase(std::unique(unsynced_.begin(), unsynced_.end()), unsynced_.end());
  for (int fd : unsynced_)
    if (::fdatasync(fd) != 0) return fail(fmt::format("archive: fdatasync failed: {}", std::strerror(errno)));
  unsynced_.clear();
  return {};
}

Status ArchiveWriter::switch_hour(const std::string& hour) {
  // The old hour's files are closed: what they hold must be on disk first, as a later sync()
  // can no longer reach them.
  if (auto st = sync(); !st) return st;
  for (auto& [soc, seg] : segments_) ::close(seg.first);
  segments_.clear();
  if (journal_fd_ >= 0) ::close(journal_fd_);
  journal_fd_ = -1;
  hour_ = hour;
  auto hour_dir = dir_ / hour;
  std::error_code ec;
  std::filesystem::create_directories(hour_dir, ec);
  if (ec) return fail(fmt::format("archive: cannot create {}: {}", hour_dir.string(), ec.message()));
  journal_fd_ = ::open((hour_dir / "journal.ndjson").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (journal_fd_ < 0) return fail(fmt::format("archive: cannot open journal in {}: {}", hour_dir.string(), std::strerror(errno)));
  return {};
}

int ArchiveWriter::segment_fd(const std::string& file) {
  auto it = segments_.find(file);
  if (it != segments_.end()) return it->second.first;
  auto path = dir_ / hour_ / file;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return -1;
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  segments_.emplace(file, std::make_pair(fd, ec ? 0 : size));
  return fd;
}

ByteBuffer& ArchiveWriter::pending_frame(std::string_view soc, TimeNs event_time, std::uint64_t seq) {
  // Records come in runs from one SOC (a bulk request, a syslog connection's batch): the SOC of
  // the line before is checked first, before a search of the map by name.
  if (last_pending_ == nullptr || soc != last_soc_) {
    auto it = pending_.find(soc);
    if (it == pending_.end()) it = pending_.emplace(std::string(soc), Pending{}).first;
    last_soc_.assign(soc);
    last_pending_ = &it->second;  // map nodes stay put, and entries are never erased
  }
  Pending& p = *last_pending_;
  if (p.count == 0) {
    p.time_min = p.time_max = event_time;
    p.seq_min = seq;
  }
  p.time_min = std::min(p.time_min, event_time);
  p.time_max = std::max(p.time_max, event_time);
  p.seq_max = seq;
  ++p.count;
  return p.data;
}

Status ArchiveWriter::commit(std::uint64_t seq_hi, TimeNs now, bool sync) {
  std::string hour = hour_bucket(now);
  if (hour != hour_ || journal_fd_ < 0) {
    if (auto st = switch_hour(hour); !st) return st;
  }
  journal_line_.clear();
  journal_line_ += fmt::format("{{\"seq\":{},\"frames\":[", seq_hi);
  bool first = true;
  for (auto& [soc, p] : pending_) {
    if (p.count == 0) continue;
    std::string file = archive_file_name(soc);
    int fd = segment_fd(file);
    if (fd < 0) return fail(fmt::format("archive: cannot open segment {}: {}", file, std::strerror(errno)));
    const std::size_t bound = ZSTD_compressBound(p.data.size());
    compressed_.clear();
    char* frame = compressed_.tail(bound);
    std::size_t n = ZSTD_compress2(cctx_, frame, bound, p.data.data(), p.data.size());
    if (ZSTD_isError(n)) return fail(std::string("archive: zstd: ") + ZSTD_getErrorName(n));
    auto& seg = segments_[file];
    std::uint64_t offset = seg.second;
    if (!write_all(fd, std::string_view(frame, n))) return fail(fmt::format("archive: write failed: {}", std::strerror(errno)));
    seg.second += n;
    unsynced_.push_back(fd);
    if (!first) journal_line_.push_back(',');
    first = false;
    journal_line_ += "{\"soc\":";
    append_json_string(journal_line_, soc);
    journal_line_ += fmt::format(",\"file\":\"{}\",\"off\":{},\"len\":{},\"n\":{},\"t0\":{},\"t1\":{},\"s0\":{},\"s1\":{}}}", file,
                                 offset, n, p.count, p.time_min, p.time_max, p.seq_min, p.seq_max);
    bytes_written_ += n;
    events_written_ += p.count;
    p.data.clear();
    p.count = 0;
  }
  journal_line_ += "]}\n";
  // Frames first, then the journal line that lists them: a journal line never names frames a
  // crash could lose (recovery also drops lines whose frames are missing).
  if (sync)
    if (auto st = this->sync(); !st) return st;
  if (!write_all(journal_fd_, journal_line_))
    return fail(fmt::format("archive: journal write failed: {}", std::strerror(errno)));
  unsynced_.push_back(journal_fd_);
  if (sync)
    if (auto st = this->sync(); !st) return st;
  committed_seq_ = seq_hi;
  return {};
}

}  // namespace khien
