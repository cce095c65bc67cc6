// Tenant views of national warnings (docs/WARNINGS.md, "Who sees a warning").
#include "app/warning_view.h"

#include <algorithm>
#include <set>

#include "api/api_routes.h"

namespace khien {

using json = nlohmann::json;

namespace {

bool list_has(const json& doc, const char* member, const std::string& value) {
  auto it = doc.find(member);
  if (it == doc.end() || !it->is_array()) return false;
  for (const auto& v : *it) {
    if (v.is_string() && v.get<std::string>() == value) return true;
    if (v.is_object() && v.value("org", std::string()) == value) return true;
  }
  return false;
}

std::string tlp_of(const json& doc) {
  std::string t = doc.value("tlp", std::string("amber"));
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (t.rfind("tlp:", 0) == 0) t = t.substr(4);
  return t;
}

// Keeps, in every array below `node`, only the objects whose `org` the viewer may see.
void filter_org_entries(json& node, const WarningViewer& viewer, const OrgPlaces& places) {
  if (node.is_array()) {
    json kept = json::array();
    for (auto& item : node) {
      if (item.is_object() && item.contains("org") && item["org"].is_string() &&
          !viewer_sees_org(viewer, item["org"].get<std::string>(), places))
        continue;
      filter_org_entries(item, viewer, places);
      kept.push_back(std::move(item));
    }
    node = std::move(kept);
  } else if (node.is_object()) {
    for (auto& [k, v] : node.items()) filter_org_entries(v, viewer, places);
  }
}

}  // namespace

WarningViewer WarningViewer::of(const Principal& p) {
  WarningViewer v;
  if (p.role == Role::sector_cert) {
    v.scope = Scope::sector;
    v.id = p.scope_id;
  } else if (p.role == Role::org_soc) {
    v.scope = Scope::organisation;
    v.id = p.scope_id;
  }
  return v;
}

bool viewer_sees_org(const WarningViewer& viewer, const std::string& org, const OrgPlaces& places) {
  switch (viewer.scope) {
    case WarningViewer::Scope::national: return true;
    case WarningViewer::Scope::organisation: return !viewer.id.empty() && org == viewer.id;
    case WarningViewer::Scope::sector: {
      auto it = places.find(org);
      return !viewer.id.empty() && it != places.end() && it->second.sector == viewer.id;
    }
  }
  return false;
}

bool warning_visible(const WarningViewer& viewer, const json& doc) {
  if (viewer.national()) return true;
  if (!doc.is_object() || viewer.id.empty()) return false;
  bool affected = viewer.scope == WarningViewer::Scope::organisation ? list_has(doc, "organisations", viewer.id)
                                                                     : list_has(doc, "sectors", viewer.id);
  if (!affected) return false;
  if (tlp_of(doc) != "red") return true;
  // RED: only the named recipients; without a list, the affected organisations.
  if (doc.contains("recipients") && doc["recipients"].is_array() && !doc["recipients"].empty())
    return list_has(doc, "recipients", viewer.id);
  return viewer.scope == WarningViewer::Scope::organisation;
}

json warning_for_viewer(const WarningViewer& viewer, json doc, const OrgPlaces& places) {
  if (viewer.national() || !doc.is_object()) return doc;
  doc.erase("recipients");
  doc["view"] = viewer.scope == WarningViewer::Scope::organisation ? "organisation" : "sector";
  if (tlp_of(doc) == "clear") return doc;  // CLEAR may be disclosed without limit
  std::string own_sector = viewer.id;
  if (viewer.scope == WarningViewer::Scope::organisation) {
    auto it = places.find(viewer.id);
    own_sector = it == places.end() ? std::string() : it->second.sector;
  }
  json orgs = json::array();
  std::set<std::string> provinces;
  std::size_t all_orgs = 0;
  if (doc.contains("organisations") && doc["organisations"].is_array()) {
    all_orgs = doc["organisations"].size();
    for (const auto& o : doc["organisations"]) {
      std::string org = o.is_object() ? o.value("org", std::string()) : std::string();
      if (!viewer_sees_org(viewer, org, places)) continue;
      orgs.push_back(o);
      if (auto it = places.find(org); it != places.end() && !it->second.province.empty())
        provinces.insert(it->second.province);
    }
  }
  doc["organisations_not_shown"] = all_orgs - orgs.size();
  doc["organisations"] = std::move(orgs);
  json sectors = json::array();
  if (!own_sector.empty() && list_has(doc, "sectors", own_sector)) sectors.push_back(own_sector);
  doc["sectors"] = std::move(sectors);
  json shown_provinces = json::array();
  for (const auto& p : provinces)
    if (list_has(doc, "provinces", p)) shown_provinces.push_back(p);
  doc["provinces"] = std::move(shown_provinces);
  if (doc.contains("details")) filter_org_entries(doc["details"], viewer, places);
  return doc;
}

void narrow_warning_query(const WarningViewer& viewer, WarningQuery& q) {
  if (viewer.national()) return;
  // Views, not a string assigned from the C string kNoMatch: GCC 12 warns falsely (-Wrestrict)
  // about that assignment in optimised builds.
  std::string_view id = viewer.id.empty() ? std::string_view(access::kNoMatch) : std::string_view(viewer.id);
  if (viewer.scope == WarningViewer::Scope::organisation) {
    q.org = id;
    // A sector filter still narrows within the organisation's own warnings.
  } else {
    if (!q.sector.empty() && q.sector != id) id = access::kNoMatch;
    q.sector = id;
  }
  q.recipient = id;
}

}  // namespace khien
