// Fuzz target for the registry loader: the input is the organisations file, the other files are fixed.
#include <cstddef>
#include <cstdint>
#include <string>

#include "store/registry_data.h"

namespace {

const char* const kSectors =
    "sectors:\n"
    "  - id: y-te\n"
    "    name: Y tế\n"
    "    name_en: Health\n"
    "    lead_agencies: [bo-y-te]\n"
    "    criticality: 4\n";

const char* const kProvinces =
    "provinces:\n"
    "  - {id: ha-noi, name: Hà Nội, name_en: Hanoi, kind: city, region: north, lat: 21.03, lon: 105.85}\n"
    "  - {id: lao-cai, name: Lào Cai, name_en: Lao Cai, kind: province, region: north, lat: 21.72, lon: 104.91}\n";

const char* const kSocs =
    "socs:\n"
    "  - {id: soc-bo-y-te, name: SOC, org: bo-y-te, formats: [cef], transport: syslog-udp,"
    " sender_ranges: [10.1.0.16/28]}\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  khien::RegistryTexts texts;
  texts.sectors = kSectors;
  texts.provinces = kProvinces;
  texts.organisations.assign(reinterpret_cast<const char*>(data), size);
  texts.socs = kSocs;
  auto result = khien::parse_registry_yaml(texts);
  if (result) {
    // Exercise the lookups on whatever was accepted.
    for (const auto& org : result->organisations) {
      for (const auto& range : org.ip_ranges) (void)result->org_for_address(range.address);
    }
  } else if (result.error().message.empty()) {
    __builtin_trap();  // a rejection must always say why
  }
  return 0;
}
