// Routes that describe the API itself: the registered route list and the OpenAPI document.
#pragma once

#include <string_view>

#include "api/api_routes.h"
#include "api/http_server.h"

namespace khien {

/// The OpenAPI 3.1 document built into the binary (data/openapi/openapi.json).
std::string_view openapi_document();

/// Registers GET /api/v1/routes (national-admin and auditor: every "METHOD pattern" the router
/// holds, for the authorization and documentation tests) and GET /api/v1/openapi.json (anyone).
/// Register last so the list is complete; `api.router` must be set.
void register_meta_routes(Router& router, const ApiContext& api);

}  // namespace khien
