// khien's configuration: one TOML file with defaults for everything, overridable on the command line.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "api/identity.h"
#include "app/taxii_client.h"
#include "core/error.h"
#include "correlate/campaign_detector.h"
#include "correlate/soc_health_monitor.h"
#include "correlate/traffic_detectors.h"
#include "ingest/source.h"
#include "store/delivery_store.h"

namespace khien {

struct Config {
  std::filesystem::path data_dir = "khien-data";
  std::string http_listen = "127.0.0.1:8080";
  std::string syslog_udp_listen = "127.0.0.1:5514";   ///< empty: off
  std::string syslog_tcp_listen = "127.0.0.1:5514";   ///< empty: off
  std::string syslog_tls_listen;                     ///< syslog over TLS (RFC 5425, usually :6514); empty: off
  std::int64_t syslog_local_offset_seconds = 0;      ///< UTC offset of RFC 3164 timestamps, which carry no zone
  std::string netflow_listen;                        ///< NetFlow v5/v9/IPFIX over UDP (usually :2055 or :4739); empty: off
  std::filesystem::path netflow_exporters;           ///< exporters YAML; empty: registry_dir's exporters.yaml, else built in
  std::string geo_city_db;                           ///< MaxMind City (or Country) .mmdb for src/dst locations; empty: none
  std::string geo_asn_db;                            ///< MaxMind ASN .mmdb for src/dst autonomous systems; empty: none
  TlsOptions tls;                                    ///< certificate, key, client CA; HTTPS switch
  std::filesystem::path registry_dir;                ///< empty: the registry built into the binary
  IngestLimits limits;
  std::string sigma_rules_dir;  ///< extra Sigma rules (the shipped ones always load); empty: none
  bool sigma = true;            ///< run Sigma detection on every event
  std::int64_t sigma_reload_seconds = 5;  ///< poll of the Sigma rule directory for changes; 0: reload on request only
  std::string intel_warninglists;          ///< MISP warninglists directory applied to the indicator matcher; empty: none
  std::int64_t intel_rebuild_seconds = 60;  ///< periodic matcher rebuild (valid_until expiry)
  int cases_check_seconds = 60;                        ///< SLA and directive-deadline check period; 0: only on request
  bool cases_clock_override = false;                   ///< tests only: case routes honour the X-Khien-Now header
  std::uint64_t cases_max_evidence_bytes = 25u << 20;  ///< largest evidence attachment
  std::string cases_compliance_model;                  ///< compliance weights YAML (docs/COMPLIANCE.md); empty: defaults
  int vuln_warn_min_orgs = 3;  ///< organisations a new KEV/critical CVE must reach to raise a warning
  std::string log_level = "info";
  bool warnings = true;       ///< national warnings from cross-organisation campaigns
  CampaignOptions warning_options;  ///< `[warnings]` thresholds and windows per key kind
  TrafficDetectorOptions traffic;   ///< `[traffic]` scan, DDoS and beaconing thresholds (docs/TRAFFIC.md)
  std::vector<TaxiiFeedConfig> taxii_feeds;  ///< `[[taxii_feeds]]`: external TAXII 2.1 collections to poll
  IdentityOptions auth;  ///< `[auth]`: session expiry and login lockout (secure_cookie follows tls.http)
  HealthOptions health;  ///< `[health]`: SOC health thresholds (docs/NOTIFICATIONS.md)
  NotificationConfig notifications;  ///< `[[webhooks]]`, `[[mail_recipients]]`, `[smtp]`, `[notifications]`
};

/// Reads a TOML config over the defaults. Unknown sections or keys are errors naming the key
/// and its line, so a typo never silently falls back to a default.
Result<Config> load_config(const std::filesystem::path& path, Config base = {});

/// The config keys with their defaults and meaning, as a TOML document (`khien config`).
std::string default_config_toml();

}  // namespace khien
