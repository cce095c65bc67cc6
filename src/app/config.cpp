// Config loading with toml++; every key is declared once in kKeys.
#include "app/config.h"

#include <algorithm>
#include <functional>

#include <fmt/format.h>
#include <toml++/toml.h>

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
      {"log", "level", "Log level: trace, debug, info, warn, error", [](const Config& c) { return fmt::format("\"{}\"", c.log_level); },
       [](Config& c, const toml::node& n) { return want_string(n, c.log_level, "log.level"); }},
  };
  return k;
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
  return out;
}

}  // namespace khien
