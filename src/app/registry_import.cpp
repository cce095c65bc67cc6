// Registry import: RegistryData (validated YAML) → state store rows.
#include "app/registry_import.h"

#include <spdlog/spdlog.h>

namespace khien {

Result<RegistryData> load_registry(const std::filesystem::path& dir) {
  if (!dir.empty()) return load_registry_yaml(dir);
  const auto& files = embedded_registry_files();
  auto text = [&](const char* name) {
    auto it = files.find(name);
    return it == files.end() ? std::string() : std::string(it->second);
  };
  RegistryTexts texts{text("sectors.yaml"), text("provinces.yaml"), text("organisations.yaml"), text("socs.yaml")};
  return parse_registry_yaml(texts, "data/registry");
}

Status import_registry(StateStore& store, const std::filesystem::path& dir) {
  auto data = load_registry(dir);
  if (!data) return fail("registry: " + data.error().message);
  std::vector<SectorRow> sectors;
  for (const auto& s : data->sectors)
    sectors.push_back(SectorRow{s.id, s.name, s.name_en, s.lead_agencies.empty() ? std::string() : s.lead_agencies.front(), s.criticality});
  std::vector<ProvinceRow> provinces;
  for (const auto& p : data->provinces)
    provinces.push_back(ProvinceRow{p.id, p.name, p.name_en, std::string(to_string(p.kind)), std::string(to_string(p.region)), p.lat, p.lon});
  std::vector<OrgRow> orgs;
  for (const auto& o : data->organisations) {
    OrgRow row{o.id, o.name, o.name_en, std::string(to_string(o.type)), o.sector, o.province, o.parent, {}, {}, o.domains};
    for (const auto& r : o.ip_ranges) row.ip_ranges.push_back(r.to_string());
    for (auto a : o.asns) row.asns.push_back(a);
    orgs.push_back(std::move(row));
  }
  std::vector<SocRow> socs;
  for (const auto& s : data->socs) {
    SocRow row;
    row.id = s.id;
    row.name = s.name;
    row.org = s.org;
    for (const auto& r : s.sender_ranges) row.sender_ranges.push_back(r.to_string());
    for (auto f : s.formats) row.formats.emplace_back(to_string(f));
    row.transport = std::string(to_string(s.transport));
    row.syslog_local_time = s.syslog_local_time;
    socs.push_back(std::move(row));
  }
  // Parents refer to organisations that may come later in the file; the store has no FK on them.
  if (auto st = store.import_registry(sectors, provinces, orgs, socs); !st) return st;
  spdlog::info("registry: imported {} sectors, {} provinces, {} organisations, {} SOC connectors", sectors.size(),
               provinces.size(), orgs.size(), socs.size());
  return {};
}

}  // namespace khien
