// HTTP server on Boost.Beast's synchronous API: simple, and handlers may block without stalling others;
// HTTPS is the same session over an asio::ssl::stream.
#include "api/http_server.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <list>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/metrics.h"

namespace khien {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string HttpRequest::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string HttpRequest::param(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

std::vector<std::string> HttpRequest::params(const std::string& name) const {
  std::vector<std::string> out;
  auto [a, b] = query.equal_range(name);
  for (auto it = a; it != b; ++it) out.push_back(it->second);
  return out;
}

HttpResponse json_error(int status, const std::string& message) {
  HttpResponse r;
  r.status = status;
  r.body = nlohmann::json{{"error", message}}.dump();
  return r;
}

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') out.push_back(' ');
    else if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      auto r = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (r.ec == std::errc() && r.ptr == s.data() + i + 3) {
        out.push_back(static_cast<char>(v));
        i += 2;
      } else out.push_back(s[i]);
    } else out.push_back(s[i]);
  }
  return out;
}

// True when `segs` match a route's pattern segments ("{name}" matches any one segment); the
// parameters, URL-decoded, go into `params` when given.
bool pattern_matches(const std::vector<std::string>& pattern, const std::vector<std::string>& segs,
                     std::map<std::string, std::string>* params) {
  if (pattern.size() != segs.size()) return false;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const auto& p = pattern[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      if (params) (*params)[p.substr(1, p.size() - 2)] = url_decode(segs[i]);
    } else if (p != segs[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::add(std::string method, std::string pattern, HttpHandler handler) {
  routes_.push_back(Route{std::move(method), split_path(pattern), pattern, std::move(handler)});
}

std::vector<std::string> Router::routes() const {
  std::vector<std::string> out;
  for (const auto& r : routes_) out.push_back(r.method + " " + r.pattern);
  return out;
}

std::vector<std::string> Router::methods_for(std::string_view path) const {
  const auto segs = split_path(path);
  std::vector<std::string> out;
  for (const auto& r : routes_)
    if (pattern_matches(r.segments, segs, nullptr)) out.push_back(r.method);
  return out;
}

HttpResponse Router::dispatch(HttpRequest& req) const {
  auto segs = split_path(req.path);
  bool path_matched = false;
  for (const auto& r : routes_) {
    std::map<std::string, std::string> params;
    if (!pattern_matches(r.segments, segs, &params)) continue;
    path_matched = true;
    if (r.method != req.method && !(r.method == "GET" && req.method == "HEAD")) continue;
    req.path_params = std::move(params);
    try {
      return r.handler(req);
    } catch (const std::exception& e) {
      spdlog::error("http: {} {}: {}", req.method, req.path, e.what());
      return json_error(500, "internal error; see the server log");
    }
  }
  if (path_matched) return json_error(405, fmt::format("method {} not allowed on {}", req.method, req.path));
  return json_error(404, fmt::format("no such endpoint: {}", req.path));
}

Result<std::pair<std::string, int>> parse_listen_address(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return fail(fmt::format("listen address '{}': expected host:port", text));
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = -1;
  auto ps = std::string_view(text).substr(colon + 1);
  auto [end, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), port);
  if (ec != std::errc() || end != ps.data() + ps.size() || port < 0 || port > 65535)
    return fail(fmt::format("listen address '{}': port must be 0..65535", text));
  boost::system::error_code bec;
  asio::ip::make_address(host, bec);
  if (bec) return fail(fmt::format("listen address '{}': '{}' is not an IP address", text, host));
  return std::make_pair(host, port);
}

namespace {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool is_http_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_version).category();
}

}  // namespace

struct HttpServer::Impl {
  // An open connection and the time by which its current read or write must finish.
  struct Connection {
    std::shared_ptr<tcp::socket> socket;
    std::atomic<std::int64_t> deadline_ms{0};  ///< steady clock; 0: none (a handler is running)
    void arm(int seconds) { deadline_ms = steady_ms() + seconds * 1000LL; }
    void disarm() { deadline_ms = 0; }
  };

  const Router& router;
  HttpServerOptions options;
  asio::io_context io;
  std::unique_ptr<asio::ssl::context> ssl;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread accept_thread;
  std::thread watchdog;
  std::mutex mutex;
  std::condition_variable done_cv;
  std::condition_variable wake_cv;
  std::list<Connection> connections;
  std::size_t active = 0;
  std::atomic<bool> stopping{false};

  Impl(const Router& r, HttpServerOptions o) : router(r), options(std::move(o)) {
    if (options.tls) {
      // asio's context takes ownership of the handle it is given; the TlsContext keeps its own reference.
      SSL_CTX_up_ref(options.tls->native());
      ssl = std::make_unique<asio::ssl::context>(options.tls->native());
    }
  }

  // Shuts down connections past their deadline: the blocked read or write in their thread then
  // fails and the thread ends.
  void watch() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      wake_cv.wait_for(lock, std::chrono::milliseconds(250));
      auto now = steady_ms();
      for (auto& c : connections) {
        auto deadline = c.deadline_ms.load();
        if (deadline != 0 && now >= deadline) {
          ::shutdown(c.socket->native_handle(), SHUT_RDWR);
          c.disarm();
        }
      }
    }
  }

  void serve(Connection& conn) {
    auto& socket = *conn.socket;
    beast::error_code ec;
    std::string remote = socket.remote_endpoint(ec).address().to_string();
    if (!ssl) {
      session(socket, conn, remote, {});
      socket.shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    asio::ssl::stream<tcp::socket&> stream(socket, *ssl);
    conn.arm(options.handshake_timeout_seconds);
    stream.handshake(asio::ssl::stream_base::server, ec);
    if (ec) {
      Metrics::instance()
          .counter("khien_tls_handshake_failures_total", "TLS handshakes that failed, by listener", "listener=\"http\"")
          .add();
      spdlog::debug("https: handshake with {} failed: {}", remote, ec.message());
      return;
    }
    std::vector<std::string> names;
    if (SSL_get_verify_result(stream.native_handle()) == X509_V_OK)
      names = certificate_names(SSL_get0_peer_certificate(stream.native_handle()));
    session(stream, conn, remote, names);
    // close_notify, waiting for the peer's answer no longer than a handshake.
    conn.arm(options.handshake_timeout_seconds);
    stream.shutdown(ec);
  }

  template <typename Stream>
  void session(Stream& stream, Connection& conn, const std::string& remote, const std::vector<std::string>& names) {
    beast::error_code ec;
    beast::flat_buffer buffer;
    while (!stopping) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(options.max_body_bytes);
      parser.header_limit(64 * 1024);
      // An idle or stalled client may hold a connection thread only this long.
      conn.arm(options.idle_timeout_seconds);
      // The head first: a client that asks to be told before it sends its body (curl does for
      // bodies over 1 MiB) would otherwise wait a second for an answer that never comes.
      http::read_header(stream, buffer, parser, ec);
      if (!ec && beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
        http::write(stream, go_on, ec);
      }
      if (!ec) http::read(stream, buffer, parser, ec);
      if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
          ec == asio::ssl::error::stream_truncated)
        break;
      HttpResponse res;
      bool keep_alive = false;
      http::request<http::string_body> req;
      if (ec == http::error::body_limit) {
        res = json_error(413, fmt::format("request body larger than {} bytes", options.max_body_bytes));
        // An over-long body is refused before any route sees it, so it is recorded here (the audit chain
        // coalesces repeats); the headers were read, so the request line can be named.
        if (options.security_sink) {
          const auto& head = parser.get();
          options.security_sink({"security.input_too_long", "anonymous", remote,
                                 fmt::format("request body larger than {} bytes: {} {}", options.max_body_bytes,
                                             std::string(head.method_string()),
                                             std::string(head.target().substr(0, head.target().find('?'))))});
        }
      } else if (ec) {
        if (is_http_parse_error(ec))
          write_response(stream, 400, json_error(400, "malformed HTTP request: " + ec.message()), false, 11);
        break;
      } else {
        req = parser.release();
        keep_alive = req.keep_alive();
        HttpRequest r;
        r.method = std::string(req.method_string());
        std::string_view target(req.target().data(), req.target().size());
        auto q = target.find('?');
        r.path = url_decode(target.substr(0, q));
        if (q != std::string_view::npos) {
          std::string_view qs = target.substr(q + 1);
          std::size_t start = 0;
          while (start <= qs.size()) {
            auto amp = qs.find('&', start);
            if (amp == std::string_view::npos) amp = qs.size();
            auto kv = qs.substr(start, amp - start);
            if (!kv.empty()) {
              auto eq = kv.find('=');
              r.query.emplace(url_decode(kv.substr(0, eq)), eq == std::string_view::npos ? "" : url_decode(kv.substr(eq + 1)));
            }
            start = amp + 1;
          }
        }
        for (const auto& f : req) {
          std::string name(f.name_string());
          for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          r.headers[name] = std::string(f.value());
        }
        r.body = std::move(req.body());
        r.remote_ip = remote;
        r.client_certificate_names = names;
        // Handlers may wait on the spool as long as they need.
        conn.disarm();
        res = router.dispatch(r);
        if (r.method == "HEAD") res.body.clear();
      }
      if (res.stream) {
        stream_response(stream, res);
        break;
      }
      conn.arm(options.idle_timeout_seconds);
      if (!write_response(stream, res.status, res, keep_alive, req.version() ? req.version() : 11)) break;
      if (!keep_alive) break;
    }
  }

  // Headers without a length, then whatever the handler writes until it returns: the body ends
  // with the connection (HTTP/1.1 section 6.3), which suits event streams.
  template <typename Stream>
  void stream_response(Stream& stream, HttpResponse& res) {
    http::response<http::empty_body> out{static_cast<http::status>(res.status), 11};
    out.set(http::field::server, "khien");
    out.set(http::field::content_type, res.content_type);
    out.set(http::field::cache_control, "no-cache");
    for (const auto& [k, v] : res.headers) out.set(k, v);
    out.keep_alive(false);
    http::response_serializer<http::empty_body> sr{out};
    beast::error_code ec;
    http::write_header(stream, sr, ec);
    if (ec) return;
    ResponseStream rs;
    rs.write = [&stream](std::string_view bytes) {
      beast::error_code wec;
      asio::write(stream, asio::buffer(bytes.data(), bytes.size()), wec);
      return !wec;
    };
    rs.open = [this] { return !stopping.load(); };
    res.stream(rs);
  }

  template <typename Stream>
  bool write_response(Stream& stream, int status, const HttpResponse& res, bool keep_alive, unsigned version) {
    http::response<http::string_body> out{static_cast<http::status>(status), version};
    out.set(http::field::server, "khien");
    out.set(http::field::content_type, res.content_type);
    for (const auto& [k, v] : res.headers) out.set(k, v);
    out.keep_alive(keep_alive);
    out.body() = res.body;
    out.prepare_payload();
    beast::error_code ec;
    http::write(stream, out, ec);
    return !ec;
  }
};

HttpServer::HttpServer(const Router& router, HttpServerOptions options) : impl_(std::make_unique<Impl>(router, options)) {}

HttpServer::~HttpServer() { stop(); }

Result<int> HttpServer::listen(const std::string& host, int port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return fail(fmt::format("http: '{}' is not an IP address", host));
  auto acceptor = std::make_unique<tcp::acceptor>(impl_->io);
  tcp::endpoint ep(address, static_cast<unsigned short>(port));
  acceptor->open(ep.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(ep, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(fmt::format("http: cannot listen on {}:{}: {}", host, port, ec.message()));
  int bound = acceptor->local_endpoint().port();
  impl_->acceptor = std::move(acceptor);
  impl_->watchdog = std::thread([impl = impl_.get()] { impl->watch(); });
  impl_->accept_thread = std::thread([impl = impl_.get()] {
    while (!impl->stopping) {
      auto socket = std::make_shared<tcp::socket>(impl->io);
      boost::system::error_code aec;
      impl->acceptor->accept(*socket, aec);
      if (aec) {
        if (impl->stopping) break;
        continue;
      }
      std::unique_lock lock(impl->mutex);
      if (impl->active >= impl->options.max_connections) {
        lock.unlock();
        // A TLS client could not read a plain answer; it only sees the connection close.
        if (!impl->ssl)
          impl->write_response(*socket, 503, json_error(503, "too many connections; retry later"), false, 11);
        continue;
      }
      ++impl->active;
      auto it = impl->connections.emplace(impl->connections.end());
      it->socket = socket;
      lock.unlock();
      std::thread([impl, it] {
        impl->serve(*it);
        std::lock_guard guard(impl->mutex);
        impl->connections.erase(it);
        --impl->active;
        impl->done_cv.notify_all();
      }).detach();
    }
  });
  return bound;
}

void HttpServer::stop() {
  if (!impl_ || impl_->stopping.exchange(true)) return;
  boost::system::error_code ec;
  if (impl_->acceptor) {
    impl_->acceptor->cancel(ec);
    ::shutdown(impl_->acceptor->native_handle(), SHUT_RDWR);
    impl_->acceptor->close(ec);
  }
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  impl_->wake_cv.notify_all();
  if (impl_->watchdog.joinable()) impl_->watchdog.join();
  std::unique_lock lock(impl_->mutex);
  for (auto& c : impl_->connections) ::shutdown(c.socket->native_handle(), SHUT_RDWR);
  impl_->done_cv.wait(lock, [&] { return impl_->active == 0; });
}

}  // namespace khien
