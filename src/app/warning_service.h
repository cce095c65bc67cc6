// National warnings on the server: the campaign detector fed by the pipeline's alerts, warnings
// persisted and streamed (server-sent events), and the national picture.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api_routes.h"
#include "api/http_server.h"
#include "app/warning_view.h"
#include "core/alert.h"
#include "core/error.h"
#include "core/periodic_worker.h"
#include "correlate/baseline.h"
#include "correlate/campaign_detector.h"
#include "correlate/space_saving.h"
#include "correlate/windows.h"
#include "store/warning_store.h"

namespace khien {

/// `warnings.thresholds` text: "indicator=3/3/1h sigma=5/3/1h ip=off" (kind=min_orgs/min_sectors/window
/// or kind=off); kinds not named keep their value. Errors name the item and what is wrong.
Status parse_warning_thresholds(std::string_view text, CampaignOptions& options);
std::string format_warning_thresholds(const CampaignOptions& options);

/// A warning raised outside the campaign detector: a wide-scale vulnerability, a SOC gone quiet.
struct ExternalWarning {
  std::string kind, key, title, severity;
  int severity_id = 3;
  bool active = true;
  std::vector<std::string> orgs, sectors, provinces;
  nlohmann::json details = nlohmann::json::object();  ///< kind-specific facts, shown under "details"
  TimeNs time = 0;  ///< when it was seen: first_seen of a new warning, last_seen of an update
  std::string tlp = "amber";            ///< who may read it (docs/WARNINGS.md, "Who sees a warning")
  std::vector<std::string> recipients{};  ///< RED only: organisation/sector ids; empty: `orgs`
};

/// Threading: on_alerts() runs on the pipeline thread, a ticker thread ages warnings once a
/// second, route handlers run on HTTP connection threads; the detector and the picture's
/// sketches are guarded by one mutex, held only for in-memory work and the store write.
class WarningService {
 public:
  /// Opens the store in `data_dir`/state.db, resumes active warnings, loads the registry (sector
  /// criticality, member address ranges and domains) and the systems' security levels.
  static Result<std::unique_ptr<WarningService>> open(const std::filesystem::path& data_dir, CampaignOptions options,
                                                      const std::filesystem::path& registry_dir);
  ~WarningService();
  /// Starts the ticker (expiry when no alerts arrive).
  void start();
  void stop();
  /// A batch's alerts, after the alert store has them.
  void on_alerts(const std::vector<Alert>& alerts);
  /// Stores an external warning, or updates the one with the same kind and key (keeping its id
  /// and first_seen), and announces it on the stream. Returns the warning id.
  Result<std::int64_t> raise_external(const ExternalWarning& warning);
  /// Calls `listener` with the JSON document of every stored warning change (campaign or
  /// external) on the thread that made it, with the service's lock held: queue, never block.
  /// Register before start().
  void add_listener(std::function<void(const std::string&)> listener) { listeners_.push_back(std::move(listener)); }
  /// Authenticates a request and checks its role (the server's `admit`).
  using Admit = std::function<Admission(const HttpRequest&, RoleSet)>;
  /// GET /api/v1/warnings, /api/v1/warnings/{id}, /api/v1/warnings/stream for every tenant reader
  /// (sector CERTs and organisation SOCs see the warnings that touch them, masked: warning_view.h);
  /// GET /api/v1/picture for national roles and auditors.
  void register_routes(Router& router, Admit admit);
  /// Ages warnings to `now` (stream time) and persists what changed; the ticker calls it.
  void tick(TimeNs wall_now);

 private:
  WarningService() = default;
  void flush_locked();
  void publish(const std::string& event, const std::string& data);
  HttpResponse picture(const HttpRequest& req);
  /// The SSE frame of one warning document for `viewer`, or "" when it is not theirs to see.
  std::string frame_for(const WarningViewer& viewer, const std::string& frame) const;

  std::unique_ptr<WarningStore> store_;
  OrgPlaces places_;  ///< organisation → sector, province (masking for tenant readers)
  std::unique_ptr<CampaignDetector> detector_;
  std::mutex mutex_;
  TimeNs last_alert_wall_ = 0;
  // The national picture's sketches: 24 h in 5-minute panes.
  std::unique_ptr<SlidingWindow<SpaceSaving>> top_ips_, top_asns_, top_countries_;
  std::unique_ptr<TumblingWindow<std::map<std::string, std::uint64_t>>> hourly_;
  std::map<std::string, SeasonalBaseline> sector_seasonal_;
  std::map<std::string, EwmaBaseline> sector_ewma_;
  // Server-sent events: the newest messages, numbered, for every open stream to catch up on.
  std::mutex events_mutex_;
  std::condition_variable events_cv_;
  std::deque<std::pair<std::uint64_t, std::string>> events_;
  std::uint64_t next_event_ = 1;
  bool stopping_ = false;
  PeriodicWorker ticker_;
  std::vector<std::function<void(const std::string&)>> listeners_;
};

}  // namespace khien
