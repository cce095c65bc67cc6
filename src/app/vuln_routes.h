// REST routes of vulnerability exposure and external scan findings.
#pragma once

#include "api/api_routes.h"
#include "app/vuln_service.h"

namespace khien {

/// GET /api/v1/vulns/{cve}, /api/v1/exposure, POST /api/v1/scans, GET /api/v1/findings(.csv),
/// GET /api/v1/scan-notifications. Administrator token required.
void register_vuln_routes(Router& router, const ApiContext& api, VulnService& vulns);

}  // namespace khien
