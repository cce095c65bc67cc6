// Fuzz target for vulnerability feed import (NVD API 2.0, CVE JSON 5, KEV, EPSS) on arbitrary input:
// every rejection names a reason, and whatever was accepted can be evaluated against an inventory.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "vuln/exposure_index.h"
#include "vuln/vuln_database.h"

namespace {

void check(const khien::Result<khien::ImportReport>& r) {
  if (!r) {
    if (r.error().message.empty()) __builtin_trap();
    return;
  }
  for (const auto& rej : r->rejections)
    if (rej.reason.empty() || rej.record_id.empty()) __builtin_trap();
  if (r->added + r->changed + r->unchanged + r->rejected != r->records) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  khien::VulnDatabase db;
  check(db.import_nvd(text, "fuzz"));
  check(db.import_cve5(text, "fuzz"));
  check(db.import_kev(text, "fuzz"));
  check(db.import_epss(text, "fuzz"));
  auto again = db.import_any(text, "fuzz");
  check(again);
  static const std::vector<khien::InventoryEntry> inventory = {
      {"sys", "org", {khien::Cpe::parse("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*").value(),
                      khien::Cpe::parse("cpe:2.3:h:siemens:box:-:*:*:*:*:*:*:*").value(),
                      khien::Cpe::parse("cpe:/a:x:y:1.0").value()}}};
  static const khien::ExposureIndex index(inventory);
  db.for_each([&](const khien::VulnRecord& rec) {
    (void)index.exposure(rec);
    (void)rec.cvss31();
    (void)rec.cwes();
  });
  return 0;
}
