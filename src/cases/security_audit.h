// Security events (failed logins, refused CSRF tokens, ...) written to the audit chain, with repeats coalesced.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "cases/audit_log.h"
#include "core/security_event.h"
#include "core/time.h"

namespace khien {

/// How many entries a flood may write (docs/ACCESS.md, "Security events in the audit log").
struct SecurityAuditOptions {
  TimeNs window = 60'000'000'000;        ///< repeats of one action from one source within this are coalesced
  std::int64_t max_entries_per_window = 120;  ///< first-of-a-kind entries per window, all sources together
};

/// Writes each SecurityEvent to the audit chain as action `security.*`, object_type `source`,
/// object_id the source address, actor the user / key id / "anonymous", and `after` =
/// {source, reason, count, first, last, ...}.
///
/// Bounding: the first event of an (action, source) pair in a window is written at once (count 1);
/// later ones in that window only raise a counter, written as one `repeated` entry (count = the
/// repeats, the distinct actors, first and last time) when the window has ended. At most
/// `max_entries_per_window` first entries are written per window whatever the number of sources;
/// events beyond it are counted per action and written as one entry with source "*". A flood thus
/// adds at most 2 × max + (number of actions) entries per window, and memory holds at most `max`
/// pending pairs.
///
/// Threading: any thread may call; one mutex serialises, and the append runs in a CaseDb transaction.
class SecurityAudit {
 public:
  using Clock = std::function<TimeNs()>;
  SecurityAudit(CaseDb& db, AuditLog& audit, SecurityAuditOptions options = {}, Clock clock = now_ns);

  /// Records one event at the clock's time.
  void record(const SecurityEvent& event);
  /// Writes the counts of windows that have ended (the server calls it from its periodic checks).
  void flush();
  /// Pending (action, source) pairs, for tests.
  std::size_t pending() const;

 private:
  struct Pending {
    TimeNs window_start = 0;
    TimeNs first = 0;
    TimeNs last = 0;
    std::int64_t repeats = 0;
    std::string reason;  ///< of the last repeat
    std::vector<std::string> actors;
    std::int64_t more_actors = 0;
  };
  void flush_locked(TimeNs now);
  void write(const std::string& actor, const std::string& action, const std::string& source,
             const std::string& after_json, TimeNs now);

  CaseDb& db_;
  AuditLog& audit_;
  SecurityAuditOptions options_;
  Clock clock_;
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Pending> pending_;  ///< (action, source)
  TimeNs window_start_ = 0;     ///< of the global cap's window
  std::int64_t written_ = 0;    ///< first entries written in that window
  std::map<std::string, std::pair<std::int64_t, std::string>> overflow_;  ///< action → (count, last reason)
};

}  // namespace khien
