// The API's self-description: the router's route list and the embedded OpenAPI document.
#include "app/meta_routes.h"

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace khien {

const std::map<std::string, std::string_view>& embedded_openapi_files();

std::string_view openapi_document() {
  const auto& files = embedded_openapi_files();
  auto it = files.find("openapi.json");
  return it == files.end() ? std::string_view("{}") : it->second;
}

void register_meta_routes(Router& router, const ApiContext& api) {
  router.add("GET", "/api/v1/routes", [&api](HttpRequest& req) {
    auto a = admit(api.identity, api.admin_token_hash, req, access::kAdminAuditor);
    if (a.refusal) return *a.refusal;
    nlohmann::json list = nlohmann::json::array();
    // The route list is read at request time, so routes registered after this one are included.
    for (const auto& r : api.router->routes()) list.push_back(r);
    HttpResponse out;
    out.body = nlohmann::json{{"routes", list}, {"total", list.size()}}.dump();
    return out;
  });
  router.add("GET", "/api/v1/openapi.json", [](HttpRequest&) {
    HttpResponse out;
    out.body = std::string(openapi_document());
    out.headers.emplace_back("Cache-Control", "no-cache");
    return out;
  });
}

}  // namespace khien
