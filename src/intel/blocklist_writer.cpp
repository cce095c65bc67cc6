// Blocklist rendering: per-type validation, deduplication, ordering and the comment header.
#include "intel/blocklist_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "core/ip_address.h"
#include "intel/stix_object.h"

namespace khien {

namespace {

// Numeric order: family, then address bytes, then prefix length.
struct PrefixLess {
  bool operator()(const IpPrefix& a, const IpPrefix& b) const {
    return std::make_tuple(!a.address.v4, a.address.bytes, a.bits) < std::make_tuple(!b.address.v4, b.address.bytes, b.bits);
  }
};

std::string prefix_text(const IpPrefix& p) {
  int host_bits = p.address.v4 ? 32 : 128;
  return p.bits == host_bits ? p.address.to_string() : p.to_string();
}

ObservableKind kind_of(BlocklistType type) {
  switch (type) {
    case BlocklistType::ip: return ObservableKind::Ip;
    case BlocklistType::domain: return ObservableKind::Domain;
    case BlocklistType::url: return ObservableKind::Url;
  }
  return ObservableKind::Ip;
}

}  // namespace

std::string_view blocklist_type_name(BlocklistType type) {
  switch (type) {
    case BlocklistType::ip: return "ip";
    case BlocklistType::domain: return "domain";
    case BlocklistType::url: return "url";
  }
  return "ip";
}

std::optional<BlocklistType> parse_blocklist_type(std::string_view text) {
  for (auto t : {BlocklistType::ip, BlocklistType::domain, BlocklistType::url})
    if (text == blocklist_type_name(t)) return t;
  return std::nullopt;
}

Blocklist write_blocklist(const ExportSelection& selection, BlocklistType type, const ExportFilter& filter) {
  Blocklist out;
  std::set<IpPrefix, PrefixLess> prefixes;
  std::set<std::string> values;
  ObservableKind want = kind_of(type);
  for (const auto& ind : selection.indicators) {
    for (const auto& obs : ind.observables) {
      if (obs.kind != want) continue;
      switch (type) {
        case BlocklistType::ip: {
          auto p = IpPrefix::parse(obs.value);
          if (!p) {
            out.rejected.push_back(fmt::format("{}: '{}' is not an address or CIDR", ind.record.id, obs.value));
            break;
          }
          prefixes.insert(*p);
          break;
        }
        case BlocklistType::domain: {
          auto d = check_export_domain(obs.value);
          if (!d)
            out.rejected.push_back(fmt::format("{}: {}", ind.record.id, d.error().message));
          else
            values.insert(std::move(*d));
          break;
        }
        case BlocklistType::url: {
          bool clean = !obs.value.empty() && std::none_of(obs.value.begin(), obs.value.end(), [](char c) {
            return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
          });
          if (!clean)
            out.rejected.push_back(fmt::format("{}: a URL with whitespace or control bytes", ind.record.id));
          else
            values.insert(obs.value);
          break;
        }
      }
    }
  }
  std::string body;
  if (type == BlocklistType::ip) {
    for (const auto& p : prefixes) body += prefix_text(p) + "\n";
    out.count = prefixes.size();
  } else {
    for (const auto& v : values) body += v + "\n";
    out.count = values.size();
  }
  out.text = fmt::format("# khien blocklist: {}\n# generated: {}\n# count: {}\n# filters: {}\n", blocklist_type_name(type),
                         format_stix_timestamp(filter.now_us), out.count, describe_export_filter(filter));
  out.text += body;
  return out;
}

}  // namespace khien
