// Fuzzes HTTP body decompression (gzip and zstd) with a small output limit.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/http_bulk_source.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string out;
  (void)khien::decode_content("gzip", body, 1 << 20, out);
  (void)khien::decode_content("zstd", body, 1 << 20, out);
  return 0;
}
