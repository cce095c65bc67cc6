// Health service: counters to monitor, monitor changes to soc-health warnings, the status route.
#include "app/health_service.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "api/identity.h"
#include "app/warning_service.h"
#include "correlate/campaign_detector.h"

namespace khien {

namespace {

using json = nlohmann::json;
constexpr TimeNs kSecond = 1'000'000'000;

}  // namespace

bool read_health_config(std::string_view section, const toml::node& node, const std::filesystem::path& path, HealthOptions& o,
                        std::vector<std::string>& errors) {
  if (section != "health") return false;
  auto where = [&](const toml::node& n) { return fmt::format("{}:{}", path.string(), n.source().begin.line); };
  if (!node.is_table()) {
    errors.push_back(fmt::format("{}: 'health' must be a [section]", where(node)));
    return true;
  }
  // Durations take "90s", "10m", "1h" or a number of seconds.
  auto duration = [&](const toml::node& n, TimeNs& out, const std::string& key) {
    if (n.is_integer() && n.as_integer()->get() > 0) out = n.as_integer()->get() * kSecond;
    else if (n.is_string()) {
      if (auto st = parse_duration(n.as_string()->get(), out); !st) errors.push_back(fmt::format("{}: {}: {}", where(n), key, st.error().message));
    } else errors.push_back(fmt::format("{}: {}: expected a duration like \"10m\" or a number of seconds", where(n), key));
  };
  auto number = [&](const toml::node& n, double& out, const std::string& key, double lo, double hi) {
    double v = n.is_integer() ? static_cast<double>(n.as_integer()->get()) : n.is_floating_point() ? n.as_floating_point()->get() : -1e300;
    if (v < lo || v > hi) errors.push_back(fmt::format("{}: {}: expected a number from {} to {}", where(n), key, lo, hi));
    else out = v;
  };
  auto count = [&](const toml::node& n, auto& out, const std::string& key) {
    if (!n.is_integer() || n.as_integer()->get() < 1 || n.as_integer()->get() > 1'000'000)
      errors.push_back(fmt::format("{}: {}: expected an integer from 1 to 1000000", where(n), key));
    else out = static_cast<std::remove_reference_t<decltype(out)>>(n.as_integer()->get());
  };
  for (const auto& [name, value] : *node.as_table()) {
    const std::string key = "health." + std::string(name.str());
    if (name == "enabled") {
      if (!value.is_boolean()) errors.push_back(fmt::format("{}: {}: expected true or false", where(value), key));
      else o.enabled = value.as_boolean()->get();
    } else if (name == "bucket") duration(value, o.bucket, key);
    else if (name == "silence_factor") number(value, o.silence_factor, key, 1, 1000);
    else if (name == "min_silence") duration(value, o.min_silence, key);
    else if (name == "min_active_buckets") count(value, o.min_active_buckets, key);
    else if (name == "drop_fraction") number(value, o.drop_fraction, key, 0, 1);
    else if (name == "rate_window") duration(value, o.rate_window, key);
    else if (name == "min_baseline_per_minute") number(value, o.min_baseline_per_minute, key, 0, 1e9);
    else if (name == "baseline_warmup") count(value, o.baseline_warmup, key);
    else if (name == "reject_ratio") number(value, o.reject_ratio, key, 0, 1);
    else if (name == "min_reject_events") count(value, o.min_reject_events, key);
    else if (name == "alpha") number(value, o.alpha, key, 0.0001, 1);
    else if (name == "tlp") {
      std::string t = value.is_string() ? value.as_string()->get() : "";
      for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (t != "red" && t != "amber+strict" && t != "amber" && t != "green" && t != "clear")
        errors.push_back(fmt::format("{}: {}: expected red, amber+strict, amber, green or clear", where(value), key));
      else o.tlp = t;
    } else {
      errors.push_back(fmt::format("{}: unknown key '{}' (see `khien config` for the [health] keys)", where(value), key));
    }
  }
  return true;
}

std::string health_config_toml() {
  HealthOptions d;
  return fmt::format(
      "\n# SOC connection health (docs/NOTIFICATIONS.md): when a member SOC goes silent, drops or is rejected\n[health]\n"
      "enabled = {}\n# Counting interval of the per-SOC baselines\nbucket = \"{}\"\n"
      "# Silent after this many typical gaps between events ...\nsilence_factor = {}\n# ... and never before this\nmin_silence = \"{}\"\n"
      "# Buckets with events before a SOC counts as sending\nmin_active_buckets = {}\n"
      "# Degraded when the rate over rate_window falls below this fraction of the baseline\ndrop_fraction = {}\nrate_window = \"{}\"\n"
      "# A baseline sparser than this (events/min) is too thin to call a drop\nmin_baseline_per_minute = {}\n"
      "# Buckets before the EWMA baseline is trusted, and the weight of the newest bucket\nbaseline_warmup = {}\nalpha = {}\n"
      "# Rejecting when more than this share of the window's events is rejected, with at least min_reject_events\n"
      "reject_ratio = {}\nmin_reject_events = {}\n# TLP of health warnings (red: the SOC's organisation only)\ntlp = \"{}\"\n",
      d.enabled ? "true" : "false", format_duration(d.bucket), d.silence_factor, format_duration(d.min_silence), d.min_active_buckets,
      d.drop_fraction, format_duration(d.rate_window), d.min_baseline_per_minute, d.baseline_warmup, d.alpha, d.reject_ratio,
      d.min_reject_events, d.tlp);
}

HealthService::HealthService(HealthOptions options, StateStore& registry, SocStats& stats, WarningService* warnings)
    : options_(options), registry_(registry), stats_(stats), warnings_(warnings), monitor_(std::move(options)) {}

HealthService::~HealthService() { stop(); }

void HealthService::start() {
  ticker_.start(std::chrono::seconds(1), [this] { tick(now_ns()); });
}

void HealthService::stop() { ticker_.stop(); }

void HealthService::refresh_registry() {
  std::map<std::string, OrgRow> orgs;
  for (auto& o : registry_.organisations()) orgs[o.id] = std::move(o);
  std::map<std::string, SocInfo> socs;
  for (const auto& s : registry_.socs()) {
    SocInfo info{s.name, s.org, "", "", ""};
    if (auto it = orgs.find(s.org); it != orgs.end()) {
      info.org_name = it->second.name_en.empty() ? it->second.name : it->second.name_en;
      info.sector = it->second.sector;
      info.province = it->second.province;
    }
    socs.emplace(s.id, std::move(info));
  }
  for (const auto& [id, info] : socs_)
    if (!socs.count(id)) monitor_.untrack(id);
  for (const auto& [id, info] : socs) monitor_.track(id);
  socs_ = std::move(socs);
}

void HealthService::tick(TimeNs now) {
  std::vector<ExternalWarning> raise;
  {
    std::lock_guard lock(mutex_);
    if (registry_read_ == 0 || now - registry_read_ >= 60 * kSecond) {
      refresh_registry();
      registry_read_ = now;
    }
    for (const auto& [soc, s] : stats_.snapshot()) {
      auto& [acc, rej] = totals_[soc];
      const std::uint64_t da = s.accepted - acc, dr = s.rejected - rej;
      acc = s.accepted;
      rej = s.rejected;
      if (da + dr > 0) monitor_.record(soc, std::min(s.last_seen, now), da, dr);
    }
    last_tick_ = now;
    if (!options_.enabled) return;
    for (const auto& c : monitor_.evaluate(now)) {
      const SocHealth& h = c.health;
      const SocInfo info = socs_.count(h.soc) ? socs_[h.soc] : SocInfo{h.soc, "", "", "", ""};
      const bool active = h.status != SocHealthStatus::ok;
      const SocHealthStatus shown = active ? h.status : c.previous;
      ExternalWarning w;
      w.kind = "soc-health";
      w.key = h.soc;
      const std::string who = fmt::format("SOC {} ({})", info.name.empty() ? h.soc : info.name, info.org_name.empty() ? info.org : info.org_name);
      w.title = active ? fmt::format("{} {}: {}", who, health_status_name(h.status), h.reason)
                       : fmt::format("{} recovered (was {})", who, health_status_name(c.previous));
      w.severity_id = shown == SocHealthStatus::silent ? 4 : 3;
      w.severity = w.severity_id == 4 ? "high" : "medium";
      w.active = active;
      if (!info.org.empty()) w.orgs.push_back(info.org);
      if (!info.sector.empty()) w.sectors.push_back(info.sector);
      if (!info.province.empty()) w.provinces.push_back(info.province);
      w.time = now;
      // The warning's own TLP decides who reads it and how notifications are minimised (the
      // details repeat it for readers of the document).
      w.tlp = options_.tlp;
      w.details = json{{"soc", h.soc},
                       {"soc_name", info.name},
                       {"org", info.org},
                       {"org_name", info.org_name},
                       {"sector", info.sector},
                       {"province", info.province},
                       {"status", health_status_name(h.status)},
                       {"previous_status", health_status_name(c.previous)},
                       {"reason", active ? h.reason : fmt::format("sending again; {:.1f} events/min", h.rate_per_minute)},
                       {"last_event", h.last_event ? json(format_rfc3339(h.last_event, 3)) : json(nullptr)},
                       {"observed_per_minute", h.rate_per_minute},
                       {"expected_per_minute", h.baseline_per_minute},
                       {"baseline", h.baseline},
                       {"cadence_seconds", h.cadence_seconds},
                       {"silence_limit_seconds", h.silence_limit_seconds},
                       {"reject_ratio", h.reject_ratio},
                       {"tlp", options_.tlp},
                       {"recipients", info.org.empty() ? json::array() : json::array({info.org})}};
      if (active) spdlog::warn("soc health: {}", w.title);
      else spdlog::info("soc health: {}", w.title);
      raise.push_back(std::move(w));
    }
  }
  // Outside the lock: the warning service takes its own and calls its listeners.
  if (warnings_)
    for (const auto& w : raise)
      if (auto id = warnings_->raise_external(w); !id) spdlog::error("soc health: warning for {}: {}", w.key, id.error().message);
}

void HealthService::register_routes(Router& router, IdentityService& identity) {
  router.add("GET", "/api/v1/health/socs", [this, &identity](HttpRequest& req) {
    auto p = identity.authenticate(req);
    if (auto refused = check_access(p, RoleSet{Role::national_admin, Role::national_analyst, Role::auditor, Role::sector_cert, Role::org_soc}))
      return *refused;
    const std::string want = req.param("status");
    if (!want.empty() && want != "ok" && want != "silent" && want != "degraded" && want != "rejecting" && want != "never-seen")
      return json_error(400, "parameter 'status': expected ok, silent, degraded, rejecting or never-seen");
    const std::string org = req.param("org");
    json list = json::array();
    std::map<std::string, std::uint64_t> counts;
    TimeNs as_of;
    {
      std::lock_guard lock(mutex_);
      as_of = last_tick_;
      for (const auto& h : monitor_.report()) {
        auto it = socs_.find(h.soc);
        const SocInfo info = it == socs_.end() ? SocInfo{} : it->second;
        if (!can_see_org(*p, info.org, info.sector)) continue;
        if (!org.empty() && info.org != org) continue;
        const std::string status(health_status_name(h.status));
        ++counts[status];
        if (!want.empty() && status != want) continue;
        list.push_back({{"soc", h.soc},
                        {"name", info.name},
                        {"org", info.org},
                        {"org_name", info.org_name},
                        {"sector", info.sector},
                        {"status", status},
                        {"reason", h.reason},
                        {"since", h.since ? json(format_rfc3339(h.since, 3)) : json(nullptr)},
                        {"last_event", h.last_event ? json(format_rfc3339(h.last_event, 3)) : json(nullptr)},
                        {"rate_per_minute", h.rate_per_minute},
                        {"baseline_per_minute", h.baseline_per_minute},
                        {"baseline", h.baseline},
                        {"cadence_seconds", h.cadence_seconds},
                        {"silence_limit_seconds", h.silence_limit_seconds},
                        {"reject_ratio", h.reject_ratio},
                        {"accepted", h.accepted},
                        {"rejected", h.rejected}});
      }
    }
    HttpResponse r;
    r.body = json{{"socs", list}, {"counts", counts}, {"as_of", as_of ? json(format_rfc3339(as_of, 3)) : json(nullptr)}}.dump();
    return r;
  });
}

}  // namespace khien
