// Server wiring and start-up order: lock, state, registry, token, spool, archive, pipeline, sources, HTTP.
#include "app/server.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/api_routes.h"
#include "api/http_server.h"
#include "api/taxii_routes.h"
#include "app/pipeline.h"
#include "app/sigma_detector.h"
#include "app/vuln_service.h"
#include "app/registry_import.h"
#include "decode/auto_decoder.h"
#include "ingest/syslog_message.h"

namespace khien {

Result<int> lock_data_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(fmt::format("data directory {}: {}", dir.string(), ec.message()));
  int fd = ::open((dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return fail(fmt::format("data directory {}: cannot open lock file", dir.string()));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return fail(fmt::format("data directory {} is in use by another khien process (a running server?)", dir.string()));
  }
  return fd;
}

Result<std::string> ensure_admin_token(const std::filesystem::path& dir) {
  auto path = dir / "admin.token";
  std::ifstream in(path);
  std::string token;
  if (in && std::getline(in, token) && !token.empty()) return token;
  token = "kha_" + random_hex(24);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail(fmt::format("cannot write {}", path.string()));
  ::fchmod(fd, 0600);
  std::string line = token + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::fsync(fd);
  ::close(fd);
  if (!ok) return fail(fmt::format("cannot write {}", path.string()));
  return token;
}

RecordValidator make_record_validator() {
  return [](std::string_view record, std::string_view format) -> Result<std::uint8_t> {
    thread_local Arena arena(64 * 1024);
    thread_local std::vector<std::unique_ptr<Decoder>> decoders = [] {
      std::vector<std::unique_ptr<Decoder>> v;
      for (const auto& info : registered_decoders()) v.push_back(info.make());
      return v;
    }();
    arena.reset();
    if (format == "syslog") {
      auto msg = parse_syslog(record, now_ns());
      if (!msg) return tl::unexpected(msg.error());
      return kSyslogFormat;
    }
    std::string_view name = format;
    if (format == "auto") {
      name = detect_format(record);
      if (name.empty()) return fail("unknown format: not a JSON layout khien knows, and no CEF/LEEF header (set format=...)");
    }
    int code = format_code(name);
    if (code < 0) {
      std::string known;
      for (const auto& d : registered_decoders()) known += (known.empty() ? "" : ", ") + std::string(d.name);
      return fail(fmt::format("unknown format '{}'; known: {}", name, known));
    }
    Event event(arena);
    if (auto st = decoders[static_cast<std::size_t>(code)]->decode(record, event); !st) return tl::unexpected(st.error());
    return static_cast<std::uint8_t>(code);
  };
}

struct Server::Impl {
  Config config;
  int lock_fd = -1;
  std::unique_ptr<StateStore> store;
  std::unique_ptr<Spool> spool;
  std::unique_ptr<ArchiveWriter> archive;
  std::unique_ptr<ConstituencyHolder> constituency;
  std::unique_ptr<AlertStore> alerts;
  std::unique_ptr<VulnService> vulns;
  std::unique_ptr<StixStore> stix;
  TaxiiContext taxii;
  std::unique_ptr<Pipeline> pipeline;
  SocStats stats;
  std::unique_ptr<HttpBulkSource> bulk;
  std::vector<std::unique_ptr<Source>> sources;
  Router router;
  ApiContext api;
  std::unique_ptr<HttpServer> http;
};

namespace {

// GET /api/v1/vulns/{cve} and /api/v1/exposure: CVE data against the systems inventory.
void register_vuln_routes(Server::Impl& m) {
  auto admin = [&m](const HttpRequest& req) {
    std::string auth = req.header("authorization");
    return auth.size() > 7 && sha256_hex(auth.substr(7)) == m.api.admin_token_hash;
  };
  m.router.add("GET", "/api/v1/vulns/{cve}", [&m, admin](HttpRequest& req) {
    if (!admin(req)) return json_error(401, "missing or invalid bearer token");
    auto cve = m.vulns->show(req.path_params["cve"]);
    if (!cve) return json_error(404, fmt::format("{} is not in the imported vulnerability data", req.path_params["cve"]));
    HttpResponse r;
    r.body = cve->dump();
    return r;
  });
  m.router.add("GET", "/api/v1/exposure", [&m, admin](HttpRequest& req) {
    if (!admin(req)) return json_error(401, "missing or invalid bearer token");
    double min_priority = 0;
    try {
      if (!req.param("min_priority").empty()) min_priority = std::stod(req.param("min_priority"));
    } catch (const std::exception&) {
      return json_error(400, "parameter 'min_priority': expected a number 0..100");
    }
    HttpResponse r;
    r.body = m.vulns->exposure(req.param("sector"), req.param("province"), min_priority, 1000).dump();
    return r;
  });
}

}  // namespace

Server::Server(Config config) : impl_(std::make_unique<Impl>()) { impl_->config = std::move(config); }

Server::~Server() { stop(); }

std::string Server::admin_token_path() const { return (impl_->config.data_dir / "admin.token").string(); }

Result<BoundAddresses> Server::start() {
  auto& m = *impl_;
  const auto& dir = m.config.data_dir;
  auto lock = lock_data_dir(dir);
  if (!lock) return tl::unexpected(lock.error());
  m.lock_fd = *lock;
  auto store = StateStore::open(dir / "state.db");
  if (!store) return tl::unexpected(store.error());
  m.store = std::move(*store);
  if (!m.store->registry_loaded()) {
    if (auto st = import_registry(*m.store, m.config.registry_dir); !st) return tl::unexpected(st.error());
  }
  auto token = ensure_admin_token(dir);
  if (!token) return tl::unexpected(token.error());
  auto spool = Spool::open(dir / "spool");
  if (!spool) return tl::unexpected(spool.error());
  m.spool = std::move(*spool);
  auto archive = ArchiveWriter::open(dir / "archive");
  if (!archive) return tl::unexpected(archive.error());
  m.archive = std::move(*archive);
  m.constituency = std::make_unique<ConstituencyHolder>(*m.store);
  auto alerts = AlertStore::open(dir / "state.db");
  if (!alerts) return tl::unexpected(alerts.error());
  m.alerts = std::move(*alerts);
  m.pipeline = std::make_unique<Pipeline>(*m.spool, *m.archive, *m.constituency, PipelineOptions{}, m.alerts.get());
  if (m.config.sigma) {
    auto rules = load_sigma_rules(m.config.sigma_rules_dir);
    if (!rules) return fail("sigma: " + rules.error().message);
    m.pipeline->add_detector(std::make_unique<SigmaDetector>(*rules));
  }
  m.pipeline->start();

  SourceContext ctx;
  ctx.spool = m.spool.get();
  ctx.stats = &m.stats;
  ctx.limits = m.config.limits;
  ctx.validate = make_record_validator();
  ctx.soc_for_sender = [holder = m.constituency.get()](const IpAddress& ip) -> std::optional<std::pair<std::uint32_t, std::string>> {
    auto c = holder->get();
    const SocInfo* soc = c->soc_by_sender(ip);
    if (!soc) return std::nullopt;
    return std::make_pair(static_cast<std::uint32_t>(soc->row_id), soc->id);
  };
  ctx.soc_by_id =
      [holder = m.constituency.get()](const std::string& id) -> std::optional<std::pair<std::uint32_t, std::string>> {
    auto c = holder->get();
    const SocInfo* soc = c->soc_by_id(id);
    if (!soc) return std::nullopt;
    return std::make_pair(static_cast<std::uint32_t>(soc->row_id), soc->id);
  };
  ctx.tls = m.config.tls;
  m.bulk = std::make_unique<HttpBulkSource>(ctx);

  BoundAddresses bound;
  // Each registered source's configured address and where its bound address is reported.
  const std::map<std::string_view, std::pair<const std::string*, std::string*>> listeners{
      {"syslog-udp", {&m.config.syslog_udp_listen, &bound.syslog_udp}},
      {"syslog-tcp", {&m.config.syslog_tcp_listen, &bound.syslog_tcp}},
      {"syslog-tls", {&m.config.syslog_tls_listen, &bound.syslog_tls}},
  };
  for (const auto& info : registered_sources()) {
    auto where = listeners.find(info.name);
    if (where == listeners.end())
      return fail(fmt::format("{}: no listener address in the config for this source", info.name));
    const std::string& listen = *where->second.first;
    if (listen.empty()) continue;
    auto source = info.make(ctx, listen);
    auto addr = source->start();
    if (!addr) return fail(fmt::format("{}: {}", info.name, addr.error().message));
    *where->second.second = *addr;
    m.sources.push_back(std::move(source));
  }

  m.api.store = m.store.get();
  m.api.alerts = m.alerts.get();
  m.api.spool = m.spool.get();
  m.api.stats = &m.stats;
  m.api.bulk = m.bulk.get();
  m.api.constituency = m.constituency.get();
  m.api.archive_dir = dir / "archive";
  m.api.admin_token_hash = sha256_hex(*token);
  m.api.processed_seq = [p = m.pipeline.get()] { return p->processed_seq(); };
  register_api_routes(m.router, m.api);
  auto vulns = VulnService::open(dir);
  if (!vulns) return fail("vulnerabilities: " + vulns.error().message);
  m.vulns = std::move(*vulns);
  register_vuln_routes(m);
  auto stix = StixStore::open(dir / "state.db");
  if (!stix) return tl::unexpected(stix.error());
  m.stix = std::move(*stix);
  if (auto st = ensure_default_taxii_layout(*m.stix); !st) return tl::unexpected(st.error());
  m.taxii.store = m.stix.get();
  // Until users and roles arrive, the administrator token is the one TAXII identity.
  m.taxii.authenticate = [hash = m.api.admin_token_hash](const HttpRequest& r) -> std::optional<TaxiiPrincipal> {
    auto t = bearer_token(r);
    if (t && sha256_hex(*t) == hash) return TaxiiPrincipal{"admin", "", Tlp::red, true, true};
    if (auto basic = basic_credentials(r); basic && sha256_hex(basic->second) == hash)
      return TaxiiPrincipal{"admin", "", Tlp::red, true, true};
    return std::nullopt;
  };
  register_taxii_routes(m.router, m.taxii);
  HttpServerOptions http_options;
  // Compressed bodies may be smaller than the decompressed limit, never larger.
  http_options.max_body_bytes = m.config.limits.max_body_bytes;
  if (m.config.tls.http) {
    // Client certificates are asked for but optional: the API key authenticates the caller.
    auto clients = m.config.tls.client_ca.empty() ? ClientCertificates::None : ClientCertificates::Optional;
    auto tls = TlsContext::create(m.config.tls, clients);
    if (!tls) return fail("https: " + tls.error().message);
    http_options.tls = std::move(*tls);
    bound.https = true;
  }
  m.http = std::make_unique<HttpServer>(m.router, http_options);
  auto hp = parse_listen_address(m.config.http_listen);
  if (!hp) return tl::unexpected(hp.error());
  auto port = m.http->listen(hp->first, hp->second);
  if (!port) return tl::unexpected(port.error());
  bound.http = hp->first.find(':') != std::string::npos ? fmt::format("[{}]:{}", hp->first, *port) : fmt::format("{}:{}", hp->first, *port);
  return bound;
}

void Server::stop() {
  auto& m = *impl_;
  if (m.http) m.http->stop();
  for (auto& s : m.sources) s->stop();
  m.sources.clear();
  if (m.pipeline) m.pipeline->stop();
  m.http.reset();
  m.pipeline.reset();
  m.archive.reset();
  m.spool.reset();
  if (m.lock_fd >= 0) ::close(m.lock_fd);
  m.lock_fd = -1;
}

}  // namespace khien
