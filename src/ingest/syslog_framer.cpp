// RFC 6587 framing: frames are views into the fed chunk when they fit in it, else assembled in one buffer.
#include "ingest/syslog_framer.h"

#include <algorithm>

#include "fmt/format.h"

namespace khien {

namespace {

// Longest octet count accepted: 10 digits is far beyond any sane maximum frame size, and keeps
// the value inside 64 bits.
constexpr std::size_t kMaxLengthDigits = 10;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_trailer(char c) { return c == '\n' || c == '\0'; }

enum class Header : std::uint8_t { None, Partial, Valid, Bad };

// Classifies the start of a frame: "123 " is a valid octet-counting header (hdr = 4, len = 123),
// a digit run not yet followed by anything is Partial, a digit run followed by SP that is not a
// valid MSG-LEN (leading zero, too long) is Bad, anything else is a non-transparent frame.
Header octet_header(std::string_view data, std::size_t& hdr, std::size_t& len) {
  std::size_t i = 0;
  while (i < data.size() && is_digit(data[i]) && i <= kMaxLengthDigits) ++i;
  if (i == 0) return Header::None;
  if (i == data.size()) return i > kMaxLengthDigits ? Header::Bad : Header::Partial;
  if (data[i] != ' ') return i > kMaxLengthDigits ? Header::Bad : Header::None;
  if (i > kMaxLengthDigits || data[0] == '0') return Header::Bad;
  std::size_t v = 0;
  for (std::size_t k = 0; k < i; ++k) v = v * 10 + static_cast<std::size_t>(data[k] - '0');
  hdr = i + 1;
  len = v;
  return Header::Valid;
}

std::size_t find_trailer(std::string_view data, std::size_t from) {
  for (std::size_t k = from; k < data.size(); ++k)
    if (is_trailer(data[k])) return k;
  return std::string_view::npos;
}

}  // namespace

SyslogFramer::SyslogFramer(std::size_t max_frame_size) : max_(max_frame_size) {}

void SyslogFramer::feed(std::string_view bytes) {
  // The caller did not drain the previous chunk: keep its rest before the new bytes.
  if (!input_.empty()) {
    drop_buffer_prefix(buffer_used_);
    buffer_used_ = 0;
    buffer_.append(input_);
  }
  input_ = bytes;
}

SyslogFramer::ScanResult SyslogFramer::scan(std::string_view data, std::size_t clean) const {
  ScanResult r{Scan::NeedMore, {}, data.size()};
  std::size_t hdr = 0, len = 0;
  switch (octet_header(data, hdr, len)) {
    case Header::Partial: return r;
    case Header::Bad: {
      std::size_t digits = 0;
      while (digits < data.size() && is_digit(data[digits])) ++digits;
      r.scan = Scan::BadLength;
      r.frame = data.substr(0, std::min(digits, kMaxLengthDigits + 1));  // the same however the stream was split
      r.consumed = digits;
      r.discard_to_lf = true;
      return r;
    }
    case Header::Valid: {
      std::size_t avail = data.size() - hdr;
      if (len > max_) {
        std::size_t take = std::min(len, avail);
        r.scan = Scan::Oversized;
        r.declared = len;
        r.consumed = hdr + take;
        r.skip_more = len - take;
        return r;
      }
      if (avail < len) return r;
      r.scan = Scan::Frame;
      r.frame = data.substr(hdr, len);
      r.consumed = hdr + len;
      return r;
    }
    case Header::None: break;
  }
  std::size_t k = find_trailer(data, std::min(clean, data.size()));
  if (k == std::string_view::npos) {
    // Still no trailer: give up on the frame once it cannot fit any more (+1 for a CR).
    if (data.size() > max_ + 1) {
      r.scan = Scan::Oversized;
      r.declared = data.size();
      r.discard_to_lf = true;
    }
    return r;
  }
  std::string_view frame = data.substr(0, k);
  if (!frame.empty() && frame.back() == '\r') frame.remove_suffix(1);
  r.consumed = k + 1;
  if (frame.size() > max_) {
    r.scan = Scan::Oversized;
    r.declared = frame.size();
    return r;
  }
  r.scan = Scan::Frame;
  r.frame = frame;
  return r;
}

std::size_t SyslogFramer::wanted_from_input() const {
  std::size_t hdr = 0, len = 0;
  switch (octet_header(buffer_, hdr, len)) {
    case Header::Partial: {
      std::size_t k = 0;
      while (k < input_.size() && is_digit(input_[k]) && k <= kMaxLengthDigits) ++k;
      return std::min(k + 1, input_.size());
    }
    case Header::Valid:
      if (len <= max_) return std::min(hdr + len - std::min(hdr + len, buffer_.size()), input_.size());
      return input_.size();
    case Header::Bad: return 0;
    case Header::None: break;
  }
  std::size_t k = find_trailer(input_, 0);
  if (k != std::string_view::npos) return k + 1;
  std::size_t room = max_ + 2 > buffer_.size() ? max_ + 2 - buffer_.size() : 1;
  return std::min(input_.size(), room);
}

std::optional<Result<std::string_view>> SyslogFramer::report(const ScanResult& r, std::string_view data) {
  ++frames_;
  switch (r.scan) {
    case Scan::Frame: return Result<std::string_view>(r.frame);
    case Scan::Oversized:
      skip_remaining_ = r.skip_more;
      discard_to_lf_ = r.discard_to_lf;
      if (data.empty() || !is_digit(data[0]))
        return fail(fmt::format("frame {}: longer than the maximum frame size {} bytes ({} seen); discarded up to the next LF",
                                frames_, max_, r.declared));
      return fail(fmt::format("frame {}: declared length {} exceeds the maximum frame size {} bytes; skipped", frames_,
                              r.declared, max_));
    case Scan::BadLength:
      discard_to_lf_ = true;
      return fail(fmt::format("frame {}: invalid octet count '{}' (leading zero or more than {} digits); discarded up to the next LF",
                              frames_, r.frame, kMaxLengthDigits));
    case Scan::NeedMore: break;
  }
  --frames_;
  return std::nullopt;
}

void SyslogFramer::drop_buffer_prefix(std::size_t n) {
  if (n == 0) return;
  buffer_.erase(0, n);
  buffer_clean_ = 0;
}

std::size_t SyslogFramer::skip_pending(std::string_view data) {
  std::size_t n = 0;
  if (skip_remaining_ > 0) {
    n = std::min(skip_remaining_, data.size());
    skip_remaining_ -= n;
    if (skip_remaining_ > 0) return n;
  }
  if (discard_to_lf_) {
    std::size_t k = find_trailer(data, n);
    if (k == std::string_view::npos) return data.size();
    discard_to_lf_ = false;
    return k + 1;
  }
  return n;
}

std::optional<Result<std::string_view>> SyslogFramer::next() {
  drop_buffer_prefix(buffer_used_);
  buffer_used_ = 0;
  while (true) {
    if (!buffer_.empty()) {
      // Bytes of a skipped frame may still sit in the buffer, before anything in input_.
      drop_buffer_prefix(skip_pending(buffer_));
      std::size_t lead = 0;
      while (lead < buffer_.size() && (is_trailer(buffer_[lead]) || buffer_[lead] == '\r')) ++lead;
      drop_buffer_prefix(lead);
      if (buffer_.empty()) continue;
      ScanResult r = scan(buffer_, buffer_clean_);
      if (r.scan == Scan::NeedMore) {
        buffer_clean_ = buffer_.size();
        if (input_.empty()) return std::nullopt;
        std::size_t n = wanted_from_input();
        buffer_.append(input_.substr(0, n));
        input_.remove_prefix(n);
        continue;
      }
      if (r.scan == Scan::Frame) {
        buffer_used_ = r.consumed;
        return report(r, buffer_);
      }
      auto result = report(r, buffer_);
      drop_buffer_prefix(r.consumed);
      return result;
    }
    input_.remove_prefix(skip_pending(input_));
    if (skip_remaining_ > 0 || discard_to_lf_) return std::nullopt;
    while (!input_.empty() && (is_trailer(input_[0]) || input_[0] == '\r')) input_.remove_prefix(1);
    if (input_.empty()) return std::nullopt;
    ScanResult r = scan(input_);
    if (r.scan == Scan::NeedMore) {
      buffer_.assign(input_);
      buffer_clean_ = buffer_.size();
      input_ = {};
      return std::nullopt;
    }
    std::string_view data = input_;
    input_.remove_prefix(r.consumed);
    return report(r, data);
  }
}

std::optional<Result<std::string_view>> SyslogFramer::finish() {
  drop_buffer_prefix(buffer_used_);
  buffer_used_ = 0;
  if (!input_.empty()) {
    // next() was not drained: what is left must still be framed first.
    if (auto r = next()) return r;
  }
  drop_buffer_prefix(skip_pending(buffer_));
  std::size_t lead = 0;
  while (lead < buffer_.size() && (is_trailer(buffer_[lead]) || buffer_[lead] == '\r')) ++lead;
  drop_buffer_prefix(lead);
  skip_remaining_ = 0;
  discard_to_lf_ = false;
  if (buffer_.empty()) return std::nullopt;
  ++frames_;
  std::size_t hdr = 0, len = 0;
  if (octet_header(buffer_, hdr, len) == Header::Valid) {
    std::size_t got = buffer_.size() - hdr;
    drop_buffer_prefix(buffer_.size());
    return fail(fmt::format("frame {}: connection closed after {} of {} declared bytes; frame dropped", frames_, got, len));
  }
  std::string_view frame = buffer_;
  if (frame.back() == '\r') frame.remove_suffix(1);
  if (frame.size() > max_) {
    std::size_t size = frame.size();
    drop_buffer_prefix(buffer_.size());
    return fail(fmt::format("frame {}: longer than the maximum frame size {} bytes ({} seen); discarded", frames_, max_, size));
  }
  buffer_used_ = buffer_.size();
  return Result<std::string_view>(frame);
}

}  // namespace khien
