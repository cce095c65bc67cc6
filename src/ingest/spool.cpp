// Spool implementation: CRC-checked records, group-committed fdatasync, tail recovery.
#include "ingest/spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/file_io.h"

namespace khien {

namespace {

constexpr std::uint32_t kMagic = 0x3150534b;  // "KSP1"
constexpr std::size_t kHeaderBytes = 36;
constexpr std::uint8_t kCommitFlag = 1;
constexpr std::uint32_t kMaxPayload = 64u << 20;
// What one read(2) of the pipeline asks for: a few hundred typical records.
constexpr std::size_t kReadBlockBytes = 256u << 10;

struct Header {
  std::uint32_t magic;
  std::uint32_t length;
  std::uint32_t crc;
  std::uint8_t flags;
  std::uint8_t format;
  std::uint8_t source;
  std::uint8_t reserved;
  std::uint64_t seq;
  std::int64_t received;
  std::uint32_t soc;
};

void put_header(char* out, const Header& h) {
  std::memcpy(out + 0, &h.magic, 4);
  std::memcpy(out + 4, &h.length, 4);
  std::memcpy(out + 8, &h.crc, 4);
  out[12] = static_cast<char>(h.flags);
  out[13] = static_cast<char>(h.format);
  out[14] = static_cast<char>(h.source);
  out[15] = 0;
  std::memcpy(out + 16, &h.seq, 8);
  std::memcpy(out + 24, &h.received, 8);
  std::memcpy(out + 32, &h.soc, 4);
}

Header get_header(const char* in) {
  Header h{};
  std::memcpy(&h.magic, in + 0, 4);
  std::memcpy(&h.length, in + 4, 4);
  std::memcpy(&h.crc, in + 8, 4);
  h.flags = static_cast<std::uint8_t>(in[12]);
  h.format = static_cast<std::uint8_t>(in[13]);
  h.source = static_cast<std::uint8_t>(in[14]);
  std::memcpy(&h.seq, in + 16, 8);
  std::memcpy(&h.received, in + 24, 8);
  std::memcpy(&h.soc, in + 32, 4);
  return h;
}

std::uint32_t record_crc(const char* header, std::string_view payload) {
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(header + 12), kHeaderBytes - 12);
  return static_cast<std::uint32_t>(
      crc32(crc, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size())));
}

std::string segment_name(std::uint64_t first_seq) { return fmt::format("{:020}.spool", first_seq); }

bool read_exact(int fd, char* out, std::size_t size, std::uint64_t offset) {
  while (size > 0) {
    ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    out += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

// Walks the whole records of one segment file from `offset` up to `end`, reading blocks of
// kReadBlockBytes (a record's header and payload each by its own pread made a restart over a full
// spool one system call per 36-byte header). Stops at the end, at a torn record, or at bytes that
// are not a record.
class RecordWalker {
 public:
  RecordWalker(int fd, std::uint64_t offset, std::uint64_t end) : fd_(fd), offset_(offset), end_(end) {}
  /// The next record: its header (`raw` its 36 bytes) and payload, valid until the next call.
  bool next(Header& h, const char*& raw, std::string_view& payload) {
    for (;;) {
      const std::size_t avail = filled_ - parsed_;
      std::size_t need = kHeaderBytes;
      if (avail >= kHeaderBytes) {
        h = get_header(buffer_.data() + parsed_);
        if (h.magic != kMagic || h.length > kMaxPayload) return false;
        need += h.length;
      }
      if (avail >= need) {
        raw = buffer_.data() + parsed_;
        payload = std::string_view(raw + kHeaderBytes, h.length);
        parsed_ += need;
        offset_ += need;
        return true;
      }
      // Keep the unparsed bytes at the front, so the buffer stays a block and a record long.
      if (parsed_ > 0) {
        std::memmove(buffer_.data(), buffer_.data() + parsed_, avail);
        filled_ = avail;
        parsed_ = 0;
      }
      const std::uint64_t from = offset_ + avail;
      if (from >= end_) return false;
      const std::size_t want =
          static_cast<std::size_t>(std::min<std::uint64_t>(end_ - from, std::max(kReadBlockBytes, need - avail)));
      if (buffer_.size() < filled_ + want) buffer_.resize(filled_ + want);
      const ssize_t n = ::pread(fd_, buffer_.data() + filled_, want, static_cast<off_t>(from));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      filled_ += static_cast<std::size_t>(n);
    }
  }
  /// The file offset just after the last record returned.
  std::uint64_t offset() const { return offset_; }

 private:
  int fd_;
  std::uint64_t offset_;  // of buffer_[parsed_]
  std::uint64_t end_;
  std::string buffer_;
  std::size_t parsed_ = 0, filled_ = 0;
};

}  // namespace

std::string_view source_kind_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::Http: return "http";
    case SourceKind::SyslogUdp: return "syslog-udp";
    case SourceKind::SyslogTcp: return "syslog-tcp";
    case SourceKind::SyslogTls: return "syslog-tls";
    case SourceKind::File: return "file";
    case SourceKind::Netflow: return "netflow";
    case SourceKind::Marker: return "marker";
  }
  return "unknown";
}

Spool::Spool(std::filesystem::path dir, SpoolOptions options) : dir_(std::move(dir)), options_(options) {}

Result<std::unique_ptr<Spool>> Spool::open(const std::filesystem::path& dir, SpoolOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(fmt::format("spool: cannot create {}: {}", dir.string(), ec.message()));
  std::unique_ptr<Spool> spool(new Spool(dir, options));
  if (auto st = spool->recover(); !st) return tl::unexpected(st.error());
  if (auto st = spool->open_tail_for_append(); !st) return tl::unexpected(st.error());
  spool->syncer_ = std::thread([s = spool.get()] { s->sync_loop(); });
  return spool;
}

Spool::~Spool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  if (syncer_.joinable()) syncer_.join();
  if (tail_fd_ >= 0) {
    ::fdatasync(tail_fd_);
    ::close(tail_fd_);
  }
  if (read_fd_ >= 0) ::close(read_fd_);
}

Status Spool::recover() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir_))
    if (entry.path().extension() == ".spool") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    Segment seg;
    seg.path = path;
    seg.first_seq = std::stoull(path.stem().string());
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return fail(fmt::format("spool: cannot open {}: {}", path.string(), std::strerror(errno)));
    // Walk every record; cut the file after the last committed one (a torn tail is an
    // unacknowledged, partly written batch).
    std::uint64_t committed_end = 0, committed_seq = 0;
    struct stat st{};
    ::fstat(fd, &st);
    RecordWalker walker(fd, 0, static_cast<std::uint64_t>(st.st_size));
    Header h{};
    const char* raw = nullptr;
    std::string_view payload;
    while (walker.next(h, raw, payload)) {
      if (record_crc(raw, payload) != h.crc) break;
      if (h.flags & kCommitFlag) {
        committed_end = walker.offset();
        committed_seq = h.seq;
      }
    }
    if (static_cast<std::uint64_t>(st.st_size) != committed_end) {
      spdlog::warn("spool: {}: cutting {} bytes of an unfinished batch after a crash", path.string(),
                   static_cast<std::uint64_t>(st.st_size) - committed_end);
      if (::ftruncate(fd, static_cast<off_t>(committed_end)) != 0)
        return fail(fmt::format("spool: cannot truncate {}: {}", path.string(), std::strerror(errno)));
      ::fdatasync(fd);
    }
    ::close(fd);
    seg.bytes = committed_end;
    seg.last_seq = committed_seq;
    if (committed_seq > 0) written_seq_ = std::max(written_seq_, committed_seq);
    segments_.push_back(seg);
  }
  if (!segments_.empty() && written_seq_ == 0) written_seq_ = segments_.front().first_seq - 1;
  durable_seq_ = written_seq_;
  // Everything that exists was processed at least up to what the caller tells us via release();
  // until then assume nothing was.
  released_seq_ = segments_.empty() ? 0 : segments_.front().first_seq - 1;
  for (const auto& seg : segments_) scan_markers(seg);
  return {};
}

void Spool::scan_markers(const Segment& seg) {
  int fd = ::open(seg.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  RecordWalker walker(fd, 0, seg.bytes);
  Header h{};
  const char* raw = nullptr;
  std::string_view payload;
  while (walker.next(h, raw, payload)) {
    if (static_cast<SourceKind>(h.source) != SourceKind::Marker) continue;
    auto nul = payload.find('\0');
    if (nul != std::string_view::npos) answers_[std::string(payload.substr(0, nul))] = std::string(payload.substr(nul + 1));
  }
  ::close(fd);
}

Status Spool::open_tail_for_append() {
  if (segments_.empty() || segments_.back().bytes >= options_.segment_bytes) {
    std::uint64_t first = written_seq_ + 1;
    Segment seg;
    seg.first_seq = first;
    seg.path = dir_ / segment_name(first);
    segments_.push_back(seg);
  }
  tail_fd_ = ::open(segments_.back().path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (tail_fd_ < 0)
    return fail(fmt::format("spool: cannot open {}: {}", segments_.back().path.string(), std::strerror(errno)));
  return {};
}

Status Spool::rotate_locked() {
  ::fdatasync(tail_fd_);
  ::close(tail_fd_);
  tail_fd_ = -1;
  durable_seq_ = written_seq_;
  Segment seg;
  seg.first_seq = written_seq_ + 1;
  seg.path = dir_ / segment_name(seg.first_seq);
  segments_.push_back(seg);
  tail_fd_ = ::open(seg.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (tail_fd_ < 0) return fail(fmt::format("spool: cannot open {}: {}", seg.path.string(), std::strerror(errno)));
  // Make the new file's directory entry durable too.
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

Result<std::uint64_t> Spool::append(std::span<const SpoolInput> records, bool durable,
                                    std::string_view idempotency_key, std::string_view answer) {
  std::size_t total = 0;
  for (const auto& r : records) total += kHeaderBytes + r.payload.size();
  std::string marker;
  if (!idempotency_key.empty()) {
    marker.reserve(idempotency_key.size() + 1 + answer.size());
    marker.append(idempotency_key).push_back('\0');
    marker.append(answer);
    total += kHeaderBytes + marker.size();
  }
  if (total == 0) return durable_seq();
  std::string buf;
  buf.resize(total);
  TimeNs received = now_ns();
  std::uint64_t last = 0;
  {
    std::unique_lock lock(mutex_);
    if (segments_.back().bytes >= options_.segment_bytes) {
      if (auto st = rotate_locked(); !st) return tl::unexpected(st.error());
    }
    std::uint64_t seq = written_seq_;
    std::size_t pos = 0;
    std::size_t count = records.size() + (marker.empty() ? 0 : 1);
    for (std::size_t i = 0; i < count; ++i) {
      bool is_marker = i == records.size();
      SpoolInput in = is_marker ? SpoolInput{0, 0, SourceKind::Marker, marker} : records[i];
      if (in.payload.size() > kMaxPayload) return fail("spool: record larger than 64 MiB");
      Header h{kMagic, static_cast<std::uint32_t>(in.payload.size()), 0,
               static_cast<std::uint8_t>(i + 1 == count ? kCommitFlag : 0), in.format,
               static_cast<std::uint8_t>(in.source), 0, ++seq, received, in.soc};
      put_header(buf.data() + pos, h);
      std::memcpy(buf.data() + pos + kHeaderBytes, in.payload.data(), in.payload.size());
      h.crc = record_crc(buf.data() + pos, in.payload);
      std::memcpy(buf.data() + pos + 8, &h.crc, 4);
      pos += kHeaderBytes + in.payload.size();
    }
    if (!write_all(tail_fd_, std::string_view(buf.data(), buf.size()))) {
      std::string why = std::strerror(errno);
      // A short write leaves a torn batch; cut it so the file stays a sequence of whole batches.
      if (::ftruncate(tail_fd_, static_cast<off_t>(segments_.back().bytes)) != 0) spdlog::error("spool: cannot cut torn write");
      return fail("spool: write failed: " + why);
    }
    segments_.back().bytes += buf.size();
    segments_.back().last_seq = seq;
    written_seq_ = seq;
    last = seq;
    if (!marker.empty()) answers_[std::string(idempotency_key)] = std::string(answer);
  }
  work_cv_.notify_one();
  if (durable) {
    std::unique_lock lock(mutex_);
    synced_cv_.wait(lock, [&] { return durable_seq_ >= last || stopping_; });
  }
  return last;
}

void Spool::sync_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    work_cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return stopping_ || written_seq_ > durable_seq_; });
    if (written_seq_ <= durable_seq_) continue;
    std::uint64_t target = written_seq_;
    int fd = ::dup(tail_fd_);
    lock.unlock();
    ::fdatasync(fd);
    ::close(fd);
    lock.lock();
    // A rotation in between already synced the older file; the new tail holds records after it.
    durable_seq_ = std::max(durable_seq_, target);
    synced_cv_.notify_all();
  }
  synced_cv_.notify_all();
}

std::optional<std::string> Spool::answer_for(std::string_view key) const {
  std::lock_guard lock(mutex_);
  auto it = answers_.find(key);
  if (it == answers_.end()) return std::nullopt;
  return it->second;
}

void Spool::wait_for_records(std::uint64_t seq, int timeout_ms) {
  std::unique_lock lock(mutex_);
  synced_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return durable_seq_ > seq || stopping_; });
}

Result<std::size_t> Spool::read(std::uint64_t after, std::size_t max_records, std::size_t max_bytes,
                                std::vector<SpoolRecord>& out, std::string& buffer) {
  out.clear();
  std::uint64_t limit;
  std::vector<Segment> segs;
  {
    std::lock_guard lock(mutex_);
    limit = durable_seq_;
    if (after >= limit) return 0;
    segs = segments_;
  }
  // Find the segment holding after+1, and position the reader in it (sequential reads keep the position).
  if (read_fd_ < 0 || read_next_seq_ != after + 1) {
    auto it = std::upper_bound(segs.begin(), segs.end(), after + 1,
                               [](std::uint64_t s, const Segment& seg) { return s < seg.first_seq; });
    if (it == segs.begin()) return fail(fmt::format("spool: record {} is no longer in the spool", after + 1));
    --it;
    if (read_fd_ >= 0) ::close(read_fd_);
    read_fd_ = ::open(it->path.c_str(), O_RDONLY | O_CLOEXEC);
    if (read_fd_ < 0) return fail(fmt::format("spool: cannot open {}: {}", it->path.string(), std::strerror(errno)));
    read_segment_first_ = it->first_seq;
    read_offset_ = 0;
    read_next_seq_ = it->first_seq;
    char hdr[kHeaderBytes];
    while (read_next_seq_ <= after && read_exact(read_fd_, hdr, kHeaderBytes, read_offset_)) {
      Header h = get_header(hdr);
      read_offset_ += kHeaderBytes + h.length;
      read_next_seq_ = h.seq + 1;
    }
  }
  // Read whole blocks of records, then cut them into records in memory: one pread for a header
  // and one for a payload made the system calls a fifth of the pipeline's time. Bytes read past
  // the records returned are read again by the next call.
  struct Pending {
    Header h;
    std::size_t offset;
  };
  std::vector<Pending> pending;
  std::size_t parsed = 0, filled = 0, consumed = 0;
  // The reader's segment's length, looked up once and again only when the reader moves on.
  auto seg_it = std::find_if(segs.begin(), segs.end(), [&](const Segment& s) { return s.first_seq == read_segment_first_; });
  std::uint64_t seg_bytes = seg_it != segs.end() ? seg_it->bytes : 0;
  while (pending.size() < max_records && read_next_seq_ <= limit && consumed < max_bytes) {
    if (parsed == filled && read_offset_ >= seg_bytes) {
      // End of this segment: move to the next one.
      auto next = std::find_if(segs.begin(), segs.end(), [&](const Segment& s) { return s.first_seq > read_segment_first_; });
      if (next == segs.end()) break;
      ::close(read_fd_);
      read_fd_ = ::open(next->path.c_str(), O_RDONLY | O_CLOEXEC);
      if (read_fd_ < 0) return fail(fmt::format("spool: cannot open {}", next->path.string()));
      read_segment_first_ = next->first_seq;
      read_offset_ = 0;
      seg_bytes = next->bytes;
      continue;
    }
    // Bytes the next record needs in the buffer: its header, then its whole payload.
    std::size_t need = kHeaderBytes;
    if (filled - parsed >= kHeaderBytes) {
      const Header h = get_header(buffer.data() + parsed);
      if (h.magic != kMagic || h.length > kMaxPayload || h.seq > limit) break;
      need = kHeaderBytes + h.length;
    }
    if (filled - parsed < need) {
      // The file offset of the first byte not yet in the buffer, and what is left of the segment.
      const std::uint64_t from = read_offset_ + (filled - parsed);
      if (from >= seg_bytes) break;  // a record cut at the segment's end: not whole yet
      const std::size_t want = static_cast<std::size_t>(
          std::min<std::uint64_t>(seg_bytes - from, std::max(kReadBlockBytes, need - (filled - parsed))));
      if (buffer.size() < filled + want) buffer.resize(filled + want);
      const ssize_t n = ::pread(read_fd_, buffer.data() + filled, want, static_cast<off_t>(from));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      filled += static_cast<std::size_t>(n);
      continue;
    }
    const Header h = get_header(buffer.data() + parsed);
    pending.push_back({h, parsed + kHeaderBytes});
    parsed += need;
    consumed += h.length;
    read_offset_ += need;
    read_next_seq_ = h.seq + 1;
  }
  for (const auto& p : pending) {
    out.push_back(SpoolRecord{p.h.seq, p.h.received, p.h.soc, p.h.format, static_cast<SourceKind>(p.h.source),
                              std::string_view(buffer.data() + p.offset, p.h.length)});
  }
  return out.size();
}

void Spool::release(std::uint64_t seq) {
  std::vector<std::filesystem::path> doomed;
  {
    std::lock_guard lock(mutex_);
    released_seq_ = std::max(released_seq_, seq);
    // Keep consumed segments up to retain_bytes: they back the idempotency answers.
    std::uint64_t kept = 0;
    for (std::size_t i = segments_.size(); i-- > 0;) {
      const Segment& s = segments_[i];
      bool consumed = s.last_seq != 0 && s.last_seq <= released_seq_ && i + 1 < segments_.size();
      if (consumed && kept >= options_.retain_bytes) doomed.push_back(s.path);
      else kept += s.bytes;
    }
    if (!doomed.empty()) {
      segments_.erase(std::remove_if(segments_.begin(), segments_.end(),
                                     [&](const Segment& s) {
                                       return std::find(doomed.begin(), doomed.end(), s.path) != doomed.end();
                                     }),
                      segments_.end());
    }
  }
  for (const auto& p : doomed) {
    std::error_code ec;
    std::filesystem::remove(p, ec);
  }
}

std::uint64_t Spool::last_seq() const {
  std::lock_guard lock(mutex_);
  return written_seq_;
}

std::uint64_t Spool::durable_seq() const {
  std::lock_guard lock(mutex_);
  return durable_seq_;
}

std::uint64_t Spool::bytes_on_disk() const {
  std::lock_guard lock(mutex_);
  std::uint64_t total = 0;
  for (const auto& s : segments_) total += s.bytes;
  return total;
}

std::uint64_t Spool::backlog() const {
  std::lock_guard lock(mutex_);
  return written_seq_ > released_seq_ ? written_seq_ - released_seq_ : 0;
}

}  // namespace khien
