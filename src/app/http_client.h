// A minimal blocking HTTP/1.1 client (keep-alive) for the simulator and the CLI.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace khien {

struct HttpClientResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(const std::string& name) const;
};

/// One keep-alive connection to `http://host:port`; reconnects when the server closed it.
/// Not thread-safe: one client per thread.
class HttpClient {
 public:
  /// `base` like "http://127.0.0.1:8080".
  static Result<std::unique_ptr<HttpClient>> create(const std::string& base);
  ~HttpClient();
  Result<HttpClientResponse> request(const std::string& method, const std::string& target, const std::string& body,
                                     const std::vector<std::pair<std::string, std::string>>& headers);

 private:
  HttpClient();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace khien
