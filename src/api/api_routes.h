// The REST routes of /api/v1 plus /metrics and /healthz, registered on a Router.
#pragma once

#include <filesystem>
#include <functional>
#include <set>
#include <string>

#include "api/http_server.h"
#include "api/identity.h"
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
  /// Resolves users, sessions and API keys; null: only the administrator token is known (unit tests).
  IdentityService* identity = nullptr;
  const Router* router = nullptr;  ///< for GET /api/v1/routes
};

/// The role sets of docs/ACCESS.md, named after what they admit.
namespace access {
inline constexpr RoleSet kAdmin{Role::national_admin};
inline constexpr RoleSet kNational{Role::national_admin, Role::national_analyst};
inline constexpr RoleSet kAdminAuditor{Role::national_admin, Role::auditor};
inline constexpr RoleSet kNationalAuditor{Role::national_admin, Role::national_analyst, Role::auditor};
/// Everyone who reads tenant data (each under its tenant filter).
inline constexpr RoleSet kTenantReaders{Role::national_admin, Role::national_analyst, Role::sector_cert, Role::org_soc,
                                        Role::auditor};
/// Case work: national roles and sector CERTs (within their sector).
inline constexpr RoleSet kCaseWriters{Role::national_admin, Role::national_analyst, Role::sector_cert};
/// Incident work within a tenant: case writers plus the organisation's SOC (comments, evidence,
/// transitions of incidents it is the victim or assignee of).
inline constexpr RoleSet kCaseActors{Role::national_admin, Role::national_analyst, Role::sector_cert, Role::org_soc};
/// Acknowledging/completing a directive: the targeted organisation's SOC, or a national
/// administrator acting on its behalf (X-Khien-Org).
inline constexpr RoleSet kDirectiveActors{Role::national_admin, Role::org_soc};
/// Report readers: no org-soc (reports span organisations).
inline constexpr RoleSet kReportReaders{Role::national_admin, Role::national_analyst, Role::sector_cert, Role::auditor};
/// Exports of intelligence (RPZ, blocklists, STIX).
inline constexpr RoleSet kExportReaders{Role::national_admin, Role::national_analyst, Role::isp_consumer,
                                        Role::sector_cert, Role::org_soc};
/// A value no organisation or sector id takes: a filter set to it matches nothing.
inline constexpr const char* kNoMatch = "\x01";
}  // namespace access

/// The caller of `req`: through `identity` when set, else the administrator token alone.
std::optional<Principal> resolve_principal(IdentityService* identity, const std::string& admin_token_hash,
                                           const HttpRequest& req);

/// The outcome of admitting a request: `refusal` set (401/403) or `principal` set.
struct Admission {
  std::optional<Principal> principal;
  std::optional<HttpResponse> refusal;
};
/// Authenticates `req` and checks its role against `roles` (and CSRF for cookie writes).
Admission admit(IdentityService* identity, const std::string& admin_token_hash, const HttpRequest& req, RoleSet roles);

/// Narrows a requested filter (`org=` or `sector=` values) to what the principal may see: an
/// org-soc's organisation (kind organisation) or a sector CERT's sector (kind sector). A request for
/// another tenant gets a filter that matches nothing, so lists and totals never include it.
std::set<std::string> scoped_filter(const Principal& principal, ScopeKind kind, std::set<std::string> requested);

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
