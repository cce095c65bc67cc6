// Traffic wiring: exporters registry loading and lookup, and the enrichment stage.
#include "app/traffic_service.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/registry_import.h"
#include "enrich/attribution.h"
#include "enrich/geo_enricher.h"

namespace khien {

Result<std::shared_ptr<const ExporterRegistry>> load_exporter_registry(const Config& config, StateStore& store) {
  std::string text, label;
  if (!config.netflow_exporters.empty() || !config.registry_dir.empty()) {
    std::filesystem::path path =
        config.netflow_exporters.empty() ? config.registry_dir / "exporters.yaml" : config.netflow_exporters;
    std::ifstream in(path);
    if (!in) {
      if (!config.netflow_exporters.empty()) return fail(fmt::format("netflow.exporters: cannot read {}", path.string()));
      spdlog::info("netflow: no {}; no flow exporter is registered", path.string());
      return std::make_shared<const ExporterRegistry>();
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
    label = path.string();
  } else {
    const auto& files = embedded_registry_files();
    if (auto it = files.find("exporters.yaml"); it != files.end()) text = std::string(it->second);
    label = "data/registry/exporters.yaml";
  }
  ExporterReferences refs;
  for (const auto& o : store.organisations()) refs.organisations.push_back(o.id);
  for (const auto& s : store.socs()) refs.soc_orgs.emplace(s.id, s.org);
  auto registry = ExporterRegistry::parse(text, refs, label);
  if (!registry) return fail("flow exporters:\n" + registry.error().message);
  return std::make_shared<const ExporterRegistry>(std::move(*registry));
}

std::function<std::optional<ExporterMatch>(const IpAddress&)> exporter_lookup(
    std::shared_ptr<const ExporterRegistry> exporters, ConstituencyHolder& constituency) {
  return [exporters = std::move(exporters), &constituency](const IpAddress& ip) -> std::optional<ExporterMatch> {
    const FlowExporter* e = exporters->find(ip);
    if (!e) return std::nullopt;
    auto c = constituency.get();
    const SocInfo* soc = c->soc_by_id(e->soc);
    if (!soc || soc->revoked) return std::nullopt;
    return ExporterMatch{static_cast<std::uint32_t>(soc->row_id), soc->id, e->id, e->org};
  };
}

Result<std::unique_ptr<Enricher>> make_traffic_enricher(const Config& config, StateStore& store) {
  std::shared_ptr<const GeoEnricher> geo;
  if (!config.geo_city_db.empty() || !config.geo_asn_db.empty()) {
    auto opened = GeoEnricher::open(GeoOptions{config.geo_city_db, config.geo_asn_db});
    if (!opened) return tl::unexpected(opened.error());
    geo = std::move(*opened);
  }
  auto holder = std::make_shared<AttributionHolder>(store);
  auto snapshot = holder->get();
  spdlog::info("attribution: {} organisations, {} address ranges; geo: city {}, asn {}", snapshot->organisation_count(),
               snapshot->prefix_count(), config.geo_city_db.empty() ? "off" : config.geo_city_db,
               config.geo_asn_db.empty() ? "off" : config.geo_asn_db);
  return std::make_unique<AttributionEnricher>(std::move(holder), std::move(geo));
}

}  // namespace khien
