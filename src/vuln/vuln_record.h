// What khien knows about one CVE, per source (NVD, CVE JSON 5, CISA KEV, EPSS), and the merged view.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vuln/applicability.h"

namespace khien {

/// The sources a record's parts come from; each part has its own content hash.
enum class VulnSource : unsigned char { nvd, cve5, kev, epss };
inline constexpr std::size_t kVulnSourceCount = 4;
std::string_view vuln_source_name(VulnSource s);

/// One CVSS score as published.
struct CvssScore {
  std::string version;   ///< "4.0", "3.1", "3.0", "2.0"
  double base_score = 0;
  std::string vector;
  std::string severity;  ///< upper case ("CRITICAL"); empty when the source gave none
  std::string source;    ///< who scored it: "nvd@nist.gov", the CNA's e-mail or short name, "CISA-ADP"
  bool primary = false;  ///< NVD's "Primary" type (scored by NVD itself)
};

/// CISA's SSVC decision points from the vulnrichment ADP container.
struct Ssvc {
  std::string exploitation, automatable, technical_impact;
};

/// The part of a record one CVE feed (NVD or CVE JSON 5) said.
struct FeedRecord {
  std::string published, modified;  ///< as written (ISO 8601)
  std::string state;                ///< NVD vulnStatus or CVE 5 state ("PUBLISHED", "REJECTED")
  std::string description;          ///< English description (the first one when none is English)
  std::vector<CvssScore> cvss;
  std::vector<std::string> cwes;    ///< "CWE-917"; NVD's "NVD-CWE-noinfo"/"NVD-CWE-Other" left out
  std::vector<Configuration> configurations;
  std::optional<Ssvc> ssvc;
  /// NVD's copy of the KEV fields (cisaExploitAdd, cisaActionDue), or the ADP "kev" metric's date.
  std::string kev_date_added, kev_due_date;
};

/// One entry of the CISA Known Exploited Vulnerabilities catalogue.
struct KevEntry {
  std::string vendor_project, product, vulnerability_name, short_description, required_action, notes;
  std::string date_added, due_date;              ///< YYYY-MM-DD
  std::string known_ransomware_campaign_use;     ///< "Known" or "Unknown"
  std::vector<std::string> cwes;
};

/// An EPSS score: probability of exploitation in the next 30 days and its percentile.
struct EpssScore {
  double epss = 0, percentile = 0;
  std::string model_version, score_date;
};

/// Everything known about one CVE. The merged accessors prefer NVD, then the CVE record.
struct VulnRecord {
  std::string id;
  std::optional<FeedRecord> nvd, cve5;
  std::optional<KevEntry> kev;
  std::optional<EpssScore> epss;
  std::string hashes[kVulnSourceCount];  ///< content hash per source part (empty when absent)

  /// Published timestamp (NVD, else the CVE record's datePublished).
  const std::string& published() const;
  /// Last modification (NVD lastModified, else the CVE record's dateUpdated).
  const std::string& modified() const;
  const std::string& description() const;
  /// The CVSS score of that version to show: NVD's own (Primary), else the CNA's, else any.
  const CvssScore* cvss(std::string_view version) const;
  const CvssScore* cvss31() const { return cvss("3.1"); }
  const CvssScore* cvss40() const { return cvss("4.0"); }
  /// Union of the CWE ids of every source, in first-seen order.
  std::vector<std::string> cwes() const;
  /// NVD's configurations, else those derived from the CVE record's affected[].cpes.
  const std::vector<Configuration>& configurations() const;
  bool in_kev() const { return kev.has_value() || (nvd && !nvd->kev_date_added.empty()); }
};

/// "2021-12-10" from "2021-12-10T10:15:09.143" (the first ten characters, or all of a shorter text).
std::string date_part(std::string_view timestamp);

}  // namespace khien
