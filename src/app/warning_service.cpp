// Warning service: detector wiring, warning documents, routes, server-sent events and the picture.
#include "app/warning_service.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "app/registry_import.h"
#include "cases/system_import.h"
#include "core/metrics.h"

namespace khien {

namespace {

using json = nlohmann::json;
constexpr TimeNs kSecond = 1'000'000'000;
constexpr TimeNs kPane = 300 * kSecond;
constexpr TimeNs kPictureSpan = 24 * 3600 * kSecond;

json warning_json(const Warning& w) {
  json orgs = json::array();
  for (const auto& [org, n] : w.orgs) orgs.push_back({{"org", org}, {"alerts", n}});
  json keys = json::array();
  for (const auto& k : w.keys) keys.push_back({{"kind", campaign_kind_name(k.kind)}, {"value", k.value}, {"routing", k.routing}});
  json out{{"id", w.id},
              {"kind", campaign_kind_name(w.kind)},
              {"key", w.key},
              {"title", w.title},
              {"severity", w.severity},
              {"severity_id", w.severity_id},
              {"score", w.score},
              {"active", w.active},
              {"first_seen", format_rfc3339(w.first_seen, 3)},
              {"last_seen", format_rfc3339(w.last_seen, 3)},
              {"updated", format_rfc3339(w.updated, 3)},
              {"first_seen_ns", w.first_seen},
              {"last_seen_ns", w.last_seen},
              {"window", format_duration(w.window)},
              {"alert_count", w.alert_count},
              {"org_count", w.orgs.size()},
              {"sector_count", w.sectors.size()},
              {"province_count", w.provinces.size()},
              {"organisations", orgs},
              {"sectors", w.sectors},
              {"provinces", w.provinces},
              {"max_sector_criticality", w.max_criticality},
              {"max_security_level", w.max_security_level},
              {"keys", keys},
              // A campaign warning goes to the organisations and sectors it names, so AMBER.
              {"tlp", "amber"},
              // Shown at once; until it settles it may still be merged into an older warning,
              // and its notifications wait (docs/WARNINGS.md).
              {"settling", !w.settled},
              {"version", w.version}};
  if (w.merged_into != 0) out["merged_into"] = w.merged_into;
  return out;
}

std::optional<Warning> warning_from_json(const json& d) {
  if (!d.is_object()) return std::nullopt;
  Warning w;
  auto kind = parse_campaign_kind(d.value("kind", ""));
  if (!kind) return std::nullopt;
  w.id = d.value("id", std::int64_t{0});
  w.kind = *kind;
  w.key = d.value("key", "");
  w.title = d.value("title", "");
  w.severity = d.value("severity", "");
  w.severity_id = d.value("severity_id", 3);
  w.score = d.value("score", 0);
  w.active = d.value("active", true);
  w.first_seen = d.value("first_seen_ns", TimeNs{0});
  w.last_seen = d.value("last_seen_ns", TimeNs{0});
  if (auto st = parse_duration(d.value("window", "1h"), w.window); !st) w.window = 3600 * kSecond;
  w.alert_count = d.value("alert_count", std::uint64_t{0});
  w.version = d.value("version", std::uint64_t{0});
  w.settled = !d.value("settling", false);
  w.merged_into = d.value("merged_into", std::int64_t{0});
  for (const auto& o : d.value("organisations", json::array())) w.orgs[o.value("org", "")] = o.value("alerts", std::uint64_t{1});
  for (const auto& s : d.value("sectors", json::array())) w.sectors.insert(s.get<std::string>());
  for (const auto& s : d.value("provinces", json::array())) w.provinces.insert(s.get<std::string>());
  w.max_criticality = d.value("max_sector_criticality", 0);
  w.max_security_level = d.value("max_security_level", 0);
  for (const auto& k : d.value("keys", json::array())) {
    auto kk = parse_campaign_kind(k.value("kind", ""));
    if (kk) w.keys.push_back(WarningKey{*kk, k.value("value", ""), k.value("routing", true)});
  }
  return w;
}

WarningRecord to_record(const Warning& w) {
  WarningRecord r;
  r.id = w.id;
  r.kind = std::string(campaign_kind_name(w.kind));
  r.key = w.key;
  r.severity = w.severity;
  r.severity_id = w.severity_id;
  r.active = w.active;
  r.first_seen = w.first_seen;
  r.last_seen = w.last_seen;
  r.updated = w.updated;
  r.sectors.assign(w.sectors.begin(), w.sectors.end());
  for (const auto& [org, n] : w.orgs) r.orgs.push_back(org);
  r.merged_into = w.merged_into;
  r.document = warning_json(w).dump();
  return r;
}

HttpResponse json_response(const json& j) {
  HttpResponse r;
  r.body = j.dump();
  return r;
}

bool parse_int(const std::string& text, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
  if (text.empty()) return true;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= lo && out <= hi;
}

std::string source_ip(const json& e) {
  auto it = e.find("src_endpoint.ip");
  return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string field_text(const json& e, const char* name) {
  auto it = e.find(name);
  if (it == e.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  return {};
}

}  // namespace

Status parse_warning_thresholds(std::string_view text, CampaignOptions& options) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',' || text[i] == ';')) ++i;
    if (i >= text.size()) break;
    std::size_t end = i;
    while (end < text.size() && text[end] != ' ' && text[end] != ',' && text[end] != ';') ++end;
    std::string_view item = text.substr(i, end - i);
    i = end;
    auto eq = item.find('=');
    if (eq == std::string_view::npos) return fail(fmt::format("warnings.thresholds: '{}': expected kind=orgs/sectors/window or kind=off", item));
    auto kind = parse_campaign_kind(item.substr(0, eq));
    if (!kind)
      return fail(fmt::format("warnings.thresholds: unknown kind '{}' (indicator, cve, hash, domain, ip, asn, sigma)", item.substr(0, eq)));
    std::string_view v = item.substr(eq + 1);
    KindThreshold& t = options[*kind];
    if (v == "off") {
      t.enabled = false;
      continue;
    }
    auto s1 = v.find('/'), s2 = v.find('/', s1 == std::string_view::npos ? v.size() : s1 + 1);
    if (s1 == std::string_view::npos || s2 == std::string_view::npos)
      return fail(fmt::format("warnings.thresholds: '{}': expected orgs/sectors/window, e.g. 3/2/1h", item));
    std::int64_t orgs = 0, sectors = 0;
    if (!parse_int(std::string(v.substr(0, s1)), 1, 100000, orgs) || s1 == 0)
      return fail(fmt::format("warnings.thresholds: '{}': organisations must be a whole number >= 1", item));
    if (!parse_int(std::string(v.substr(s1 + 1, s2 - s1 - 1)), 1, 1000, sectors) || s2 == s1 + 1)
      return fail(fmt::format("warnings.thresholds: '{}': sectors must be a whole number >= 1", item));
    TimeNs window = 0;
    if (auto st = parse_duration(v.substr(s2 + 1), window); !st) return fail(fmt::format("warnings.thresholds: '{}': {}", item, st.error().message));
    t = KindThreshold{true, static_cast<std::uint32_t>(orgs), static_cast<std::uint32_t>(sectors), window};
  }
  return {};
}

std::string format_warning_thresholds(const CampaignOptions& options) {
  std::string out;
  for (std::size_t i = 0; i < kCampaignKinds; ++i) {
    const auto& t = options.kinds[i];
    if (!out.empty()) out += ' ';
    out += t.enabled ? fmt::format("{}={}/{}/{}", campaign_kind_name(static_cast<CampaignKind>(i)), t.min_orgs, t.min_sectors, format_duration(t.window))
                     : fmt::format("{}=off", campaign_kind_name(static_cast<CampaignKind>(i)));
  }
  return out;
}

Result<std::unique_ptr<WarningService>> WarningService::open(const std::filesystem::path& data_dir, CampaignOptions options,
                                                             const std::filesystem::path& registry_dir) {
  std::unique_ptr<WarningService> s(new WarningService());
  auto store = WarningStore::open(data_dir / "state.db");
  if (!store) return tl::unexpected(store.error());
  s->store_ = std::move(*store);
  CampaignContext ctx;
  auto registry = load_registry(registry_dir);
  if (!registry) return fail("warnings: registry: " + registry.error().message);
  for (const auto& sec : registry->sectors) ctx.sector_criticality[sec.id] = sec.criticality;
  for (const auto& o : registry->organisations) {
    s->places_[o.id] = OrgPlace{o.sector, o.province};
    for (const auto& r : o.ip_ranges) ctx.member_ranges.push_back(r);
    for (const auto& d : o.domains) ctx.member_domains.push_back(d);
  }
  // Security levels of the members' information systems (Decree 85/2016), from the registry's systems.yaml.
  std::string systems_text;
  if (!registry_dir.empty() && std::filesystem::exists(registry_dir / "systems.yaml")) {
    std::ifstream in(registry_dir / "systems.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    systems_text = ss.str();
  } else if (auto it = embedded_registry_files().find("systems.yaml"); it != embedded_registry_files().end()) {
    systems_text = std::string(it->second);
  }
  if (!systems_text.empty()) {
    auto systems = parse_systems_yaml(systems_text, "systems.yaml", &*registry);
    if (systems) {
      for (const auto& sys : *systems) ctx.org_security_level[sys.owner] = std::max(ctx.org_security_level[sys.owner], sys.security_level);
    } else {
      spdlog::warn("warnings: security levels unknown: {}", systems.error().message);
    }
  }
  s->detector_ = std::make_unique<CampaignDetector>(std::move(options), std::move(ctx));
  std::vector<Warning> active;
  for (const auto& r : s->store_->active()) {
    auto w = warning_from_json(json::parse(r.document, nullptr, false));
    if (w) {
      w->evidence_count = s->store_->evidence_count(w->id);
      active.push_back(std::move(*w));
    }
  }
  s->detector_->restore(std::move(active), s->store_->max_id() + 1);
  auto make_top = [] { return SpaceSaving(64); };
  s->top_ips_ = std::make_unique<SlidingWindow<SpaceSaving>>(kPictureSpan, kPictureSpan / kPane, make_top);
  s->top_asns_ = std::make_unique<SlidingWindow<SpaceSaving>>(kPictureSpan, kPictureSpan / kPane, make_top);
  s->top_countries_ = std::make_unique<SlidingWindow<SpaceSaving>>(kPictureSpan, kPictureSpan / kPane, make_top);
  auto* raw = s.get();
  s->hourly_ = std::make_unique<TumblingWindow<std::map<std::string, std::uint64_t>>>(
      3600 * kSecond, [raw](TimeNs start, const std::map<std::string, std::uint64_t>& counts) {
        // Every sector seen so far gets this hour's count, zero included: a quiet hour is data.
        for (const auto& [sector, n] : counts) {
          raw->sector_seasonal_.try_emplace(sector);
          raw->sector_ewma_.try_emplace(sector, EwmaBaseline(0.2, 3));
        }
        for (auto& [sector, b] : raw->sector_seasonal_) {
          auto it = counts.find(sector);
          double n = it == counts.end() ? 0.0 : static_cast<double>(it->second);
          b.observe(start, n);
          raw->sector_ewma_[sector].observe(n);
        }
      });
  return s;
}

WarningService::~WarningService() { stop(); }

void WarningService::start() {
  ticker_.start(std::chrono::seconds(1), [this] { tick(now_ns()); });
}

void WarningService::stop() {
  {
    std::lock_guard lock(events_mutex_);
    stopping_ = true;  // ends the open event streams
  }
  events_cv_.notify_all();
  ticker_.stop();
}

void WarningService::on_alerts(const std::vector<Alert>& alerts) {
  std::lock_guard lock(mutex_);
  detector_->observe(alerts);
  for (const auto& a : alerts) {
    if (auto* h = hourly_->at(a.time); h && !a.sector.empty()) ++(*h)[a.sector];
    auto e = json::parse(a.event_json, nullptr, false);
    if (!e.is_object()) continue;
    if (auto ip = source_ip(e); !ip.empty())
      if (auto* t = top_ips_->at(a.time)) t->offer(ip);
    if (auto asn = field_text(e, "src_endpoint.autonomous_system.number"); !asn.empty())
      if (auto* t = top_asns_->at(a.time)) t->offer(asn);
    if (auto c = field_text(e, "src_endpoint.location.country"); !c.empty())
      if (auto* t = top_countries_->at(a.time)) t->offer(c);
  }
  last_alert_wall_ = now_ns();
  flush_locked();
}

void WarningService::tick(TimeNs wall_now) {
  std::lock_guard lock(mutex_);
  if (detector_->clock() == 0) return;
  // Stream time moves with the wall clock while no alert arrives, so a campaign that stops goes quiet.
  TimeNs now = detector_->clock() + std::max<TimeNs>(0, wall_now - last_alert_wall_);
  detector_->expire(now);
  hourly_->advance(now);
  flush_locked();
}

void WarningService::flush_locked() {
  static Counter& raised = Metrics::instance().counter("khien_warnings_changes_total", "Warnings created, updated or closed");
  for (auto& w : detector_->take_changes()) {
    std::vector<WarningEvidenceRow> evidence;
    for (const auto& e : w.pending_evidence) evidence.push_back(WarningEvidenceRow{e.event_seq, e.time, e.org});
    WarningRecord r = to_record(w);
    if (auto st = store_->upsert(r, evidence); !st) spdlog::error("warnings: {}", st.error().message);
    raised.add();
    if (w.version == 1) spdlog::info("warning {}: {}", w.id, w.title);
    if (w.merged_into != 0) spdlog::info("warning {} merged into warning {} while it settled", w.id, w.merged_into);
    publish("warning", r.document);
  }
}

Result<std::int64_t> WarningService::raise_external(const ExternalWarning& x) {
  std::lock_guard lock(mutex_);
  auto existing = store_->find(x.kind, x.key);
  WarningRecord r;
  r.id = existing ? existing->id : detector_->allocate_id();
  r.kind = x.kind;
  r.key = x.key;
  r.severity = x.severity;
  r.severity_id = x.severity_id;
  r.active = x.active;
  r.first_seen = existing ? existing->first_seen : x.time;
  r.last_seen = x.time;
  r.updated = now_ns();
  r.sectors = x.sectors;
  r.orgs = x.orgs;
  r.tlp = x.tlp;
  r.recipients = x.recipients;
  std::uint64_t version = 1;
  if (existing) {
    json old = json::parse(existing->document, nullptr, false);
    if (old.is_object()) version = old.value("version", std::uint64_t{0}) + 1;
  }
  json orgs = json::array();
  for (const auto& o : x.orgs) orgs.push_back({{"org", o}});
  json doc{{"id", r.id},
           {"kind", r.kind},
           {"key", r.key},
           {"title", x.title},
           {"severity", r.severity},
           {"severity_id", r.severity_id},
           {"active", r.active},
           {"first_seen", format_rfc3339(r.first_seen, 3)},
           {"last_seen", format_rfc3339(r.last_seen, 3)},
           {"updated", format_rfc3339(r.updated, 3)},
           {"first_seen_ns", r.first_seen},
           {"last_seen_ns", r.last_seen},
           {"org_count", x.orgs.size()},
           {"sector_count", x.sectors.size()},
           {"province_count", x.provinces.size()},
           {"organisations", orgs},
           {"sectors", x.sectors},
           {"provinces", x.provinces},
           {"details", x.details},
           {"tlp", r.tlp},
           {"version", version}};
  if (!x.recipients.empty()) doc["recipients"] = x.recipients;
  r.document = doc.dump();
  if (auto st = store_->upsert(r, {}); !st) return tl::unexpected(st.error());
  if (version == 1) spdlog::info("warning {}: {}", r.id, x.title);
  publish("warning", r.document);
  return r.id;
}

void WarningService::publish(const std::string& event, const std::string& data) {
  if (event == "warning")
    for (const auto& listener : listeners_) listener(data);
  {
    std::lock_guard lock(events_mutex_);
    const std::uint64_t n = next_event_++;
    events_.emplace_back(n, fmt::format("id: {}\nevent: {}\ndata: {}\n\n", n, event, data));
    while (events_.size() > 1024) events_.pop_front();
  }
  events_cv_.notify_all();
}

std::string WarningService::frame_for(const WarningViewer& viewer, const std::string& frame) const {
  if (viewer.national()) return frame;
  // A frame is "[id: n\n]event: warning\ndata: {json}\n\n"; the data line is re-written for the viewer.
  auto data = frame.find("data: ");
  if (data == std::string::npos) return {};
  auto end = frame.find('\n', data);
  json doc = json::parse(frame.substr(data + 6, end == std::string::npos ? std::string::npos : end - data - 6), nullptr, false);
  if (!warning_visible(viewer, doc)) return {};
  return frame.substr(0, data) + "data: " + warning_for_viewer(viewer, std::move(doc), places_).dump() + "\n\n";
}

void WarningService::register_routes(Router& router, Admit admit) {
  router.add("GET", "/api/v1/warnings/stream", [this, admit](HttpRequest& req) {
    auto a = admit(req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    const WarningViewer viewer = WarningViewer::of(*a.principal);
    std::int64_t heartbeat = 15;
    if (!parse_int(req.param("heartbeat"), 1, 300, heartbeat)) return json_error(400, "parameter 'heartbeat': expected 1..300 seconds");
    HttpResponse r;
    r.content_type = "text/event-stream";
    r.stream = [this, heartbeat, viewer](ResponseStream& out) {
      // First the active warnings as they are now, then every change as it happens.
      std::uint64_t seen;
      {
        std::lock_guard lock(events_mutex_);
        seen = next_event_ - 1;
      }
      std::vector<std::string> snapshot;
      {
        // Campaign warnings as the detector holds them (a change may still be settling); the
        // other kinds (vulnerabilities, SOC health), raised from outside, as the store holds them.
        std::lock_guard lock(mutex_);
        for (const auto* w : detector_->active()) snapshot.push_back(fmt::format("event: warning\ndata: {}\n\n", warning_json(*w).dump()));
        for (const auto& r : store_->active())
          if (!parse_campaign_kind(r.kind)) snapshot.push_back(fmt::format("event: warning\ndata: {}\n\n", r.document));
      }
      if (!out.write("retry: 3000\n\n")) return;
      for (const auto& s : snapshot)
        if (auto shown = frame_for(viewer, s); !shown.empty() && !out.write(shown)) return;
      auto last_write = std::chrono::steady_clock::now();  // of the last heartbeat
      while (out.open()) {
        std::vector<std::string> pending;
        {
          std::unique_lock lock(events_mutex_);
          events_cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stopping_ || next_event_ - 1 > seen; });
          if (stopping_) return;
          for (const auto& [n, text] : events_)
            if (n > seen) pending.push_back(text);
          seen = next_event_ - 1;
        }
        for (const auto& p : pending)
          if (auto shown = frame_for(viewer, p); !shown.empty() && !out.write(shown)) return;
        // Heartbeats keep their rhythm even while warnings flow, so a client can tell a dead
        // connection from a quiet one by the clock alone.
        if (std::chrono::steady_clock::now() - last_write >= std::chrono::seconds(heartbeat)) {
          if (!out.write(fmt::format(": heartbeat {}\n\n", format_rfc3339(now_ns(), 0)))) return;
          last_write = std::chrono::steady_clock::now();
        }
      }
    };
    return r;
  });

  router.add("GET", "/api/v1/warnings", [this, admit](HttpRequest& req) {
    auto a = admit(req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    const WarningViewer viewer = WarningViewer::of(*a.principal);
    WarningQuery q;
    std::string active = req.param("active");
    if (active == "true" || active == "1") q.active = true;
    else if (active == "false" || active == "0") q.active = false;
    else if (!active.empty()) return json_error(400, "parameter 'active': expected true or false");
    q.kind = req.param("kind");
    if (!q.kind.empty() && !parse_campaign_kind(q.kind) && q.kind != "soc-health" && q.kind != "vulnerability")
      return json_error(400, fmt::format("parameter 'kind': '{}' is not one of indicator, cve, hash, domain, ip, asn, sigma, soc-health, vulnerability", q.kind));
    q.sector = req.param("sector");
    std::int64_t limit = 100, cursor = 0;
    if (!parse_int(req.param("limit"), 1, 1000, limit)) return json_error(400, "parameter 'limit': expected 1..1000");
    if (!parse_int(req.param("cursor"), 1, INT64_MAX, cursor)) return json_error(400, "parameter 'cursor': pass next_cursor back unchanged");
    q.limit = static_cast<std::size_t>(limit);
    q.before_id = cursor;
    narrow_warning_query(viewer, q);
    auto page = store_->query(q);
    if (!page) return json_error(500, page.error().message);
    json list = json::array();
    for (const auto& w : page->warnings)
      list.push_back(warning_for_viewer(viewer, json::parse(w.document, nullptr, false), places_));
    return json_response({{"warnings", list},
                          {"total", page->total},
                          {"next_cursor", page->next_before_id ? json(std::to_string(page->next_before_id)) : json(nullptr)}});
  });

  router.add("GET", "/api/v1/warnings/{id}", [this, admit](HttpRequest& req) {
    auto a = admit(req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    const WarningViewer viewer = WarningViewer::of(*a.principal);
    std::int64_t id = 0;
    if (!parse_int(req.path_params["id"], 1, INT64_MAX, id) || id == 0) return json_error(404, "no such warning");
    auto w = store_->get(id);
    json doc = w ? json::parse(w->document, nullptr, false) : json();
    // Another tenant's warning is answered like a missing one.
    if (!w || !warning_visible(viewer, doc)) return json_error(404, fmt::format("no warning {}", id));
    std::int64_t limit = 200;
    if (!parse_int(req.param("evidence_limit"), 1, 10000, limit)) return json_error(400, "parameter 'evidence_limit': expected 1..10000");
    json evidence = json::array();
    for (const auto& e : store_->evidence_alerts(id, static_cast<std::size_t>(limit)))
      if (viewer_sees_org(viewer, e.org, places_))
        evidence.push_back({{"alert_id", e.id}, {"kind", e.kind}, {"rule_id", e.rule_id}, {"title", e.title}, {"matched", e.matched},
                            {"org", e.org}, {"sector", e.sector}, {"province", e.province}, {"severity_id", e.severity_id},
                            {"time", format_rfc3339(e.time, 3)}, {"event_seq", e.event_seq}});
    // A tenant reader counts only the evidence of its own organisation(s).
    doc["evidence_events"] = viewer.national() ? json(store_->evidence_count(id)) : json(evidence.size());
    doc = warning_for_viewer(viewer, std::move(doc), places_);
    doc["evidence"] = evidence;
    return json_response(doc);
  });

  // The picture ranks every organisation, sector and province: national readers only.
  router.add("GET", "/api/v1/picture", [this, admit](HttpRequest& req) {
    if (auto a = admit(req, access::kNationalAuditor); a.refusal) return *a.refusal;
    return picture(req);
  });
}

HttpResponse WarningService::picture(const HttpRequest& req) {
  TimeNs window = 3600 * kSecond;
  if (std::string w = req.param("window"); !w.empty()) {
    if (auto st = parse_duration(w, window); !st) return json_error(400, "parameter 'window': " + st.error().message);
    if (window > kPictureSpan) return json_error(400, "parameter 'window': at most 24h");
  }
  std::int64_t top = 10;
  if (!parse_int(req.param("top"), 1, 100, top)) return json_error(400, "parameter 'top': expected 1..100");
  const TimeNs now = now_ns();
  const TimeNs since = now - window;
  json out{{"window", format_duration(window)}, {"since", format_rfc3339(since, 0)}, {"until", format_rfc3339(now, 0)}};
  std::map<std::string, std::uint64_t> sector_counts;
  for (const auto& [column, name] : {std::pair{"org", "top_organisations"}, std::pair{"sector", "top_sectors"}, std::pair{"province", "top_provinces"}}) {
    auto counts = store_->alert_counts(column, since, column == std::string("sector") ? 1000 : static_cast<std::size_t>(top));
    if (!counts) return json_error(500, counts.error().message);
    json list = json::array();
    for (const auto& [id, n] : *counts) {
      if (column == std::string("sector")) sector_counts[id] = n;
      if (list.size() < static_cast<std::size_t>(top)) list.push_back({{"id", id}, {"alerts", n}});
    }
    out[name] = list;
  }
  std::lock_guard lock(mutex_);
  auto fold = [&](const SlidingWindow<SpaceSaving>& w) {
    SpaceSaving all(64);
    w.for_each(now, [&](TimeNs start, const SpaceSaving& s) {
      if (start + kPane > since) all.merge(s);
    });
    json list = json::array();
    for (const auto& i : all.top(static_cast<std::size_t>(top))) list.push_back({{"value", i.key}, {"alerts", i.count}, {"error", i.error}});
    return list;
  };
  out["top_source_ips"] = fold(*top_ips_);
  out["top_asns"] = fold(*top_asns_);
  out["top_countries"] = fold(*top_countries_);
  const double hours = static_cast<double>(window) / static_cast<double>(3600 * kSecond);
  json rates = json::array();
  for (const auto& [sector, n] : sector_counts) {
    double per_hour = static_cast<double>(n) / hours;
    json r{{"sector", sector}, {"alerts", n}, {"per_hour", per_hour}};
    auto seasonal = sector_seasonal_.find(sector);
    auto ewma = sector_ewma_.find(sector);
    if (seasonal != sector_seasonal_.end() && seasonal->second.warm(now)) {
      r["baseline"] = "hour-of-week";
      r["expected_per_hour"] = seasonal->second.expected(now);
      r["score"] = seasonal->second.score(now, per_hour);
    } else if (ewma != sector_ewma_.end() && ewma->second.warm()) {
      r["baseline"] = "ewma";
      r["expected_per_hour"] = ewma->second.mean();
      r["score"] = ewma->second.score(per_hour);
    } else {
      r["baseline"] = "learning";
      r["expected_per_hour"] = nullptr;
      r["score"] = nullptr;
    }
    rates.push_back(r);
  }
  out["sector_rates"] = rates;
  json active = json::array();
  for (const auto* w : detector_->active())
    active.push_back({{"id", w->id}, {"kind", campaign_kind_name(w->kind)}, {"key", w->key}, {"title", w->title},
                      {"severity", w->severity}, {"org_count", w->orgs.size()}, {"sector_count", w->sectors.size()},
                      {"last_seen", format_rfc3339(w->last_seen, 3)}});
  out["active_warnings"] = active;
  return json_response(out);
}

}  // namespace khien
