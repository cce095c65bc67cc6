// VulnService: import, persistence and exposure queries over the shipped or configured inventory.
#include "app/vuln_service.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "app/registry_import.h"
#include "cases/system_import.h"
#include "core/ip_address.h"
#include "core/time.h"

namespace khien {

using json = nlohmann::json;

double vulnerability_priority(bool kev, double epss, double cvss, std::size_t orgs, int max_level) {
  double p = (kev ? 40.0 : 0.0) + 25.0 * std::clamp(epss, 0.0, 1.0) + 20.0 * std::clamp(cvss / 10.0, 0.0, 1.0) +
             10.0 * std::min(1.0, static_cast<double>(orgs) / 10.0) + 5.0 * std::clamp(max_level / 5.0, 0.0, 1.0);
  return std::round(p * 10.0) / 10.0;
}

Result<std::unique_ptr<VulnService>> VulnService::open(const std::filesystem::path& data_dir, const std::filesystem::path& systems_file,
                                                       const std::filesystem::path& registry_dir) {
  std::unique_ptr<VulnService> s(new VulnService());
  auto store = VulnStore::open(data_dir / "state.db");
  if (!store) return tl::unexpected(store.error());
  s->store_ = std::move(*store);
  if (auto n = s->store_->load(s->db_); !n) return tl::unexpected(n.error());
  auto findings = FindingStore::open(data_dir / "state.db");
  if (!findings) return tl::unexpected(findings.error());
  s->findings_ = std::move(*findings);
  auto registry = load_registry(registry_dir);
  if (!registry) return tl::unexpected(registry.error());
  s->registry_ = std::move(*registry);
  std::string text;
  std::string label = "data/registry/systems.yaml";
  if (!systems_file.empty()) {
    std::ifstream in(systems_file);
    if (!in) return fail(fmt::format("{}: cannot open", systems_file.string()));
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    label = systems_file.string();
  } else {
    auto it = embedded_registry_files().find("systems.yaml");
    if (it != embedded_registry_files().end()) text = std::string(it->second);
  }
  if (!text.empty()) {
    auto systems = parse_systems_yaml(text, label, &s->registry_);
    if (!systems) return tl::unexpected(systems.error());
    s->set_inventory(*systems);
  }
  s->db_.set_keep_changes(true);
  return s;
}

namespace {

InventoryEntry inventory_entry(const InformationSystem& sys) {
  InventoryEntry e{sys.id, sys.owner, {}};
  for (const auto& c : sys.software)
    if (auto cpe = Cpe::parse(c)) e.cpes.push_back(*cpe);
  return e;
}

}  // namespace

void VulnService::set_inventory(const std::vector<InformationSystem>& systems) {
  std::lock_guard lock(mutex_);
  systems_.clear();
  std::vector<InventoryEntry> inventory;
  inventory.reserve(systems.size());
  for (const auto& sys : systems) {
    systems_[sys.id] = sys;
    inventory.push_back(inventory_entry(sys));
  }
  index_ = ExposureIndex(std::move(inventory));
  facts_.clear();
  for (std::uint32_t position = 0; position < systems.size(); ++position) note_position(position, systems[position]);
  cache_stale_ = true;
}

void VulnService::note_position(std::uint32_t position, const InformationSystem& system) {
  auto [it, added] = org_numbers_.try_emplace(system.owner, static_cast<std::uint32_t>(org_ids_.size()));
  if (added) org_ids_.push_back(system.owner);
  if (facts_.size() <= position) facts_.resize(position + 1);
  facts_[position] = {it->second, system.security_level, system.national_critical};
}

void VulnService::upsert_system(const InformationSystem& system) {
  std::lock_guard lock(mutex_);
  std::vector<Cpe> old_cpes;
  if (auto at = index_.position(system.id)) old_cpes = index_.inventory()[*at].cpes;
  systems_[system.id] = system;
  auto position = index_.upsert(inventory_entry(system));
  note_position(position, system);
  if (!cache_stale_) cache_.update_system(db_, index_, position, old_cpes);
}

void VulnService::remove_system(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto at = index_.position(id);
  if (!at) return;
  std::vector<Cpe> old_cpes = index_.inventory()[*at].cpes;
  systems_.erase(id);
  index_.remove(id);
  if (!cache_stale_) cache_.update_system(db_, index_, *at, old_cpes);
}

const ExposureCache& VulnService::fresh_cache() {
  if (cache_stale_) {
    cache_.rebuild(db_, index_);
    cache_stale_ = false;
  }
  return cache_;
}

std::vector<std::uint32_t> VulnService::exposed_positions(const std::string& cve) {
  const auto* positions = fresh_cache().exposed(cve);
  return positions ? *positions : std::vector<std::uint32_t>{};
}

Result<json> VulnService::apply_report(const ImportReport& r, const std::string& origin, std::vector<WideVulnerability>& wide) {
  if (auto st = store_->apply(r.changes); !st) return tl::unexpected(st.error());
  // Only NVD and CVE JSON 5 parts carry configurations; KEV and EPSS leave exposure as it was.
  if (!cache_stale_ && (r.kind == FeedKind::nvd || r.kind == FeedKind::cve5)) {
    cache_.update_cves(db_, index_, r.added_ids);
    cache_.update_cves(db_, index_, r.changed_ids);
    cache_.update_cves(db_, index_, r.removed_ids);
  }
  json rejections = json::array();
  for (const auto& rej : r.rejections) rejections.push_back(json{{"id", rej.record_id}, {"reason", rej.reason}});
  // Newly exploited (a KEV addition) or newly published critical CVEs are checked for breadth.
  json wide_ids = json::array();
  for (const auto& id : r.added_ids) {
    const VulnRecord* rec = db_.find(id);
    if (!rec) continue;
    const CvssScore* cvss = rec->cvss40() ? rec->cvss40() : rec->cvss31();
    bool newly_exploited = r.kind == FeedKind::kev;
    bool critical = cvss && cvss->base_score >= 9.0 && (r.kind == FeedKind::nvd || r.kind == FeedKind::cve5);
    if (!newly_exploited && !critical) continue;
    json d = describe(*rec, exposed_positions(id));
    const auto& ex = d["exposure"];
    bool national_critical = ex["national_critical"].get<bool>();
    if (!national_critical && ex["organisations"].size() < wide_min_orgs_) continue;
    WideVulnerability w;
    w.cve = id;
    w.kev = rec->in_kev();
    w.national_critical = national_critical;
    w.priority = d["priority"].get<double>();
    w.orgs = ex["organisations"].get<std::vector<std::string>>();
    w.sectors = ex["sectors"].get<std::vector<std::string>>();
    w.provinces = ex["provinces"].get<std::vector<std::string>>();
    w.description = std::move(d);
    wide_ids.push_back(id);
    wide.push_back(std::move(w));
  }
  return json{{"file", origin}, {"kind", feed_kind_name(r.kind)}, {"records", r.records}, {"added", r.added},
              {"changed", r.changed}, {"unchanged", r.unchanged}, {"removed", r.removed}, {"rejected", r.rejected},
              {"rejections", rejections}, {"notes", r.notes}, {"wide_scale", wide_ids}};
}

void VulnService::announce(const std::vector<WideVulnerability>& wide) {
  std::function<void(const WideVulnerability&)> handler;
  {
    std::lock_guard lock(mutex_);
    handler = on_wide_;
  }
  if (!handler) return;
  for (const auto& w : wide) handler(w);
}

void VulnService::set_wide_vulnerability_handler(std::function<void(const WideVulnerability&)> handler, std::size_t min_orgs) {
  std::lock_guard lock(mutex_);
  on_wide_ = std::move(handler);
  wide_min_orgs_ = std::max<std::size_t>(1, min_orgs);
}

Result<json> VulnService::import_files(const std::vector<std::filesystem::path>& files) {
  json reports = json::array();
  std::vector<WideVulnerability> wide;
  {
    std::lock_guard lock(mutex_);
    for (const auto& f : files) {
      auto r = db_.import_path(f);
      if (!r) return fail(fmt::format("{}: {}", f.string(), r.error().message));
      auto report = apply_report(*r, f.string(), wide);
      if (!report) return tl::unexpected(report.error());
      reports.push_back(std::move(*report));
    }
  }
  announce(wide);
  return reports;
}

Result<json> VulnService::import_text(std::string_view text, const std::string& origin) {
  std::vector<WideVulnerability> wide;
  json report;
  {
    std::lock_guard lock(mutex_);
    auto r = db_.import_any(text, origin);
    if (!r) return tl::unexpected(r.error());
    auto applied = apply_report(*r, origin, wide);
    if (!applied) return tl::unexpected(applied.error());
    report = std::move(*applied);
  }
  announce(wide);
  return report;
}

json VulnService::describe(const VulnRecord& rec, const std::vector<std::uint32_t>& positions, std::size_t max_systems) const {
  // Breadth from every exposed system (through the position facts); the matched CPEs, which need the
  // configurations evaluated again, only for the systems listed.
  std::vector<std::uint32_t> org_numbers;
  int max_level = 0;
  bool critical = false;
  json systems = json::array();
  for (std::size_t i = 0; i < positions.size(); ++i) {
    const PositionFacts& f = facts_[positions[i]];
    org_numbers.push_back(f.org);
    max_level = std::max(max_level, f.security_level);
    critical = critical || f.national_critical;
    if (i >= max_systems) continue;
    ExposedSystem e = index_.describe(rec.configurations(), positions[i]);
    auto found = systems_.find(e.system_id);
    const InformationSystem* sys = found == systems_.end() ? nullptr : &found->second;
    const Organisation* o = registry_.find_organisation(e.org);
    systems.push_back({{"system", e.system_id}, {"name", sys ? sys->name : ""}, {"org", e.org}, {"sector", o ? o->sector : ""},
                       {"province", o ? o->province : ""}, {"security_level", f.security_level},
                       {"national_critical", f.national_critical}, {"vulnerable_cpes", e.vulnerable_cpes},
                       {"platform_cpes", e.platform_cpes}});
  }
  std::sort(org_numbers.begin(), org_numbers.end());
  org_numbers.erase(std::unique(org_numbers.begin(), org_numbers.end()), org_numbers.end());
  std::set<std::string> orgs, sectors, provinces;
  for (auto n : org_numbers) {
    orgs.insert(org_ids_[n]);
    if (const Organisation* o = registry_.find_organisation(org_ids_[n])) {
      if (!o->sector.empty()) sectors.insert(o->sector);
      if (!o->province.empty()) provinces.insert(o->province);
    }
  }
  const CvssScore* cvss = rec.cvss40() ? rec.cvss40() : rec.cvss31();
  double epss = rec.epss ? rec.epss->epss : 0.0;
  json out{{"id", rec.id},
           {"description", rec.description()},
           {"published", rec.published()},
           {"kev", rec.in_kev()},
           {"epss", rec.epss ? json(rec.epss->epss) : json(nullptr)},
           {"cvss", cvss ? json{{"version", cvss->version}, {"base_score", cvss->base_score}, {"vector", cvss->vector}} : json(nullptr)},
           {"cwes", rec.cwes()},
           {"exposure", {{"systems", systems},
                         {"system_count", positions.size()},
                         {"organisations", orgs},
                         {"sectors", sectors},
                         {"provinces", provinces},
                         {"national_critical", critical},
                         {"max_security_level", max_level}}},
           {"priority", vulnerability_priority(rec.in_kev(), epss, cvss ? cvss->base_score : 0.0, orgs.size(), max_level)}};
  return out;
}

std::optional<json> VulnService::show(const std::string& cve) {
  std::lock_guard lock(mutex_);
  const VulnRecord* rec = db_.find(cve);
  if (!rec) return std::nullopt;
  return describe(*rec, exposed_positions(cve));
}

std::pair<std::size_t, std::size_t> VulnService::exposure_counts() {
  std::lock_guard lock(mutex_);
  std::size_t pairs = 0;
  fresh_cache().for_each([&](const std::string&, const std::vector<std::uint32_t>& positions) { pairs += positions.size(); });
  return {cache_.size(), pairs};
}

json VulnService::exposure(const std::string& sector, const std::string& province, double min_priority, std::size_t limit) {
  std::lock_guard lock(mutex_);
  // Filters and priority come from the systems alone; only the rows returned are described in full.
  struct Row {
    const VulnRecord* rec;
    const std::vector<std::uint32_t>* positions;
    double priority;
  };
  std::vector<Row> rows;
  // Per organisation number: whether it is in the requested sector and province; and the last CVE
  // that counted it, so each CVE counts its distinct organisations without a set.
  std::vector<char> in_sector(org_ids_.size()), in_province(org_ids_.size());
  for (std::size_t i = 0; i < org_ids_.size(); ++i) {
    const Organisation* o = registry_.find_organisation(org_ids_[i]);
    in_sector[i] = sector.empty() || (o && o->sector == sector);
    in_province[i] = province.empty() || (o && o->province == province);
  }
  std::vector<std::uint32_t> counted_for(org_ids_.size(), 0);
  std::uint32_t cve_number = 0;
  fresh_cache().for_each([&](const std::string& id, const std::vector<std::uint32_t>& positions) {
    const VulnRecord* rec = db_.find(id);
    if (!rec) return;
    ++cve_number;
    std::size_t orgs = 0;
    int max_level = 0;
    bool sector_seen = false, province_seen = false;
    for (auto position : positions) {
      const PositionFacts& f = facts_[position];
      max_level = std::max(max_level, f.security_level);
      if (counted_for[f.org] == cve_number) continue;
      counted_for[f.org] = cve_number;
      ++orgs;
      sector_seen = sector_seen || in_sector[f.org];
      province_seen = province_seen || in_province[f.org];
    }
    if (!sector_seen || !province_seen) return;
    const CvssScore* cvss = rec->cvss40() ? rec->cvss40() : rec->cvss31();
    double priority = vulnerability_priority(rec->in_kev(), rec->epss ? rec->epss->epss : 0.0, cvss ? cvss->base_score : 0.0,
                                             orgs, max_level);
    if (priority < min_priority) return;
    rows.push_back({rec, &positions, priority});
  });
  auto order = [](const Row& a, const Row& b) { return a.priority != b.priority ? a.priority > b.priority : a.rec->id < b.rec->id; };
  std::size_t shown = std::min(limit, rows.size());
  std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(shown), rows.end(), order);
  json out = json::array();
  for (std::size_t i = 0; i < shown; ++i) out.push_back(describe(*rows[i].rec, *rows[i].positions, kListedSystems));
  return json{{"vulnerabilities", out}, {"total", out.size()}};
}

Result<json> VulnService::import_scan(std::string_view text, std::string_view format, std::string scanner) {
  auto report = read_scan_report(text, format);
  if (!report) return tl::unexpected(report.error());
  if (scanner.empty()) scanner = report->format;
  std::lock_guard lock(mutex_);
  std::vector<AttributedService> attributed;
  std::size_t unattributed = 0;
  std::vector<InventoryEntry> inventory;
  for (auto& s : report->services) {
    auto ip = IpAddress::parse(s.ip);
    auto org = ip ? registry_.org_for_address(*ip) : std::nullopt;
    if (!org) {
      ++unattributed;
      continue;
    }
    AttributedService a{s, *org, s.cves};
    InventoryEntry e{std::to_string(attributed.size()), *org, {}};
    for (const auto& c : s.cpes)
      if (auto cpe = Cpe::parse(c)) e.cpes.push_back(*cpe);
    if (!e.cpes.empty()) inventory.push_back(std::move(e));
    attributed.push_back(std::move(a));
  }
  // The scanned services are an inventory of their own: the same applicability rules as systems.
  ExposureIndex scanned(std::move(inventory));
  for (auto& [cve, exposed] : scanned.exposure_all(db_)) {
    for (const auto& e : exposed) {
      auto& cves = attributed[std::stoul(e.system_id)].cves;
      if (std::find(cves.begin(), cves.end(), cve) == cves.end()) cves.push_back(cve);
    }
  }
  std::size_t vulnerable = 0;
  for (auto& a : attributed) {
    std::sort(a.cves.begin(), a.cves.end());
    vulnerable += a.cves.empty() ? 0 : 1;
  }
  std::int64_t when = report->started_us ? report->started_us : now_ns() / 1000;
  auto outcome = findings_->record_scan(scanner, *report, attributed, when, unattributed);
  if (!outcome) return tl::unexpected(outcome.error());
  return json{{"scan", outcome->scan_id},       {"scanner", scanner},
              {"format", report->format},       {"hosts", report->hosts.size()},
              {"services", report->services.size()}, {"vulnerable", vulnerable},
              {"unattributed", unattributed},   {"opened", outcome->opened},
              {"updated", outcome->updated},    {"closed", outcome->closed},
              {"notifications", outcome->notifications}, {"errors", report->errors}};
}

json VulnService::findings(const FindingQuery& q) {
  std::lock_guard lock(mutex_);
  std::int64_t now_us = now_ns() / 1000;
  json rows = json::array();
  for (const auto& f : findings_->findings(q)) {
    std::int64_t end = f.closed_us ? f.closed_us : now_us;
    rows.push_back({{"id", f.id}, {"scanner", f.scanner}, {"org", f.org}, {"ip", f.ip}, {"port", f.port}, {"protocol", f.protocol},
                    {"service", f.service}, {"product", f.product}, {"version", f.version}, {"evidence", f.evidence},
                    {"cves", f.cves}, {"state", f.closed_us ? "closed" : "open"}, {"first_seen", format_rfc3339((f.first_seen_us) * 1000, 0)},
                    {"last_seen", format_rfc3339((f.last_seen_us) * 1000, 0)}, {"closed", f.closed_us ? json(format_rfc3339((f.closed_us) * 1000, 0)) : json(nullptr)},
                    {"age_days", static_cast<double>(end - f.first_seen_us) / 86400e6}});
  }
  json out{{"findings", rows}};
  if (!q.org.empty()) {
    double mean = findings_->mean_remediation_seconds(q.org);
    out["mean_remediation_seconds"] = mean < 0 ? json(nullptr) : json(mean);
  }
  return out;
}

std::string VulnService::findings_csv(const FindingQuery& q) {
  auto quote = [](const std::string& v) {
    std::string o = "\"";
    for (char c : v) o += c == '"' ? std::string("\"\"") : std::string(1, c);
    return o + "\"";
  };
  std::string out = "id,state,org,ip,port,protocol,service,product,version,cves,first_seen,last_seen,closed,scanner\n";
  json all = findings(q);
  for (const auto& f : all["findings"]) {
    std::string cves;
    for (const auto& c : f["cves"]) cves += (cves.empty() ? "" : " ") + c.get<std::string>();
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", f["id"].get<std::int64_t>(), f["state"].get<std::string>(),
                       quote(f["org"]), f["ip"].get<std::string>(), f["port"].get<int>(), f["protocol"].get<std::string>(),
                       quote(f["service"]), quote(f["product"]), quote(f["version"]), quote(cves), f["first_seen"].get<std::string>(),
                       f["last_seen"].get<std::string>(), f["closed"].is_null() ? "" : f["closed"].get<std::string>(), quote(f["scanner"]));
  }
  return out;
}

json VulnService::notifications(const std::string& org, std::size_t limit) {
  std::lock_guard lock(mutex_);
  json rows = json::array();
  for (const auto& n : findings_->notifications(org, limit)) {
    json body = json::parse(n.body_json, nullptr, false);
    rows.push_back({{"id", n.id}, {"org", n.org}, {"scan", n.scan_id}, {"created", format_rfc3339((n.created_us) * 1000, 0)}, {"body", body}});
  }
  return json{{"notifications", rows}};
}

}  // namespace khien
