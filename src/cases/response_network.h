// The national incident-response network: the national centre, the sector CERTs and the member responders.
#pragma once

#include <optional>
#include <set>
#include <string>

namespace khien {

struct RegistryData;

/// Answers "who is above this organisation" for escalation and "who may be assigned" for incidents.
/// Reads the registry it was given (which must outlive it).
class ResponseNetwork {
 public:
  /// `members`: organisation ids of the response-network members (security firms, ISPs, ...). Empty:
  /// every registered organisation may be assigned as a member.
  explicit ResponseNetwork(const RegistryData& registry, std::set<std::string> members = {});

  /// The sector CERT of the organisation's sector; nullopt when it has no sector or is that CERT.
  std::optional<std::string> sector_cert_for(const std::string& org) const;
  /// The national centre's organisation id (the one organisation of type national-centre).
  std::optional<std::string> national_centre() const;
  bool is_member(const std::string& org) const;
  bool is_sector_cert(const std::string& org) const;
  bool is_national_centre(const std::string& org) const;
  const RegistryData& registry() const { return registry_; }

 private:
  const RegistryData& registry_;
  std::set<std::string> members_;
};

}  // namespace khien
