// Fuzz target: MISP event conversion (JSON shapes, attribute and object mappings, tags, times)
// on arbitrary bytes; every object it emits must pass STIX validation.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "intel/intel_import_formats.h"
#include "intel/stix_object.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  khien::IntelImportOptions options;
  options.default_tlp = khien::Tlp::amber;
  auto r = khien::misp_event_to_stix(text, options);
  if (r)
    for (const auto& o : r->objects)
      if (!khien::validate_stix_object(o)) std::abort();
  return 0;
}
