// Shared route helpers: JSON answers and query-parameter parsing.
#include "api/route_helpers.h"

#include <charconv>

namespace khien {

HttpResponse json_ok(const nlohmann::json& body, int status) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

std::optional<std::int64_t> int_param(const HttpRequest& req, const char* name, std::int64_t fallback, std::int64_t max) {
  std::string v = req.param(name);
  if (v.empty()) return fallback;
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < 0 || n > max) return std::nullopt;
  return n;
}

std::optional<double> number_param(const HttpRequest& req, const char* name, double fallback) {
  std::string v = req.param(name);
  if (v.empty()) return fallback;
  double x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return x;
}

std::vector<std::string> message_lines(const std::string& message) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < message.size()) {
    auto nl = message.find('\n', start);
    if (nl == std::string::npos) nl = message.size();
    if (nl > start) out.push_back(message.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

}  // namespace khien
