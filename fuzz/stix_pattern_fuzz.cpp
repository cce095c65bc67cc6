// Fuzz target for the STIX pattern parser: no crash, bounded work, and the canonical text of any
// accepted pattern parses back to the same canonical text; extraction and evaluation run on it too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/event.h"
#include "intel/observable_extractor.h"
#include "intel/pattern_evaluator.h"
#include "intel/stix_pattern_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace khien;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ast = parse_stix_pattern(text);
  if (!ast) return 0;
  std::string canonical = ast->to_string();
  auto again = parse_stix_pattern(canonical);
  if (!again || again->to_string() != canonical) std::abort();
  (void)extract_observables(*ast);
  (void)check_single_event(*ast);
  (void)unmapped_paths(*ast);
  static Arena arena;
  arena.reset();
  Event event(arena);
  event.set_ip(field::src_endpoint_ip, *IpAddress::parse("10.1.2.3"));
  event.set_int(field::dst_endpoint_port, 443);
  event.set_string(field::file_name, "invoice.pdf.exe");
  event.set_string(field::query_hostname, "a.evil.vn");
  event.set_string(field::email_from, "Ann <ann@example.vn>, b@c.vn");
  event.set_string(field::process_cmd_line, "powershell -enc SQBFAFgA");
  (void)evaluate(*ast, event);
  return 0;
}
