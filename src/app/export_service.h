// Bulk exports of indicators for ISPs and partners over the API: DNS RPZ zones, plain
// blocklists and STIX bundles, all behind the one selection rule of intel/export_selection.h.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"
#include "intel/blocklist_writer.h"
#include "intel/export_selection.h"
#include "intel/rpz_zone_writer.h"
#include "intel/stix_bundle_exporter.h"
#include "store/stix_store.h"

namespace khien {

struct ApiContext;

class Router;

/// What an export produced, ready to send or write.
struct ExportOutput {
  std::string body;
  std::string content_type;
  std::string summary;  ///< one line for logs and the CLI: counts, serial, filters
  std::uint32_t serial = 0;  ///< RPZ only
};

/// The three exports over one store; `now_us` is the export's "now".
Result<ExportOutput> export_rpz(StixStore& store, const ExportFilter& filter, const RpzOptions& options);
Result<ExportOutput> export_blocklist(StixStore& store, const ExportFilter& filter, BlocklistType type);
Result<ExportOutput> export_stix(StixStore& store, const ExportFilter& filter);

/// GET /api/v1/export/rpz?action=nxdomain|nodata|cname|passthru|drop&target=&zone=&ip=0|1&max_tlp=&min_confidence=&max_age_days=
/// GET /api/v1/export/blocklist?type=ip|domain|url&max_tlp=&min_confidence=&max_age_days=
/// GET /api/v1/export/stix?max_tlp=&min_confidence=&max_age_days=
/// All need the administrator bearer token (`admin_token_hash` is its SHA-256).
void register_export_routes(Router& router, StixStore& store, const ApiContext& api);

}  // namespace khien
