// Plain-text blocklists (one IP/CIDR, domain or URL per line under a comment header) of the
// selected indicators, for firewalls, proxies and resolvers that do not read RPZ or STIX.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "intel/export_selection.h"

namespace khien {

enum class BlocklistType { ip, domain, url };

/// "ip", "domain", "url".
std::string_view blocklist_type_name(BlocklistType type);
std::optional<BlocklistType> parse_blocklist_type(std::string_view text);

struct Blocklist {
  std::string text;  ///< "# ..." header lines, then one entry per line
  std::size_t count = 0;
  std::vector<std::string> rejected;  ///< "indicator--…: reason" for values left out
};

/// Writes the list: entries deduplicated and sorted (addresses in numeric order, IPv4 first;
/// domains validated as for DNS, see check_export_domain; URLs in their normalized form, without
/// any that hold whitespace or control bytes). The header names the type, the generation time,
/// the count and the filters.
Blocklist write_blocklist(const ExportSelection& selection, BlocklistType type, const ExportFilter& filter);

}  // namespace khien
