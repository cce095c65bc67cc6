// Writes normalized events to the archive: zstd-compressed NDJSON segments per hour and per SOC, with a journal index.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_buffer.h"
#include "core/error.h"
#include "core/time.h"

struct ZSTD_CCtx_s;

namespace khien {

/// One frame's entry in an hour's journal (also the search index).
struct ArchiveFrame {
  std::string soc;
  std::string file;  ///< segment file name inside the hour folder
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::uint64_t count = 0;
  TimeNs time_min = 0;  ///< event time range of the frame
  TimeNs time_max = 0;
  std::uint64_t seq_min = 0;
  std::uint64_t seq_max = 0;
};

/// Layout: `<dir>/<YYYYMMDDHH>/<soc>.ndjson.zst` holds independent zstd frames (so `zstd -d`
/// reads a segment whole) and `<dir>/<YYYYMMDDHH>/journal.ndjson` one line per commit listing
/// the frames it wrote and the highest spool seq it covers. The hour is the commit's hour.
///
/// Threading: one writer (the pipeline thread). Crash safety: frames are written first, the
/// journal line last; on open, segments are cut back to what the journal lists and
/// committed_seq() tells the pipeline where to resume, so no event is archived twice.
class ArchiveWriter {
 public:
  static Result<std::unique_ptr<ArchiveWriter>> open(const std::filesystem::path& dir, int zstd_level = 1);
  ~ArchiveWriter();

  /// Highest spool seq whose event is in the archive (0 for a new archive).
  std::uint64_t committed_seq() const { return committed_seq_; }

  /// Buffers one event line (JSON, no newline) for `soc`.
  void add(std::string_view soc, TimeNs event_time, std::uint64_t seq, std::string_view json) {
    add_line(soc, event_time, seq, [&](ByteBuffer& frame) { frame.append(json); });
  }
  /// Buffers one event line for `soc` written in place: `write(frame)` appends the line's JSON
  /// (no newline) to the SOC's pending frame (a ByteBuffer), so the line is never copied. Returns the line,
  /// valid until the next add or commit.
  template <typename Write>
  std::string_view add_line(std::string_view soc, TimeNs event_time, std::uint64_t seq, Write&& write) {
    ByteBuffer& frame = pending_frame(soc, event_time, seq);
    const std::size_t at = frame.size();
    write(frame);
    frame.push_back('\n');
    return frame.view().substr(at, frame.size() - at - 1);
  }

  /// Compresses and writes everything buffered, then records it in the journal as covering
  /// spool records up to `seq_hi`. With `sync`, everything written so far is on disk on return
  /// (sync()).
  Status commit(std::uint64_t seq_hi, TimeNs now, bool sync);
  /// fdatasyncs every segment and journal written since the last sync, including those of
  /// commits made without `sync`: what the journal lists up to committed_seq() is then on disk.
  Status sync();

  std::uint64_t bytes_written() const { return bytes_written_; }
  std::uint64_t events_written() const { return events_written_; }

 private:
  struct Pending {
    ByteBuffer data;
    std::uint64_t count = 0;
    TimeNs time_min = 0, time_max = 0;
    std::uint64_t seq_min = 0, seq_max = 0;
  };
  explicit ArchiveWriter(std::filesystem::path dir, int level);
  // The pending frame of `soc`, its counts and time and seq ranges updated for one more line.
  ByteBuffer& pending_frame(std::string_view soc, TimeNs event_time, std::uint64_t seq);
  Status recover();
  Status switch_hour(const std::string& hour);
  int segment_fd(const std::string& soc);

  std::filesystem::path dir_;
  int level_;
  ZSTD_CCtx_s* cctx_ = nullptr;
  std::map<std::string, Pending, std::less<>> pending_;
  std::string last_soc_;              // the SOC of the last line added, and its pending frame
  Pending* last_pending_ = nullptr;
  std::string hour_;
  int journal_fd_ = -1;
  std::vector<int> unsynced_;  // segment and journal descriptors written since the last sync()
  std::map<std::string, std::pair<int, std::uint64_t>, std::less<>> segments_;  // soc -> (fd, size)
  std::uint64_t committed_seq_ = 0;
  std::uint64_t bytes_written_ = 0;
  std::uint64_t events_written_ = 0;
  ByteBuffer compressed_;
  std::string journal_line_;
};

/// Parses one journal line; nullopt-like error when the line is torn or malformed.
Result<std::pair<std::uint64_t, std::vector<ArchiveFrame>>> parse_journal_line(std::string_view line);

/// Soc ids become file names: only [a-z0-9._-] survive, anything else becomes '_'.
std::string archive_file_name(std::string_view soc);

}  // namespace khien
