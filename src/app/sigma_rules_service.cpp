// Sigma rule hot reload: the directory watcher, background compilation, atomic publication, and
// the status/reload routes.
#include "app/sigma_rules_service.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "api/identity.h"

namespace khien {

namespace fs = std::filesystem;

std::string rules_dir_fingerprint(const std::string& dir) {
  std::vector<std::string> entries;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return "missing";
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code fe;
    if (!it->is_regular_file(fe)) continue;
    const auto ext = it->path().extension();
    if (ext != ".yml" && ext != ".yaml") continue;
    const auto size = it->file_size(fe);
    const auto mtime = it->last_write_time(fe).time_since_epoch().count();
    entries.push_back(fmt::format("{}\t{}\t{}", it->path().string(), fe ? 0 : size, fe ? 0 : mtime));
  }
  if (ec) entries.push_back("error\t" + ec.message());
  std::sort(entries.begin(), entries.end());
  std::string out;
  for (const auto& e : entries) out += e + '\n';
  return out;
}

SigmaRulesService::SigmaRulesService(SigmaRulesOptions options) : options_(std::move(options)) {}

SigmaRulesService::~SigmaRulesService() { stop(); }

Result<std::unique_ptr<SigmaRulesService>> SigmaRulesService::open(SigmaRulesOptions options) {
  std::unique_ptr<SigmaRulesService> s(new SigmaRulesService(std::move(options)));
  if (!s->options_.rules_dir.empty()) s->fingerprint_ = rules_dir_fingerprint(s->options_.rules_dir);
  SigmaLoad load = load_sigma_rule_set(s->options_.rules_dir);
  for (const auto& e : load.failures) spdlog::warn("sigma: {}:{}: {}", e.file, e.line, e.reason);
  if (!load.rules) return fail("sigma: " + load.error);
  auto first = std::make_shared<SigmaGeneration>(load.rules, 1, s->options_.correlation);
  s->holder_ = std::make_unique<SigmaRulesHolder>(first);
  s->holder_->set_correlation_options(s->options_.correlation);
  s->status_.rules_dir = s->options_.rules_dir;
  s->record(load, *first);
  return s;
}

void SigmaRulesService::record(const SigmaLoad& load, const SigmaGeneration& g) {
  for (const auto& e : g.correlation.reference_errors()) spdlog::warn("sigma: {}:{}: {}", e.file, e.line, e.reason);
  spdlog::info("sigma: rule set {}: {} rules and {} correlations compiled, {} cannot run here, {} failed to load",
               g.version, g.rules->size(), g.rules->correlations().size(), g.rules->skipped().size(),
               load.failures.size() + g.correlation.reference_errors().size());
  std::lock_guard lock(status_mutex_);
  status_.version = g.version;
  status_.loaded_at = g.loaded_at;
  status_.rules = g.rules->size();
  status_.correlations = g.rules->correlations().size() - g.correlation.reference_errors().size();
  status_.skipped = g.rules->skipped().size();
  status_.skipped_rules = g.rules->skipped();
  status_.failures = load.failures;
  for (const auto& e : g.correlation.reference_errors()) status_.failures.push_back(e);
  status_.last_attempt = g.loaded_at;
  status_.last_ok = true;
  status_.last_error.clear();
}

SigmaRulesStatus SigmaRulesService::reload() {
  std::lock_guard guard(reload_mutex_);
  std::string fingerprint = options_.rules_dir.empty() ? "" : rules_dir_fingerprint(options_.rules_dir);
  std::string refused;
  SigmaLoad load;
  std::error_code ec;
  if (!options_.rules_dir.empty() && !fs::is_directory(options_.rules_dir, ec)) {
    refused = fmt::format("{}: the rule directory is missing or unreadable", options_.rules_dir);
  } else {
    load = load_sigma_rule_set(options_.rules_dir);
    if (!load.rules) refused = load.error;
  }
  fingerprint_ = std::move(fingerprint);
  if (!refused.empty()) {
    spdlog::error("sigma: reload failed, the running rule set stays: {}", refused);
    std::lock_guard lock(status_mutex_);
    status_.last_attempt = now_ns();
    status_.last_ok = false;
    status_.last_error = refused;
    ++status_.reloads;
    ++status_.failed_reloads;
    return status_;
  }
  for (const auto& e : load.failures) spdlog::warn("sigma: {}:{}: {}", e.file, e.line, e.reason);
  auto g = holder_->publish(load.rules);
  record(load, *g);
  std::lock_guard lock(status_mutex_);
  ++status_.reloads;
  return status_;
}

bool SigmaRulesService::reload_if_changed() {
  if (options_.rules_dir.empty()) return false;
  {
    std::lock_guard guard(reload_mutex_);
    if (rules_dir_fingerprint(options_.rules_dir) == fingerprint_) return false;
  }
  reload();
  return true;
}

SigmaRulesStatus SigmaRulesService::status() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

std::unique_ptr<Detector> SigmaRulesService::make_detector() const { return std::make_unique<SigmaDetector>(*holder_); }

void SigmaRulesService::start() {
  if (options_.rules_dir.empty() || options_.reload_seconds <= 0) return;
  watcher_.start(std::chrono::seconds(options_.reload_seconds), [this] { reload_if_changed(); });
}

void SigmaRulesService::stop() { watcher_.stop(); }

namespace {

HttpResponse json_response(const nlohmann::json& body, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

nlohmann::json status_json(const SigmaRulesStatus& s) {
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& f : s.failures) failures.push_back({{"file", f.file}, {"line", f.line}, {"reason", f.reason}});
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& r : s.skipped_rules)
    skipped.push_back({{"file", r.file}, {"line", r.line}, {"id", r.id}, {"title", r.title}, {"reason", r.reason}});
  return {{"version", s.version},
          {"loaded_at", format_rfc3339(s.loaded_at, 3)},
          {"rules_dir", s.rules_dir},
          {"rules", s.rules},
          {"correlations", s.correlations},
          {"skipped", s.skipped},
          {"failed", s.failures.size()},
          {"failures", std::move(failures)},
          {"skipped_rules", std::move(skipped)},
          {"last_attempt", s.last_attempt ? format_rfc3339(s.last_attempt, 3) : ""},
          {"last_ok", s.last_ok},
          {"last_error", s.last_error},
          {"reloads", s.reloads},
          {"failed_reloads", s.failed_reloads}};
}

}  // namespace

void register_sigma_rules_routes(Router& router, SigmaRulesService& service, IdentityService& identity) {
  router.add("GET", "/api/v1/rules/status", [&service, &identity](HttpRequest& req) {
    auto p = identity.authenticate(req);
    if (auto refused = check_access(p, RoleSet{Role::national_admin, Role::national_analyst, Role::auditor})) return *refused;
    return json_response(status_json(service.status()));
  });
  router.add("POST", "/api/v1/rules/reload", [&service, &identity](HttpRequest& req) {
    auto p = identity.authenticate(req);
    if (auto refused = check_access(p, RoleSet{Role::national_admin, Role::national_analyst})) return *refused;
    spdlog::info("sigma: reload requested by {}", p->user);
    const SigmaRulesStatus s = service.reload();
    return json_response(status_json(s), s.last_ok ? 200 : 422);
  });
}

}  // namespace khien
