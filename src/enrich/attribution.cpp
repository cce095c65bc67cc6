// Attribution index construction, lookups and the per-event victim / remote organisation.
#include "enrich/attribution.h"

#include <algorithm>

#include "core/field_dictionary.h"
#include "core/text.h"
#include "enrich/constituency.h"
#include "enrich/geo_enricher.h"

namespace khien {

namespace {

struct AttributionFields {
  FieldId src_asn = intern_field("src_endpoint.autonomous_system.number");
  FieldId dst_asn = intern_field("dst_endpoint.autonomous_system.number");
};

const AttributionFields& fields() {
  static const AttributionFields f;
  return f;
}

}  // namespace

std::string_view to_string(AttributionBasis basis) {
  switch (basis) {
    case AttributionBasis::DstIp: return "dst_ip";
    case AttributionBasis::SrcIp: return "src_ip";
    case AttributionBasis::DstAsn: return "dst_asn";
    case AttributionBasis::SrcAsn: return "src_asn";
    case AttributionBasis::Domain: return "domain";
    case AttributionBasis::Email: return "email";
    case AttributionBasis::Soc: return "soc";
  }
  return "unknown";
}

Attribution::Key Attribution::masked(const IpAddress& ip, int bits) {
  Key k;
  for (int i = 0; i < 8; ++i) k.hi = k.hi << 8 | ip.bytes[static_cast<std::size_t>(i)];
  for (int i = 8; i < 16; ++i) k.lo = k.lo << 8 | ip.bytes[static_cast<std::size_t>(i)];
  if (bits <= 0) return Key{};
  if (bits < 64) {
    k.hi &= ~0ull << (64 - bits);
    k.lo = 0;
  } else if (bits < 128) {
    k.lo &= ~0ull << (128 - bits);
  }
  return k;
}

void Attribution::add(const std::string& id, const std::string& sector, const std::string& province,
                      const std::vector<IpPrefix>& ranges, const std::vector<std::uint32_t>& asns,
                      const std::vector<std::string>& domains) {
  auto index = static_cast<std::uint32_t>(orgs_.size());
  orgs_.push_back(AttributedOrg{id, sector, province});
  ids_.emplace(id, index);
  for (const auto& r : ranges) {
    int bits = r.address.v4 ? 96 + r.bits : r.bits;
    auto level = std::find_if(levels_.begin(), levels_.end(), [&](const Level& l) { return l.bits == bits; });
    if (level == levels_.end()) {
      levels_.push_back(Level{bits, {}});
      level = levels_.end() - 1;
    }
    // The registry loader forbids overlaps other than aggregate/customer, so an equal prefix
    // twice is a duplicate and the first organisation keeps it.
    if (level->prefixes.emplace(masked(r.address, bits), index).second) ++prefix_count_;
  }
  for (auto a : asns) asns_.emplace(a, index);
  for (const auto& d : domains) domains_.emplace(ascii_lower(d), index);
}

void Attribution::finish() {
  std::sort(levels_.begin(), levels_.end(), [](const Level& a, const Level& b) { return a.bits > b.bits; });
}

std::shared_ptr<const Attribution> Attribution::build(const std::vector<OrgRow>& orgs) {
  auto a = std::make_shared<Attribution>();
  for (const auto& o : orgs) {
    std::vector<IpPrefix> ranges;
    for (const auto& r : o.ip_ranges)
      if (auto p = IpPrefix::parse(r)) ranges.push_back(*p);
    std::vector<std::uint32_t> asns;
    for (auto n : o.asns)
      if (n > 0 && n <= 0xFFFFFFFFll) asns.push_back(static_cast<std::uint32_t>(n));
    a->add(o.id, o.sector, o.province, ranges, asns, o.domains);
  }
  a->finish();
  return a;
}

std::shared_ptr<const Attribution> Attribution::build(const RegistryData& registry) {
  auto a = std::make_shared<Attribution>();
  for (const auto& o : registry.organisations) a->add(o.id, o.sector, o.province, o.ip_ranges, o.asns, o.domains);
  a->finish();
  return a;
}

const AttributedOrg* Attribution::by_ip(const IpAddress& ip) const {
  for (const auto& level : levels_) {
    // IPv4 prefixes live in the ::ffff:0:0/96 range, so one walk serves both families.
    auto it = level.prefixes.find(masked(ip, level.bits));
    if (it != level.prefixes.end()) return &orgs_[it->second];
  }
  return nullptr;
}

const AttributedOrg* Attribution::by_asn(std::uint32_t asn) const {
  auto it = asns_.find(asn);
  return it == asns_.end() ? nullptr : &orgs_[it->second];
}

const AttributedOrg* Attribution::by_domain(std::string_view host) const {
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || domains_.empty()) return nullptr;
  std::string name = ascii_lower(host);
  std::string_view rest = name;
  for (;;) {
    auto it = domains_.find(std::string(rest));
    if (it != domains_.end()) return &orgs_[it->second];
    auto dot = rest.find('.');
    if (dot == std::string_view::npos) return nullptr;
    rest.remove_prefix(dot + 1);
  }
}

const AttributedOrg* Attribution::by_email(std::string_view address) const {
  // "Name <user@example.vn>" and bare addresses alike.
  if (auto lt = address.find('<'); lt != std::string_view::npos) {
    address.remove_prefix(lt + 1);
    if (auto gt = address.find('>'); gt != std::string_view::npos) address = address.substr(0, gt);
  }
  auto at = address.rfind('@');
  if (at == std::string_view::npos) return nullptr;
  return by_domain(address.substr(at + 1));
}

const AttributedOrg* Attribution::by_id(std::string_view id) const {
  auto it = ids_.find(std::string(id));
  return it == ids_.end() ? nullptr : &orgs_[it->second];
}

void Attribution::attribute(Event& event, const SocInfo* soc) const {
  const auto& f = fields();
  auto ip_org = [&](FieldId field) -> const AttributedOrg* {
    const Value* v = event.get(field);
    return v && v->type == FieldType::Ip ? by_ip(v->ip) : nullptr;
  };
  auto asn_org = [&](FieldId field) -> const AttributedOrg* {
    const Value* v = event.get(field);
    return v && v->type == FieldType::Int && v->i > 0 && v->i <= 0xFFFFFFFFll ? by_asn(static_cast<std::uint32_t>(v->i)) : nullptr;
  };
  const AttributedOrg* src = ip_org(field::src_endpoint_ip);
  const AttributedOrg* dst = ip_org(field::dst_endpoint_ip);
  AttributionBasis src_basis = AttributionBasis::SrcIp, dst_basis = AttributionBasis::DstIp;
  if (!src) {
    src = asn_org(f.src_asn);
    src_basis = AttributionBasis::SrcAsn;
  }
  if (!dst) {
    dst = asn_org(f.dst_asn);
    dst_basis = AttributionBasis::DstAsn;
  }
  const AttributedOrg* victim = nullptr;
  const AttributedOrg* remote = nullptr;
  AttributionBasis basis = AttributionBasis::Soc;
  if (dst) {
    victim = dst;
    basis = dst_basis;
    remote = src;
  } else if (src) {
    victim = src;
    basis = src_basis;
  }
  if (!event.has(field::connection_info_direction) && (src || dst)) {
    event.set_string(field::connection_info_direction, src && dst ? "lateral" : dst ? "inbound" : "outbound");
  }
  if (!victim) {
    for (FieldId host : {field::url_hostname, field::tls_sni, field::dst_endpoint_hostname, field::query_hostname}) {
      const Value* v = event.get(host);
      if (v && v->type == FieldType::String && (victim = by_domain(v->s))) {
        basis = AttributionBasis::Domain;
        break;
      }
    }
  }
  if (!victim) {
    const Value* to = event.get(field::email_to);
    if (to && to->type == FieldType::String && (victim = by_email(to->s))) {
      basis = AttributionBasis::Email;
      const Value* from = event.get(field::email_from);
      if (from && from->type == FieldType::String) remote = by_email(from->s);
    }
  }
  if (!victim && soc) {
    victim = by_id(soc->org);
    basis = AttributionBasis::Soc;
  }
  if (!victim) return;
  event.set_string(field::khien_victim_org, victim->id);
  if (!victim->sector.empty()) event.set_string(field::khien_victim_sector, victim->sector);
  if (!victim->province.empty()) event.set_string(field::khien_victim_province, victim->province);
  event.set_string(field::khien_victim_basis, to_string(basis));
  if (remote && remote != victim) {
    event.set_string(field::khien_remote_org, remote->id);
    if (!remote->sector.empty()) event.set_string(field::khien_remote_sector, remote->sector);
    if (!remote->province.empty()) event.set_string(field::khien_remote_province, remote->province);
  }
}

AttributionHolder::AttributionHolder(StateStore& store) : store_(store) {}

std::shared_ptr<const Attribution> AttributionHolder::get() {
  std::lock_guard lock(mutex_);
  if (!current_ || generation_ != store_.generation()) {
    generation_ = store_.generation();
    current_ = Attribution::build(store_.organisations());
  }
  return current_;
}

AttributionEnricher::AttributionEnricher(std::shared_ptr<AttributionHolder> holder, std::shared_ptr<const GeoEnricher> geo)
    : holder_(std::move(holder)), geo_(std::move(geo)) {}

void AttributionEnricher::begin_batch() { snapshot_ = holder_->get(); }

void AttributionEnricher::enrich(Event& event, const SocInfo* soc) {
  if (geo_) geo_->enrich(event);
  if (!snapshot_) snapshot_ = holder_->get();
  snapshot_->attribute(event, soc);
}

}  // namespace khien
