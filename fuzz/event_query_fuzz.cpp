// Fuzzes the search query parser and evaluator, and the time parser queries use.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <simdjson.h>

#include "core/time.h"
#include "store/event_query.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)khien::parse_time_any(text);
  auto query = khien::EventQuery::parse(text);
  if (!query) return 0;
  static simdjson::dom::parser parser;
  static const std::string line =
      R"({"time":"2026-11-22T10:00:00Z","src_endpoint.ip":"10.0.0.1","class_uid":4001,"answers.rdata":["a","b"],"raw":{"alert":{"signature":"ET SCAN"},"list":[{"k":1},{"k":"v"}]}})";
  simdjson::dom::element ev;
  if (parser.parse(line).get(ev)) return 0;
  (void)query->matches(ev, line);
  return 0;
}
