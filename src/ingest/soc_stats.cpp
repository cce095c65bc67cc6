// Per-SOC statistics with a one-minute ring of per-second counts.
#include "ingest/soc_stats.h"

#include <fmt/format.h>

#include <spdlog/spdlog.h>

#include "core/json_writer.h"
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

void SocStats::note_rejection(const std::string& soc, std::string_view source, std::string_view reason,
                              std::string_view record) {
  constexpr std::size_t kSample = 120;
  constexpr TimeNs kLogEvery = 10'000'000'000LL;
  const TimeNs now = now_ns();
  std::string sample(record.substr(0, kSample));
  for (auto& c : sample)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';  // one log line, whatever the record held
  // Shown in JSON: a record refused for bad UTF-8, or cut inside a character, is shown in ASCII.
  if (!is_valid_utf8(sample))
    for (auto& c : sample)
      if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  std::uint64_t not_logged = 0;
  {
    std::lock_guard lock(mutex_);
    Entry& e = entries_[soc];
    e.last_rejection = now;
    e.rejection_source.assign(source);
    e.rejection_reason.assign(reason);
    e.rejection_sample = sample;
    if (now - e.last_logged < kLogEvery) {
      ++e.unlogged;
      return;
    }
    e.last_logged = now;
    not_logged = e.unlogged;
    e.unlogged = 0;
  }
  spdlog::warn("{} from SOC {}: record refused: {} ({}){}", source, soc, reason, sample,
               not_logged ? fmt::format("; {} more refused since the last such line", not_logged) : "");
}

std::map<std::string, SocStatsSnapshot> SocStats::snapshot() const {
  std::int64_t second = now_ns() / 1000000000LL;
  std::lock_guard lock(mutex_);
  std::map<std::string, SocStatsSnapshot> out;
  for (const auto& [soc, e] : entries_) {
    SocStatsSnapshot s;
    s.last_seen = e.last_seen;
    s.accepted = e.accepted;
    s.rejected = e.rejected;
    std::uint64_t acc = 0, rej = 0;
    for (std::size_t i = 0; i < 60; ++i) {
      if (second - e.ring_second[i] < 60) {
        acc += e.acc_ring[i];
        rej += e.rej_ring[i];
      }
    }
    s.last_rejection = e.last_rejection;
    s.last_rejection_source = e.rejection_source;
    s.last_rejection_reason = e.rejection_reason;
    s.last_rejection_sample = e.rejection_sample;
    s.accepted_per_second = static_cast<double>(acc) / 60.0;
    s.rejected_per_second = static_cast<double>(rej) / 60.0;
    out[soc] = s;
  }
  return out;
}

}  // namespace khien
