// An information system of a member organisation: security level (Decree 85/2016), four-layer protection, inventory.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/time.h"

namespace khien {

struct RegistryData;

/// How far one layer of the four-layer protection model (Directive 14/CT-TTg) is in place.
enum class LayerStatus { none, partial, full };

/// The four layers: on-site force; a professional monitoring and protection provider; independent
/// periodic assessment; connection and sharing with the national monitoring system.
struct FourLayerProtection {
  LayerStatus on_site = LayerStatus::none;
  LayerStatus monitoring = LayerStatus::none;
  LayerStatus assessment = LayerStatus::none;
  LayerStatus national_connection = LayerStatus::none;

  /// 0..1: full counts 1, partial 0.5, averaged over the four layers.
  double coverage() const;
  friend bool operator==(const FourLayerProtection&, const FourLayerProtection&) = default;
};

/// One information system.
struct InformationSystem {
  std::string id;  ///< registry-style id, unique nationally
  std::string name;
  std::string owner;               ///< organisation id
  int security_level = 1;          ///< 1..5 per Decree 85/2016
  bool level_approved = false;     ///< the level dossier has been approved by the competent authority
  bool national_critical = false;  ///< on the list of national critical information systems
  FourLayerProtection protection;
  std::optional<TimeNs> last_drill;    ///< midnight UTC of the last drill's date
  std::vector<std::string> addresses;  ///< addresses or CIDR prefixes inside the owner's ranges
  std::vector<std::string> domains;    ///< host names under the owner's domains
  std::vector<std::string> software;   ///< CPE 2.3 formatted names

  friend bool operator==(const InformationSystem&, const InformationSystem&) = default;
};

/// A field that failed validation and why.
struct FieldProblem {
  std::string field;
  std::string reason;
};

/// Checks one system: id form, level range, CPE syntax, and, when `registry` is given, that the owner
/// exists and its addresses and domains lie inside the owner's ranges and domains.
std::vector<FieldProblem> validate_system(const InformationSystem& s, const RegistryData* registry);

/// True for a syntactically valid CPE 2.3 formatted string (cpe:2.3:part:vendor:product:... 13 parts).
bool is_cpe23(std::string_view text);

/// JSON document of a system (the API and audit form) and its inverse.
std::string system_to_json(const InformationSystem& s);
Result<InformationSystem> system_from_json(std::string_view json);

std::string_view to_string(LayerStatus s);
std::optional<LayerStatus> parse_layer_status(std::string_view text);
/// "YYYY-MM-DD" to midnight UTC, and back.
std::optional<TimeNs> parse_civil_date(std::string_view text);
std::string format_civil_date(TimeNs t);

}  // namespace khien
