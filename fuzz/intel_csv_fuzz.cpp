// Fuzz target: CSV/plain-list indicator import; the first line of the input is the column
// mapping, the rest the list. Every indicator it emits must pass STIX validation.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "intel/intel_import_formats.h"
#include "intel/stix_object.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto nl = text.find('\n');
  khien::IntelImportOptions options;
  options.source = "fuzz";
  options.csv_mapping = std::string(text.substr(0, nl == std::string_view::npos ? text.size() : nl));
  auto r = khien::csv_to_stix(nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1), options);
  if (r)
    for (const auto& o : r->objects)
      if (!khien::validate_stix_object(o)) std::abort();
  return 0;
}
