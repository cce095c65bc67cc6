// CaseService: opening and wiring the cases layer, identity and clock of a request, compliance facts, background checks.
#include "app/case_service.h"

#include <openssl/crypto.h>
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/registry_import.h"
#include "app/vuln_service.h"
#include "store/sql_statement.h"
#include "cases/system_import.h"
#include "ingest/soc_stats.h"
#include "store/alert_store.h"
#include "store/state_store.h"

namespace khien {

using json = nlohmann::json;

namespace case_http {

Result<WriteContext> write_context(CaseService& s, const HttpRequest& req) {
  auto caller = s.caller_of(req, false);
  if (!caller) return tl::unexpected(caller.error());
  auto now = s.now_of(req);
  if (!now) return tl::unexpected(now.error());
  return WriteContext{*caller, *now};
}

HttpResponse from_error(const Error& e) {
  const std::string& m = e.message;
  auto has = [&](const char* s) { return m.find(s) != std::string::npos; };
  if (m.rfind("unknown incident '", 0) == 0 || m.rfind("unknown directive '", 0) == 0 ||
      m.rfind("unknown information system '", 0) == 0 || m.rfind("no evidence file", 0) == 0)
    return json_error(404, m);
  if (has("is not one of its targets")) return json_error(403, m);
  if (has("is over the limit of")) return json_error(413, m);
  if (has("the content is of no known type") || has("is not accepted (accepted:")) return json_error(415, m);
  if (has("cannot go from") || has("already") || has("must acknowledge") || has("cannot assign while"))
    return json_error(409, m);
  return json_error(400, m);
}

Result<json> object_body(const HttpRequest& req) {
  auto j = json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail("the body must be a JSON object");
  return j;
}

Result<std::vector<std::string>> string_list(const json& body, const char* key) {
  std::vector<std::string> out;
  if (!body.contains(key)) return out;
  const json& v = body[key];
  if (!v.is_array()) return fail(fmt::format("{}: expected a list of strings", key));
  for (const auto& x : v) {
    if (!x.is_string()) return fail(fmt::format("{}: expected a list of strings", key));
    out.push_back(x.get<std::string>());
  }
  return out;
}

std::optional<TimeNs> parse_when(const std::string& text) {
  if (text.size() == 10) {
    if (auto d = parse_civil_date(text)) return d;
  }
  return parse_time_any(text);
}

std::string rfc3339(TimeNs t) { return t ? format_rfc3339(t, 0) : std::string(); }

std::optional<std::string> base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == ' ') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding) return std::nullopt;  // data after padding
    int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (bits >= 6 || padding > 2) return std::nullopt;
  return out;
}

json parse_doc(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json(nullptr) : j;
}

}  // namespace case_http

Result<std::unique_ptr<CaseService>> CaseService::open(const CaseServiceOptions& options, CaseServiceDeps deps) {
  std::unique_ptr<CaseService> s(new CaseService());
  s->options_ = options;
  s->deps_ = std::move(deps);
  auto registry = load_registry(options.registry_dir);
  if (!registry) return fail("cases: " + registry.error().message);
  s->registry_ = std::move(*registry);
  s->network_ = std::make_unique<ResponseNetwork>(s->registry_);
  auto db = CaseDb::open(options.data_dir / "cases.db");
  if (!db) return tl::unexpected(db.error());
  s->db_ = std::move(*db);
  s->audit_ = std::make_unique<AuditLog>(*s->db_);
  s->security_ = std::make_unique<SecurityAudit>(*s->db_, *s->audit_);
  // Failed logins, refused sessions, keys and CSRF tokens go to the same chain as case changes.
  if (s->deps_.identity)
    s->deps_.identity->set_security_sink([sec = s->security_.get()](const SecurityEvent& e) { sec->record(e); });
  EvidenceLimits limits;
  limits.max_bytes = options.max_evidence_bytes;
  s->evidence_ = std::make_unique<EvidenceStore>(options.data_dir / "evidence", limits);
  s->systems_ = std::make_unique<SystemRegistry>(*s->db_, *s->audit_, &s->registry_);
  CaseService* self = s.get();
  s->incidents_ = std::make_unique<IncidentManager>(
      *s->db_, *s->audit_, *s->network_, *s->evidence_, SlaPolicy{},
      [self](IncidentSource src, const std::string& ref) { return self->reference_exists(src, ref); });
  s->directives_ = std::make_unique<DirectiveManager>(
      *s->db_, *s->audit_, *s->network_, *s->systems_, *s->evidence_,
      [self](const std::string& cve) { return self->cve_orgs(cve); });
  s->history_ = std::make_unique<ComplianceHistory>(*s->db_, *s->audit_);
  if (!options.compliance_model.empty()) {
    std::ifstream in(options.compliance_model);
    if (!in) return fail(fmt::format("cases.compliance_model: cannot open {}", options.compliance_model.string()));
    std::stringstream text;
    text << in.rdbuf();
    auto weights = ComplianceWeights::from_yaml(text.str());
    if (!weights) return fail(fmt::format("{}: {}", options.compliance_model.string(), weights.error().message));
    s->model_ = ComplianceModel(*weights);
  }
  auto state = options.data_dir / "state.db";
  if (sqlite3_open_v2(state.c_str(), &s->state_ro_, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    sqlite3_close(s->state_ro_);
    s->state_ro_ = nullptr;
  } else {
    sqlite3_busy_timeout(s->state_ro_, 5000);
  }
  if (auto st = s->seed_systems(); !st) return tl::unexpected(st.error());
  return s;
}

CaseService::~CaseService() {
  stop();
  if (state_ro_) sqlite3_close(state_ro_);
}

// The shipped (or configured) systems.yaml is loaded once, at the first start, like the rest of the
// registry; afterwards the API owns the systems.
Status CaseService::seed_systems() {
  {
    std::lock_guard lock(db_->mutex());
    SqlStatement st(db_->handle(), "SELECT value FROM case_counters WHERE name = 'systems-seeded'");
    if (st.step() == SQLITE_ROW) return {};
  }
  std::string text, label = "data/registry/systems.yaml";
  if (!options_.registry_dir.empty()) {
    auto path = options_.registry_dir / "systems.yaml";
    std::ifstream in(path);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      text = ss.str();
      label = path.string();
    }
  } else if (auto it = embedded_registry_files().find("systems.yaml"); it != embedded_registry_files().end()) {
    text = std::string(it->second);
  }
  if (!text.empty() && systems_->list().empty()) {
    auto systems = parse_systems_yaml(text, label, &registry_);
    if (!systems) return fail("cases: " + systems.error().message);
    if (auto st = systems_->import(*systems, "khien-registry", now_ns()); !st) return st;
  }
  CaseDb::Transaction tx(*db_);
  if (!tx.ok()) return fail(tx.error());
  if (auto n = db_->next_counter("systems-seeded"); !n) return tl::unexpected(n.error());
  return tx.commit();
}

bool CaseService::reference_exists(IncidentSource source, const std::string& ref) {
  switch (source) {
    case IncidentSource::alert: {
      if (!deps_.alerts) return false;
      std::int64_t id = 0;
      auto [p, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), id);
      if (ec != std::errc() || p != ref.data() + ref.size()) return false;
      return deps_.alerts->get(id).has_value();
    }
    case IncidentSource::warning: {
      // Warnings live in the early-warning layer's table when it exists; without it no warning id is known.
      std::lock_guard lock(state_mutex_);
      if (!state_ro_) return false;
      SqlStatement st(state_ro_, "SELECT 1 FROM warnings WHERE id = ?");
      if (!st.ok()) return false;
      st.bind(1, ref);
      return st.step() == SQLITE_ROW;
    }
    case IncidentSource::public_report:
      // Public reports have no store yet; the id is kept as given.
      return !ref.empty();
    case IncidentSource::manual:
      return true;
  }
  return false;
}

std::set<std::string> CaseService::cve_orgs(const std::string& cve) {
  std::set<std::string> out;
  if (!deps_.vulns) return out;
  auto d = deps_.vulns->show(cve);
  if (!d) return out;
  for (const auto& o : (*d)["exposure"]["organisations"]) out.insert(o.get<std::string>());
  return out;
}

bool CaseService::authorized(const HttpRequest& req) const {
  std::string auth = req.header("authorization");
  if (auth.size() <= 7 || !(auth.compare(0, 7, "Bearer ") == 0 || auth.compare(0, 7, "bearer ") == 0)) return false;
  std::string h = sha256_hex(auth.substr(7));
  return h.size() == deps_.admin_token_hash.size() &&
         CRYPTO_memcmp(h.data(), deps_.admin_token_hash.data(), h.size()) == 0;
}

Result<TimeNs> CaseService::now_of(const HttpRequest& req) const {
  std::string forced = req.header("x-khien-now");
  if (forced.empty()) return now_ns();
  if (!options_.clock_override)
    return fail("X-Khien-Now is honoured only when the server runs with [cases] clock_override = true (tests)");
  auto t = case_http::parse_when(forced);
  if (!t) return fail(fmt::format("X-Khien-Now: '{}' is not an RFC 3339 time", forced));
  return *t;
}

Admission CaseService::admit(const HttpRequest& req, RoleSet roles) const {
  return khien::admit(deps_.identity, deps_.admin_token_hash, req, roles);
}

bool CaseService::sees_org(const Principal& p, const std::string& org) const {
  if (p.role != Role::sector_cert) return can_see_org(p, org, "");
  const Organisation* o = registry_.find_organisation(org);
  return o && can_see_org(p, org, o->sector);
}

bool CaseService::sees_incident(const Principal& p, const Incident& inc) const {
  if (can_see_org(p, "", "") || p.role == Role::auditor) return true;
  for (const auto& org : inc.affected_orgs)
    if (sees_org(p, org)) return true;
  if (inc.assignee_kind == AssigneeKind::organisation && sees_org(p, inc.assignee)) return true;
  if (inc.assignee_kind == AssigneeKind::sector_cert && p.role == Role::sector_cert && sees_org(p, inc.assignee)) return true;
  return false;
}

void CaseService::check_file_name(const HttpRequest& req, const Principal& principal, const std::string& name) {
  // Names are attacker-chosen: quote only a bounded prefix of them in the record.
  std::string shown = name.substr(0, 120);
  if (auto why = file_name_traversal(name); !why.empty())
    security_->record({"security.path_traversal", principal.user, req.remote_ip,
                       fmt::format("{}: '{}' ({} {})", why, shown, req.method, req.path)});
  else if (name.size() > 255)
    security_->record({"security.input_too_long", principal.user, req.remote_ip,
                       fmt::format("file name of {} bytes ({} {})", name.size(), req.method, req.path)});
}

Result<CaseCaller> CaseService::caller_of(const HttpRequest& req, bool org_scoped) const {
  CaseCaller c;
  std::string org = req.header("x-khien-org"), person = req.header("x-khien-actor");
  auto principal = resolve_principal(deps_.identity, deps_.admin_token_hash, req);
  if (principal && principal->via != AuthVia::admin_token) {
    // A user acts under their own name; an org-soc user acts for their own organisation, and only a
    // national administrator may name another one (acting on its behalf).
    c.actor = principal->user;
    if (!person.empty()) return fail("X-Khien-Actor applies only to the administrator token; users act under their login");
    if (!org_scoped) {
      if (!org.empty()) return fail("X-Khien-Org applies only to acknowledging and completing directives");
      return c;
    }
    if (principal->role == Role::org_soc) {
      if (!org.empty() && org != principal->scope_id)
        return fail(fmt::format("X-Khien-Org: you act for your own organisation '{}'", principal->scope_id));
      c.org = principal->scope_id;
      c.actor = principal->user + "/" + c.org;
      return c;
    }
    if (org.empty()) return fail("name the organisation acted for in the X-Khien-Org header");
    if (!registry_.find_organisation(org)) return fail(fmt::format("X-Khien-Org: unknown organisation '{}'", org));
    c.org = org;
    c.actor = principal->user + "/" + org;
    return c;
  }
  if (!org_scoped) {
    if (!org.empty() || !person.empty())
      return fail("X-Khien-Org and X-Khien-Actor apply only to acknowledging and completing directives");
    return c;
  }
  if (org.empty()) return fail("name the organisation acted for in the X-Khien-Org header");
  if (!registry_.find_organisation(org)) return fail(fmt::format("X-Khien-Org: unknown organisation '{}'", org));
  if (person.size() > 100 || std::any_of(person.begin(), person.end(), [](char ch) {
        return static_cast<unsigned char>(ch) < 0x20 || ch == '/' || ch == 0x7f;
      }))
    return fail("X-Khien-Actor: at most 100 characters, no control characters or '/'");
  c.org = org;
  c.actor = person.empty() ? "admin/" + org : "admin/" + org + "/" + person;
  return c;
}

namespace {

// Critical: in CISA's KEV list or a CVSS base score of 9.0 and above. Khien does not record when a
// system became vulnerable, so a vulnerability's age runs from the CVE's publication.
std::map<std::string, std::vector<OpenVulnerability>> critical_vulnerabilities(VulnService* vulns) {
  std::map<std::string, std::vector<OpenVulnerability>> out;
  if (!vulns) return out;
  json all = vulns->exposure("", "", 0, 100000);
  for (const auto& v : all["vulnerabilities"]) {
    bool kev = v.value("kev", false);
    double cvss = v["cvss"].is_object() ? v["cvss"].value("base_score", 0.0) : 0.0;
    if (!kev && cvss < 9.0) continue;
    TimeNs since = 0;
    if (v["published"].is_string())
      if (auto t = parse_time_any(v["published"].get<std::string>())) since = *t;
    for (const auto& s : v["exposure"]["systems"])
      out[s.value("org", "")].push_back({v.value("id", ""), s.value("system", ""), since});
  }
  return out;
}

}  // namespace

std::vector<ComplianceScore> CaseService::live_scores(TimeNs now) {
  std::map<std::string, TimeNs> seen;
  if (deps_.stats)
    for (const auto& [soc, snap] : deps_.stats->snapshot()) seen[soc] = snap.last_seen;
  // SOCs of the state store: the registry's plus those added with `khien soc add` or the API.
  std::map<std::string, std::vector<std::string>> socs_by_org;
  if (deps_.store)
    for (const auto& s : deps_.store->socs())
      if (!s.revoked) socs_by_org[s.org].push_back(s.id);
  auto vulns = critical_vulnerabilities(deps_.vulns);
  std::vector<ComplianceScore> out;
  for (const auto& o : registry_.organisations) {
    if (o.type == OrganisationType::national_centre) continue;
    auto facts = gather_compliance_facts(o.id, *network_, *systems_, *directives_, *incidents_, seen, vulns, now);
    if (deps_.store) {
      facts.soc_last_seen.clear();
      auto add = [&](const std::string& org) {
        auto it = socs_by_org.find(org);
        if (it == socs_by_org.end()) return;
        for (const auto& id : it->second) {
          auto s = seen.find(id);
          facts.soc_last_seen.emplace_back(id, s == seen.end() ? 0 : s->second);
        }
      };
      add(o.id);
      if (facts.soc_last_seen.empty() && !o.parent.empty()) add(o.parent);
    }
    out.push_back(model_.score(facts, now));
  }
  return out;
}

Result<std::vector<ComplianceScore>> CaseService::period_scores(const std::string& period, TimeNs now, bool& live) {
  live = period.empty() || period == ComplianceHistory::period_of(now);
  if (live) return live_scores(now);
  bool valid = period.size() == 7 && period[4] == '-' &&
               std::all_of(period.begin(), period.end(), [](char c) { return (c >= '0' && c <= '9') || c == '-'; });
  if (!valid) return fail(fmt::format("period '{}': expected YYYY-MM", period));
  auto scores = history_->scores(period);
  if (scores.empty()) {
    std::string known;
    for (const auto& p : history_->periods()) known += (known.empty() ? "" : ", ") + p;
    return fail(fmt::format("unknown compliance period '{}' (stored: {})", period, known.empty() ? "none" : known));
  }
  return scores;
}

std::vector<std::tuple<std::string, std::string, std::int64_t>> CaseService::alerts_by_rule(TimeNs from, TimeNs to,
                                                                                             int limit) {
  std::vector<std::tuple<std::string, std::string, std::int64_t>> out;
  std::lock_guard lock(state_mutex_);
  if (!state_ro_) return out;
  SqlStatement st(state_ro_,
                  "SELECT rule_id, MAX(title), COUNT(*) FROM alerts WHERE time >= ? AND time < ? GROUP BY rule_id "
                  "ORDER BY COUNT(*) DESC, rule_id LIMIT ?");
  if (!st.ok()) return out;
  st.bind(1, from).bind(2, to).bind(3, limit);
  while (st.step() == SQLITE_ROW) out.emplace_back(st.text(0), st.text(1), st.integer(2));
  return out;
}

std::optional<std::vector<std::pair<std::string, std::int64_t>>> CaseService::top_warnings(TimeNs from, TimeNs to,
                                                                                            int limit) {
  std::lock_guard lock(state_mutex_);
  if (!state_ro_) return std::nullopt;
  SqlStatement exists(state_ro_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'warnings'");
  if (exists.step() != SQLITE_ROW) return std::nullopt;
  // The early-warning layer's table: warnings alive in the period, the most severe first, counted by
  // the evidence events that fell inside the period.
  SqlStatement st(state_ro_,
                  "SELECT w.kind, w.key, w.severity, w.document, (SELECT COUNT(*) FROM warning_evidence e WHERE "
                  "e.warning_id = w.id AND e.time >= ? AND e.time < ?) AS n FROM warnings w WHERE w.last_seen >= ? AND "
                  "w.first_seen < ? ORDER BY w.severity_id DESC, n DESC, w.id LIMIT ?");
  if (!st.ok()) return std::nullopt;
  st.bind(1, from).bind(2, to).bind(3, from).bind(4, to).bind(5, limit);
  std::vector<std::pair<std::string, std::int64_t>> out;
  while (st.step() == SQLITE_ROW) {
    auto doc = json::parse(st.text(3), nullptr, false);
    std::string title = doc.is_object() && doc.contains("title") && doc["title"].is_string() ? doc["title"].get<std::string>()
                                                                                            : st.text(0) + " " + st.text(1);
    out.emplace_back(fmt::format("[{}] {}", st.text(2), title), st.integer(4));
  }
  return out;
}

json CaseService::run_checks(TimeNs now) {
  json out{{"time", case_http::rfc3339(now)}, {"sla_breaches", json::array()}, {"directive_escalations", json::array()}};
  if (auto breaches = incidents_->check_sla(now)) {
    for (const auto& b : *breaches)
      out["sla_breaches"].push_back({{"incident", b.incident_id},
                                     {"milestone", to_string(b.milestone)},
                                     {"due", case_http::rfc3339(b.due)},
                                     {"escalation_level", b.escalation_level},
                                     {"escalated_to", b.escalated_to}});
  } else {
    out["errors"].push_back(breaches.error().message);
  }
  if (auto esc = directives_->check_overdue(now)) {
    for (const auto& e : *esc)
      out["directive_escalations"].push_back(
          {{"directive", e.directive_id}, {"org", e.org}, {"level", e.level}, {"escalated_to", e.escalated_to}});
  } else {
    out["errors"].push_back(esc.error().message);
  }
  return out;
}

void CaseService::start() {
  if (options_.check_seconds <= 0) return;
  checker_.start(std::chrono::seconds(options_.check_seconds), [this] { run_periodic_checks(); });
}

void CaseService::stop() { checker_.stop(); }

void CaseService::run_periodic_checks() {
  constexpr std::int64_t kDay = 86400LL * 1000000000LL;
  TimeNs now = now_ns();
  json r = run_checks(now);
  security_->flush();  // the counts of coalesced security events whose minute has ended
  if (!r["sla_breaches"].empty() || !r["directive_escalations"].empty())
    spdlog::info("cases: {} SLA breaches, {} directive escalations", r["sla_breaches"].size(),
                 r["directive_escalations"].size());
  if (r.contains("errors")) spdlog::error("cases: checks: {}", r["errors"].dump());
  // The month's snapshot is refreshed daily so the history holds each month's last state.
  std::string period = ComplianceHistory::period_of(now);
  if (period != snapshot_period_ || now - snapshot_at_ >= kDay) {
    if (auto st = history_->snapshot(period, live_scores(now), "khien-compliance", now); st) {
      snapshot_period_ = period;
      snapshot_at_ = now;
    } else {
      spdlog::error("cases: compliance snapshot: {}", st.error().message);
    }
  }
}

void CaseService::register_routes(Router& router) {
  register_case_system_routes(router, *this);
  register_case_incident_routes(router, *this);
  register_case_directive_routes(router, *this);
  register_case_compliance_routes(router, *this);
  register_case_report_routes(router, *this);
}

}  // namespace khien
