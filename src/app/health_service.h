// SOC health on the server: per-SOC ingest counters fed to the health monitor once a second,
// soc-health warnings raised through the warning service, and GET /api/v1/health/socs.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "api/http_server.h"
#include "core/periodic_worker.h"
#include "correlate/soc_health_monitor.h"
#include "ingest/soc_stats.h"
#include "store/state_store.h"

namespace khien {

class IdentityService;
class WarningService;

/// Reads the `[health]` section; false for any other section. Errors name the file, line and key.
bool read_health_config(std::string_view section, const toml::node& node, const std::filesystem::path& path, HealthOptions& options,
                        std::vector<std::string>& errors);
/// `[health]` with its defaults, commented, for `khien config`.
std::string health_config_toml();

/// Threading: a ticker thread reads the counters and evaluates once a second; route handlers
/// read the last report; both under one mutex held for in-memory work only (warnings are raised
/// after it is released).
class HealthService {
 public:
  /// `warnings` may be null (warnings disabled): statuses are still kept and served.
  HealthService(HealthOptions options, StateStore& registry, SocStats& stats, WarningService* warnings);
  ~HealthService();
  void start();
  void stop();
  /// Reads the counters and evaluates at `now` (the ticker passes the wall clock).
  void tick(TimeNs now);
  /// GET /api/v1/health/socs.
  void register_routes(Router& router, IdentityService& identity);

 private:
  struct SocInfo {
    std::string name, org, org_name, sector, province;
  };
  void refresh_registry();

  HealthOptions options_;
  StateStore& registry_;
  SocStats& stats_;
  WarningService* warnings_;
  std::mutex mutex_;
  SocHealthMonitor monitor_;
  std::map<std::string, SocInfo> socs_;
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> totals_;  ///< counters last read
  TimeNs registry_read_ = 0;
  TimeNs last_tick_ = 0;
  PeriodicWorker ticker_;
};

}  // namespace khien
