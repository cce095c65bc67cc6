// Serves the embedded operations console: index.html for the client-side pages, hashed assets with long caching.
#include "app/console_routes.h"

#include <array>
#include <string_view>
#include <utility>
#include <vector>

namespace khien {

namespace {

// The console loads only its own scripts, styles and API; nothing may frame it (clickjacking).
constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

void add_security_headers(HttpResponse& r) {
  r.headers.emplace_back("Content-Security-Policy", kCsp);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
}

HttpResponse not_built() {
  HttpResponse r;
  r.status = 503;
  r.content_type = "text/html; charset=utf-8";
  r.body =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>khien: console not built</title></head>"
      "<body><h1>The operations console was not built</h1>"
      "<p>This khien binary was compiled without web/dist. Build the console and then khien: "
      "<code>make build</code> (or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, then rebuild khien).</p>"
      "<p>The REST API under <code>/api/v1</code> works without it.</p></body></html>";
  r.headers.emplace_back("Cache-Control", "no-store");
  add_security_headers(r);
  return r;
}

HttpResponse file_response(std::string_view name, std::string_view bytes, bool immutable) {
  HttpResponse r;
  r.content_type = console_content_type(name);
  r.body.assign(bytes.data(), bytes.size());
  // Assets carry a content hash in their names, so a year is safe; index.html must be re-read so a
  // new build's asset names are picked up at once.
  r.headers.emplace_back("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  add_security_headers(r);
  return r;
}

// True when a route other than GET is registered for `path` (so GET there is a 405, not a 404).
bool path_has_other_method(const Router& router, std::string_view path) {
  for (const auto& method : router.methods_for(path))
    if (method != "GET") return true;
  return false;
}

}  // namespace

std::string console_content_type(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
      {".webp", "image/webp"},
  }};
  for (const auto& [ext, type] : kTypes)
    if (name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext) return std::string(type);
  return "application/octet-stream";
}

void register_console_routes(Router& router, const std::map<std::string, std::string_view>& files) {
  auto index = [&files](HttpRequest&) {
    auto it = files.find("index.html");
    if (it == files.end()) return not_built();
    return file_response(it->first, it->second, false);
  };
  router.add("GET", "/", index);
  router.add("GET", "/assets/{file}", [&files](HttpRequest& req) {
    if (files.find("index.html") == files.end()) return not_built();
    // The name is looked up in the embedded map, never on disk, so "../" leads nowhere.
    auto it = files.find("assets/" + req.path_params["file"]);
    if (it == files.end()) {
      HttpResponse r = json_error(404, "no such console asset: " + req.path_params["file"]);
      add_security_headers(r);
      return r;
    }
    return file_response(it->first, it->second, true);
  });
  // Client-side pages (/incidents, /incidents/INC-7, ...) all load index.html; the console's own
  // router draws the page. API-like paths and file-like names keep a JSON 404.
  auto page = [index, &router](HttpRequest& req) {
    std::string first = req.path.size() > 1 ? req.path.substr(1, req.path.find('/', 1) - 1) : std::string();
    auto last_slash = req.path.rfind('/');
    bool file_like = req.path.find('.', last_slash) != std::string::npos;
    if (first == "api" || first == "taxii2" || first == "metrics" || first == "healthz" || file_like) {
      // These patterns match before the router's own "method not allowed", so give that answer here.
      if (path_has_other_method(router, req.path)) return json_error(405, "method " + req.method + " not allowed on " + req.path);
      return json_error(404, "no such endpoint: " + req.path);
    }
    return index(req);
  };
  router.add("GET", "/{page}", page);
  router.add("GET", "/{page}/{id}", page);
  router.add("GET", "/{page}/{id}/{part}", page);
}

}  // namespace khien
