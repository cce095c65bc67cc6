// Export routes and the export functions shared with `khien export`.
#include "app/export_service.h"

#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/api_routes.h"
#include "api/http_server.h"
#include "store/state_store.h"

namespace khien {

namespace {

std::int64_t wall_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string skipped(const ExportSelection& s) {
  return fmt::format("{} active considered; left out: {} above max_tlp, {} below min_confidence, {} older than max_age_days",
                     s.considered, s.skipped_tlp, s.skipped_confidence, s.skipped_age);
}

}  // namespace

Result<ExportOutput> export_rpz(StixStore& store, const ExportFilter& filter, const RpzOptions& options) {
  if (auto st = check_rpz_options(options); !st) return tl::unexpected(st.error());
  auto selection = select_for_export(store, filter);
  if (!selection) return tl::unexpected(selection.error());
  RpzZoneWriter writer(store);
  auto zone = writer.write(*selection, filter, options);
  if (!zone) return tl::unexpected(zone.error());
  for (const auto& r : zone->rejected) spdlog::warn("rpz export {}: left out {}", options.zone, r);
  ExportOutput out;
  out.body = std::move(zone->text);
  out.content_type = "text/dns";  // RFC 4027: zone files in master file format
  out.serial = zone->serial;
  out.summary = fmt::format("rpz zone {} serial {}{}: {} domains, {} rpz-ip triggers, {} values refused; {}", options.zone,
                            zone->serial, zone->changed ? " (changed)" : " (unchanged)", zone->domains, zone->ip_triggers,
                            zone->rejected.size(), skipped(*selection));
  return out;
}

Result<ExportOutput> export_blocklist(StixStore& store, const ExportFilter& filter, BlocklistType type) {
  auto selection = select_for_export(store, filter);
  if (!selection) return tl::unexpected(selection.error());
  auto list = write_blocklist(*selection, type, filter);
  for (const auto& r : list.rejected) spdlog::warn("{} blocklist export: left out {}", blocklist_type_name(type), r);
  ExportOutput out;
  out.body = std::move(list.text);
  out.content_type = "text/plain; charset=utf-8";
  out.summary = fmt::format("{} blocklist: {} entries, {} values refused; {}", blocklist_type_name(type), list.count,
                            list.rejected.size(), skipped(*selection));
  return out;
}

Result<ExportOutput> export_stix(StixStore& store, const ExportFilter& filter) {
  auto selection = select_for_export(store, filter);
  if (!selection) return tl::unexpected(selection.error());
  auto bundle = export_stix_bundle(store, *selection, filter);
  for (const auto& o : bundle.omitted) spdlog::info("stix export: reference not followed: {}", o);
  ExportOutput out;
  out.body = bundle.bundle.dump();
  out.content_type = "application/stix+json;version=2.1";
  out.summary = fmt::format("stix bundle: {} indicators, {} referenced objects, {} references not followed; {}", bundle.indicators,
                            bundle.referenced, bundle.omitted.size(), skipped(*selection));
  return out;
}

void register_export_routes(Router& router, StixStore& store, const ApiContext& api) {
  // Admits the export readers and caps TLP: national roles get what they ask for; ISP consumers,
  // sector CERTs and organisation SOCs at most GREEN (AMBER sharing lists are not applied to exports).
  auto filter_of = [&api](const HttpRequest& req) -> Result<ExportFilter> {
    auto a = admit(api.identity, api.admin_token_hash, req, access::kExportReaders);
    if (a.refusal) return fail(a.refusal->status == 401 ? "401" : "403");
    auto f = parse_export_filter(req.param("max_tlp"), req.param("min_confidence"), req.param("max_age_days"), wall_now_us());
    if (f && a.principal->role != Role::national_admin && a.principal->role != Role::national_analyst &&
        f->max_tlp > Tlp::green)
      f->max_tlp = Tlp::green;
    return f;
  };
  auto refusal = [&api](const HttpRequest& req) {
    return admit(api.identity, api.admin_token_hash, req, access::kExportReaders).refusal;
  };
  auto send = [](const Result<ExportOutput>& out) {
    if (!out) return json_error(400, out.error().message);
    HttpResponse r;
    r.content_type = out->content_type;
    r.body = out->body;
    r.headers.emplace_back("X-Khien-Export", out->summary);
    if (out->serial) r.headers.emplace_back("X-Khien-Rpz-Serial", std::to_string(out->serial));
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  };
  router.add("GET", "/api/v1/export/rpz", [&store, refusal, filter_of, send](HttpRequest& req) {
    if (auto r = refusal(req)) return *r;
    auto filter = filter_of(req);
    if (!filter) return json_error(400, filter.error().message);
    RpzOptions o;
    if (std::string a = req.param("action"); !a.empty()) {
      auto action = parse_rpz_action(a);
      if (!action) return json_error(400, fmt::format("parameter 'action': '{}' is not nxdomain, nodata, cname, passthru or drop", a));
      o.action = *action;
    }
    o.cname_target = req.param("target");
    if (std::string z = req.param("zone"); !z.empty()) o.zone = z;
    if (std::string ip = req.param("ip"); !ip.empty()) {
      if (ip != "0" && ip != "1") return json_error(400, "parameter 'ip': expected 0 or 1 (write rpz-ip triggers)");
      o.ip_triggers = ip == "1";
    }
    if (std::string sub = req.param("subdomains"); !sub.empty()) {
      if (sub != "0" && sub != "1") return json_error(400, "parameter 'subdomains': expected 0 or 1");
      o.subdomains = sub == "1";
    }
    if (auto st = check_rpz_options(o); !st) return json_error(400, "parameter " + st.error().message);
    return send(export_rpz(store, *filter, o));
  });
  router.add("GET", "/api/v1/export/blocklist", [&store, refusal, filter_of, send](HttpRequest& req) {
    if (auto r = refusal(req)) return *r;
    auto filter = filter_of(req);
    if (!filter) return json_error(400, filter.error().message);
    auto type = parse_blocklist_type(req.param("type"));
    if (!type) return json_error(400, fmt::format("parameter 'type': '{}' is not ip, domain or url", req.param("type")));
    return send(export_blocklist(store, *filter, *type));
  });
  router.add("GET", "/api/v1/export/stix", [&store, refusal, filter_of, send](HttpRequest& req) {
    if (auto r = refusal(req)) return *r;
    auto filter = filter_of(req);
    if (!filter) return json_error(400, filter.error().message);
    return send(export_stix(store, *filter));
  });
}

}  // namespace khien
