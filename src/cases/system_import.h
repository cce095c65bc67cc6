// Import of information systems from YAML (data/registry/systems.yaml) and CSV, with file:line errors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cases/information_system.h"
#include "core/error.h"

namespace khien {

struct RegistryData;

/// Parses a `systems:` YAML list. Every problem is reported, one per line, as
/// `<label>:<line>:<column>: systems[<i>].<field>: <reason>`; unknown keys and duplicate ids are errors.
/// With `registry`, owners, addresses and domains are checked against it.
Result<std::vector<InformationSystem>> parse_systems_yaml(std::string_view text, const std::string& label,
                                                          const RegistryData* registry);

/// Parses CSV (RFC 4180 quoting) with a header row naming the columns: id, name, owner, security_level
/// (required) and level_approved, national_critical, on_site, monitoring, assessment,
/// national_connection, last_drill, addresses, domains, software (lists separated by ';' or spaces).
/// Problems are reported as `<label>:<line>: <column>: <reason>`.
Result<std::vector<InformationSystem>> parse_systems_csv(std::string_view text, const std::string& label,
                                                         const RegistryData* registry);

}  // namespace khien
