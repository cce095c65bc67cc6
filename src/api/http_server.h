// A small HTTP/1.1 server (Boost.Beast, keep-alive, one thread per connection, optional TLS) with a method+path router.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/security_event.h"
#include "ingest/tls_context.h"

namespace khien {

struct HttpRequest {
  std::string method;
  std::string path;                                ///< without the query string
  std::multimap<std::string, std::string> query;   ///< decoded query parameters
  std::map<std::string, std::string> headers;      ///< names lower-cased
  std::string body;
  std::string remote_ip;
  /// Under HTTPS with tls.client_ca: the subject CN and DNS names of the client's verified
  /// certificate (lower-cased); empty when none was sent.
  std::vector<std::string> client_certificate_names;
  std::map<std::string, std::string> path_params;  ///< `{name}` segments of the route

  std::string header(const std::string& name) const;
  std::string param(const std::string& name) const;  ///< first query value or ""
  std::vector<std::string> params(const std::string& name) const;
};

/// What a streaming handler writes to: write() sends bytes at once (false when the client has
/// gone); open() turns false when the server stops.
struct ResponseStream {
  std::function<bool(std::string_view)> write;
  std::function<bool()> open;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// Set: after the headers the connection thread runs this (server-sent events); the body ends
  /// when it returns, with the connection.
  std::function<void(ResponseStream&)> stream;
};

/// A JSON error body {"error": message} with `status`.
HttpResponse json_error(int status, const std::string& message);

using HttpHandler = std::function<HttpResponse(HttpRequest&)>;

/// Routes by method and path pattern (`/api/v1/socs/{id}`).
class Router {
 public:
  void add(std::string method, std::string pattern, HttpHandler handler);
  HttpResponse dispatch(HttpRequest& request) const;
  /// "METHOD pattern" for every route (for documentation checks).
  std::vector<std::string> routes() const;
  /// The methods of the routes whose pattern matches `path`, in the order they were added.
  std::vector<std::string> methods_for(std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    std::string pattern;
    HttpHandler handler;
  };
  std::vector<Route> routes_;
};

struct HttpServerOptions {
  std::size_t max_body_bytes = 64u << 20;  ///< larger bodies get 413
  int idle_timeout_seconds = 60;           ///< a client silent (or stalled mid-request) this long is disconnected
  int handshake_timeout_seconds = 10;      ///< a TLS handshake must finish within this
  std::size_t max_connections = 1024;
  std::shared_ptr<TlsContext> tls;  ///< set: serve HTTPS with this context
  SecurityEventSink security_sink;   ///< told of requests refused before any route sees them (body too large)
};

/// Threading: one acceptor thread, one thread per open connection, and one watchdog thread that
/// disconnects connections past their deadline (the synchronous reads have no timeout of their
/// own); handlers run on connection threads and may block (the ingest route waits for the
/// spool's fsync), with no deadline while they run.
class HttpServer {
 public:
  HttpServer(const Router& router, HttpServerOptions options = {});
  ~HttpServer();
  /// Binds `host:port` (port 0 picks a free one) and starts accepting; returns the bound port.
  Result<int> listen(const std::string& host, int port);
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Splits "host:port" ("127.0.0.1:8080", "[::1]:0"); errors name the bad part.
Result<std::pair<std::string, int>> parse_listen_address(const std::string& text);

}  // namespace khien
