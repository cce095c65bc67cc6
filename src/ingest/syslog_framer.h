// Splits a syslog TCP byte stream into messages (RFC 6587 octet counting and non-transparent framing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace khien {

/// Streaming RFC 6587 framer for one TCP connection. Each frame is framed on its own: a frame
/// that starts with a length (`123 <PRI>...`, a digit run then SP) is octet-counted; any other
/// frame ends at LF, NUL or CRLF (the trailer is not part of the frame; empty frames are skipped).
/// A frame longer than the maximum is reported as an error and skipped (octet counting skips
/// exactly the declared bytes; LF framing discards up to the next trailer), and the stream goes on.
///
/// Usage:
///   framer.feed(chunk);
///   while (auto f = framer.next()) { if (*f) handle(**f); else log((*f).error().message); }
///   ... at connection close: if (auto f = framer.finish()) ...
///
/// Zero copy: frames that lie wholly inside the fed chunk are views into it; only a frame split
/// across chunks is assembled in an internal buffer. So the chunk given to feed() must stay valid
/// until next() returns nullopt, and a returned view is valid until the next call of feed(),
/// next() or finish(). Not thread-safe: one framer per connection.
class SyslogFramer {
 public:
  /// `max_frame_size` bounds the frame body (without length prefix and trailer).
  explicit SyslogFramer(std::size_t max_frame_size = 64 * 1024);

  /// Hands over the next bytes of the stream (any size, split anywhere).
  void feed(std::string_view bytes);

  /// The next complete frame, an error for a skipped frame ("frame 3: declared length 900000
  /// exceeds the maximum frame size 65536; skipped"), or nullopt when more bytes are needed.
  std::optional<Result<std::string_view>> next();

  /// At connection close, after next() returned nullopt: the final frame that had no trailer, an
  /// error for an octet-counted frame cut short, or nullopt when nothing was pending.
  std::optional<Result<std::string_view>> finish();

  /// Frames (and skipped frames) seen so far on this connection.
  std::uint64_t frame_count() const { return frames_; }

 private:
  enum class Scan : std::uint8_t { Frame, NeedMore, Oversized, BadLength };
  struct ScanResult {
    Scan scan;
    std::string_view frame;      // Frame
    std::size_t consumed = 0;    // bytes of the input that belong to this frame (all of them if NeedMore)
    std::size_t declared = 0;    // octet count, Oversized / BadLength
    std::size_t skip_more = 0;   // Oversized octet-counted: bytes still to skip after `consumed`
    bool discard_to_lf = false;  // Oversized LF-framed without trailer yet, or BadLength
  };

  // `clean` is a prefix of `data` known to hold no trailer (saves rescanning a growing buffer).
  ScanResult scan(std::string_view data, std::size_t clean = 0) const;
  void drop_buffer_prefix(std::size_t n);
  // Bytes at the front of `data` that belong to a frame being skipped (updates the skip state).
  std::size_t skip_pending(std::string_view data);
  // How many bytes of input_ to move into buffer_ to make progress on the buffered frame.
  std::size_t wanted_from_input() const;
  std::optional<Result<std::string_view>> report(const ScanResult& r, std::string_view data);

  std::size_t max_;
  std::string_view input_;  // unconsumed part of the chunk given to feed()
  std::string buffer_;      // a frame split across chunks, being assembled
  std::size_t buffer_used_ = 0;  // prefix of buffer_ already returned (dropped on the next call)
  std::size_t buffer_clean_ = 0; // prefix of buffer_ already searched for a trailer in vain
  std::size_t skip_remaining_ = 0;
  bool discard_to_lf_ = false;
  std::uint64_t frames_ = 0;
};

}  // namespace khien
