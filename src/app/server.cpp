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
#include "app/auth_routes.h"
#include "app/case_service.h"
#include "app/export_service.h"
#include "app/intel_service.h"
#include "app/meta_routes.h"
#include "app/pipeline.h"
#include "app/sigma_detector.h"
#include "app/sigma_rules_service.h"
#include "app/taxii_client.h"
#include "app/vuln_routes.h"
#include "app/vulnerability_warnings.h"
#include "app/console_routes.h"
#include "app/registry_import.h"
#include "app/traffic_detector.h"
#include "app/traffic_service.h"
#include "app/warning_service.h"
#include "app/health_service.h"
#include "app/notification_service.h"
#include "core/file_io.h"
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
  if (auto st = write_private_file(path, token + "\n"); !st) return tl::unexpected(st.error());
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
      if (name.empty()) {
        // The auto decoder says why: invalid JSON (at which byte), a JSON layout it does not
        // know, or text without a CEF/LEEF header.
        thread_local AutoDecoder detector;
        Event event(arena);
        if (auto st = detector.decode(record, event); !st) return tl::unexpected(st.error());
        return fail("unknown format (set format=...)");
      }
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
  std::unique_ptr<CaseService> cases;
  std::unique_ptr<VulnerabilityWarnings> vuln_warnings;
  std::unique_ptr<StixStore> stix;
  std::unique_ptr<TaxiiFeedPoller> taxii_feeds;
  TaxiiContext taxii;
  std::unique_ptr<IntelService> intel;
  std::unique_ptr<WarningService> warnings;
  std::unique_ptr<NotificationService> notifications;
  std::unique_ptr<HealthService> health;
  std::unique_ptr<SigmaRulesService> sigma;
  std::unique_ptr<Pipeline> pipeline;
  SocStats stats;
  std::unique_ptr<HttpBulkSource> bulk;
  std::vector<std::unique_ptr<Source>> sources;
  std::unique_ptr<UserStore> users;
  std::unique_ptr<IdentityService> identity;
  Router router;
  ApiContext api;
  std::unique_ptr<HttpServer> http;
};

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
  PipelineOptions pipeline_options;
  pipeline_options.syslog_local_offset_seconds = m.config.syslog_local_offset_seconds;
  m.pipeline = std::make_unique<Pipeline>(*m.spool, *m.archive, *m.constituency, pipeline_options, m.alerts.get());
  if (m.config.sigma) {
    SigmaRulesOptions sigma_options{m.config.sigma_rules_dir, static_cast<int>(m.config.sigma_reload_seconds), {}};
    auto sigma = SigmaRulesService::open(std::move(sigma_options));
    if (!sigma) return tl::unexpected(sigma.error());
    m.sigma = std::move(*sigma);
    m.pipeline->add_detector(m.sigma->make_detector());
    m.sigma->start();
  }
  auto traffic_enricher = make_traffic_enricher(m.config, *m.store);
  if (!traffic_enricher) return tl::unexpected(traffic_enricher.error());
  m.pipeline->add_enricher(std::move(*traffic_enricher));
  if (m.config.traffic.enabled) m.pipeline->add_detector(std::make_unique<TrafficDetector>(m.config.traffic));
  auto stix = StixStore::open(dir / "state.db");
  if (!stix) return tl::unexpected(stix.error());
  m.stix = std::move(*stix);
  if (auto st = ensure_default_taxii_layout(*m.stix); !st) return tl::unexpected(st.error());
  // The indicator matcher is built before the first event (a restart may find a spool backlog).
  IntelServiceOptions intel_options{m.config.intel_rebuild_seconds * 1000, 1000, m.config.intel_warninglists};
  auto intel = IntelService::open(*m.stix, dir / "state.db", m.store.get(), intel_options);
  if (!intel) return tl::unexpected(intel.error());
  m.intel = std::move(*intel);
  if (auto st = m.intel->start(); !st) return tl::unexpected(st.error());
  m.pipeline->add_detector(m.intel->make_detector());
  if (m.config.warnings) {
    auto warnings = WarningService::open(dir, m.config.warning_options, m.config.registry_dir);
    if (!warnings) return fail("warnings: " + warnings.error().message);
    m.warnings = std::move(*warnings);
    m.pipeline->set_alert_hook([w = m.warnings.get()](const std::vector<Alert>& alerts) { w->on_alerts(alerts); });
    auto notifications = NotificationService::open(dir, m.config.notifications, *m.store);
    if (!notifications) return fail("notifications: " + notifications.error().message);
    m.notifications = std::move(*notifications);
    m.warnings->add_listener([n = m.notifications.get()](const std::string& warning) { n->on_warning(warning); });
    m.notifications->start();
    m.warnings->start();
  }
  m.health = std::make_unique<HealthService>(m.config.health, *m.store, m.stats, m.warnings.get());
  m.health->start();
  m.pipeline->start();

  SourceContext ctx;
  ctx.spool = m.spool.get();
  ctx.stats = &m.stats;
  ctx.limits = m.config.limits;
  ctx.validate = make_record_validator();
  // Over HTTP, every decoder but the collector's own binary flow records.
  for (const auto& d : registered_decoders())
    if (d.name != "netflow") ctx.http_formats.emplace_back(d.name);
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
  if (!m.config.netflow_listen.empty()) {
    auto exporters = load_exporter_registry(m.config, *m.store);
    if (!exporters) return tl::unexpected(exporters.error());
    ctx.exporter_for_address = exporter_lookup(std::move(*exporters), *m.constituency);
  }
  m.bulk = std::make_unique<HttpBulkSource>(ctx);

  BoundAddresses bound;
  // Each registered source's configured address and where its bound address is reported.
  const std::map<std::string_view, std::pair<const std::string*, std::string*>> listeners{
      {"syslog-udp", {&m.config.syslog_udp_listen, &bound.syslog_udp}},
      {"syslog-tcp", {&m.config.syslog_tcp_listen, &bound.syslog_tcp}},
      {"syslog-tls", {&m.config.syslog_tls_listen, &bound.syslog_tls}},
      {"netflow", {&m.config.netflow_listen, &bound.netflow}},
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
  auto users = UserStore::open(dir / "state.db", m.store.get());
  if (!users) return tl::unexpected(users.error());
  m.users = std::move(*users);
  IdentityOptions identity_options = m.config.auth;
  identity_options.secure_cookie = m.config.tls.http;
  m.identity = std::make_unique<IdentityService>(*m.users, m.api.admin_token_hash, identity_options);
  m.api.identity = m.identity.get();  // the routes above resolve their callers through it at request time
  m.api.router = &m.router;
  register_auth_routes(m.router, *m.identity);
  if (m.sigma) register_sigma_rules_routes(m.router, *m.sigma, *m.identity);
  // Tenant readers see the warnings that touch them, masked (app/warning_view.h); the picture is national.
  if (m.warnings)
    m.warnings->register_routes(m.router, [&m](const HttpRequest& r, RoleSet roles) {
      return admit(m.api.identity, m.api.admin_token_hash, r, roles);
    });
  m.health->register_routes(m.router, *m.identity);
  if (m.notifications) m.notifications->register_routes(m.router, *m.identity);
  auto vulns = VulnService::open(dir, {}, m.config.registry_dir);
  if (!vulns) return fail("vulnerabilities: " + vulns.error().message);
  m.vulns = std::move(*vulns);
  register_vuln_routes(m.router, m.api, *m.vulns);
  CaseServiceOptions case_options{dir, m.config.registry_dir, m.config.cases_check_seconds, m.config.cases_clock_override,
                                  m.config.cases_max_evidence_bytes, m.config.cases_compliance_model};
  auto cases = CaseService::open(case_options, {m.store.get(), m.alerts.get(), &m.stats, m.vulns.get(), m.api.admin_token_hash,
                                                   m.identity.get()});
  if (!cases) return tl::unexpected(cases.error());
  m.cases = std::move(*cases);
  // Exposure is computed over the information systems users maintain through the API, and follows
  // every change to them.
  m.vulns->set_inventory(m.cases->systems().list());
  m.cases->systems().set_listener([v = m.vulns.get()](const std::string& id, const InformationSystem* system) {
    if (system)
      v->upsert_system(*system);
    else
      v->remove_system(id);
  });
  m.cases->register_routes(m.router);
  // A new KEV entry or critical CVE reaching many organisations: a warning and a draft directive.
  m.vuln_warnings = std::make_unique<VulnerabilityWarnings>(m.warnings.get(), *m.cases);
  if (auto st = m.vuln_warnings->open(); !st) return tl::unexpected(st.error());
  m.vulns->set_wide_vulnerability_handler([w = m.vuln_warnings.get()](const WideVulnerability& v) { w->on_wide(v); },
                                          m.config.vuln_warn_min_orgs);
  m.vuln_warnings->register_routes(m.router, *m.identity, *m.vulns);
  m.cases->start();
  m.taxii.store = m.stix.get();
  // TAXII callers come from the identity layer (bearer API key, session, administrator token), or
  // HTTP Basic with an API key or the administrator token as password, whatever the user name
  // (TAXII clients that only speak Basic).
  m.taxii.authenticate = [&m](const HttpRequest& r) -> std::optional<TaxiiPrincipal> {
    auto basic = basic_credentials(r);
    auto p = basic ? m.identity->authenticate_token(r, basic->second) : m.identity->authenticate(r);
    if (!p || !p->csrf_ok) return std::nullopt;
    return taxii_principal(*p);
  };
  m.taxii.on_objects_added = [intel = m.intel.get()] { intel->request_rebuild(); };
  register_taxii_routes(m.router, m.taxii);
  register_intel_routes(m.router, *m.intel, m.api);
  register_export_routes(m.router, *m.stix, m.api);
  // A poll that stored objects asks for the same immediate matcher rebuild as an API import.
  m.taxii_feeds = m.intel->make_feed_poller(m.config.taxii_feeds);
  register_taxii_feed_routes(m.router, *m.taxii_feeds, m.api);
  m.taxii_feeds->start();
  register_meta_routes(m.router, m.api);  // last: it lists every route registered before it
  HttpServerOptions http_options;
  // Compressed bodies may be smaller than the decompressed limit, never larger.
  http_options.max_body_bytes = m.config.limits.max_body_bytes;
  http_options.security_sink = [sec = &m.cases->security()](const SecurityEvent& e) { sec->record(e); };
  if (m.config.tls.http) {
    // Client certificates are asked for but optional: the API key authenticates the caller.
    auto clients = m.config.tls.client_ca.empty() ? ClientCertificates::None : ClientCertificates::Optional;
    auto tls = TlsContext::create(m.config.tls, clients);
    if (!tls) return fail("https: " + tls.error().message);
    http_options.tls = std::move(*tls);
    bound.https = true;
  }
  register_console_routes(m.router);  // last: its catch-all page patterns must never shadow a real route
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
  if (m.taxii_feeds) m.taxii_feeds->stop();
  if (m.cases) m.cases->stop();
  for (auto& s : m.sources) s->stop();
  m.sources.clear();
  if (m.pipeline) m.pipeline->stop();
  if (m.sigma) m.sigma->stop();
  if (m.health) m.health->stop();
  if (m.warnings) m.warnings->stop();
  if (m.notifications) m.notifications->stop();
  if (m.intel) m.intel->stop();  // after the pipeline: its last sightings are flushed
  m.http.reset();
  m.pipeline.reset();
  m.archive.reset();
  m.spool.reset();
  if (m.lock_fd >= 0) ::close(m.lock_fd);
  m.lock_fd = -1;
}

}  // namespace khien
