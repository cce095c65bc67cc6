// The durable spool: every accepted record is appended here (and fsynced) before it is acknowledged.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/time.h"

namespace khien {

/// Transport a record arrived by.
enum class SourceKind : std::uint8_t { Http = 1, SyslogUdp = 2, SyslogTcp = 3, File = 4, SyslogTls = 5, Netflow = 6, Marker = 15 };
std::string_view source_kind_name(SourceKind kind);

/// One record to append.
struct SpoolInput {
  std::uint32_t soc = 0;     ///< SOC row id in the state store
  std::uint8_t format = 0;   ///< index into registered_decoders() (append-only list), or kSyslogFormat
  SourceKind source = SourceKind::Http;
  std::string_view payload;  ///< the record bytes (one NDJSON line, one syslog message)
};

/// One record read back.
struct SpoolRecord {
  std::uint64_t seq = 0;
  TimeNs received = 0;
  std::uint32_t soc = 0;
  std::uint8_t format = 0;
  SourceKind source = SourceKind::Http;
  std::string_view payload;  ///< valid until the next read into the same buffer
};

/// Format code of records that are whole syslog messages (the payload format is detected later).
inline constexpr std::uint8_t kSyslogFormat = 255;

struct SpoolOptions {
  std::uint64_t segment_bytes = 64ull << 20;  ///< rotate segment files at this size
  std::uint64_t retain_bytes = 256ull << 20;  ///< consumed segments kept (idempotency window)
};

/// Append-only log of records in segment files `<first-seq>.spool`.
///
/// Threading: append() may be called from any thread (serialised by a mutex; the write is one
/// write(2) per call). A background thread fdatasyncs what was written, so many concurrent
/// appenders share one sync (group commit). read() is for the single pipeline consumer.
/// Each append call is a transaction: its last record carries a commit flag and recovery cuts
/// the file after the last committed record, so a batch is either wholly there or not at all.
class Spool {
 public:
  static Result<std::unique_ptr<Spool>> open(const std::filesystem::path& dir, SpoolOptions options = {});
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  /// Appends records (and, when `idempotency_key` is given, a marker remembering `answer` for
  /// that key). Returns the seq of the last record. With `durable`, returns only once the
  /// records are on disk.
  Result<std::uint64_t> append(std::span<const SpoolInput> records, bool durable,
                               std::string_view idempotency_key = {}, std::string_view answer = {});

  /// The answer remembered for an idempotency key seen within the retention window.
  std::optional<std::string> answer_for(std::string_view idempotency_key) const;

  /// Reads durable records with seq > `after`, at most `max_records` / about `max_bytes`, into
  /// `out` (payload views point into `buffer`). Returns the number read (0: nothing new).
  Result<std::size_t> read(std::uint64_t after, std::size_t max_records, std::size_t max_bytes,
                           std::vector<SpoolRecord>& out, std::string& buffer);

  /// Waits up to `timeout_ms` for durable records after `seq`.
  void wait_for_records(std::uint64_t seq, int timeout_ms);

  /// Tells the spool everything up to `seq` is processed; old segments beyond the retention are deleted.
  void release(std::uint64_t seq);

  std::uint64_t last_seq() const;
  std::uint64_t durable_seq() const;
  std::uint64_t bytes_on_disk() const;
  /// Records appended but not yet released (the pipeline's backlog).
  std::uint64_t backlog() const;

 private:
  struct Segment {
    std::uint64_t first_seq = 0;
    std::uint64_t last_seq = 0;  // 0 when empty
    std::uint64_t bytes = 0;
    std::filesystem::path path;
  };
  Spool(std::filesystem::path dir, SpoolOptions options);
  Status recover();
  Status open_tail_for_append();
  Status rotate_locked();
  void sync_loop();
  void scan_markers(const Segment& seg);

  std::filesystem::path dir_;
  SpoolOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable synced_cv_;
  std::condition_variable work_cv_;
  std::vector<Segment> segments_;  // ordered by first_seq; back() is the tail being written
  int tail_fd_ = -1;
  std::uint64_t written_seq_ = 0;
  std::uint64_t durable_seq_ = 0;
  std::uint64_t released_seq_ = 0;
  bool stopping_ = false;
  std::map<std::string, std::string, std::less<>> answers_;
  std::thread syncer_;
  // Reader state (single consumer).
  int read_fd_ = -1;
  std::uint64_t read_segment_first_ = 0;
  std::uint64_t read_offset_ = 0;
  std::uint64_t read_next_seq_ = 0;
};

}  // namespace khien
