// Fuzz target: syslog message parsing (RFC 5424 / RFC 3164) and the payload fast path must agree.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/syslog_message.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto parsed = khien::parse_syslog(line, 1795860062000000000LL);
  std::string_view payload = khien::syslog_payload(line);
  if (parsed) {
    // The fast path must find the same MSG as the full parse.
    if (payload != parsed->msg) std::abort();
    for (const auto& element : parsed->structured_data)
      for (const auto& param : element.params) (void)param.value.size();
  }
  return 0;
}
