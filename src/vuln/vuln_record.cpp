// Merged accessors of VulnRecord.
#include "vuln/vuln_record.h"

namespace khien {

namespace {
const std::string kEmpty;
const std::vector<Configuration> kNoConfigurations;
}  // namespace

std::string_view vuln_source_name(VulnSource s) {
  switch (s) {
    case VulnSource::nvd: return "nvd";
    case VulnSource::cve5: return "cve5";
    case VulnSource::kev: return "kev";
    case VulnSource::epss: return "epss";
  }
  return "nvd";
}

std::string date_part(std::string_view timestamp) { return std::string(timestamp.substr(0, 10)); }

const std::string& VulnRecord::published() const {
  if (nvd && !nvd->published.empty()) return nvd->published;
  if (cve5) return cve5->published;
  return kEmpty;
}

const std::string& VulnRecord::modified() const {
  if (nvd && !nvd->modified.empty()) return nvd->modified;
  if (cve5) return cve5->modified;
  return kEmpty;
}

const std::string& VulnRecord::description() const {
  if (nvd && !nvd->description.empty()) return nvd->description;
  if (cve5 && !cve5->description.empty()) return cve5->description;
  if (kev) return kev->short_description;
  return kEmpty;
}

const CvssScore* VulnRecord::cvss(std::string_view version) const {
  const CvssScore* best = nullptr;
  int best_rank = -1;
  // NVD's own score first, then a CNA's score as NVD carries it, then the CVE record's.
  auto consider = [&](const FeedRecord& f, bool from_nvd) {
    for (const auto& s : f.cvss) {
      if (s.version != version) continue;
      int rank = from_nvd ? (s.primary ? 3 : 2) : 1;
      if (rank > best_rank) { best = &s; best_rank = rank; }
    }
  };
  if (nvd) consider(*nvd, true);
  if (cve5) consider(*cve5, false);
  return best;
}

std::vector<std::string> VulnRecord::cwes() const {
  std::vector<std::string> out;
  auto add = [&](const std::vector<std::string>& list) {
    for (const auto& c : list) {
      bool seen = false;
      for (const auto& o : out) seen = seen || o == c;
      if (!seen) out.push_back(c);
    }
  };
  if (nvd) add(nvd->cwes);
  if (cve5) add(cve5->cwes);
  if (kev) add(kev->cwes);
  return out;
}

const std::vector<Configuration>& VulnRecord::configurations() const {
  if (nvd && !nvd->configurations.empty()) return nvd->configurations;
  if (cve5) return cve5->configurations;
  return kNoConfigurations;
}

}  // namespace khien
