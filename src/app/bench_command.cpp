// End-to-end benchmark: fill the spool, time the single-threaded pipeline, then measure latency at a steady rate.
#include "app/bench_command.h"

#include <sys/resource.h>

#include <chrono>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/pipeline.h"
#include "app/registry_import.h"
#include "app/server.h"
#include "core/metrics.h"

namespace khien {

void add_bench_options(CLI::App* cmd, BenchOptions& o) {
  cmd->add_option("--events", o.events, "Events for the throughput phase");
  cmd->add_option("--format", o.format, "eve or ecs");
  cmd->add_option("--latency-rate", o.latency_rate, "Events/s offered in the latency phase");
  cmd->add_option("--latency-seconds", o.latency_seconds, "Length of the latency phase");
  cmd->add_option("--data", o.data, "Scratch data directory");
}

std::string bench_event_line(const std::string& format, std::size_t i) {
  unsigned a = 10 + static_cast<unsigned>(i % 200), b = static_cast<unsigned>((i / 200) % 250), c = static_cast<unsigned>(i % 251);
  int port = 1024 + static_cast<int>(i % 60000);
  std::string ts = fmt::format("2026-11-22T10:{:02}:{:02}.{:06}+0700", (i / 60000) % 60, (i / 1000) % 60, i % 1000000);
  if (format == "ecs") {
    return fmt::format(
        R"({{"@timestamp":"{}","ecs":{{"version":"8.11.0"}},"event":{{"kind":"event","category":["network"],"type":["connection","allowed"],"action":"network_flow","dataset":"network_traffic.flow","outcome":"success"}},"source":{{"ip":"10.{}.{}.{}","port":{},"bytes":{}}},"destination":{{"ip":"203.113.{}.{}","port":443,"bytes":{}}},"network":{{"transport":"tcp","protocol":"tls","direction":"outbound"}},"host":{{"hostname":"ws-{}.bo-tai-chinh.gov.vn","os":{{"name":"Windows"}}}},"user":{{"name":"nguyenvan{}"}},"observer":{{"name":"fw-hq-01"}}}})",
        ts, a, b, c, port, 1000 + i % 5000, b, c, 20000 + i % 90000, i % 900, i % 300);
  }
  return fmt::format(
      R"({{"timestamp":"{}","flow_id":{},"in_iface":"eth1","event_type":"alert","src_ip":"10.{}.{}.{}","src_port":{},"dest_ip":"203.113.{}.{}","dest_port":443,"proto":"TCP","app_proto":"tls","alert":{{"action":"allowed","gid":1,"signature_id":2013028,"rev":7,"signature":"ET POLICY curl User-Agent Outbound","category":"Attempted Information Leak","severity":2}},"tls":{{"sni":"cdn{}.example.vn","version":"TLS 1.3"}},"flow":{{"pkts_toserver":{},"pkts_toclient":{},"bytes_toserver":{},"bytes_toclient":{},"start":"{}"}},"host":"sensor-{}"}})",
      ts, 1000000000000 + i, a, b, c, port, b, c, i % 97, 5 + i % 20, 4 + i % 30, 600 + i % 4000, 900 + i % 90000, ts, i % 16);
}

int run_bench_command(const BenchOptions& o) {
  bool temporary = o.data.empty();
  std::filesystem::path dir = temporary ? std::filesystem::temp_directory_path() / fmt::format("khien-bench-{}", ::getpid())
                                        : std::filesystem::path(o.data);
  std::filesystem::remove_all(dir);
  auto store = StateStore::open((std::filesystem::create_directories(dir), dir / "state.db"));
  if (!store) return std::cerr << store.error().message << "\n", 1;
  if (auto st = import_registry(**store, ""); !st) return std::cerr << st.error().message << "\n", 1;
  auto soc = (*store)->socs().front();
  auto spool = Spool::open(dir / "spool");
  auto archive = ArchiveWriter::open(dir / "archive");
  if (!spool || !archive) return std::cerr << "cannot open spool or archive\n", 1;
  ConstituencyHolder holder(**store);
  int code = format_code(o.format);
  if (code < 0) return std::cerr << "unknown format " << o.format << "\n", 1;

  // Phase 1: throughput of decode + normalize + enrich + archive on one core, from a full spool.
  std::vector<std::string> lines;
  lines.reserve(8192);
  std::uint64_t bytes = 0;
  for (std::size_t done = 0; done < o.events;) {
    lines.clear();
    std::vector<SpoolInput> batch;
    for (std::size_t i = 0; i < 8192 && done < o.events; ++i, ++done) lines.push_back(bench_event_line(o.format, done));
    for (const auto& l : lines) {
      batch.push_back(SpoolInput{static_cast<std::uint32_t>(soc.row_id), static_cast<std::uint8_t>(code), SourceKind::Http, l});
      bytes += l.size();
    }
    if (auto r = (*spool)->append(batch, false); !r) return std::cerr << r.error().message << "\n", 1;
  }
  while ((*spool)->durable_seq() < (*spool)->last_seq()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Pipeline pipeline(**spool, **archive, holder);
  rusage ru_before{};
  getrusage(RUSAGE_THREAD, &ru_before);
  auto t0 = std::chrono::steady_clock::now();
  if (auto st = pipeline.drain(); !st) return std::cerr << st.error().message << "\n", 1;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage ru_after{};
  getrusage(RUSAGE_THREAD, &ru_after);
  double cpu = static_cast<double>(ru_after.ru_utime.tv_sec - ru_before.ru_utime.tv_sec + ru_after.ru_stime.tv_sec - ru_before.ru_stime.tv_sec) +
               static_cast<double>(ru_after.ru_utime.tv_usec - ru_before.ru_utime.tv_usec + ru_after.ru_stime.tv_usec - ru_before.ru_stime.tv_usec) / 1e6;
  double eps = static_cast<double>(o.events) / secs;

  // Phase 2: latency from acceptance to archive while events arrive at a steady rate.
  Histogram& latency = Metrics::instance().histogram("khien_ingest_to_archive_seconds", "Time from acceptance (spool) to archive commit");
  std::uint64_t count_before = latency.count();
  std::vector<std::uint64_t> buckets_before;
  for (std::size_t i = 0; i <= latency.bounds().size(); ++i) buckets_before.push_back(latency.bucket(i));
  pipeline.start();
  auto start = std::chrono::steady_clock::now();
  std::size_t sent = 0;
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < o.latency_seconds) {
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto due = static_cast<std::size_t>(elapsed * o.latency_rate);
    if (due > sent) {
      std::size_t n = std::min<std::size_t>(due - sent, 4096);
      lines.clear();
      std::vector<SpoolInput> batch;
      for (std::size_t i = 0; i < n; ++i) lines.push_back(bench_event_line(o.format, sent + i));
      for (const auto& l : lines) batch.push_back(SpoolInput{static_cast<std::uint32_t>(soc.row_id), static_cast<std::uint8_t>(code), SourceKind::Http, l});
      (void)(*spool)->append(batch, false);
      sent += n;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  while (pipeline.processed_seq() < (*spool)->last_seq()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  pipeline.stop();
  // Quantiles over the latency phase only.
  std::uint64_t total = latency.count() - count_before;
  auto quantile = [&](double q) {
    auto target = static_cast<std::uint64_t>(q * static_cast<double>(total));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < latency.bounds().size(); ++i) {
      seen += latency.bucket(i) - buckets_before[i];
      if (seen > target) return latency.bounds()[i];
    }
    return latency.bounds().back();
  };
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  nlohmann::json out{{"format", o.format},
                     {"events", o.events},
                     {"avg_event_bytes", static_cast<double>(bytes) / static_cast<double>(o.events)},
                     {"pipeline_seconds", secs},
                     {"pipeline_cpu_seconds", cpu},
                     {"events_per_second_one_core", eps},
                     {"events_per_cpu_second", static_cast<double>(o.events) / cpu},
                     {"mb_per_second", static_cast<double>(bytes) / secs / 1e6},
                     {"archive_bytes", (*archive)->bytes_written()},
                     {"latency_rate", o.latency_rate},
                     {"latency_events", total},
                     {"latency_p50_seconds_at_most", quantile(0.5)},
                     {"latency_p99_seconds_at_most", quantile(0.99)},
                     {"peak_rss_mb", static_cast<double>(ru.ru_maxrss) / 1024.0}};
  std::cout << out.dump(2) << "\n";
  archive->reset();
  spool->reset();
  if (temporary) std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace khien
