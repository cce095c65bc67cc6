// DNS RPZ zone rendering: domain and rpz-ip triggers, SOA serial bookkeeping in StixStore meta.
#include "intel/rpz_zone_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "core/ip_address.h"
#include "intel/stix_object.h"
#include "store/state_store.h"

namespace khien {

namespace {

std::mutex& serial_mutex() {
  static std::mutex m;
  return m;
}

std::string action_rdata(const RpzOptions& o) {
  switch (o.action) {
    case RpzAction::nxdomain: return ".";
    case RpzAction::nodata: return "*.";
    case RpzAction::cname: {
      std::string t = o.cname_target;
      if (t.empty() || t.back() != '.') t += '.';
      return t;
    }
    case RpzAction::passthru: return "rpz-passthru.";
    case RpzAction::drop: return "rpz-drop.";
  }
  return ".";
}

// True for a domain name as written in SOA/NS fields: absolute, each label valid.
bool absolute_name_ok(const std::string& name) {
  if (name.empty() || name.back() != '.') return false;
  if (name == ".") return true;
  std::string d = name.substr(0, name.size() - 1);
  if (d.find('.') == std::string::npos) {  // a single label such as "localhost." is fine here
    return !d.empty() && d.size() <= 63 &&
           std::all_of(d.begin(), d.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
  }
  return check_export_domain(d).has_value();
}

}  // namespace

std::string_view rpz_action_name(RpzAction action) {
  switch (action) {
    case RpzAction::nxdomain: return "nxdomain";
    case RpzAction::nodata: return "nodata";
    case RpzAction::cname: return "cname";
    case RpzAction::passthru: return "passthru";
    case RpzAction::drop: return "drop";
  }
  return "nxdomain";
}

std::optional<RpzAction> parse_rpz_action(std::string_view text) {
  for (auto a : {RpzAction::nxdomain, RpzAction::nodata, RpzAction::cname, RpzAction::passthru, RpzAction::drop})
    if (text == rpz_action_name(a)) return a;
  return std::nullopt;
}

Status check_rpz_options(const RpzOptions& o) {
  if (o.action == RpzAction::cname) {
    if (o.cname_target.empty()) return fail("action cname needs a target (the warning page's host name)");
    auto t = check_export_domain(o.cname_target);
    if (!t) return fail("target: " + t.error().message);
  } else if (!o.cname_target.empty()) {
    return fail(fmt::format("a target is only used with action cname, not {}", rpz_action_name(o.action)));
  }
  if (auto z = check_export_domain(o.zone); !z && o.zone.find('.') != std::string::npos)
    return fail("zone: " + z.error().message);
  if (!absolute_name_ok(o.primary_ns)) return fail(fmt::format("primary_ns '{}' must be an absolute name (ending in '.')", o.primary_ns));
  if (!absolute_name_ok(o.hostmaster)) return fail(fmt::format("hostmaster '{}' must be an absolute name (ending in '.')", o.hostmaster));
  if (o.ttl == 0) return fail("ttl must be at least 1 second");
  return {};
}

std::optional<std::string> rpz_ip_owner(std::string_view text) {
  auto prefix = IpPrefix::parse(text);
  if (!prefix) return std::nullopt;
  const auto& b = prefix->address.bytes;
  if (prefix->address.v4) {
    if (prefix->bits < 8 || prefix->bits > 32) return std::nullopt;
    std::uint32_t v = prefix->address.v4_host_order();
    if (prefix->bits < 32) v &= ~((1u << (32 - prefix->bits)) - 1);
    return fmt::format("{}.{}.{}.{}.{}.rpz-ip", prefix->bits, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24);
  }
  if (prefix->bits < 16 || prefix->bits > 128) return std::nullopt;
  std::array<std::uint16_t, 8> groups{};
  for (int i = 0; i < 8; ++i) {
    std::uint16_t g = static_cast<std::uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);
    int first_bit = i * 16;
    if (first_bit >= prefix->bits)
      g = 0;
    else if (first_bit + 16 > prefix->bits)
      g = static_cast<std::uint16_t>(g & ~((1u << (first_bit + 16 - prefix->bits)) - 1));
    groups[static_cast<std::size_t>(i)] = g;
  }
  // The longest run of two or more zero groups is written once as "zz" (the draft's "::").
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (groups[static_cast<std::size_t>(i)] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[static_cast<std::size_t>(j)] == 0) ++j;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j;
  }
  if (best_len < 2) best = -1;
  std::string out = std::to_string(prefix->bits);
  for (int i = 7; i >= 0;) {
    if (best >= 0 && i == best + best_len - 1) {
      out += ".zz";
      i = best - 1;
      continue;
    }
    out += fmt::format(".{:x}", groups[static_cast<std::size_t>(i)]);
    --i;
  }
  return out + ".rpz-ip";
}

RpzRecords rpz_records(const ExportSelection& selection, const RpzOptions& options) {
  RpzRecords out;
  std::set<std::string> domains;
  std::set<std::string> ips;  // owner names
  for (const auto& ind : selection.indicators) {
    for (const auto& obs : ind.observables) {
      if (obs.kind == ObservableKind::Domain) {
        auto d = check_export_domain(obs.value);
        if (!d) {
          out.rejected.push_back(fmt::format("{}: {}", ind.record.id, d.error().message));
          continue;
        }
        // The owner name below the zone must fit the 255-byte wire limit with the "*." label.
        if (d->size() + 3 + options.zone.size() > 253) {
          out.rejected.push_back(fmt::format("{}: '{}' is too long to write under zone {}", ind.record.id, *d, options.zone));
          continue;
        }
        domains.insert(std::move(*d));
      } else if (obs.kind == ObservableKind::Ip && options.ip_triggers) {
        auto owner = rpz_ip_owner(obs.value);
        if (!owner) {
          out.rejected.push_back(fmt::format("{}: '{}' is broader than /8 (IPv4) or /16 (IPv6), not written as an rpz-ip trigger",
                                             ind.record.id, obs.value));
          continue;
        }
        ips.insert(std::move(*owner));
      }
    }
  }
  std::string rdata = action_rdata(options);
  for (const auto& d : domains) {
    if (options.subdomains) {
      bool covered = false;
      for (auto dot = d.find('.'); dot != std::string::npos && !covered; dot = d.find('.', dot + 1))
        covered = domains.count(d.substr(dot + 1)) > 0;
      if (covered) continue;
    }
    out.text += fmt::format("{} CNAME {}\n", d, rdata);
    if (options.subdomains) out.text += fmt::format("*.{} CNAME {}\n", d, rdata);
    ++out.domains;
  }
  for (const auto& owner : ips) {
    out.text += fmt::format("{} CNAME {}\n", owner, rdata);
    ++out.ip_triggers;
  }
  return out;
}

std::uint32_t next_rpz_serial(std::optional<std::uint32_t> previous, bool changed, std::int64_t now_us) {
  auto now_s = static_cast<std::uint32_t>(static_cast<std::uint64_t>(std::max<std::int64_t>(0, now_us / 1'000'000)));
  if (!previous) return now_s;
  if (!changed) return *previous;
  std::uint32_t next = *previous + 1;
  // RFC 1982 comparison: move to the clock when it is ahead of the previous serial.
  if (static_cast<std::int32_t>(now_s - *previous) > 0) next = now_s;
  return next == 0 ? 1 : next;
}

Result<RpzZone> RpzZoneWriter::write(const ExportSelection& selection, const ExportFilter& filter, const RpzOptions& options) {
  if (auto st = check_rpz_options(options); !st) return tl::unexpected(st.error());
  auto records = rpz_records(selection, options);
  std::string soa_fields = fmt::format("{} {} {} {} {}", options.refresh, options.retry, options.expire, options.ttl,
                                       options.primary_ns + " " + options.hostmaster);
  RpzZone zone;
  zone.content_hash = sha256_hex(fmt::format("{}\n{}\n{}", options.ttl, soa_fields, records.text));
  zone.domains = records.domains;
  zone.ip_triggers = records.ip_triggers;
  zone.rejected = std::move(records.rejected);
  // One bookmark per zone name, whatever the filters: a resolver sees one sequence of serials for
  // the zone, which rises whenever what it loads differs from the previous export.
  std::string key = "export.rpz." + options.zone;
  {
    std::lock_guard lock(serial_mutex());
    std::optional<std::uint32_t> previous;
    std::string previous_hash;
    if (auto m = store_.meta(key)) {
      auto j = nlohmann::json::parse(*m, nullptr, false);
      if (j.is_object() && j.contains("serial") && j["serial"].is_number_unsigned()) {
        previous = j["serial"].get<std::uint32_t>();
        previous_hash = j.value("hash", "");
      }
    }
    zone.changed = !previous || previous_hash != zone.content_hash;
    zone.serial = next_rpz_serial(previous, zone.changed, filter.now_us);
    if (zone.changed) {
      nlohmann::json j{{"serial", zone.serial}, {"hash", zone.content_hash}, {"zone", options.zone},
                       {"updated", format_stix_timestamp(filter.now_us)}};
      if (auto st = store_.put_meta(key, j.dump()); !st) return fail("rpz serial: " + st.error().message);
    }
  }
  std::string& t = zone.text;
  t += fmt::format("; DNS Response Policy Zone {} generated by khien at {}\n", options.zone, format_stix_timestamp(filter.now_us));
  t += fmt::format("; {} domains, {} rpz-ip triggers, action {}{}; filters: {}\n", zone.domains, zone.ip_triggers,
                   rpz_action_name(options.action), options.action == RpzAction::cname ? " " + options.cname_target : "",
                   describe_export_filter(filter));
  t += fmt::format("$TTL {}\n", options.ttl);
  t += fmt::format("@ IN SOA {} {} {} {} {} {} {}\n", options.primary_ns, options.hostmaster, zone.serial, options.refresh,
                   options.retry, options.expire, options.ttl);
  t += fmt::format("@ IN NS {}\n", options.primary_ns);
  t += records.text;
  return zone;
}

}  // namespace khien
