// `khien export ...` and `khien intel poll ...`: thin shells over export_service and taxii_client.
#include "app/cli_export.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/export_service.h"
#include "app/taxii_client.h"

namespace khien {

namespace {

int die(const std::string& message) {
  std::cerr << "khien: " << message << "\n";
  return 1;
}

// Replaces `path` in one rename, so a resolver reloading the zone never reads half a file.
Status write_atomically(const std::string& path, const std::string& text) {
  std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail(fmt::format("cannot write {}", tmp));
    out << text;
    out.flush();
    if (!out) return fail(fmt::format("cannot write {}", tmp));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail(fmt::format("cannot replace {}: {}", path, ec.message()));
  return {};
}

}  // namespace

std::function<int()> add_export_commands(CLI::App& app) {
  struct Options {
    std::string data = "khien-data", output;
    std::string max_tlp, min_confidence, max_age_days;
    std::string action = "nxdomain", target, zone = "rpz.khien", type;
    bool ip = false, no_subdomains = false;
    TaxiiFeedConfig feed;
  };
  auto o = std::make_shared<Options>();
  auto* exp = app.add_subcommand("export", "Export indicators for ISPs and partners: DNS RPZ, blocklists, STIX (docs/EXPORTS.md)");
  exp->require_subcommand(1);
  auto common = [o](CLI::App* cmd) {
    cmd->add_option("--data", o->data, "Data directory");
    cmd->add_option("--output,-o", o->output, "Write here (replaced in one rename) instead of stdout");
    cmd->add_option("--max-tlp", o->max_tlp, "Most restricted TLP exported: clear, green (default), amber, amber+strict");
    cmd->add_option("--min-confidence", o->min_confidence, "Lowest STIX confidence 0..100 (default 0: all)");
    cmd->add_option("--max-age-days", o->max_age_days, "Newest of modified/valid_from within N days (default 180; 0: no limit)");
  };
  auto* rpz = exp->add_subcommand("rpz", "DNS Response Policy Zone for BIND 9 and Unbound");
  common(rpz);
  rpz->add_option("--action", o->action, "nxdomain (default), nodata, cname, passthru or drop");
  rpz->add_option("--target", o->target, "Warning page host name for --action cname");
  rpz->add_option("--zone", o->zone, "Zone name at the resolvers (default rpz.khien)");
  rpz->add_flag("--ip", o->ip, "Also write rpz-ip triggers for IP/CIDR indicators");
  rpz->add_flag("--no-subdomains", o->no_subdomains, "Do not add *.name for each listed name");
  auto* blocklist = exp->add_subcommand("blocklist", "Plain list of IPs/CIDRs, domains or URLs, one per line");
  common(blocklist);
  blocklist->add_option("--type", o->type, "ip, domain or url")->required();
  auto* stix = exp->add_subcommand("stix", "STIX 2.1 bundle of the indicators and the objects they reference");
  common(stix);

  CLI::App* intel = nullptr;
  try {
    intel = app.get_subcommand("intel");
  } catch (const CLI::OptionNotFound&) {
    intel = app.add_subcommand("intel", "Threat intelligence: TAXII polling");
    intel->require_subcommand(1);
  }
  auto* poll = intel->add_subcommand("poll", "Poll a TAXII 2.1 collection once into the data directory");
  poll->add_option("url", o->feed.url, "API root URL, e.g. https://feeds.example.org/taxii2/api1/")->required();
  poll->add_option("--collection", o->feed.collection, "Collection id")->required();
  poll->add_option("--data", o->data, "Data directory");
  poll->add_option("--user", o->feed.user, "HTTP Basic user");
  poll->add_option("--password", o->feed.password, "HTTP Basic password");
  poll->add_option("--token", o->feed.token, "Bearer token");
  poll->add_option("--source", o->feed.source, "Source name recorded with the objects (default: taxii:HOST)");
  poll->add_option("--tlp", o->feed.tlp, "TLP for objects without a marking (default amber)");
  poll->add_option("--limit", o->feed.limit, "Page size asked of the server");
  poll->add_option("--into", o->feed.into, "Local collection id (default: the import collection)");

  return [=]() -> int {
    if (!*rpz && !*blocklist && !*stix && !*poll) return -1;
    auto db = std::filesystem::path(o->data) / "state.db";
    if (!*poll && !std::filesystem::exists(db)) return die(fmt::format("no khien data in {} ({} is missing)", o->data, db.string()));
    std::error_code ec;
    std::filesystem::create_directories(o->data, ec);
    auto store = StixStore::open(db);
    if (!store) return die(store.error().message);
    if (*poll) {
      auto report = poll_taxii_feed(**store, o->feed);
      if (!report) return die(report.error().message);
      std::cout << nlohmann::json{{"pages", report->pages},
                                  {"objects", report->objects},
                                  {"added", report->added},
                                  {"unchanged", report->unchanged},
                                  {"rejected_pages", report->rejected_pages},
                                  {"bookmark", report->bookmark},
                                  {"errors", report->errors}}
                       .dump(2)
                << "\n";
      return report->rejected_pages > 0 ? 2 : 0;
    }
    auto now = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto filter = parse_export_filter(o->max_tlp, o->min_confidence, o->max_age_days, now);
    if (!filter) return die(filter.error().message);
    Result<ExportOutput> out = fail("no export chosen");
    if (*rpz) {
      RpzOptions ro;
      auto action = parse_rpz_action(o->action);
      if (!action) return die(fmt::format("--action: '{}' is not nxdomain, nodata, cname, passthru or drop", o->action));
      ro.action = *action;
      ro.cname_target = o->target;
      ro.zone = o->zone;
      ro.ip_triggers = o->ip;
      ro.subdomains = !o->no_subdomains;
      out = export_rpz(**store, *filter, ro);
    } else if (*blocklist) {
      auto type = parse_blocklist_type(o->type);
      if (!type) return die(fmt::format("--type: '{}' is not ip, domain or url", o->type));
      out = export_blocklist(**store, *filter, *type);
    } else {
      out = export_stix(**store, *filter);
    }
    if (!out) return die(out.error().message);
    if (o->output.empty()) {
      std::cout << out->body;
      if (!out->body.empty() && out->body.back() != '\n') std::cout << "\n";
    } else if (auto st = write_atomically(o->output, out->body); !st) {
      return die(st.error().message);
    }
    std::cerr << "khien: " << out->summary << "\n";
    return 0;
  };
}

}  // namespace khien
