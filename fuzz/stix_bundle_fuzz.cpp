// Fuzz target: STIX bundle validation (JSON parsing, every object's checks, reference and
// marking resolution within the bundle) on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "intel/stix_bundle_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  khien::StixBundleImporter importer(nullptr);
  khien::StixImportOptions options;
  options.max_bytes = 1u << 20;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)importer.check_bundle(text, options);
  options.allow_stix20 = true;
  options.require_resolved_references = true;
  (void)importer.check_bundle(text, options);
  return 0;
}
