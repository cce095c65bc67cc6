// `khien bench`: end-to-end figures for the spool → decode → normalize → archive path.
#pragma once

#include <cstddef>
#include <string>

namespace CLI {
class App;
}

namespace khien {

struct BenchOptions {
  std::size_t events = 1'000'000;
  std::string format = "eve";  ///< eve or ecs (about 500-byte events)
  double latency_rate = 100'000;  ///< events/s offered during the latency phase
  double latency_seconds = 5;
  std::string data;  ///< scratch data directory (default: a new temporary one, removed afterwards)
};

void add_bench_options(CLI::App* cmd, BenchOptions& options);
int run_bench_command(const BenchOptions& options);

/// A realistic ~500-byte event line of `format` (eve or ecs), varied by `i`.
std::string bench_event_line(const std::string& format, std::size_t i);

}  // namespace khien
