// Simulator: turns EventGenerator records into HTTP bulk requests and syslog messages.
#include "app/simulator.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "app/event_generator.h"
#include "app/http_client.h"
#include "app/registry_import.h"
#include "app/scenario.h"
#include "app/server.h"
#include "core/file_io.h"
#include "store/state_store.h"

namespace khien {

namespace {

using json = nlohmann::json;

Result<std::vector<Scenario>> load_scenarios(const std::string& dir) {
  std::map<std::string, std::string> owned;
  std::map<std::string, std::string_view> files;
  if (dir.empty()) {
    files = embedded_scenario_files();
  } else {
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() != ".yaml") continue;
      std::ifstream in(e.path());
      owned[e.path().filename().string()] = std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    for (const auto& [k, v] : owned) files[k] = v;
  }
  return parse_scenarios(files);
}

// Parses "host:port" into a sockaddr for sending.
bool make_addr(const std::string& hostport, sockaddr_in& out) {
  auto colon = hostport.rfind(':');
  if (colon == std::string::npos) return false;
  out = {};
  out.sin_family = AF_INET;
  out.sin_port = htons(static_cast<std::uint16_t>(std::stoi(hostport.substr(colon + 1))));
  return inet_pton(AF_INET, hostport.substr(0, colon).c_str(), &out.sin_addr) == 1;
}

int bound_socket(int type, const std::string& source_ip) {
  int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in src{};
  src.sin_family = AF_INET;
  if (inet_pton(AF_INET, source_ip.c_str(), &src.sin_addr) != 1 || ::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof(src)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string syslog_line(const std::string& host, const std::string& payload, TimeNs now, bool rfc5424) {
  if (rfc5424) return fmt::format("<134>1 {} {} khien-sim - - - {}", format_rfc3339(now, 6), host, payload);
  // RFC 3164: "Mmm dd hh:mm:ss"
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string t = format_rfc3339(now, 0);
  int month = std::stoi(t.substr(5, 2));
  int day = std::stoi(t.substr(8, 2));
  return fmt::format("<134>{} {:>2} {} {} khien-sim: {}", kMonths[month - 1], day, t.substr(11, 8), host, payload);
}

}  // namespace

void add_simulator_options(CLI::App* cmd, SimulatorOptions& o) {
  cmd->add_option("--target", o.target, "khien HTTP address, e.g. http://127.0.0.1:8080");
  cmd->add_option("--syslog-udp", o.syslog_udp, "khien syslog UDP host:port (syslog SOCs send there)");
  cmd->add_option("--syslog-tcp", o.syslog_tcp, "khien syslog TCP host:port");
  cmd->add_option("--keys", o.keys_file, "SOC keys file written by `khien demo` (DATA/simulator-keys.json)")->required();
  cmd->add_option("--socs", o.socs, "How many SOCs to simulate");
  cmd->add_option("--eps", o.eps, "Events per second in total");
  cmd->add_option("--duration", o.duration, "Seconds to run (0: until interrupted)");
  cmd->add_option("--seed", o.seed, "Random seed");
  cmd->add_option("--scenarios", o.scenarios_dir, "Scenario YAML directory (default: built in)");
}

Result<SimulatorReport> run_simulation(const SimulatorOptions& o, const std::map<std::string, SimulatedSocKey>& keys,
                                       const std::atomic<bool>& stop) {
  auto registry = load_registry("");
  if (!registry) return tl::unexpected(registry.error());
  auto scenarios = load_scenarios(o.scenarios_dir);
  if (!scenarios) return tl::unexpected(scenarios.error());
  auto socs = EventGenerator::socs_from_registry(*registry, o.socs);
  EventGenerator generator(socs, *scenarios, o.seed);
  auto client = HttpClient::create(o.target);
  if (!client) return tl::unexpected(client.error());
  SimulatorReport report;
  sockaddr_in udp_addr{}, tcp_addr{};
  bool have_udp = !o.syslog_udp.empty() && make_addr(o.syslog_udp, udp_addr);
  bool have_tcp = !o.syslog_tcp.empty() && make_addr(o.syslog_tcp, tcp_addr);
  std::map<std::size_t, int> udp_fds, tcp_fds;
  auto start = std::chrono::steady_clock::now();
  const double tick = 0.1;
  double carry = 0;
  std::uint64_t batch_no = 0;
  while (!stop) {
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (o.duration > 0 && elapsed >= o.duration) break;
    carry += o.eps * tick;
    auto n = static_cast<std::size_t>(carry);
    carry -= static_cast<double>(n);
    TimeNs now = now_ns();
    // Group HTTP records per (SOC, format): one bulk request each.
    std::map<std::pair<std::size_t, std::string>, std::string> bodies;
    for (std::size_t i = 0; i < n; ++i) {
      GeneratedRecord rec = generator.next(now, elapsed);
      ++report.sent;
      if (!rec.scenario.empty()) ++report.per_scenario[rec.scenario];
      const SimulatedSoc& soc = socs[rec.soc_index];
      auto key = keys.find(soc.id);
      if (key == keys.end()) continue;
      bool udp = soc.transport == "syslog-udp" && have_udp && !key->second.loopback.empty();
      bool tcp = soc.transport == "syslog-tcp" && have_tcp && !key->second.loopback.empty();
      if (udp || tcp) {
        auto& fds = udp ? udp_fds : tcp_fds;
        int& fd = fds[rec.soc_index];
        if (fd <= 0) {
          fd = bound_socket(udp ? SOCK_DGRAM : SOCK_STREAM, key->second.loopback);
          if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(udp ? &udp_addr : &tcp_addr), sizeof(sockaddr_in)) != 0) {
            ::close(fd);
            fd = -1;
          }
        }
        if (fd > 0) {
          std::string line = syslog_line(soc.id, rec.line, now, tcp);
          if (tcp) line = fmt::format("{} {}", line.size(), line);  // RFC 6587 octet counting
          if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) < 0) {
            ::close(fd);
            fd = -1;
          } else {
            ++report.syslog_messages;
          }
          continue;
        }
      }
      auto& body = bodies[{rec.soc_index, rec.format}];
      body += rec.line;
      body.push_back('\n');
    }
    for (const auto& [k, body] : bodies) {
      const SimulatedSoc& soc = socs[k.first];
      std::vector<std::pair<std::string, std::string>> headers{
          {"Authorization", "Bearer " + keys.at(soc.id).api_key},
          {"Content-Type", "application/x-ndjson"},
          {"Idempotency-Key", fmt::format("sim-{}-{}-{}", o.seed, now, ++batch_no)}};
      for (int attempt = 0; attempt < 5 && !stop; ++attempt) {
        auto res = (*client)->request("POST", "/api/v1/ingest?format=" + k.second, body, headers);
        ++report.http_requests;
        if (!res) {
          spdlog::warn("simulate: {}", res.error().message);
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          continue;
        }
        if (res->status == 429) {
          ++report.throttled;
          std::this_thread::sleep_for(std::chrono::seconds(1));
          continue;
        }
        auto answer = json::parse(res->body, nullptr, false);
        if (res->status == 200 && answer.is_object()) {
          report.accepted += answer.value("accepted", 0ull);
          report.rejected += answer.value("rejected", 0ull);
          if (answer.value("rejected", 0ull) > 0) spdlog::warn("simulate: {} rejected: {}", soc.id, res->body.substr(0, 300));
        } else {
          spdlog::warn("simulate: HTTP {}: {}", res->status, res->body.substr(0, 300));
        }
        break;
      }
    }
    auto next = start + std::chrono::duration<double>(elapsed + tick);
    std::this_thread::sleep_until(std::chrono::time_point_cast<std::chrono::steady_clock::duration>(next));
  }
  for (auto& [i, fd] : udp_fds) if (fd > 0) ::close(fd);
  for (auto& [i, fd] : tcp_fds) if (fd > 0) ::close(fd);
  return report;
}

namespace {

Result<std::map<std::string, SimulatedSocKey>> read_keys(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(fmt::format("{}: cannot open", path));
  auto doc = json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.contains("socs")) return fail(fmt::format("{}: not a keys file written by `khien demo`", path));
  std::map<std::string, SimulatedSocKey> keys;
  for (const auto& s : doc["socs"]) keys[s.value("id", "")] = SimulatedSocKey{s.value("api_key", ""), s.value("loopback", "")};
  return keys;
}

json report_json(const SimulatorReport& r) {
  return json{{"sent", r.sent},           {"accepted", r.accepted},           {"rejected", r.rejected},
              {"http_requests", r.http_requests}, {"throttled", r.throttled}, {"syslog_messages", r.syslog_messages},
              {"per_scenario", r.per_scenario}};
}

}  // namespace

int run_simulator_command(const SimulatorOptions& o) {
  auto keys = read_keys(o.keys_file);
  if (!keys) {
    std::cerr << "khien: " << keys.error().message << "\n";
    return 1;
  }
  std::atomic<bool> stop{false};
  auto report = run_simulation(o, *keys, stop);
  if (!report) {
    std::cerr << "khien: " << report.error().message << "\n";
    return 1;
  }
  std::cout << report_json(*report).dump() << "\n";
  return 0;
}

int run_demo(Config config, SimulatorOptions sim, sigset_t& signals) {
  Server server(config);
  auto bound = server.start();
  if (!bound) {
    std::cerr << "khien: " << bound.error().message << "\n";
    return 1;
  }
  // Every SOC gets a fresh key and a loopback address of its own to send syslog from, so
  // attribution by sender address works on one machine.
  auto store = StateStore::open(config.data_dir / "state.db");
  if (!store) {
    std::cerr << "khien: " << store.error().message << "\n";
    return 1;
  }
  json keys_doc{{"socs", json::array()}};
  std::map<std::string, SimulatedSocKey> keys;
  std::size_t i = 0;
  for (const auto& soc : (*store)->socs()) {
    std::string loopback = fmt::format("127.1.{}.{}", i / 250, i % 250 + 1);
    ++i;
    auto ranges = soc.sender_ranges;
    if (std::find(ranges.begin(), ranges.end(), loopback + "/32") == ranges.end()) ranges.push_back(loopback + "/32");
    if (auto st = (*store)->set_soc_ranges(soc.id, ranges); !st) {
      std::cerr << "khien: " << st.error().message << "\n";
      return 1;
    }
    auto key = (*store)->rotate_soc_key(soc.id);
    if (!key) {
      std::cerr << "khien: " << key.error().message << "\n";
      return 1;
    }
    keys[soc.id] = SimulatedSocKey{*key, loopback};
    keys_doc["socs"].push_back({{"id", soc.id}, {"api_key", *key}, {"loopback", loopback}});
  }
  auto keys_path = config.data_dir / "simulator-keys.json";
  if (auto st = write_private_file(keys_path, keys_doc.dump(2) + "\n"); !st) {
    std::cerr << "khien: " << st.error().message << "\n";
    return 1;
  }
  std::cout << "khien: http listening on http://" << bound->http << "\n";
  if (!bound->syslog_udp.empty()) std::cout << "khien: syslog-udp listening on " << bound->syslog_udp << "\n";
  if (!bound->syslog_tcp.empty()) std::cout << "khien: syslog-tcp listening on " << bound->syslog_tcp << "\n";
  if (!bound->netflow.empty()) std::cout << "khien: netflow listening on " << bound->netflow << "\n";
  std::cout << "khien: administrator token in " << server.admin_token_path() << "\n";
  std::cout << "khien: simulator feeding " << keys.size() << " SOCs at " << sim.eps << " events/s; try:\n"
            << "  curl -s -H \"Authorization: Bearer $(cat " << server.admin_token_path() << ")\" 'http://" << bound->http
            << "/api/v1/events?limit=5'\n"
            << std::flush;
  sim.target = "http://" + bound->http;
  sim.syslog_udp = bound->syslog_udp;
  sim.syslog_tcp = bound->syslog_tcp;
  sim.duration = 0;
  std::atomic<bool> stop{false};
  std::thread feeder([&] {
    auto report = run_simulation(sim, keys, stop);
    if (!report) spdlog::error("simulator: {}", report.error().message);
  });
  int sig = 0;
  sigwait(&signals, &sig);
  stop = true;
  feeder.join();
  server.stop();
  return 0;
}

}  // namespace khien
