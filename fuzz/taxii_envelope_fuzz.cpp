// Fuzz target: TAXII 2.1 envelopes as the client reads them from a server (any bytes in).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "intel/taxii_envelope_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto env = khien::read_taxii_envelope(std::string_view(reinterpret_cast<const char*>(data), size), 1u << 20);
  if (env) {
    // Whatever is accepted has the promised shape.
    if (!env->objects.is_array()) __builtin_trap();
    for (const auto& o : env->objects)
      if (!o.is_object()) __builtin_trap();
    for (char c : env->next)
      if (c <= 0x20 || c >= 0x7f) __builtin_trap();
  }
  return 0;
}
