// The khien server: state store, spool, pipeline, archive, sources and the HTTP API wired together.
#pragma once

#include <memory>
#include <string>

#include "app/config.h"
#include "core/error.h"

namespace khien {

/// Addresses the server actually bound (ports chosen by the OS when 0 was asked for).
struct BoundAddresses {
  std::string http;
  bool https = false;  ///< the HTTP listener speaks TLS
  std::string syslog_udp;
  std::string syslog_tcp;
  std::string syslog_tls;
  std::string netflow;  ///< NetFlow/IPFIX UDP collector
};

/// Threading: start() opens everything and returns; the sources, pipeline and HTTP server run
/// on their own threads until stop().
class Server {
 public:
  explicit Server(Config config);
  ~Server();
  Result<BoundAddresses> start();
  void stop();
  /// The data directory's administrator token file.
  std::string admin_token_path() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Opens (creating) the data directory and takes its lock; fails if another khien holds it.
Result<int> lock_data_dir(const std::filesystem::path& dir);

/// Reads DIR/admin.token, creating it (mode 0600) with a new random token at first start.
Result<std::string> ensure_admin_token(const std::filesystem::path& dir);

/// Makes a validator that decodes each record with this thread's decoders (see RecordValidator).
RecordValidator make_record_validator();

}  // namespace khien
