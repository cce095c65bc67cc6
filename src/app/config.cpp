// Config loading with toml++; every key is declared once in kKeys.
#include "app/config.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <string_view>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "app/traffic_detector.h"
#include "app/health_service.h"
#include "app/notification_service.h"
#include "app/warning_service.h"

namespace khien {

namespace {

struct Key {
  const char* section;
  const char* name;
  const char* description;
  std::function<std::string(const Config&)> show;
  std::function<Status(Config&, const toml::node&)> set;
};

Status want_string(const toml::node& n, std::string& out, const char* name) {
  if (!n.is_string()) return fail(fmt::format("{}: expected a string", name));
  out = n.as_string()->get();
  return {};
}

Status want_bool(const toml::node& n, bool& out, const char* name) {
  if (!n.is_boolean()) return fail(fmt::format("{}: expected true or false", name));
  out = n.as_boolean()->get();
  return {};
}

template <typename T>
Status want_int(const toml::node& n, T& out, const char* name) {
  if (!n.is_integer() || n.as_integer()->get() < 0) return fail(fmt::format("{}: expected a non-negative integer", name));
  out = static_cast<T>(n.as_integer()->get());
  return {};
}

Status want_positive(const toml::node& n, int& out, const char* name) {
  if (!n.is_integer() || n.as_integer()->get() < 1 || n.as_integer()->get() > 1'000'000)
    return fail(fmt::format("{}: expected an integer from 1 to 1000000", name));
  out = static_cast<int>(n.as_integer()->get());
  return {};
}

// One `[traffic]` key, read and shown through app/traffic_detector.h.
Key traffic_key(const TrafficOptionKey& t) {
  return {"traffic", t.name, t.description, [name = t.name](const Config& c) { return traffic_option_text(c.traffic, name); },
          [name = t.name](Config& c, const toml::node& n) -> Status {
            if (!n.is_boolean() && !n.is_number()) return fail(fmt::format("traffic.{}: expected a number or true/false", name));
            double v = n.is_boolean() ? (n.as_boolean()->get() ? 1 : 0) : n.value<double>().value_or(0);
            return set_traffic_option(c.traffic, name, n.is_boolean(), v);
          }};
}

const std::vector<Key>& keys() {
  static const std::vector<Key> k{
      {"server", "data", "Data directory (state, spool, archive)", [](const Config& c) { return fmt::format("\"{}\"", c.data_dir.string()); },
       [](Config& c, const toml::node& n) -> Status { std::string s; if (auto st = want_string(n, s, "server.data"); !st) return st; c.data_dir = s; return {}; }},
      {"server", "http", "HTTP listener host:port (API, ingest, metrics)", [](const Config& c) { return fmt::format("\"{}\"", c.http_listen); },
       [](Config& c, const toml::node& n) { return want_string(n, c.http_listen, "server.http"); }},
      {"server", "syslog_udp", "Syslog UDP listener host:port, empty to disable", [](const Config& c) { return fmt::format("\"{}\"", c.syslog_udp_listen); },
       [](Config& c, const toml::node& n) { return want_string(n, c.syslog_udp_listen, "server.syslog_udp"); }},
      {"server", "syslog_tcp", "Syslog TCP listener host:port, empty to disable", [](const Config& c) { return fmt::format("\"{}\"", c.syslog_tcp_listen); },
       [](Config& c, const toml::node& n) { return want_string(n, c.syslog_tcp_listen, "server.syslog_tcp"); }},
      {"server", "syslog_local_time",
       "UTC offset of RFC 3164 syslog timestamps, which carry no zone: \"+07:00\" for senders that log Vietnamese local "
       "time (RFC 5424 and ISO timestamps carry their own)",
       [](const Config& c) { return fmt::format("\"{}\"", format_utc_offset(c.syslog_local_offset_seconds)); },
       [](Config& c, const toml::node& n) -> Status {
         std::string s;
         if (auto st = want_string(n, s, "server.syslog_local_time"); !st) return st;
         auto offset = parse_utc_offset(s);
         if (!offset) return fail(fmt::format("server.syslog_local_time: '{}' is not a UTC offset such as \"+07:00\"", s));
         c.syslog_local_offset_seconds = *offset;
         return {};
       }},
      {"server", "netflow", "NetFlow v5/v9 and IPFIX UDP listener host:port (usually :2055 or :4739), empty to disable",
       [](const Config& c) { return fmt::format("\"{}\"", c.netflow_listen); },
       [](Config& c, const toml::node& n) { return want_string(n, c.netflow_listen, "server.netflow"); }},
      {"netflow", "exporters", "Flow exporters YAML (see docs/TRAFFIC.md); empty: exporters.yaml of registry.dir, else built in",
       [](const Config& c) { return fmt::format("\"{}\"", c.netflow_exporters.string()); },
       [](Config& c, const toml::node& n) -> Status { std::string s; if (auto st = want_string(n, s, "netflow.exporters"); !st) return st; c.netflow_exporters = s; return {}; }},
      {"geo", "city_db", "MaxMind GeoIP2/GeoLite2 City or Country database (.mmdb) for src/dst country and city; empty: none",
       [](const Config& c) { return fmt::format("\"{}\"", c.geo_city_db); },
       [](Config& c, const toml::node& n) { return want_string(n, c.geo_city_db, "geo.city_db"); }},
      {"geo", "asn_db", "MaxMind GeoLite2/GeoIP2 ASN database (.mmdb) for src/dst autonomous systems; empty: none",
       [](const Config& c) { return fmt::format("\"{}\"", c.geo_asn_db); },
       [](Config& c, const toml::node& n) { return want_string(n, c.geo_asn_db, "geo.asn_db"); }},
      {"registry", "dir", "Registry YAML directory loaded at first start; empty for the built-in registry",
       [](const Config& c) { return fmt::format("\"{}\"", c.registry_dir.string()); },
       [](Config& c, const toml::node& n) -> Status { std::string s; if (auto st = want_string(n, s, "registry.dir"); !st) return st; c.registry_dir = s; return {}; }},
      {"ingest", "max_line_bytes", "Longest accepted record in bytes", [](const Config& c) { return std::to_string(c.limits.max_line_bytes); },
       [](Config& c, const toml::node& n) { return want_int(n, c.limits.max_line_bytes, "ingest.max_line_bytes"); }},
      {"ingest", "max_body_bytes", "Largest decompressed HTTP body in bytes", [](const Config& c) { return std::to_string(c.limits.max_body_bytes); },
       [](Config& c, const toml::node& n) { return want_int(n, c.limits.max_body_bytes, "ingest.max_body_bytes"); }},
      {"ingest", "max_backlog_records", "Spool backlog at which HTTP answers 429 and TCP stops reading",
       [](const Config& c) { return std::to_string(c.limits.max_backlog_records); },
       [](Config& c, const toml::node& n) { return want_int(n, c.limits.max_backlog_records, "ingest.max_backlog_records"); }},
      {"tls", "cert", "PEM certificate chain (server certificate first) for HTTPS and syslog over TLS",
       [](const Config& c) { return fmt::format("\"{}\"", c.tls.cert); },
       [](Config& c, const toml::node& n) { return want_string(n, c.tls.cert, "tls.cert"); }},
      {"tls", "key", "PEM private key of tls.cert", [](const Config& c) { return fmt::format("\"{}\"", c.tls.key); },
       [](Config& c, const toml::node& n) { return want_string(n, c.tls.key, "tls.key"); }},
      {"tls", "client_ca",
       "PEM CA bundle for client certificates; empty: none asked. When set, syslog over TLS requires a client "
       "certificate and attributes the connection to the SOC whose id is its subject CN or a DNS name "
       "(CN = soc-evn -> SOC soc-evn), falling back to sender address ranges; HTTPS asks for one but the API key "
       "still authenticates",
       [](const Config& c) { return fmt::format("\"{}\"", c.tls.client_ca); },
       [](Config& c, const toml::node& n) { return want_string(n, c.tls.client_ca, "tls.client_ca"); }},
      {"tls", "http", "Serve the HTTP listener (API, ingest, metrics) over TLS", [](const Config& c) { return c.tls.http ? "true" : "false"; },
       [](Config& c, const toml::node& n) { return want_bool(n, c.tls.http, "tls.http"); }},
      {"tls", "syslog_tls", "Syslog over TLS listener host:port (RFC 5425, usually port 6514), empty to disable",
       [](const Config& c) { return fmt::format("\"{}\"", c.syslog_tls_listen); },
       [](Config& c, const toml::node& n) { return want_string(n, c.syslog_tls_listen, "tls.syslog_tls"); }},
      {"tls", "min_version", "Oldest TLS version accepted: \"1.2\" or \"1.3\"", [](const Config& c) { return fmt::format("\"{}\"", c.tls.min_version); },
       [](Config& c, const toml::node& n) -> Status {
         if (auto st = want_string(n, c.tls.min_version, "tls.min_version"); !st) return st;
         return check_tls_version(c.tls.min_version);
       }},
      {"detect", "sigma", "Run Sigma detection on every event", [](const Config& c) { return std::string(c.sigma ? "true" : "false"); },
       [](Config& c, const toml::node& n) -> Status {
         if (!n.is_boolean()) return fail("detect.sigma: expected true or false");
         c.sigma = n.as_boolean()->get();
         return {};
       }},
      {"detect", "sigma_rules", "Directory of extra Sigma rules (the shipped rules always load)",
       [](const Config& c) { return fmt::format("\"{}\"", c.sigma_rules_dir); },
       [](Config& c, const toml::node& n) { return want_string(n, c.sigma_rules_dir, "detect.sigma_rules"); }},
      {"detect", "reload_seconds", "Seconds between checks of the Sigma rule directory for changes (0: reload only on POST /api/v1/rules/reload)",
       [](const Config& c) { return std::to_string(c.sigma_reload_seconds); },
       [](Config& c, const toml::node& n) -> Status {
         if (auto st = want_int(n, c.sigma_reload_seconds, "detect.reload_seconds"); !st) return st;
         if (c.sigma_reload_seconds < 0) return fail("detect.reload_seconds: expected 0 or more");
         return {};
       }},
      {"cases", "check_seconds", "Seconds between checks for incident SLA breaches and overdue directives (0: only on request)",
       [](const Config& c) { return std::to_string(c.cases_check_seconds); },
       [](Config& c, const toml::node& n) { return want_int(n, c.cases_check_seconds, "cases.check_seconds"); }},
      {"cases", "clock_override", "Tests only: case routes take the current time from the X-Khien-Now header",
       [](const Config& c) { return std::string(c.cases_clock_override ? "true" : "false"); },
       [](Config& c, const toml::node& n) { return want_bool(n, c.cases_clock_override, "cases.clock_override"); }},
      {"cases", "max_evidence_bytes", "Largest evidence file attached to an incident or directive",
       [](const Config& c) { return std::to_string(c.cases_max_evidence_bytes); },
       [](Config& c, const toml::node& n) { return want_int(n, c.cases_max_evidence_bytes, "cases.max_evidence_bytes"); }},
      {"cases", "compliance_model", "Compliance weights and thresholds YAML (docs/COMPLIANCE.md); empty: the defaults",
       [](const Config& c) { return fmt::format("\"{}\"", c.cases_compliance_model); },
       [](Config& c, const toml::node& n) { return want_string(n, c.cases_compliance_model, "cases.compliance_model"); }},
      {"vuln", "warn_min_orgs", "A new KEV entry or critical CVE raises a national warning and a draft directive when it reaches this many organisations (or any national critical system)",
       [](const Config& c) { return std::to_string(c.vuln_warn_min_orgs); },
       [](Config& c, const toml::node& n) { return want_positive(n, c.vuln_warn_min_orgs, "vuln.warn_min_orgs"); }},
      {"auth", "session_idle_minutes", "A console session unused this many minutes ends",
       [](const Config& c) { return std::to_string(c.auth.session_idle_minutes); },
       [](Config& c, const toml::node& n) { return want_positive(n, c.auth.session_idle_minutes, "auth.session_idle_minutes"); }},
      {"auth", "session_absolute_hours", "A console session ends this many hours after login, used or not",
       [](const Config& c) { return std::to_string(c.auth.session_absolute_hours); },
       [](Config& c, const toml::node& n) { return want_positive(n, c.auth.session_absolute_hours, "auth.session_absolute_hours"); }},
      {"auth", "lockout_attempts", "Consecutive failed logins that lock an account",
       [](const Config& c) { return std::to_string(c.auth.lockout_attempts); },
       [](Config& c, const toml::node& n) { return want_positive(n, c.auth.lockout_attempts, "auth.lockout_attempts"); }},
      {"auth", "lockout_minutes", "Minutes a locked account stays locked",
       [](const Config& c) { return std::to_string(c.auth.lockout_minutes); },
       [](Config& c, const toml::node& n) { return want_positive(n, c.auth.lockout_minutes, "auth.lockout_minutes"); }},
      {"intel", "warninglists", "Directory of MISP warninglists; indicator values on a list are left out of the matcher (empty: none)",
       [](const Config& c) { return fmt::format("\"{}\"", c.intel_warninglists); },
       [](Config& c, const toml::node& n) { return want_string(n, c.intel_warninglists, "intel.warninglists"); }},
      {"intel", "rebuild_seconds", "Seconds between indicator matcher rebuilds (expiry of valid_until; imports rebuild at once)",
       [](const Config& c) { return std::to_string(c.intel_rebuild_seconds); },
       [](Config& c, const toml::node& n) -> Status {
         if (auto st = want_int(n, c.intel_rebuild_seconds, "intel.rebuild_seconds"); !st) return st;
         if (c.intel_rebuild_seconds < 1) return fail("intel.rebuild_seconds: expected at least 1");
         return {};
       }},
      {"warnings", "enabled", "Raise national warnings from campaigns seen across organisations (docs/WARNINGS.md)",
       [](const Config& c) { return std::string(c.warnings ? "true" : "false"); },
       [](Config& c, const toml::node& n) { return want_bool(n, c.warnings, "warnings.enabled"); }},
      {"warnings", "thresholds", "Per key kind: kind=min_orgs/min_sectors/window or kind=off (kinds: indicator cve hash domain ip asn sigma)",
       [](const Config& c) { return fmt::format("\"{}\"", format_warning_thresholds(c.warning_options)); },
       [](Config& c, const toml::node& n) -> Status {
         std::string s;
         if (auto st = want_string(n, s, "warnings.thresholds"); !st) return st;
         return parse_warning_thresholds(s, c.warning_options);
       }},
      {"log", "level", "Log level: trace, debug, info, warn, error", [](const Config& c) { return fmt::format("\"{}\"", c.log_level); },
       [](Config& c, const toml::node& n) { return want_string(n, c.log_level, "log.level"); }},
  };
  // The `[traffic]` keys are declared with the detectors (app/traffic_detector.h).
  static const std::vector<Key> all = [] { auto v = k; for (const auto& t : traffic_option_keys()) v.push_back(traffic_key(t)); return v; }();
  return all;
}

// `[[taxii_feeds]]`: an array of tables, one per external TAXII collection (see TaxiiFeedConfig).
void read_taxii_feeds(const toml::node& node, const std::filesystem::path& path, Config& config, std::vector<std::string>& errors) {
  auto where = [&](const toml::node& n) { return fmt::format("{}:{}", path.string(), n.source().begin.line); };
  if (!node.is_array_of_tables()) {
    errors.push_back(fmt::format("{}: taxii_feeds must be written as [[taxii_feeds]] tables", where(node)));
    return;
  }
  for (const auto& item : *node.as_array()) {
    TaxiiFeedConfig feed;
    for (const auto& [name, value] : *item.as_table()) {
      std::string key = "taxii_feeds." + std::string(name.str());
      Status st;
      if (name == "url") st = want_string(value, feed.url, key.c_str());
      else if (name == "collection") st = want_string(value, feed.collection, key.c_str());
      else if (name == "user") st = want_string(value, feed.user, key.c_str());
      else if (name == "password") st = want_string(value, feed.password, key.c_str());
      else if (name == "token") st = want_string(value, feed.token, key.c_str());
      else if (name == "source") st = want_string(value, feed.source, key.c_str());
      else if (name == "tlp") st = want_string(value, feed.tlp, key.c_str());
      else if (name == "into") st = want_string(value, feed.into, key.c_str());
      else if (name == "interval") st = want_int(value, feed.interval, key.c_str());
      else if (name == "limit") st = want_int(value, feed.limit, key.c_str());
      else if (name == "timeout") st = want_int(value, feed.timeout, key.c_str());
      else st = fail(fmt::format("unknown key '{}' (url, collection, user, password, token, interval, source, tlp, limit, into, timeout)", key));
      if (!st) errors.push_back(fmt::format("{}: {}", where(value), st.error().message));
    }
    if (auto st = check_taxii_feed(feed); !st) errors.push_back(fmt::format("{}: taxii_feeds: {}", where(item), st.error().message));
    config.taxii_feeds.push_back(std::move(feed));
  }
}

}  // namespace

Result<Config> load_config(const std::filesystem::path& path, Config config) {
  toml::table doc;
  try {
    doc = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    return fail(fmt::format("{}:{}:{}: {}", path.string(), e.source().begin.line, e.source().begin.column, e.description()));
  }
  std::vector<std::string> errors;
  for (const auto& [section, node] : doc) {
    auto line = node.source().begin.line;
    if (section.str() == "taxii_feeds") {
      read_taxii_feeds(node, path, config, errors);
      continue;
    }
    if (read_health_config(section.str(), node, path, config.health, errors) ||
        read_notification_config(section.str(), node, path, config.notifications, errors))
      continue;
    if (!node.is_table()) {
      errors.push_back(fmt::format("{}:{}: '{}' must be a [section]", path.string(), line, section.str()));
      continue;
    }
    for (const auto& [name, value] : *node.as_table()) {
      auto vline = value.source().begin.line;
      auto it = std::find_if(keys().begin(), keys().end(), [&](const Key& k) { return section.str() == k.section && name.str() == k.name; });
      if (it == keys().end()) {
        errors.push_back(fmt::format("{}:{}: unknown key '{}.{}' (see `khien config` for every key)", path.string(), vline, section.str(), name.str()));
        continue;
      }
      if (auto st = it->set(config, value); !st) errors.push_back(fmt::format("{}:{}: {}", path.string(), vline, st.error().message));
    }
  }
  // Certificate paths in a config file are relative to that file, as a reader of it expects.
  if (const auto* tls = doc["tls"].as_table()) {
    for (const auto& [name, field] : {std::pair{"cert", &config.tls.cert}, std::pair{"key", &config.tls.key}, std::pair{"client_ca", &config.tls.client_ca}}) {
      if (tls->contains(name) && !field->empty() && std::filesystem::path(*field).is_relative())
        *field = (path.parent_path() / *field).lexically_normal().string();
    }
  }
  if (!errors.empty()) {
    std::string all;
    for (const auto& e : errors) all += (all.empty() ? "" : "\n") + e;
    return fail(all);
  }
  return config;
}

std::string default_config_toml() {
  Config defaults;
  std::string out = "# khien configuration: every key with its default.\n";
  std::string section;
  for (const auto& k : keys()) {
    if (section != k.section) {
      section = k.section;
      out += fmt::format("\n[{}]\n", section);
    }
    out += fmt::format("# {}\n{} = {}\n", k.description, k.name, k.show(defaults));
  }
  out += "\n# External TAXII 2.1 collections polled into the STIX store, one table each (docs/EXPORTS.md):\n"
         "# [[taxii_feeds]]\n# url = \"https://feeds.example.org/taxii2/api1/\"  # the API root\n"
         "# collection = \"COLLECTION-ID\"\n# token = \"...\"        # or user = \"...\" and password = \"...\"\n"
         "# interval = 3600       # seconds between polls\n# source = \"partner-x\"  # recorded with each object\n"
         "# tlp = \"amber\"          # for objects without a TLP marking\n# limit = 0             # page size asked for; 0: the server's\n";
  out += health_config_toml() + notification_config_toml();
  return out;
}

}  // namespace khien
