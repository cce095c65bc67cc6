// The /api/v1/auth routes (login, logout, me, API keys) and /api/v1/users (administration).
#pragma once

#include "api/http_server.h"
#include "api/identity.h"

namespace khien {

/// Registers POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/auth/me,
/// GET|POST /api/v1/auth/keys, DELETE /api/v1/auth/keys/{id}, GET|POST /api/v1/users and
/// POST /api/v1/users/{login}/disable|enable. `identity` outlives the router.
void register_auth_routes(Router& router, IdentityService& identity);

}  // namespace khien
