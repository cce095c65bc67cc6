// First-start import of the registry (YAML from a directory, or the copy built into the binary) into the state store.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/registry_data.h"
#include "store/state_store.h"

namespace khien {

/// data/registry/*.yaml as built into the binary, by file name.
const std::map<std::string, std::string_view>& embedded_registry_files();
/// data/scenarios/*.yaml as built into the binary, by file name.
const std::map<std::string, std::string_view>& embedded_scenario_files();

/// Loads and validates the registry from `dir`, or the embedded copy when `dir` is empty.
Result<RegistryData> load_registry(const std::filesystem::path& dir);

/// Validates the registry and writes it into the store in one transaction.
Status import_registry(StateStore& store, const std::filesystem::path& dir);

}  // namespace khien
