// Wiring of the traffic features: the flow exporters registry for the NetFlow/IPFIX collector, and the
// GeoIP + attribution enrichment stage of the pipeline.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "app/config.h"
#include "core/error.h"
#include "enrich/constituency.h"
#include "enrich/enricher.h"
#include "ingest/source.h"
#include "store/exporter_registry.h"
#include "store/state_store.h"

namespace khien {

/// Loads the flow exporters: `config.netflow_exporters` if set, else `exporters.yaml` in
/// `config.registry_dir` (none there: no exporter), else the copy built into the binary; checked
/// against the organisations and SOCs in the store.
Result<std::shared_ptr<const ExporterRegistry>> load_exporter_registry(const Config& config, StateStore& store);

/// SourceContext::exporter_for_address over `exporters`, with the SOC row ids of `constituency`.
/// An exporter whose SOC is revoked or gone answers nothing (its packets are dropped as unknown).
std::function<std::optional<ExporterMatch>(const IpAddress&)> exporter_lookup(
    std::shared_ptr<const ExporterRegistry> exporters, ConstituencyHolder& constituency);

/// The pipeline's GeoIP/ASN (when `[geo]` names databases) and attribution stage.
Result<std::unique_ptr<Enricher>> make_traffic_enricher(const Config& config, StateStore& store);

}  // namespace khien
