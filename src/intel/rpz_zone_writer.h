// Writes the selected domain (and optionally IP) indicators as a DNS Response Policy Zone
// (draft-vixie-dnsop-dns-rpz) that BIND 9 and Unbound load, with an SOA serial that moves only
// when the policy content changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "intel/export_selection.h"
#include "store/stix_store.h"

namespace khien {

/// What a resolver answers for a listed name (the RPZ policy action, written as a CNAME).
enum class RpzAction {
  nxdomain,  ///< `CNAME .`: the name does not exist
  nodata,    ///< `CNAME *.`: the name exists with no data of the asked type
  cname,     ///< `CNAME <target>.`: answer with the national warning page's name instead
  passthru,  ///< `CNAME rpz-passthru.`: answer normally, only log the hit (drills, trials)
  drop,      ///< `CNAME rpz-drop.`: no answer at all
};

/// "nxdomain", "nodata", "cname", "passthru", "drop".
std::string_view rpz_action_name(RpzAction action);
std::optional<RpzAction> parse_rpz_action(std::string_view text);

struct RpzOptions {
  std::string zone = "rpz.khien";  ///< the zone's name at the resolvers (names the serial's bookmark)
  RpzAction action = RpzAction::nxdomain;
  std::string cname_target;  ///< for RpzAction::cname: the warning page's host name
  bool subdomains = true;    ///< also list `*.name` so every sub-domain gets the same answer
  /// Also write rpz-ip (Response IP address) triggers for IP/CIDR indicators: an answer holding a
  /// listed address gets the action. Off by default, since one shared-hosting address carries
  /// thousands of innocent names.
  bool ip_triggers = false;
  std::uint32_t ttl = 300;  ///< $TTL, and the SOA minimum (how long resolvers cache the policy answers)
  std::uint32_t refresh = 3600, retry = 600, expire = 604800;
  std::string primary_ns = "localhost.";        ///< SOA MNAME and the NS record (RPZ zones are not delegated)
  std::string hostmaster = "hostmaster.localhost.";  ///< SOA RNAME
};

/// Checks the options (target required and a valid domain for cname, names valid).
Status check_rpz_options(const RpzOptions& options);

/// The policy records of a selection, before the SOA: sorted, deduplicated.
struct RpzRecords {
  std::string text;  ///< "evil.vn CNAME .\n*.evil.vn CNAME .\n..."
  std::size_t domains = 0, ip_triggers = 0;
  std::vector<std::string> rejected;  ///< "indicator--…: 'x': reason", for names and addresses left out
};

/// Builds the policy records from the selection's domain (and, with ip_triggers, IP) observables.
/// Sub-domains of a listed domain are dropped when `subdomains` is on (the wildcard covers them).
RpzRecords rpz_records(const ExportSelection& selection, const RpzOptions& options);

/// The owner name of an rpz-ip trigger for a prefix ("24.0.2.0.192.rpz-ip"); nullopt for text
/// that is not an address/CIDR, or a prefix broader than /8 (IPv4) or /16 (IPv6).
std::optional<std::string> rpz_ip_owner(std::string_view prefix_text);

/// A whole zone file.
struct RpzZone {
  std::string text;
  std::uint32_t serial = 0;
  bool changed = false;      ///< the content differs from the previous export with these options
  std::string content_hash;  ///< SHA-256 of everything but the serial and the comment header
  std::size_t domains = 0, ip_triggers = 0;
  std::vector<std::string> rejected;
};

/// Next SOA serial: the previous one when the content is unchanged; otherwise the larger of
/// previous + 1 and the current Unix time in seconds, so that serials keep rising (RFC 1982)
/// even after the bookmark is lost, e.g. a new data directory serving the same secondaries.
std::uint32_t next_rpz_serial(std::optional<std::uint32_t> previous, bool changed, std::int64_t now_us);

/// Writes zones and keeps, per zone name, the last serial and content hash in the store's meta
/// table ("export.rpz.<zone>"): exports of one zone with other filters or actions are content
/// changes, so the zone's serial only ever rises. Threading: any thread; serial updates are
/// serialised within the process.
class RpzZoneWriter {
 public:
  explicit RpzZoneWriter(StixStore& store) : store_(store) {}
  Result<RpzZone> write(const ExportSelection& selection, const ExportFilter& filter, const RpzOptions& options);

 private:
  StixStore& store_;
};

}  // namespace khien
