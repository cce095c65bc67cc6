// The national registry (sectors, provinces, organisations, member SOCs) and its YAML loader/validator.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/ip_address.h"

namespace khien {

/// Whether a province-level unit is a centrally-run city or a province.
enum class ProvinceKind { city, province };

/// The three broad regions used to group provinces on the console.
enum class Region { north, central, south };

/// What kind of member an organisation is; decides its role in the response network.
enum class OrganisationType { national_centre, ministry, province, sector_cert, isp, enterprise, agency };

/// Event formats a member SOC may send.
enum class SocFormat { ocsf, ecs, eve, zeek, wazuh, winlog, cef, leef };

/// How a member SOC delivers its events.
enum class SocTransport { http, syslog_udp, syslog_tcp };

/// One of the 11 critical sectors of Decision 632/QĐ-TTg.
struct Sector {
  std::string id;
  std::string name;     ///< Vietnamese name
  std::string name_en;  ///< English name
  std::vector<std::string> lead_agencies;  ///< organisation ids of the lead agencies (two for the urban sector)
  int criticality = 0;  ///< 1..5, 5 = a compromise harms national security or the whole population at once
  std::string scope;    ///< which systems the sector covers, free text
};

/// A province-level administrative unit.
struct Province {
  std::string id;
  std::string name;
  std::string name_en;
  ProvinceKind kind = ProvinceKind::province;
  Region region = Region::north;
  double lat = 0;  ///< approximate latitude of the provincial capital
  double lon = 0;  ///< approximate longitude of the provincial capital
};

/// A member organisation (constituent) of the national platform.
struct Organisation {
  std::string id;
  std::string name;
  std::string name_en;
  OrganisationType type = OrganisationType::agency;
  std::string sector;    ///< sector id, empty when the organisation belongs to no critical sector
  std::string province;  ///< province id of the head office
  std::vector<IpPrefix> ip_ranges;
  std::vector<std::uint32_t> asns;
  std::vector<std::string> domains;
  std::string parent;  ///< organisation id of the parent body, empty if none
};

/// A member SOC that feeds the platform.
struct SocConnector {
  std::string id;
  std::string name;
  std::string org;  ///< organisation id
  std::vector<SocFormat> formats;
  SocTransport transport = SocTransport::http;
  std::vector<IpPrefix> sender_ranges;  ///< where its syslog senders connect from; inside the organisation's ranges
  /// UTC offset of its senders' RFC 3164 timestamps ("+07:00"); empty: the server's default.
  std::string syslog_local_time;
};

/// The whole registry, as loaded and validated.
///
/// Lookups scan linearly: the registry holds a few hundred entries and is consulted at start-up and by
/// the API; the per-event constituency path builds its own index from these vectors.
struct RegistryData {
  std::vector<Sector> sectors;
  std::vector<Province> provinces;
  std::vector<Organisation> organisations;
  std::vector<SocConnector> socs;

  /// The sector with this id, or nullptr.
  const Sector* find_sector(std::string_view id) const;
  /// The province with this id, or nullptr.
  const Province* find_province(std::string_view id) const;
  /// The organisation with this id, or nullptr.
  const Organisation* find_organisation(std::string_view id) const;
  /// The SOC connector with this id, or nullptr.
  const SocConnector* find_soc(std::string_view id) const;

  /// The organisation whose ip_ranges hold `ip` with the longest prefix, so a customer block wins over
  /// the ISP aggregate that contains it.
  std::optional<std::string> org_for_address(const IpAddress& ip) const;
  /// The SOC whose sender_ranges hold `ip` with the longest prefix.
  std::optional<std::string> soc_for_sender(const IpAddress& ip) const;
};

/// The text of the four registry files. Used directly by tests and fuzzing; `load_registry_yaml`
/// reads them from a directory.
struct RegistryTexts {
  std::string sectors;        ///< sectors.yaml
  std::string provinces;      ///< provinces.yaml
  std::string organisations;  ///< organisations.yaml
  std::string socs;           ///< socs.yaml
};

/// Parses and validates the registry. On failure the error holds every problem found, one per line,
/// as `<file>:<line>:<column>: <field path>: <reason>`; `label_dir` is prefixed to the file names.
Result<RegistryData> parse_registry_yaml(const RegistryTexts& texts, const std::filesystem::path& label_dir = {});

/// Reads sectors.yaml, provinces.yaml, organisations.yaml and socs.yaml from `dir` and validates them.
Result<RegistryData> load_registry_yaml(const std::filesystem::path& dir);

/// Spelling of each enum value as used in the YAML files and the API.
std::string_view to_string(ProvinceKind kind);
std::string_view to_string(Region region);
std::string_view to_string(OrganisationType type);
std::string_view to_string(SocFormat format);
std::string_view to_string(SocTransport transport);

/// Parses the YAML spelling of each enum; nullopt for an unknown word.
std::optional<ProvinceKind> parse_province_kind(std::string_view text);
std::optional<Region> parse_region(std::string_view text);
std::optional<OrganisationType> parse_organisation_type(std::string_view text);
std::optional<SocFormat> parse_soc_format(std::string_view text);
std::optional<SocTransport> parse_soc_transport(std::string_view text);

/// True when `id` matches ^[a-z0-9]+(-[a-z0-9]+)*$, the form of every registry id.
bool is_registry_id(std::string_view id);

}  // namespace khien
