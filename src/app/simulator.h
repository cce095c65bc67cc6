// The traffic simulator: realistic events from many SOCs, over HTTP and syslog, with injected campaigns.
#pragma once

#include <signal.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

#include "app/config.h"
#include "core/error.h"

namespace CLI {
class App;
}

namespace khien {

struct SimulatorOptions {
  std::string target = "http://127.0.0.1:8080";  ///< khien's HTTP address
  std::string syslog_udp;                         ///< khien's syslog UDP address (host:port), empty: syslog SOCs use HTTP
  std::string syslog_tcp;                         ///< khien's syslog TCP address
  std::string keys_file;                          ///< JSON written by `khien demo`: SOC keys and loopback sender addresses
  std::size_t socs = 120;
  double eps = 500;
  double duration = 60;                           ///< seconds; 0 = until stopped
  std::uint64_t seed = 1;
  std::string scenarios_dir;                      ///< empty: the scenarios built into the binary
};

/// Credentials of one simulated SOC.
struct SimulatedSocKey {
  std::string api_key;
  std::string loopback;  ///< the 127.x.y.z address its syslog traffic is sent from
};

struct SimulatorReport {
  std::uint64_t sent = 0, accepted = 0, rejected = 0, http_requests = 0, throttled = 0, syslog_messages = 0;
  std::map<std::string, std::uint64_t> per_scenario;
};

void add_simulator_options(CLI::App* cmd, SimulatorOptions& options);

/// Runs the simulation until `duration` elapses or `stop` is set.
Result<SimulatorReport> run_simulation(const SimulatorOptions& options, const std::map<std::string, SimulatedSocKey>& keys,
                                       const std::atomic<bool>& stop);

int run_simulator_command(const SimulatorOptions& options);

/// `khien demo`: starts the server, gives every registered SOC a key and a loopback sender
/// address, writes them to DATA/simulator-keys.json and feeds the server until a signal.
int run_demo(Config config, SimulatorOptions sim, sigset_t& signals);

}  // namespace khien
