// Imports STIX 2.1 bundles (and TAXII envelopes' object lists) into the StixStore: validates
// every object, resolves references, applies source and default TLP, all in one transaction.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "intel/stix_object.h"
#include "intel/tlp.h"
#include "store/stix_store.h"

namespace khien {

/// The collection that `khien intel import` and the import API fill when none is named.
inline constexpr std::string_view kDefaultStixCollection = "8a2f7c1e-5b3d-4e6a-9c0f-1d2e3f4a5b6c";

struct StixImportOptions {
  std::string collection{kDefaultStixCollection};
  std::string source;                  ///< recorded with every object (e.g. "mitre-attack", an organisation)
  Tlp default_tlp = Tlp::amber;        ///< for objects that carry no TLP marking
  std::size_t max_bytes = 256u << 20;  ///< larger bundles are refused before parsing
  /// References to objects neither in the bundle nor in the store are reported in the result;
  /// with this set they reject the bundle instead. Marking references must always resolve.
  bool require_resolved_references = false;
  bool allow_stix20 = false;  ///< accept STIX 2.0 objects (fixtures); 2.1 only otherwise
};

/// One object version of an import and what became of it.
struct StixImportedVersion {
  std::string id, version;
  bool added = false;  ///< false: that (id, version) was already stored, nothing changed
};

struct StixImportResult {
  std::size_t objects = 0, added = 0, unchanged = 0;
  /// "indicator--…: created_by_ref → identity--… (not in the bundle or the store)".
  std::vector<std::string> unresolved_references;
  std::vector<StixImportedVersion> versions;
};

/// Threading: stateless apart from the store, which serialises its own calls.
class StixBundleImporter {
 public:
  /// `store` may be null: then bundles are only checked (references resolve within the bundle).
  explicit StixBundleImporter(StixStore* store) : store_(store) {}

  /// Imports a bundle's JSON text. Any invalid object rejects the whole bundle with the object's
  /// position, id and property; nothing is stored.
  Result<StixImportResult> import_bundle(std::string_view text, const StixImportOptions& options);
  /// Imports a list of objects (a TAXII envelope's `objects`) under the same rules.
  Result<StixImportResult> import_objects(const nlohmann::json& objects, const StixImportOptions& options);
  /// Validates a bundle without storing it (used by the fuzz target and dry runs).
  Result<StixImportResult> check_bundle(std::string_view text, const StixImportOptions& options);

 private:
  Result<StixImportResult> run(const nlohmann::json& objects, const StixImportOptions& options, bool store);
  Result<nlohmann::json> parse_bundle(std::string_view text, const StixImportOptions& options);

  StixStore* store_;
};

/// Loads medallion's data file (the TAXII reference server's `default_data.json`: a "/discovery"
/// entry and, per API root, its information, status resources and collections with their
/// objects and manifests) into the store: discovery, API roots, collections, statuses and
/// every object with its manifest date_added. Objects are validated (STIX 2.0 ones accepted, as
/// the file mixes both); objects without a TLP marking get `default_tlp`.
Status load_medallion_data(const std::filesystem::path& path, StixStore& store, Tlp default_tlp = Tlp::green);

}  // namespace khien
