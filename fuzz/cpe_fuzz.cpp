// Fuzz target for the CPE parser: any input either parses or says why, and a parsed name binds to a
// formatted string and a URI that both parse back to the same name.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vuln/cpe.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cpe = khien::Cpe::parse(text);
  if (!cpe) {
    if (cpe.error().message.empty()) __builtin_trap();  // a rejection must always say why
    return 0;
  }
  auto formatted = khien::Cpe::parse_formatted(cpe->to_formatted());
  if (!formatted || !(*formatted == *cpe)) __builtin_trap();
  auto uri = khien::Cpe::parse_uri(cpe->to_uri());
  if (!uri || !(*uri == *cpe)) __builtin_trap();
  auto cmp = khien::compare_cpes(*cpe, *cpe);
  bool wild = false;
  for (std::size_t a = 0; a < khien::kCpeAttributeCount; ++a) wild = wild || cpe->get(static_cast<khien::CpeAttribute>(a)).has_wildcards();
  if (!wild && cmp.name != khien::CpeRelation::equal) __builtin_trap();
  return 0;
}
