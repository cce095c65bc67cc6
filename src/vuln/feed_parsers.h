// Parsers from one feed item (NVD CVE API 2.0 `cve` object, CVE JSON 5 record, KEV entry) to the
// normalized parts of a VulnRecord. They validate and say what is wrong and where.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/error.h"
#include "vuln/vuln_record.h"

namespace khien {

/// The kind of a vulnerability feed file, recognised from its content.
enum class FeedKind : unsigned char { nvd, cve5, kev, epss, unknown };
std::string_view feed_kind_name(FeedKind k);
/// Recognises a feed from its first bytes and top-level keys (an EPSS CSV starts with
/// `#model_version` or `cve,epss`); `unknown` when it is none of them.
FeedKind detect_feed_kind(std::string_view text);

/// True for `CVE-YYYY-NNNN` with four or more digits in the sequence part.
bool is_cve_id(std::string_view id);

/// Parses an NVD CVE API 2.0 `cve` object. The id is checked by the caller.
Result<FeedRecord> parse_nvd_cve(const nlohmann::json& cve);
/// Parses a CVE JSON 5.x record (cvelistV5 layout: cveMetadata, containers.cna, containers.adp[]).
/// `id` receives cveMetadata.cveId when it could be read, so rejections can name the record.
Result<FeedRecord> parse_cve5_record(const nlohmann::json& record, std::string& id);
/// Parses one entry of the KEV catalogue's `vulnerabilities` array.
Result<KevEntry> parse_kev_entry(const nlohmann::json& entry);
/// Parses NVD-shaped `configurations` (also used to read them back from the store).
Result<std::vector<Configuration>> parse_nvd_configurations(const nlohmann::json& configurations);

}  // namespace khien
