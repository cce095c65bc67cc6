// Attribution: which member organisation (and its sector and province) an IP, ASN, domain or e-mail address belongs to,
// and the victim / remote organisation of each event.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/event.h"
#include "core/ip_address.h"
#include "enrich/constituency.h"
#include "enrich/enricher.h"
#include "store/registry_data.h"
#include "store/state_store.h"

namespace khien {

class GeoEnricher;

/// An organisation as attribution reports it.
struct AttributedOrg {
  std::string id, sector, province;
};

/// How the victim organisation of an event was found, most to least specific.
enum class AttributionBasis : std::uint8_t { DstIp, SrcIp, DstAsn, SrcAsn, Domain, Email, Soc };
std::string_view to_string(AttributionBasis basis);

/// An immutable index over every organisation's registered ranges, ASNs and domains.
///
/// IP: longest prefix over all organisations (a customer block inside an ISP aggregate wins);
/// one hash probe per prefix length present in the registry. Domain: the longest registered
/// suffix on a label boundary (`mail.mps.gov.vn` → `mps.gov.vn`), case-insensitive. E-mail: the
/// domain after the last '@'.
///
/// Threading: immutable; share through std::shared_ptr<const Attribution>.
class Attribution {
 public:
  static std::shared_ptr<const Attribution> build(const std::vector<OrgRow>& orgs);
  static std::shared_ptr<const Attribution> build(const RegistryData& registry);

  const AttributedOrg* by_ip(const IpAddress& ip) const;
  const AttributedOrg* by_asn(std::uint32_t asn) const;
  const AttributedOrg* by_domain(std::string_view host) const;
  const AttributedOrg* by_email(std::string_view address) const;
  const AttributedOrg* by_id(std::string_view id) const;
  std::size_t organisation_count() const { return orgs_.size(); }
  std::size_t prefix_count() const { return prefix_count_; }

  /// Sets the victim organisation of `event` (khien.victim_org, khien.victim_sector,
  /// khien.victim_province, khien.victim_basis) and, when the other side of the traffic is also
  /// a member, the remote one (khien.remote_org, khien.remote_sector, khien.remote_province).
  /// The national side is the victim: the destination when it is a member (inbound or lateral),
  /// else the source (outbound: a member's host talking to the outside); without a member
  /// address, the ASNs found by GeoIP, then the host names (url, TLS SNI, destination host, DNS
  /// query), then the recipient's e-mail domain, and last the organisation of the delivering
  /// SOC. Also sets connection_info.direction (inbound, outbound, lateral) when the source left
  /// it out and one side is a member.
  void attribute(Event& event, const SocInfo* soc) const;

 private:
  struct Key {
    std::uint64_t hi = 0, lo = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const { return std::hash<std::uint64_t>{}(k.hi * 0x9E3779B97F4A7C15ull ^ k.lo); }
  };
  struct Level {
    int bits = 0;  // in the 128-bit space (IPv4 prefixes count 96 more)
    std::unordered_map<Key, std::uint32_t, KeyHash> prefixes;
  };
  void add(const std::string& id, const std::string& sector, const std::string& province,
           const std::vector<IpPrefix>& ranges, const std::vector<std::uint32_t>& asns,
           const std::vector<std::string>& domains);
  void finish();
  static Key masked(const IpAddress& ip, int bits);

  std::vector<AttributedOrg> orgs_;
  std::vector<Level> levels_;  // longest first
  std::size_t prefix_count_ = 0;
  std::unordered_map<std::uint32_t, std::uint32_t> asns_;
  std::unordered_map<std::string, std::uint32_t> domains_;
  std::unordered_map<std::string, std::uint32_t> ids_;
};

/// Holds the current Attribution and rebuilds it when the registry in the store changes.
class AttributionHolder {
 public:
  explicit AttributionHolder(StateStore& store);
  std::shared_ptr<const Attribution> get();

 private:
  StateStore& store_;
  std::mutex mutex_;
  std::shared_ptr<const Attribution> current_;
  std::uint64_t generation_ = 0;
};

/// The pipeline's enrichment stage: GeoIP/ASN first (when databases are configured), then
/// attribution (which may use the ASNs GeoIP found).
///
/// Threading: as Enricher (one per pipeline worker); the holder and GeoEnricher are shared.
class AttributionEnricher final : public Enricher {
 public:
  AttributionEnricher(std::shared_ptr<AttributionHolder> holder, std::shared_ptr<const GeoEnricher> geo);
  void begin_batch() override;
  void enrich(Event& event, const SocInfo* soc) override;

 private:
  std::shared_ptr<AttributionHolder> holder_;
  std::shared_ptr<const GeoEnricher> geo_;
  std::shared_ptr<const Attribution> snapshot_;
};

}  // namespace khien
