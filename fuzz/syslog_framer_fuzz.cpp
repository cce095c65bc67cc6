// Fuzz target: RFC 6587 framing must give the same frames however the stream is split into chunks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/syslog_framer.h"

namespace {

std::vector<std::string> frames(std::string_view stream, std::size_t step, std::size_t max) {
  khien::SyslogFramer framer(max);
  std::vector<std::string> out;
  auto take = [&](const std::optional<khien::Result<std::string_view>>& r) {
    if (*r) {
      if ((**r).size() > max) std::abort();
      out.emplace_back(**r);
    } else {
      out.push_back("E");
    }
  };
  for (std::size_t pos = 0; pos < stream.size(); pos += step) {
    framer.feed(stream.substr(pos, step));
    while (auto r = framer.next()) take(r);
  }
  if (auto r = framer.finish()) take(r);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // First byte: maximum frame size; second: chunk size of the split run.
  std::size_t max = 1 + data[0] % 64;
  std::size_t step = 1 + data[1] % 16;
  std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);
  auto whole = frames(stream, stream.size() + 1, max);
  auto split = frames(stream, step, max);
  if (whole != split) std::abort();
  return 0;
}
