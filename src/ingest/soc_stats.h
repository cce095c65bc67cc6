// Per-SOC ingest statistics: last seen, totals, and rates over the last minute.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "core/time.h"

namespace khien {

struct SocStatsSnapshot {
  TimeNs last_seen = 0;
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;
  double accepted_per_second = 0;  ///< over the last 60 s
  double rejected_per_second = 0;
  /// The last record refused: when, by which transport, why, and its first bytes (0: none yet).
  TimeNs last_rejection = 0;
  std::string last_rejection_source, last_rejection_reason, last_rejection_sample;
};

/// Thread-safe counters keyed by SOC id; also exported as Prometheus metrics.
class SocStats {
 public:
  void record(const std::string& soc, std::string_view source, std::uint64_t accepted, std::uint64_t rejected);
  /// A sender no SOC is registered for (counted per source, logged by the caller).
  void record_unknown_sender(std::string_view source);
  /// Why a record of `soc` was refused (counted by record()): kept as the SOC's last rejection
  /// and logged, at most once per SOC every ten seconds with the number not logged since.
  void note_rejection(const std::string& soc, std::string_view source, std::string_view reason, std::string_view record);
  std::map<std::string, SocStatsSnapshot> snapshot() const;

 private:
  struct Entry {
    TimeNs last_seen = 0;
    std::uint64_t accepted = 0, rejected = 0;
    std::array<std::uint32_t, 60> acc_ring{}, rej_ring{};
    std::array<std::int64_t, 60> ring_second{};
    TimeNs last_rejection = 0, last_logged = 0;
    std::uint64_t unlogged = 0;
    std::string rejection_source, rejection_reason, rejection_sample;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace khien
