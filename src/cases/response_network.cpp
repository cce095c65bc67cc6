// Response network lookups over the registry.
#include "cases/response_network.h"

#include "store/registry_data.h"

namespace khien {

ResponseNetwork::ResponseNetwork(const RegistryData& registry, std::set<std::string> members)
    : registry_(registry), members_(std::move(members)) {}

std::optional<std::string> ResponseNetwork::sector_cert_for(const std::string& org) const {
  const auto* o = registry_.find_organisation(org);
  if (!o || o->sector.empty()) return std::nullopt;
  for (const auto& c : registry_.organisations) {
    if (c.type == OrganisationType::sector_cert && c.sector == o->sector && c.id != org) return c.id;
  }
  return std::nullopt;
}

std::optional<std::string> ResponseNetwork::national_centre() const {
  for (const auto& c : registry_.organisations)
    if (c.type == OrganisationType::national_centre) return c.id;
  return std::nullopt;
}

bool ResponseNetwork::is_member(const std::string& org) const {
  if (!registry_.find_organisation(org)) return false;
  return members_.empty() || members_.count(org) > 0;
}

bool ResponseNetwork::is_sector_cert(const std::string& org) const {
  const auto* o = registry_.find_organisation(org);
  return o && o->type == OrganisationType::sector_cert;
}

bool ResponseNetwork::is_national_centre(const std::string& org) const {
  const auto* o = registry_.find_organisation(org);
  return o && o->type == OrganisationType::national_centre;
}

}  // namespace khien
