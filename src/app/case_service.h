// The cases service of the server: opens DATA/cases.db, wires the cases managers to alerts, SOC health and vulnerabilities, and serves their routes.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api_routes.h"
#include "api/http_server.h"
#include "api/route_helpers.h"
#include "cases/audit_log.h"
#include "cases/case_db.h"
#include "cases/compliance.h"
#include "cases/compliance_history.h"
#include "cases/directive_manager.h"
#include "cases/evidence_store.h"
#include "cases/incident_manager.h"
#include "cases/response_network.h"
#include "cases/security_audit.h"
#include "cases/system_registry.h"
#include "core/error.h"
#include "core/periodic_worker.h"
#include "store/registry_data.h"

struct sqlite3;

namespace khien {

class AlertStore;
class SocStats;
class StateStore;
class VulnService;

/// How the service is set up (from the [cases] config section).
struct CaseServiceOptions {
  std::filesystem::path data_dir;
  std::filesystem::path registry_dir;      ///< empty: the registry built into the binary
  int check_seconds = 60;                  ///< background SLA / deadline checks; 0: only on request
  bool clock_override = false;             ///< honour X-Khien-Now (tests only)
  std::uint64_t max_evidence_bytes = 25u << 20;
  std::filesystem::path compliance_model;  ///< weights YAML; empty: defaults
};

/// What the service reads from the rest of the server. Any pointer may be null (the matching facts are
/// then absent); all must outlive the service.
struct CaseServiceDeps {
  StateStore* store = nullptr;
  AlertStore* alerts = nullptr;
  SocStats* stats = nullptr;
  VulnService* vulns = nullptr;
  std::string admin_token_hash;  ///< sha256 of the administrator token
  IdentityService* identity = nullptr;  ///< users, sessions, API keys; null: the administrator token only
};

/// Caller identity of one request. Until users exist (issue 8) the administrator token is the one
/// identity: `actor` is "admin". Organisation-scoped actions (acknowledging or completing a directive)
/// name the organisation acted for in `X-Khien-Org` and optionally the person in `X-Khien-Actor`; the
/// audit then records "admin/<org>" or "admin/<org>/<person>".
struct CaseCaller {
  std::string actor = "admin";
  std::string org;  ///< from X-Khien-Org; empty when not given
};

/// Threading: routes run on HTTP connection threads and the checker on its own thread; the managers
/// serialise on the cases database's mutex.
class CaseService {
 public:
  static Result<std::unique_ptr<CaseService>> open(const CaseServiceOptions& options, CaseServiceDeps deps);
  ~CaseService();
  CaseService(const CaseService&) = delete;
  CaseService& operator=(const CaseService&) = delete;

  /// Registers systems, incidents, directives, compliance, audit and report routes.
  void register_routes(Router& router);
  /// Starts the background checker (SLA breaches, overdue directives, monthly compliance snapshot).
  void start();
  void stop();

  /// One pass of the checks the background thread runs, at `now`.
  nlohmann::json run_checks(TimeNs now);

  // Used by the route files.
  bool authorized(const HttpRequest& req) const;
  /// Authenticates the request and checks its role against `roles` (docs/ACCESS.md).
  Admission admit(const HttpRequest& req, RoleSet roles) const;
  /// True when the principal may see organisation `org`'s records (its sector from the registry).
  bool sees_org(const Principal& principal, const std::string& org) const;
  /// True when the principal may see the incident: one of its affected organisations or its
  /// assigned organisation / sector CERT is in the principal's tenant.
  bool sees_incident(const Principal& principal, const Incident& incident) const;
  /// The request's time: now, or X-Khien-Now when clock_override is on (error otherwise).
  Result<TimeNs> now_of(const HttpRequest& req) const;
  Result<CaseCaller> caller_of(const HttpRequest& req, bool org_scoped) const;
  /// Records uploaded file names that try to leave their directory (`security.path_traversal`) or are
  /// over-long (`security.input_too_long`) in the audit chain; the upload itself goes on with the
  /// sanitised name.
  void check_file_name(const HttpRequest& req, const Principal& principal, const std::string& name);
  /// Scores of every registered organisation at `now`.
  std::vector<ComplianceScore> live_scores(TimeNs now);
  /// Scores for a period: live for the period `now` falls in, the stored snapshot otherwise.
  Result<std::vector<ComplianceScore>> period_scores(const std::string& period, TimeNs now, bool& live);
  /// Organisations owning a system affected by `cve` (from the vulnerability data).
  std::set<std::string> cve_orgs(const std::string& cve);
  /// Alert counts by rule within [from, to), most first (for the situation report).
  std::vector<std::tuple<std::string, std::string, std::int64_t>> alerts_by_rule(TimeNs from, TimeNs to, int limit);
  /// Warnings by count within [from, to) when the state store has a `warnings` table; nullopt otherwise.
  std::optional<std::vector<std::pair<std::string, std::int64_t>>> top_warnings(TimeNs from, TimeNs to, int limit);

  const RegistryData& registry() const { return registry_; }
  CaseDb& db() { return *db_; }
  AuditLog& audit() { return *audit_; }
  SecurityAudit& security() { return *security_; }
  SystemRegistry& systems() { return *systems_; }
  IncidentManager& incidents() { return *incidents_; }
  DirectiveManager& directives() { return *directives_; }
  ComplianceHistory& history() { return *history_; }
  const ComplianceModel& model() const { return model_; }
  EvidenceStore& evidence() { return *evidence_; }
  AlertStore* alert_store() { return deps_.alerts; }
  const CaseServiceOptions& options() const { return options_; }

 private:
  CaseService() = default;
  bool reference_exists(IncidentSource source, const std::string& ref);
  Status seed_systems();
  /// SLA and directive deadlines, security-event minutes, the monthly compliance snapshot.
  void run_periodic_checks();

  CaseServiceOptions options_;
  CaseServiceDeps deps_;
  RegistryData registry_;
  std::unique_ptr<ResponseNetwork> network_;
  std::unique_ptr<CaseDb> db_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<SecurityAudit> security_;
  std::unique_ptr<EvidenceStore> evidence_;
  std::unique_ptr<SystemRegistry> systems_;
  std::unique_ptr<IncidentManager> incidents_;
  std::unique_ptr<DirectiveManager> directives_;
  std::unique_ptr<ComplianceHistory> history_;
  ComplianceModel model_;
  sqlite3* state_ro_ = nullptr;  ///< read-only connection to state.db (alert and warning counts)
  std::mutex state_mutex_;
  std::string snapshot_period_;  ///< period of the last background snapshot
  TimeNs snapshot_at_ = 0;
  PeriodicWorker checker_;  // last: stops before the state its task reads is destroyed
};

/// Helpers shared by the route files (case_*_routes.cpp).
namespace case_http {
using ::khien::json_ok;
/// Maps a library error to a status: unknown objects 404, conflicts with the current state 409, else 400.
HttpResponse from_error(const Error& e);
/// Parses a JSON object body or answers 400.
Result<nlohmann::json> object_body(const HttpRequest& req);
/// The strings of the body's list `key` (empty when absent); refused when it is not a list of strings.
Result<std::vector<std::string>> string_list(const nlohmann::json& body, const char* key);
/// RFC 3339 or YYYY-MM-DD.
std::optional<TimeNs> parse_when(const std::string& text);
std::string rfc3339(TimeNs t);
/// Decodes standard base64 (padding optional); nullopt on bad input.
std::optional<std::string> base64_decode(std::string_view text);
/// "YYYY-MM" of the month before `period`; "" when `period` is malformed.
std::string previous_period(const std::string& period);
/// A JSON document parsed for embedding (the library serialises to text).
nlohmann::json parse_doc(const std::string& text);

/// What a write needs: the caller (administrator, no org headers) and the request's clock.
struct WriteContext {
  CaseCaller caller;
  TimeNs now = 0;
};
Result<WriteContext> write_context(CaseService& s, const HttpRequest& req);
}  // namespace case_http

void register_case_system_routes(Router& router, CaseService& s);
void register_case_incident_routes(Router& router, CaseService& s);
void register_case_directive_routes(Router& router, CaseService& s);
void register_case_compliance_routes(Router& router, CaseService& s);
void register_case_report_routes(Router& router, CaseService& s);

}  // namespace khien
