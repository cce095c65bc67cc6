// The REST routes of /api/v1 plus /metrics and /healthz, registered on a Router.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "api/http_server.h"
#include "enrich/constituency.h"
#include "ingest/http_bulk_source.h"
#include "ingest/soc_stats.h"
#include "ingest/spool.h"
#include "store/alert_store.h"
#include "store/state_store.h"

namespace khien {

/// Everything the routes read or change. Owned by the server; outlives the router.
struct ApiContext {
  StateStore* store = nullptr;
  AlertStore* alerts = nullptr;
  Spool* spool = nullptr;
  SocStats* stats = nullptr;
  HttpBulkSource* bulk = nullptr;
  ConstituencyHolder* constituency = nullptr;
  std::filesystem::path archive_dir;
  std::string admin_token_hash;  ///< sha256 of the administrator token
  std::function<std::uint64_t()> processed_seq;
};

/// The bearer token of the request, or "" when there is none.
std::string bearer(const HttpRequest& req);
/// True when the request carries the administrator token (compared in constant time).
bool is_admin(const ApiContext& ctx, const HttpRequest& req);
/// The 401 answer for a missing or wrong token, with its WWW-Authenticate challenge.
HttpResponse unauthorized();

/// Registers every route. Routes that read or manage state require the administrator token
/// (`Authorization: Bearer <token>`); the ingest route requires a SOC key.
void register_api_routes(Router& router, ApiContext& context);

}  // namespace khien
