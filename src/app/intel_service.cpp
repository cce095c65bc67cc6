// IntelService: import, matcher build and hot swap, background rebuild and sighting flush, intel routes.
#include "app/intel_service.h"

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/api_routes.h"
#include "api/taxii_routes.h"
#include "app/taxii_client.h"
#include "intel/intel_import_formats.h"
#include "intel/observable_extractor.h"
#include "intel/stix_bundle_importer.h"
#include "intel/stix_object.h"
#include "intel/stix_pattern_parser.h"
#include "intel/warninglist.h"

namespace khien {

namespace {

using json = nlohmann::json;

// Not-evaluated patterns listed in full up to this many (the count is always exact).
constexpr std::size_t kMaxListedNotEvaluated = 1000;

// Namespace of khien's name-based (version 5) UUIDs for identities and sightings.
constexpr unsigned char kKhienNamespace[16] = {0x6b, 0x68, 0x69, 0x65, 0x6e, 0x2d, 0x4e, 0x43,
                                               0x53, 0x43, 0x2d, 0x69, 0x6e, 0x74, 0x65, 0x6c};

// RFC 9562 version 5 UUID of `name` in khien's namespace: the same name always gives the same
// id, so a re-exported sighting or identity is a new version of the same object.
std::string uuid5(std::string_view name) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, kKhienNamespace, sizeof kKhienNamespace);
  EVP_DigestUpdate(ctx, name.data(), name.size());
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);
  std::string hex;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) hex += '-';
    hex += fmt::format("{:02x}", digest[i]);
  }
  return hex;
}

std::string warninglist_type(const Observable& o) {
  switch (o.kind) {
    case ObservableKind::Ip: return o.value.find(':') != std::string::npos ? "ipv6-addr" : "ipv4-addr";
    case ObservableKind::Domain: return "domain-name";
    case ObservableKind::Url: return "url";
    case ObservableKind::Hash: return "file-hash";
    case ObservableKind::Email: return "email-addr";
  }
  return "";
}

std::string join_tags(const json& object) {
  std::string tags;
  for (const char* key : {"indicator_types", "labels"}) {
    auto it = object.find(key);
    if (it == object.end() || !it->is_array()) continue;
    for (const auto& t : *it) {
      if (!t.is_string()) continue;
      std::string s = t.get<std::string>();
      if (s.empty() || s.find('\n') != std::string::npos) continue;
      if (!tags.empty()) tags += '\n';
      tags += s;
    }
  }
  return tags;
}

std::int64_t us_from_ns(TimeNs ns) { return ns / 1000; }

std::string stix_time_ns(TimeNs t) { return format_stix_timestamp(us_from_ns(t)); }

HttpResponse json_response(const json& body, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

}  // namespace

BuiltIntel build_intel_matcher(const std::vector<StixRecord>& indicators, const WarninglistSet* warninglists) {
  auto started = std::chrono::steady_clock::now();
  BuiltIntel out;
  IntelBuildReport& report = out.report;
  report.indicators = indicators.size();
  auto catalog = std::make_shared<IndicatorCatalog>();
  IndicatorMatcher::Builder builder;
  std::vector<Observable> kept;
  auto not_evaluated = [&](const std::string& id, std::string reason) {
    report.not_evaluated.emplace_back(id, std::move(reason));
  };
  for (const StixRecord& rec : indicators) {
    json object = json::parse(rec.json, nullptr, false);
    if (!object.is_object()) {
      not_evaluated(rec.id, "stored JSON does not parse");
      continue;
    }
    std::string pattern_type = object.value("pattern_type", std::string("stix"));
    if (pattern_type != "stix") {
      not_evaluated(rec.id, fmt::format("pattern_type '{}' is not evaluated (only STIX patterns are)", pattern_type));
      continue;
    }
    auto pattern_it = object.find("pattern");
    if (pattern_it == object.end() || !pattern_it->is_string()) {
      not_evaluated(rec.id, "no pattern");
      continue;
    }
    const std::string pattern = pattern_it->get<std::string>();
    auto ast = parse_stix_pattern(pattern);
    if (!ast) {
      not_evaluated(rec.id, "pattern does not parse: " + ast.error().message);
      continue;
    }
    Extraction extraction = extract_observables(*ast);
    if (!extraction.compiled) {
      not_evaluated(rec.id, extraction.reason);
      continue;
    }
    kept.clear();
    for (auto& o : extraction.observables) {
      if (warninglists && warninglists->listed(warninglist_type(o), o.value)) {
        ++report.warninglisted;
        continue;
      }
      kept.push_back(std::move(o));
    }
    if (kept.empty()) continue;
    int confidence = -1;
    if (auto c = object.find("confidence"); c != object.end() && c->is_number_integer()) confidence = c->get<int>();
    std::string name = object.value("name", std::string());
    if (name.empty()) name = pattern;
    IndicatorId id = catalog->add(rec.id, name, rec.source, parse_tlp(rec.tlp).value_or(Tlp::amber), confidence,
                                  join_tags(object));
    std::size_t added = 0;
    for (const auto& o : kept) {
      if (auto st = builder.add(o, id); !st) {
        spdlog::warn("intel: {}: observable '{}' left out: {}", rec.id, o.value, st.error().message);
        continue;
      }
      catalog->add_observable(o.kind, o.value);
      ++added;
    }
    report.observables += added;
    if (added) ++report.compiled;
  }
  out.matcher = builder.build();
  report.memory_bytes = out.matcher->stats().memory_bytes + catalog->memory_bytes();
  out.catalog = std::move(catalog);
  report.built_at = now_ns();
  report.build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return out;
}

std::optional<IntelFormat> parse_intel_format(std::string_view name) {
  if (name == "stix") return IntelFormat::stix;
  if (name == "misp") return IntelFormat::misp;
  if (name == "misp-feed") return IntelFormat::misp_feed;
  if (name == "csv") return IntelFormat::csv;
  return std::nullopt;
}

Result<json> import_intel(StixStore& store, const IntelImportRequest& request, const WarninglistSet* warninglists) {
  StixImportOptions options;
  options.source = request.source.empty() ? "import" : request.source;
  options.default_tlp = request.tlp.value_or(Tlp::amber);
  StixBundleImporter importer(&store);
  json report{{"format", request.format == IntelFormat::stix        ? "stix"
                         : request.format == IntelFormat::misp      ? "misp"
                         : request.format == IntelFormat::misp_feed ? "misp-feed"
                                                                    : "csv"},
              {"source", options.source},
              {"default_tlp", std::string(tlp_name(options.default_tlp))}};
  Result<StixImportResult> result;
  if (request.format == IntelFormat::stix) {
    result = importer.import_bundle(request.text, options);
  } else {
    IntelImportOptions convert;
    convert.source = options.source;
    convert.default_tlp = request.tlp;
    convert.csv_mapping = request.csv_mapping;
    convert.warninglists = warninglists;
    Result<ConvertedIntel> converted;
    if (request.format == IntelFormat::misp) converted = misp_event_to_stix(request.text, convert);
    else if (request.format == IntelFormat::misp_feed) converted = misp_feed_to_stix(request.feed_dir, convert);
    else converted = csv_to_stix(request.text, convert);
    if (!converted) return tl::unexpected(converted.error());
    report["conversion_errors"] = converted->errors;
    report["skipped"] = converted->skipped;
    if (converted->objects.empty()) {
      if (!converted->errors.empty())
        return fail(fmt::format("nothing to import: {} item(s) could not be converted; first: {}", converted->errors.size(),
                                converted->errors.front()));
      report["objects"] = 0;
      report["added"] = 0;
      report["unchanged"] = 0;
      report["unresolved_references"] = json::array();
      return report;
    }
    json objects = json::array();
    for (auto& o : converted->objects) objects.push_back(std::move(o));
    result = importer.import_objects(objects, options);
  }
  if (!result) return tl::unexpected(result.error());
  report["objects"] = result->objects;
  report["added"] = result->added;
  report["unchanged"] = result->unchanged;
  report["unresolved_references"] = result->unresolved_references;
  return report;
}

IntelService::IntelService(StixStore& stix, SightingStore& sightings, StateStore* registry, IntelServiceOptions options)
    : stix_(stix), sightings_(sightings), registry_(registry), options_(std::move(options)) {}

Result<std::unique_ptr<IntelService>> IntelService::open(StixStore& stix, const std::filesystem::path& db_path,
                                                          StateStore* registry, IntelServiceOptions options) {
  auto sightings = SightingStore::open(db_path);
  if (!sightings) return tl::unexpected(sightings.error());
  auto service = std::make_unique<IntelService>(stix, **sightings, registry, std::move(options));
  service->owned_sightings_ = std::move(*sightings);
  return service;
}

IntelService::~IntelService() { stop(); }

Status IntelService::start() {
  if (!options_.warninglists.empty()) {
    auto lists = WarninglistSet::load_dir(options_.warninglists);
    if (!lists) return fail(fmt::format("intel.warninglists: {}", lists.error().message));
    warninglists_ = std::make_unique<WarninglistSet>(std::move(*lists));
    spdlog::info("intel: {} warninglists loaded from {}", warninglists_->size(), options_.warninglists.string());
  }
  if (auto v = rebuild(); !v) return tl::unexpected(v.error());
  thread_ = std::thread([this] { loop(); });
  return {};
}

void IntelService::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (auto st = flush_sightings(); !st) spdlog::error("intel: sightings: {}", st.error().message);
}

std::unique_ptr<Detector> IntelService::make_detector() { return std::make_unique<IntelDetector>(holder_, &counter_); }

std::unique_ptr<TaxiiFeedPoller> IntelService::make_feed_poller(std::vector<TaxiiFeedConfig> feeds) {
  return std::make_unique<TaxiiFeedPoller>(stix_, std::move(feeds), [this] { request_rebuild(); });
}

void IntelService::request_rebuild() {
  {
    std::lock_guard lock(mutex_);
    rebuild_requested_ = true;
  }
  wake_.notify_all();
}

Result<std::uint64_t> IntelService::rebuild() {
  std::lock_guard build(build_mutex_);
  auto indicators = stix_.active_indicators(us_from_ns(now_ns()));
  BuiltIntel built = build_intel_matcher(indicators, warninglists_.get());
  std::uint64_t version = publish_intel(holder_, built.matcher, built.catalog);
  bool changed;
  {
    std::lock_guard lock(mutex_);
    changed = rebuilds_ == 0 || built.report.indicators != last_report_.indicators ||
              built.report.observables != last_report_.observables ||
              built.report.not_evaluated.size() != last_report_.not_evaluated.size();
  }
  // A periodic rebuild that found the same set is not news.
  spdlog::log(changed ? spdlog::level::info : spdlog::level::debug, "intel: matcher v{}: {} active indicators, {} compiled ({} observables, {} on warninglists), {} not evaluated, {:.1f} ms",
               version, built.report.indicators, built.report.compiled, built.report.observables,
               built.report.warninglisted, built.report.not_evaluated.size(), built.report.build_ms);
  {
    std::lock_guard lock(mutex_);
    last_report_ = std::move(built.report);
    last_error_.clear();
    ++rebuilds_;
    reported_version_ = std::max(reported_version_, version);
  }
  wake_.notify_all();
  return version;
}

bool IntelService::wait_for_version_above(std::uint64_t version, std::int64_t timeout_ms) {
  std::unique_lock lock(mutex_);
  // The version the report describes, not the holder's: the holder's moves first, and a caller that
  // woke on it could read the report of the build before.
  return wake_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return reported_version_ > version; });
}

void IntelService::loop() {
  using Clock = std::chrono::steady_clock;
  auto next_rebuild = Clock::now() + std::chrono::milliseconds(options_.rebuild_interval_ms);
  auto next_flush = Clock::now() + std::chrono::milliseconds(options_.sighting_flush_ms);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_until(lock, std::min(next_rebuild, next_flush), [&] { return stopping_ || rebuild_requested_; });
    if (stopping_) break;
    auto now = Clock::now();
    bool do_rebuild = rebuild_requested_ || now >= next_rebuild;
    bool do_flush = now >= next_flush;
    rebuild_requested_ = false;
    lock.unlock();
    if (do_rebuild) {
      // Imports that land during this build set the flag again and get their own rebuild.
      if (auto v = rebuild(); !v) {
        spdlog::error("intel: rebuild failed: {}", v.error().message);
        std::lock_guard l(mutex_);
        last_error_ = v.error().message;
      }
      next_rebuild = Clock::now() + std::chrono::milliseconds(options_.rebuild_interval_ms);
    }
    if (do_flush) {
      if (auto st = flush_sightings(); !st) spdlog::error("intel: sightings: {}", st.error().message);
      next_flush = Clock::now() + std::chrono::milliseconds(options_.sighting_flush_ms);
    }
    lock.lock();
  }
}

Result<json> IntelService::import(const IntelImportRequest& request) {
  std::uint64_t version = holder_.version();
  auto report = import_intel(stix_, request, warninglists_.get());
  if (!report) return report;
  (*report)["matcher_version"] = version;
  if (report->value("added", std::size_t{0}) > 0) request_rebuild();
  return report;
}

Status IntelService::flush_sightings() {
  auto deltas = counter_.drain();
  if (deltas.empty()) return {};
  if (auto st = sightings_.add(deltas); !st) {
    counter_.restore(std::move(deltas));  // the next flush retries them
    return st;
  }
  return {};
}

json IntelService::status_json() {
  std::lock_guard lock(mutex_);
  const IntelBuildReport& r = last_report_;
  json listed = json::array();
  for (std::size_t i = 0; i < r.not_evaluated.size() && i < kMaxListedNotEvaluated; ++i)
    listed.push_back({{"id", r.not_evaluated[i].first}, {"reason", r.not_evaluated[i].second}});
  json out{{"matcher_version", holder_.version()},
           {"built_at", r.built_at ? json(format_rfc3339(r.built_at, 3)) : json(nullptr)},
           {"build_ms", r.build_ms},
           {"indicators", r.indicators},
           {"compiled_indicators", r.compiled},
           {"observables", r.observables},
           {"warninglisted_observables", r.warninglisted},
           {"warninglists", warninglists_ ? warninglists_->size() : 0},
           {"not_evaluated", {{"count", r.not_evaluated.size()}, {"patterns", listed}}},
           {"memory_bytes", r.memory_bytes},
           {"rebuilds", rebuilds_},
           {"rebuild_interval_s", static_cast<double>(options_.rebuild_interval_ms) / 1000.0},
           {"last_error", last_error_.empty() ? json(nullptr) : json(last_error_)}};
  return out;
}

Result<json> IntelService::sightings_json(const SightingQuery& query) {
  if (auto st = flush_sightings(); !st) return tl::unexpected(st.error());
  auto rows = sightings_.query(query);
  if (!rows) return tl::unexpected(rows.error());
  json list = json::array();
  for (const auto& r : *rows)
    list.push_back({{"indicator", r.indicator_id},
                    {"org", r.org},
                    {"count", r.count},
                    {"first_seen", format_rfc3339(r.first_seen, 3)},
                    {"last_seen", format_rfc3339(r.last_seen, 3)}});
  return json{{"sightings", list}, {"total_hits", sightings_.total()}};
}

Result<json> IntelService::sightings_stix(const SightingQuery& query) {
  if (auto st = flush_sightings(); !st) return tl::unexpected(st.error());
  auto rows = sightings_.query(query);
  if (!rows) return tl::unexpected(rows.error());
  // Identities are versioned at a fixed date: their content follows the registry, which is
  // loaded once, and a fixed version keeps repeated exports identical.
  const std::string identity_time = "2020-01-01T00:00:00.000Z";
  std::map<std::string, json> identities;
  auto identity_for = [&](const std::string& org, const std::string& fallback_name) -> std::string {
    std::string id = "identity--" + uuid5("organisation:" + org);
    if (identities.count(id)) return id;
    json ident{{"type", "identity"}, {"spec_version", "2.1"}, {"id", id}, {"created", identity_time},
               {"modified", identity_time}, {"identity_class", "organization"}, {"name", fallback_name},
               {"x_khien_org", org}};
    if (registry_) {
      if (auto o = registry_->organisation(org)) {
        ident["name"] = o->name_en.empty() ? o->name : o->name_en;
        if (!o->sector.empty()) ident["x_khien_sector"] = o->sector;
        if (!o->province.empty()) ident["x_khien_province"] = o->province;
      }
    }
    identities.emplace(id, std::move(ident));
    return id;
  };
  std::string centre_org = "national-centre";
  std::string centre_name = "National Cyber Security Monitoring Centre";
  if (registry_) {
    for (const auto& o : registry_->organisations()) {
      if (o.type == "national-centre") {
        centre_org = o.id;
        centre_name = o.name_en.empty() ? o.name : o.name_en;
        break;
      }
    }
  }
  std::string centre = identity_for(centre_org, centre_name);
  json objects = json::array();
  std::map<std::string, Tlp> indicator_tlp;
  for (const auto& r : *rows) {
    auto tlp_it = indicator_tlp.find(r.indicator_id);
    if (tlp_it == indicator_tlp.end()) {
      Tlp t = Tlp::amber;
      if (auto rec = stix_.latest(r.indicator_id)) t = parse_tlp(rec->tlp).value_or(Tlp::amber);
      tlp_it = indicator_tlp.emplace(r.indicator_id, t).first;
    }
    // A sighting names the organisation that saw the indicator: at least AMBER, and never less
    // restricted than the indicator itself.
    Tlp tlp = stricter(tlp_it->second, Tlp::amber);
    TimeNs created = std::min(r.first_seen, r.updated ? r.updated : r.first_seen);
    TimeNs modified = std::max(created, r.updated);
    json s{{"type", "sighting"},
           {"spec_version", "2.1"},
           {"id", "sighting--" + uuid5("sighting:" + r.indicator_id + "|" + r.org)},
           {"created", stix_time_ns(created)},
           {"modified", stix_time_ns(modified)},
           {"created_by_ref", centre},
           {"sighting_of_ref", r.indicator_id},
           {"count", std::min<std::uint64_t>(r.count, 999'999'999)},
           {"first_seen", stix_time_ns(r.first_seen)},
           {"last_seen", stix_time_ns(r.last_seen)},
           {"object_marking_refs", json::array({std::string(tlp_marking_id(tlp))})}};
    if (!r.org.empty()) s["where_sighted_refs"] = json::array({identity_for(r.org, r.org)});
    objects.push_back(std::move(s));
  }
  json bundle{{"type", "bundle"}, {"id", "bundle--" + uuid5("sightings:" + std::to_string(now_ns()))}};
  json all = json::array();
  for (auto& [id, ident] : identities) all.push_back(std::move(ident));
  for (auto& o : objects) all.push_back(std::move(o));
  bundle["objects"] = std::move(all);
  return bundle;
}

void register_intel_routes(Router& router, IntelService& service, const ApiContext& api) {
  router.add("POST", "/api/v1/intel/import", [&service, &api](HttpRequest& req) {
    auto a = admit(api.identity, api.admin_token_hash, req, access::kNational);
    if (a.refusal) return *a.refusal;
    std::string format_name = req.param("format").empty() ? "stix" : req.param("format");
    auto format = parse_intel_format(format_name);
    if (!format) return json_error(400, fmt::format("parameter 'format': '{}' is not stix, misp, misp-feed or csv", format_name));
    IntelImportRequest r;
    r.format = *format;
    r.source = req.param("source");
    if (!req.param("tlp").empty()) {
      r.tlp = parse_tlp(req.param("tlp"));
      if (!r.tlp) return json_error(400, fmt::format("parameter 'tlp': '{}' is not clear, green, amber, amber+strict or red", req.param("tlp")));
    }
    r.csv_mapping = req.param("mapping");
    if (r.format == IntelFormat::misp_feed) {
      // A feed is a directory (manifest.json and one file per event) on the server's disk.
      if (req.param("path").empty()) return json_error(400, "format misp-feed: parameter 'path' (the feed directory on the server) is required");
      r.feed_dir = req.param("path");
    } else {
      if (req.body.empty()) return json_error(400, fmt::format("format {}: the request body is empty", format_name));
      r.text = std::move(req.body);
    }
    auto report = service.import(r);
    if (!report) return json_error(400, report.error().message);
    return json_response(*report);
  });
  router.add("POST", "/api/v1/intel/reload", [&service, &api](HttpRequest& req) {
    auto a = admit(api.identity, api.admin_token_hash, req, access::kNational);
    if (a.refusal) return *a.refusal;
    auto version = service.rebuild();
    if (!version) return json_error(500, version.error().message);
    return json_response(service.status_json());
  });
  router.add("GET", "/api/v1/intel/status", [&service, &api](HttpRequest& req) {
    auto a = admit(api.identity, api.admin_token_hash, req, access::kTenantReaders);
    if (a.refusal) return *a.refusal;
    return json_response(service.status_json());
  });
  router.add("GET", "/api/v1/intel/sightings", [&service, &api](HttpRequest& req) {
    auto a = admit(api.identity, api.admin_token_hash, req, access::kNationalAuditor);
    if (a.refusal) return *a.refusal;
    SightingQuery q;
    q.indicators = req.params("indicator");
    q.orgs = req.params("org");
    if (!req.param("limit").empty()) {
      try {
        q.limit = static_cast<std::size_t>(std::stoul(req.param("limit")));
      } catch (const std::exception&) {
        return json_error(400, "parameter 'limit': expected a number (0: no limit)");
      }
    }
    std::string format = req.param("format");
    if (format == "stix") {
      auto bundle = service.sightings_stix(q);
      if (!bundle) return json_error(500, bundle.error().message);
      HttpResponse r = json_response(*bundle);
      r.content_type = "application/stix+json;version=2.1";
      return r;
    }
    if (!format.empty() && format != "json") return json_error(400, fmt::format("parameter 'format': '{}' is not json or stix", format));
    auto rows = service.sightings_json(q);
    if (!rows) return json_error(500, rows.error().message);
    return json_response(*rows);
  });
}

}  // namespace khien
