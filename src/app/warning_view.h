// What an organisation's or a sector's user sees of a national warning: visibility under TLP and the masked document.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/identity.h"
#include "store/warning_store.h"

namespace khien {

/// Where a member organisation sits, for masking: its sector and province.
struct OrgPlace {
  std::string sector, province;
};
using OrgPlaces = std::map<std::string, OrgPlace>;

/// The reader of a warning: national (sees every warning whole), a sector CERT or an organisation SOC.
struct WarningViewer {
  enum class Scope : std::uint8_t { national, sector, organisation };
  Scope scope = Scope::national;
  std::string id;  ///< sector or organisation id

  /// National roles and auditors read nationally; sector-cert and org-soc by their scope.
  static WarningViewer of(const Principal& principal);
  bool national() const { return scope == Scope::national; }
};

/// True when `doc` (a warning's JSON) may be shown to `viewer`: it affects the viewer's
/// organisation (org-soc) or sector (sector-cert), and a TLP:RED warning names the viewer among its
/// recipients (by default the affected organisations).
bool warning_visible(const WarningViewer& viewer, const nlohmann::json& doc);

/// The document as `viewer` may see it. National: unchanged. Otherwise (unless TLP:CLEAR) other
/// organisations are not named: `organisations` keeps the viewer's own (org-soc) or its sector's
/// (sector-cert), `sectors` only the viewer's sector, `provinces` only those of the organisations
/// shown; the counts (`org_count`, `sector_count`, `province_count`, `alert_count`) stay, and
/// `organisations_not_shown` says how many were left out. Any list of objects with an `org` member
/// under `details` (a vulnerability's systems) keeps the visible organisations' entries;
/// `recipients` is dropped. `view` names the viewer's scope.
nlohmann::json warning_for_viewer(const WarningViewer& viewer, nlohmann::json doc, const OrgPlaces& places);

/// True when the viewer may see the data of organisation `org` (evidence alerts, systems).
bool viewer_sees_org(const WarningViewer& viewer, const std::string& org, const OrgPlaces& places);

/// Narrows a list query to the viewer's tenant: org-soc → `org` forced to its own, sector-cert →
/// `sector` forced to its own (asking for another gives a filter that matches nothing), and RED
/// warnings only when addressed to the viewer.
void narrow_warning_query(const WarningViewer& viewer, WarningQuery& query);

}  // namespace khien
