// HTTP client on Boost.Beast's synchronous API.
#include "app/http_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fmt/format.h>

namespace khien {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string HttpClientResponse::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (beast::iequals(k, name)) return v;
  return {};
}

struct HttpClient::Impl {
  asio::io_context io;
  std::string host, port;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  Status connect() {
    boost::system::error_code ec;
    asio::ip::tcp::resolver resolver(io);
    auto results = resolver.resolve(host, port, ec);
    if (ec) return fail(fmt::format("cannot resolve {}: {}", host, ec.message()));
    stream = std::make_unique<beast::tcp_stream>(io);
    stream->expires_never();
    stream->connect(results, ec);
    if (ec) {
      stream.reset();
      return fail(fmt::format("cannot connect to {}:{}: {}", host, port, ec.message()));
    }
    buffer.clear();
    return {};
  }
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) {}
HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::create(const std::string& base) {
  std::string rest = base;
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  else return fail(fmt::format("target '{}': expected http://host:port", base));
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  auto colon = rest.rfind(':');
  std::unique_ptr<HttpClient> c(new HttpClient());
  c->impl_->host = colon == std::string::npos ? rest : rest.substr(0, colon);
  c->impl_->port = colon == std::string::npos ? "80" : rest.substr(colon + 1);
  if (!c->impl_->host.empty() && c->impl_->host.front() == '[') c->impl_->host = c->impl_->host.substr(1, c->impl_->host.size() - 2);
  return c;
}

Result<HttpClientResponse> HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                                               const std::vector<std::pair<std::string, std::string>>& headers) {
  // One retry: a keep-alive connection the server closed in between fails on first use.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!impl_->stream) {
      if (auto st = impl_->connect(); !st) return tl::unexpected(st.error());
    }
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, impl_->host);
    req.set(http::field::user_agent, "khien");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.keep_alive(true);
    req.prepare_payload();
    boost::system::error_code ec;
    http::write(*impl_->stream, req, ec);
    if (!ec) {
      http::response_parser<http::string_body> parser;
      parser.body_limit(1u << 30);
      http::read(*impl_->stream, impl_->buffer, parser, ec);
      if (!ec) {
        auto res = parser.release();
        HttpClientResponse out;
        out.status = static_cast<int>(res.result_int());
        out.body = std::move(res.body());
        for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
        if (!res.keep_alive()) impl_->stream.reset();
        return out;
      }
    }
    impl_->stream.reset();
    if (attempt == 1) return fail(fmt::format("HTTP {} {}: {}", method, target, ec.message()));
  }
  return fail(fmt::format("HTTP {} {}: no answer", method, target));
}

}  // namespace khien
