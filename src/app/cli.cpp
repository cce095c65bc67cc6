// The khien command line (CLI11): one subcommand per task, each a small function.
#include "app/cli.h"

#include <signal.h>

#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/bench_command.h"
#include "app/cli_audit.h"
#include "app/cli_export.h"
#include "app/cli_intel.h"
#include "app/cli_rules.h"
#include "app/cli_user.h"
#include "app/cli_vuln.h"
#include "app/pipeline.h"
#include "app/registry_import.h"
#include "app/server.h"
#include "app/simulator.h"
#include "core/schema.h"
#include "ingest/file_source.h"
#include "store/archive_search.h"

namespace khien {

namespace {

constexpr const char* kVersion = "0.1.0";

int die(const std::string& message) {
  std::cerr << "khien: " << message << "\n";
  return 1;
}

void block_signals(sigset_t& set) {
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

struct ServeOptions {
  std::string config_file;
  std::string data;
  std::string http, syslog_udp, syslog_tcp, syslog_tls, registry;
  std::string netflow;
};

Result<Config> make_config(const ServeOptions& o) {
  Config config;
  if (!o.config_file.empty()) {
    auto c = load_config(o.config_file);
    if (!c) return c;
    config = *c;
  }
  if (!o.data.empty()) config.data_dir = o.data;
  if (!o.http.empty()) config.http_listen = o.http;
  if (!o.syslog_udp.empty()) config.syslog_udp_listen = o.syslog_udp == "off" ? "" : o.syslog_udp;
  if (!o.syslog_tcp.empty()) config.syslog_tcp_listen = o.syslog_tcp == "off" ? "" : o.syslog_tcp;
  if (!o.syslog_tls.empty()) config.syslog_tls_listen = o.syslog_tls == "off" ? "" : o.syslog_tls;
  if (!o.netflow.empty()) config.netflow_listen = o.netflow == "off" ? "" : o.netflow;
  if (!o.registry.empty()) config.registry_dir = o.registry;
  return config;
}

void add_serve_options(CLI::App* cmd, ServeOptions& o) {
  cmd->add_option("--config", o.config_file, "TOML config file (see `khien config`)");
  cmd->add_option("--data", o.data, "Data directory (default: khien-data)");
  cmd->add_option("--http", o.http, "HTTP listener host:port (port 0 picks a free port)");
  cmd->add_option("--syslog-udp", o.syslog_udp, "Syslog UDP listener host:port, or off");
  cmd->add_option("--syslog-tcp", o.syslog_tcp, "Syslog TCP listener host:port, or off");
  cmd->add_option("--syslog-tls", o.syslog_tls,
                  "Syslog over TLS listener host:port (RFC 5425, needs [tls] cert and key), or off");
  cmd->add_option("--netflow", o.netflow, "NetFlow v5/v9 and IPFIX UDP collector host:port (e.g. 0.0.0.0:2055), or off");
  cmd->add_option("--registry", o.registry, "Registry YAML directory for the first start (default: built in)");
}

void print_bound(const BoundAddresses& b, const Server& server) {
  std::cout << "khien: http listening on " << (b.https ? "https://" : "http://") << b.http << "\n";
  if (!b.syslog_udp.empty()) std::cout << "khien: syslog-udp listening on " << b.syslog_udp << "\n";
  if (!b.syslog_tcp.empty()) std::cout << "khien: syslog-tcp listening on " << b.syslog_tcp << "\n";
  if (!b.syslog_tls.empty()) std::cout << "khien: syslog-tls listening on " << b.syslog_tls << "\n";
  if (!b.netflow.empty()) std::cout << "khien: netflow listening on " << b.netflow << "\n";
  std::cout << "khien: administrator token in " << server.admin_token_path() << "\n" << std::flush;
}

int cmd_serve(const ServeOptions& o) {
  sigset_t signals;
  block_signals(signals);
  auto config = make_config(o);
  if (!config) return die(config.error().message);
  spdlog::set_level(spdlog::level::from_str(config->log_level));
  Server server(*config);
  auto bound = server.start();
  if (!bound) return die(bound.error().message);
  print_bound(*bound, server);
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("stopping (signal {})", sig);
  server.stop();
  return 0;
}

struct IngestOptions {
  std::vector<std::string> files;
  std::string format = "auto";
  std::string soc;
  std::string data = "khien-data";
  std::string registry;
};

int cmd_ingest(const IngestOptions& o) {
  auto lock = lock_data_dir(o.data);
  if (!lock) return die(lock.error().message + "; stop the server, or POST the file to /api/v1/ingest");
  auto store = StateStore::open(std::filesystem::path(o.data) / "state.db");
  if (!store) return die(store.error().message);
  if (!(*store)->registry_loaded())
    if (auto st = import_registry(**store, o.registry); !st) return die(st.error().message);
  auto soc = (*store)->soc(o.soc);
  if (!soc) return die(fmt::format("unknown SOC '{}' (list them with `khien soc list`)", o.soc));
  auto spool = Spool::open(std::filesystem::path(o.data) / "spool");
  if (!spool) return die(spool.error().message);
  auto archive = ArchiveWriter::open(std::filesystem::path(o.data) / "archive");
  if (!archive) return die(archive.error().message);
  ConstituencyHolder holder(**store);
  SocStats stats;
  SourceContext ctx;
  ctx.spool = spool->get();
  ctx.stats = &stats;
  ctx.validate = make_record_validator();
  std::vector<std::filesystem::path> files(o.files.begin(), o.files.end());
  Pipeline pipeline(**spool, **archive, holder);
  // Anything left in the spool by a crashed server is archived first.
  if (auto st = pipeline.drain(); !st) return die(st.error().message);
  auto report = ingest_files(ctx, files, o.format, static_cast<std::uint32_t>(soc->row_id), soc->id);
  if (!report) return die(report.error().message);
  if (auto st = pipeline.drain(); !st) return die(st.error().message);
  for (const auto& e : report->errors) std::cerr << e << "\n";
  std::cout << nlohmann::json{{"accepted", report->accepted}, {"rejected", report->rejected}}.dump() << "\n";
  return report->rejected > 0 ? 2 : 0;
}

struct SearchOptions {
  std::string data = "khien-data";
  std::string query;
  std::vector<std::string> socs, orgs, sectors, provinces;
  std::string since, until, cursor;
  std::size_t limit = 100;
};

int cmd_search(const SearchOptions& o) {
  // A mistyped directory would otherwise read as an archive with nothing in it.
  std::error_code ec;
  const std::filesystem::path data(o.data);
  if (!std::filesystem::exists(data / "state.db", ec) && !std::filesystem::is_directory(data / "archive", ec))
    return die(fmt::format("--data {}: not a khien data directory (neither state.db nor archive/ there)", o.data));
  SearchRequest req;
  req.query = o.query;
  req.socs.insert(o.socs.begin(), o.socs.end());
  req.orgs.insert(o.orgs.begin(), o.orgs.end());
  req.sectors.insert(o.sectors.begin(), o.sectors.end());
  req.provinces.insert(o.provinces.begin(), o.provinces.end());
  if (!o.since.empty()) {
    auto t = parse_time_any(o.since);
    if (!t) return die(fmt::format("--since: '{}' is not a time", o.since));
    req.since = *t;
  }
  if (!o.until.empty()) {
    auto t = parse_time_any(o.until);
    if (!t) return die(fmt::format("--until: '{}' is not a time", o.until));
    req.until = *t;
  }
  req.limit = o.limit;
  req.cursor = o.cursor;
  auto result = search_archive(std::filesystem::path(o.data) / "archive", req);
  if (!result) return die(result.error().message);
  for (const auto& e : result->events) std::cout << e << "\n";
  std::cerr << fmt::format("{} of {}{} matching events{}\n", result->events.size(), result->total_is_exact ? "" : "at least ",
                           result->total, result->next_cursor.empty() ? "" : "; next page: --cursor " + result->next_cursor);
  return 0;
}

struct SocOptions {
  std::string data = "khien-data";
  std::string org, name, id, ranges, registry, local_time;
};

int cmd_soc_add(const SocOptions& o) {
  auto store = StateStore::open(std::filesystem::path(o.data) / "state.db");
  if (!store) return die(store.error().message);
  if (!(*store)->registry_loaded())
    if (auto st = import_registry(**store, o.registry); !st) return die(st.error().message);
  std::vector<std::string> ranges;
  std::size_t start = 0;
  while (start < o.ranges.size()) {
    auto comma = o.ranges.find(',', start);
    if (comma == std::string::npos) comma = o.ranges.size();
    std::string r = o.ranges.substr(start, comma - start);
    if (!IpPrefix::parse(r)) return die(fmt::format("--ranges: '{}' is not a CIDR", r));
    ranges.push_back(r);
    start = comma + 1;
  }
  std::string id = o.id.empty() ? "soc-" + o.org : o.id;
  if (!o.local_time.empty() && !parse_utc_offset(o.local_time))
    return die(fmt::format("--syslog-local-time: '{}' is not a UTC offset such as +07:00", o.local_time));
  auto key = (*store)->add_soc(o.org, id, o.name, ranges);
  if (!key) return die(key.error().message + (o.id.empty() ? fmt::format(" (the id defaults to '{}'; --id names another)", id) : ""));
  if (!o.local_time.empty())
    if (auto st = (*store)->set_soc_syslog_local_time(id, o.local_time); !st) return die(st.error().message);
  std::cout << nlohmann::json{{"id", id}, {"api_key", *key}}.dump() << "\n";
  std::cerr << "khien: the key is shown once; only its hash is stored\n";
  return 0;
}

int cmd_soc_set_local_time(const SocOptions& o) {
  auto store = StateStore::open(std::filesystem::path(o.data) / "state.db");
  if (!store) return die(store.error().message);
  const std::string offset = o.local_time == "default" ? std::string() : o.local_time;
  if (auto st = (*store)->set_soc_syslog_local_time(o.id, offset); !st) return die(st.error().message);
  std::cerr << fmt::format("khien: RFC 3164 timestamps of {} are read {}\n", o.id,
                           offset.empty() ? "with the server's [server] syslog_local_time" : "as UTC" + offset);
  return 0;
}

int cmd_soc_rotate_key(const SocOptions& o) {
  auto store = StateStore::open(std::filesystem::path(o.data) / "state.db");
  if (!store) return die(store.error().message);
  auto key = (*store)->rotate_soc_key(o.id);
  if (!key) return die(key.error().message + " (see `khien soc list`)");
  std::cout << nlohmann::json{{"id", o.id}, {"api_key", *key}}.dump() << "\n";
  std::cerr << "khien: the old key no longer works; the new one is shown once\n";
  return 0;
}

int cmd_soc_list(const SocOptions& o) {
  auto store = StateStore::open(std::filesystem::path(o.data) / "state.db");
  if (!store) return die(store.error().message);
  for (const auto& s : (*store)->socs())
    std::cout << nlohmann::json{{"id", s.id},           {"org", s.org},         {"name", s.name},
                                {"sender_ranges", s.sender_ranges}, {"has_key", s.has_key}, {"revoked", s.revoked},
                                {"syslog_local_time", s.syslog_local_time}}.dump()
              << "\n";
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
  // Logs go to stderr: stdout carries results (keys, NDJSON, reports) for scripts.
  spdlog::set_default_logger(spdlog::stderr_color_mt("khien"));
  CLI::App app{"khien: national cyber-security operations, command and early-warning platform"};
  app.require_subcommand(1);

  ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the server (ingest, pipeline, archive, API)");
  add_serve_options(serve_cmd, serve);

  IngestOptions ingest;
  auto* ingest_cmd = app.add_subcommand("ingest", "Replay files into the data directory (server stopped)");
  ingest_cmd->add_option("files", ingest.files, "NDJSON files (.gz and .zst are decompressed)")->required()->check(CLI::ExistingFile);
  ingest_cmd->add_option("--format", ingest.format, "Format of the records (auto detects per line)");
  ingest_cmd->add_option("--soc", ingest.soc, "SOC the records come from")->required();
  ingest_cmd->add_option("--data", ingest.data, "Data directory");
  ingest_cmd->add_option("--registry", ingest.registry, "Registry YAML directory for a new data directory");

  SearchOptions search;
  auto* search_cmd = app.add_subcommand("search", "Search the archive (NDJSON on stdout; works while the server runs or not)");
  search_cmd->add_option("query", search.query, "Query, e.g. 'src_endpoint.ip:10.0.0.0/8 AND class_uid:4003'");
  search_cmd->add_option("--data", search.data, "Data directory");
  search_cmd->add_option("--soc", search.socs, "Only these SOCs");
  search_cmd->add_option("--org", search.orgs, "Only these organisations");
  search_cmd->add_option("--sector", search.sectors, "Only these sectors");
  search_cmd->add_option("--province", search.provinces, "Only these provinces");
  search_cmd->add_option("--since", search.since, "Event time from (RFC 3339)");
  search_cmd->add_option("--until", search.until, "Event time before (RFC 3339)");
  search_cmd->add_option("--limit", search.limit, "Events per page");
  search_cmd->add_option("--cursor", search.cursor, "Continue after a previous page");

  SocOptions soc;
  auto* soc_cmd = app.add_subcommand("soc", "Manage member SOC connectors");
  soc_cmd->require_subcommand(1);
  auto* soc_add = soc_cmd->add_subcommand(
      "add", "Register a SOC (or issue a registered SOC without a key its first key) and print its API key once");
  soc_add->add_option("--org", soc.org, "Organisation id")->required();
  soc_add->add_option("--name", soc.name, "Display name")->required();
  soc_add->add_option("--id", soc.id, "SOC id (default soc-<org>)");
  soc_add->add_option("--ranges", soc.ranges, "Syslog sender CIDRs, comma-separated");
  soc_add->add_option("--syslog-local-time", soc.local_time,
                      "UTC offset of its senders' RFC 3164 timestamps, e.g. +07:00 (default: the server's)");
  soc_add->add_option("--data", soc.data, "Data directory");
  soc_add->add_option("--registry", soc.registry, "Registry YAML directory for a new data directory");
  auto* soc_list = soc_cmd->add_subcommand("list", "List SOC connectors");
  soc_list->add_option("--data", soc.data, "Data directory");
  auto* soc_local_time = soc_cmd->add_subcommand(
      "set-local-time", "Set the UTC offset of a SOC's RFC 3164 syslog timestamps (\"default\": the server's)");
  soc_local_time->add_option("id", soc.id, "SOC id")->required();
  soc_local_time->add_option("offset", soc.local_time, "+07:00, -03:30, Z, or default")->required();
  soc_local_time->add_option("--data", soc.data, "Data directory");
  auto* soc_rotate = soc_cmd->add_subcommand("rotate-key", "Issue a SOC a new API key (the old one stops working) and print it once");
  soc_rotate->add_option("id", soc.id, "SOC id")->required();
  soc_rotate->add_option("--data", soc.data, "Data directory");

  SimulatorOptions sim;
  auto* sim_cmd = app.add_subcommand("simulate", "Send realistic traffic from many SOCs to a running khien");
  add_simulator_options(sim_cmd, sim);

  ServeOptions demo;
  SimulatorOptions demo_sim;
  auto* demo_cmd = app.add_subcommand("demo", "Start khien on its defaults with the simulator feeding it");
  add_serve_options(demo_cmd, demo);
  demo_cmd->add_option("--eps", demo_sim.eps, "Simulated events per second");

  BenchOptions bench;
  auto* bench_cmd = app.add_subcommand("bench", "End-to-end benchmark: events/s per core, latency, peak RSS");
  add_bench_options(bench_cmd, bench);

  bool markdown = false;
  auto* schema_cmd = app.add_subcommand("schema", "Print the common schema");
  schema_cmd->add_flag("--markdown", markdown, "As the Markdown table of docs/SCHEMA.md");

  auto run_rules = add_rules_commands(app);
  auto run_vuln = add_vuln_commands(app);
  auto run_audit = add_audit_commands(app);
  auto run_user = add_user_commands(app);
  auto run_intel = add_intel_commands(app);
  auto run_export = add_export_commands(app);  // after any other `intel` command: it reuses it
  app.add_subcommand("config", "Print every config key with its default (TOML)");
  app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (*serve_cmd) return cmd_serve(serve);
    if (*ingest_cmd) return cmd_ingest(ingest);
    if (*search_cmd) return cmd_search(search);
    if (*soc_add) return cmd_soc_add(soc);
    if (*soc_list) return cmd_soc_list(soc);
    if (*soc_rotate) return cmd_soc_rotate_key(soc);
    if (*soc_local_time) return cmd_soc_set_local_time(soc);
    if (*sim_cmd) return run_simulator_command(sim);
    if (*demo_cmd) {
      sigset_t signals;
      block_signals(signals);
      auto config = make_config(demo);
      if (!config) return die(config.error().message);
      if (demo.data.empty()) config->data_dir = "khien-demo";
      return run_demo(*config, demo_sim, signals);
    }
    if (*bench_cmd) return run_bench_command(bench);
    if (int rc = run_rules(); rc >= 0) return rc;
    if (int rc = run_vuln(); rc >= 0) return rc;
    if (int rc = run_audit(); rc >= 0) return rc;
    if (int rc = run_user(); rc >= 0) return rc;
    if (int rc = run_intel(); rc >= 0) return rc;
    if (int rc = run_export(); rc >= 0) return rc;
    if (*schema_cmd) {
      if (markdown) {
        std::cout << schema_markdown();
      } else {
        for (const auto& f : schema_fields()) std::cout << f.name << "\t" << field_type_name(f.type) << "\t" << f.description << "\n";
      }
      return 0;
    }
    if (app.got_subcommand("config")) {
      std::cout << default_config_toml();
      return 0;
    }
    if (app.got_subcommand("version")) {
      std::cout << "khien " << kVersion << "\n";
      return 0;
    }
  } catch (const std::exception& e) {
    return die(e.what());
  }
  return 1;
}

}  // namespace khien
