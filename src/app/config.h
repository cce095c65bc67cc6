// khien's configuration: one TOML file with defaults for everything, overridable on the command line.
#pragma once

#include <filesystem>
#include <string>

#include "core/error.h"
#include "ingest/source.h"

namespace khien {

struct Config {
  std::filesystem::path data_dir = "khien-data";
  std::string http_listen = "127.0.0.1:8080";
  std::string syslog_udp_listen = "127.0.0.1:5514";   ///< empty: off
  std::string syslog_tcp_listen = "127.0.0.1:5514";   ///< empty: off
  std::string syslog_tls_listen;                     ///< syslog over TLS (RFC 5425, usually :6514); empty: off
  TlsOptions tls;                                    ///< certificate, key, client CA; HTTPS switch
  std::filesystem::path registry_dir;                ///< empty: the registry built into the binary
  IngestLimits limits;
  std::string sigma_rules_dir;  ///< extra Sigma rules (the shipped ones always load); empty: none
  bool sigma = true;            ///< run Sigma detection on every event
  std::string log_level = "info";
};

/// Reads a TOML config over the defaults. Unknown sections or keys are errors naming the key
/// and its line, so a typo never silently falls back to a default.
Result<Config> load_config(const std::filesystem::path& path, Config base = {});

/// The config keys with their defaults and meaning, as a TOML document (`khien config`).
std::string default_config_toml();

}  // namespace khien
