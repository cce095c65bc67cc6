// A STIX 2.1 bundle of the selected indicators plus the objects they reference (identities that
// created them, marking-definitions), for partners that consume STIX rather than lists.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "intel/export_selection.h"
#include "store/stix_store.h"

namespace khien {

struct StixExport {
  nlohmann::json bundle;  ///< {"type": "bundle", "id": "bundle--…", "objects": [...]}
  std::size_t indicators = 0, referenced = 0;
  /// References not followed: "indicator--…: created_by_ref → identity--… (TLP:AMBER above max_tlp)"
  /// or "(not in the store)". TLP 1.0 and 2.0 marking ids missing from the store are not listed:
  /// every STIX consumer knows them.
  std::vector<std::string> omitted;
};

/// Builds the bundle: the selected indicators (their stored JSON, unchanged), then, following
/// `created_by_ref`, `object_marking_refs` and granular `marking_ref`s transitively, the latest
/// stored version of each referenced object whose own TLP is within `filter.max_tlp`. Objects
/// are ordered by id within each group. Threading: any thread.
StixExport export_stix_bundle(StixStore& store, const ExportSelection& selection, const ExportFilter& filter);

}  // namespace khien
