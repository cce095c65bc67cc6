// The national incident taxonomy: classes and types close to the eCSIRT/RSIT reference, named in Vietnamese and
// English.
#pragma once

#include <string_view>
#include <vector>

namespace khien {

/// One incident type. `code` is "<class>.<type>" in RSIT's spelling where RSIT has the type; the
/// national additions (defacement, disinformation, scam apps) sit in the class they belong to.
struct IncidentCategory {
  std::string_view code;
  std::string_view class_code;
  std::string_view name_vi;
  std::string_view name_en;
};

/// Every category, grouped by class, in a fixed order (the console lists them in this order).
const std::vector<IncidentCategory>& incident_categories();
/// The category with this code, or nullptr.
const IncidentCategory* find_incident_category(std::string_view code);

}  // namespace khien
