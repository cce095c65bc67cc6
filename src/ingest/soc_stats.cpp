// Per-SOC statistics with a one-minute ring of per-second counts.
#include "ingest/soc_stats.h"

#include <fmt/format.h>

#include "core/metrics.h"

namespace khien {

void SocStats::record(const std::string& soc, std::string_view source, std::uint64_t accepted, std::uint64_t rejected) {
  auto& m = Metrics::instance();
  if (accepted)
    m.counter("khien_ingest_records_total", "Records received, by source, SOC and result",
              fmt::format("source=\"{}\",soc=\"{}\",result=\"accepted\"", source, soc)).add(accepted);
  if (rejected)
    m.counter("khien_ingest_records_total", "Records received, by source, SOC and result",
              fmt::format("source=\"{}\",soc=\"{}\",result=\"rejected\"", source, soc)).add(rejected);
  TimeNs now = now_ns();
  std::int64_t second = now / 1000000000LL;
  std::lock_guard lock(mutex_);
  Entry& e = entries_[soc];
  e.last_seen = now;
  e.accepted += accepted;
  e.rejected += rejected;
  auto slot = static_cast<std::size_t>(second % 60);
  if (e.ring_second[slot] != second) {
    e.ring_second[slot] = second;
    e.acc_ring[slot] = 0;
    e.rej_ring[slot] = 0;
  }
  e.acc_ring[slot] += static_cast<std::uint32_t>(accepted);
  e.rej_ring[slot] += static_cast<std::uint32_t>(rejected);
}

void SocStats::record_unknown_sender(std::string_view source) {
  Metrics::instance()
      .counter("khien_ingest_unknown_senders_total", "Messages rejected because no SOC is registered for the sender",
               fmt::format("source=\"{}\"", source))
      .add();
}

std::map<std::string, SocStatsSnapshot> SocStats::snapshot() const {
  std::int64_t second = now_ns() / 1000000000LL;
  std::lock_guard lock(mutex_);
  std::map<std::string, SocStatsSnapshot> out;
  for (const auto& [soc, e] : entries_) {
    SocStatsSnapshot s{e.last_seen, e.accepted, e.rejected, 0, 0};
    std::uint64_t acc = 0, rej = 0;
    for (std::size_t i = 0; i < 60; ++i) {
      if (second - e.ring_second[i] < 60) {
        acc += e.acc_ring[i];
        rej += e.rej_ring[i];
      }
    }
    s.accepted_per_second = static_cast<double>(acc) / 60.0;
    s.rejected_per_second = static_cast<double>(rej) / 60.0;
    out[soc] = s;
  }
  return out;
}

}  // namespace khien
