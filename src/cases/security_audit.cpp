// Security events to the audit chain, coalesced per (action, source) and window.
#include "cases/security_audit.h"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace khien {

namespace {
// Distinct actors listed in a repeated entry; more are only counted, so a login-guessing flood over
// many names cannot make one entry large.
constexpr std::size_t kMaxListedActors = 8;
}  // namespace

SecurityAudit::SecurityAudit(CaseDb& db, AuditLog& audit, SecurityAuditOptions options, Clock clock)
    : db_(db), audit_(audit), options_(options), clock_(std::move(clock)) {}

void SecurityAudit::write(const std::string& actor, const std::string& action, const std::string& source,
                          const std::string& after_json, TimeNs now) {
  CaseDb::Transaction tx(db_);
  if (!tx.ok()) {
    spdlog::error("audit: cannot record {}: {}", action, tx.error());
    return;
  }
  auto e = audit_.append(now, actor.empty() ? "anonymous" : actor, action, "source", source, "null", after_json);
  if (!e) {
    spdlog::error("audit: cannot record {}: {}", action, e.error().message);
    return;
  }
  if (auto st = tx.commit(); !st) spdlog::error("audit: cannot record {}: {}", action, st.error().message);
}

void SecurityAudit::record(const SecurityEvent& event) {
  std::lock_guard lock(mutex_);
  TimeNs now = clock_();
  flush_locked(now);
  std::string source = event.source.empty() ? "unknown" : event.source;
  auto key = std::make_pair(event.action, source);
  if (auto it = pending_.find(key); it != pending_.end()) {
    Pending& p = it->second;
    ++p.repeats;
    p.last = now;
    p.reason = event.reason;
    std::string actor = event.actor.empty() ? "anonymous" : event.actor;
    if (std::find(p.actors.begin(), p.actors.end(), actor) == p.actors.end()) {
      if (p.actors.size() < kMaxListedActors)
        p.actors.push_back(actor);
      else
        ++p.more_actors;
    }
    return;
  }
  if (written_ >= options_.max_entries_per_window) {
    auto& o = overflow_[event.action];
    ++o.first;
    o.second = event.reason;
    return;
  }
  ++written_;
  nlohmann::json after{{"source", source},
                       {"reason", event.reason},
                       {"count", 1},
                       {"first", format_rfc3339(now, 3)},
                       {"last", format_rfc3339(now, 3)}};
  write(event.actor, event.action, source, after.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), now);
  Pending p;
  p.window_start = now;
  p.first = now;
  p.last = now;
  pending_.emplace(std::move(key), std::move(p));
}

void SecurityAudit::flush() {
  std::lock_guard lock(mutex_);
  flush_locked(clock_());
}

std::size_t SecurityAudit::pending() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

void SecurityAudit::flush_locked(TimeNs now) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    const Pending& p = it->second;
    if (now - p.window_start < options_.window) {
      ++it;
      continue;
    }
    if (p.repeats > 0) {
      nlohmann::json after{{"source", it->first.second},
                           {"reason", p.reason},
                           {"count", p.repeats},
                           {"repeated", true},
                           {"actors", p.actors},
                           {"more_actors", p.more_actors},
                           {"first", format_rfc3339(p.first, 3)},
                           {"last", format_rfc3339(p.last, 3)}};
      write(p.actors.front(), it->first.first, it->first.second,
            after.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), now);
    }
    it = pending_.erase(it);
  }
  if (now - window_start_ < options_.window) return;
  for (const auto& [action, o] : overflow_) {
    nlohmann::json after{{"source", "*"},
                         {"reason", o.second},
                         {"count", o.first},
                         {"over_cap", true},
                         {"first", format_rfc3339(window_start_, 3)},
                         {"last", format_rfc3339(now, 3)}};
    write("anonymous", action, "*", after.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), now);
  }
  overflow_.clear();
  window_start_ = now;
  written_ = 0;
}

}  // namespace khien
