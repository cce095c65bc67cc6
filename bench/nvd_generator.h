// A deterministic generator of NVD CVE API 2.0 records and of an inventory over the same products, at
// the scale of the whole NVD, shaped after the corpus records (descriptions in two languages,
// references, weaknesses, CVSS v3.1 / v4.0 / v2 metrics, configurations with version ranges, AND
// configurations with platform nodes, nested children).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace khien::bench {

/// How many records, over how many products, and how skewed the product popularity is.
struct NvdShape {
  std::size_t products = 40000;
  double zipf = 0.9;  ///< popularity of the product of rank r ∝ 1 / r^zipf (few products carry many CVEs)
  std::uint64_t seed = 20261122;
};

/// Records are generated independently from (seed, index), so pages can be written in any order.
class NvdGenerator {
 public:
  explicit NvdGenerator(NvdShape shape = {}) : shape_(shape) {
    cumulative_.reserve(shape_.products);
    double sum = 0;
    for (std::size_t r = 1; r <= shape_.products; ++r) {
      sum += 1.0 / std::pow(static_cast<double>(r), shape_.zipf);
      cumulative_.push_back(sum);
    }
  }

  /// The CVE id of record `i` (ids run across years 1999..2026 like the NVD's).
  static std::string cve_id(std::size_t i) { return fmt::format("CVE-{}-{:05}", 1999 + i % 28, 10000 + i / 28); }

  /// One `vulnerabilities[]` item (`{"cve": {...}}`) for record `i`, with id `id`.
  std::string record(std::size_t i, const std::string& id) const {
    std::mt19937_64 rng(mix(shape_.seed, i));
    int year = std::stoi(id.substr(4, 4));
    std::string out;
    out.reserve(8192);
    fmt::format_to(std::back_inserter(out),
                   R"({{"cve":{{"id":"{}","sourceIdentifier":"{}","published":"{}-{:02}-{:02}T{:02}:15:{:02}.{:03}","lastModified":"2026-{:02}-{:02}T08:{:02}:11.250","vulnStatus":"{}","cveTags":[],"descriptions":[)",
                   id, cna(rng), year, 1 + rng() % 12, 1 + rng() % 28, rng() % 24, rng() % 60, rng() % 1000, 1 + rng() % 10,
                   1 + rng() % 28, rng() % 60, rng() % 10 < 8 ? "Analyzed" : "Modified");
    std::size_t product = pick_product(rng);
    out += R"({"lang":"en","value":")" + sentence(rng, product, 30 + rng() % 90) + "\"}";
    if (rng() % 10 < 7) out += R"(,{"lang":"es","value":")" + sentence(rng, product, 30 + rng() % 90) + "\"}";
    out += R"(],"metrics":{)";
    bool comma = false;
    if (rng() % 100 < 35) {
      out += R"("cvssMetricV40":[)" + cvss40(rng) + "]";
      comma = true;
    }
    if (year >= 2016 || rng() % 2) {
      out += comma ? "," : "";
      out += R"("cvssMetricV31":[)" + cvss31(rng, "nvd@nist.gov", "Primary");
      if (rng() % 2) out += "," + cvss31(rng, cna(rng), "Secondary");
      out += "]";
      comma = true;
    }
    if (year < 2016) {
      out += comma ? "," : "";
      out += R"("cvssMetricV2":[)" + cvss2(rng) + "]";
    }
    out += R"(},"weaknesses":[)";
    for (std::size_t w = 0, n = 1 + rng() % 2; w < n; ++w)
      fmt::format_to(std::back_inserter(out), R"({}{{"source":"{}","type":"{}","description":[{{"lang":"en","value":"CWE-{}"}}]}})",
                     w ? "," : "", w ? cna(rng) : "nvd@nist.gov", w ? "Secondary" : "Primary", kCwes[rng() % std::size(kCwes)]);
    out += R"(],"configurations":[)";
    for (std::size_t c = 0, n = 1 + (rng() % 10 < 2 ? 1 + rng() % 2 : 0); c < n; ++c) {
      out += c ? "," : "";
      out += configuration(rng, c == 0 ? product : pick_product(rng));
    }
    out += R"(],"references":[)";
    for (std::size_t k = 0, n = 3 + rng() % 12; k < n; ++k)
      fmt::format_to(std::back_inserter(out), R"({}{{"url":"https://{}.example/security/advisories/{}-{}","source":"{}","tags":["{}","{}"]}})",
                     k ? "," : "", vendor(product), id, k, cna(rng), kTags[rng() % std::size(kTags)], kTags[rng() % std::size(kTags)]);
    out += "]}}";
    return out;
  }

  /// An NVD API 2.0 response holding records [first, first + n).
  std::string page(std::size_t first, std::size_t n, std::size_t total) const {
    std::string out = fmt::format(R"({{"resultsPerPage":{},"startIndex":{},"totalResults":{},"format":"NVD_CVE","version":"2.0","timestamp":"2026-11-22T00:00:00.000","vulnerabilities":[)",
                                  n, first, total);
    for (std::size_t i = first; i < first + n; ++i) {
      if (i > first) out += ',';
      out += record(i, cve_id(i));
    }
    return out + "]}";
  }

  /// Writes `total` records as pages of `per_page` (nvd-000000.json, ...) into `dir`; returns the paths.
  std::vector<std::filesystem::path> write_pages(const std::filesystem::path& dir, std::size_t total, std::size_t per_page,
                                                 std::size_t* bytes) const {
    std::filesystem::create_directories(dir);
    std::vector<std::filesystem::path> paths;
    for (std::size_t first = 0; first < total; first += per_page) {
      auto text = page(first, std::min(per_page, total - first), total);
      *bytes += text.size();
      paths.push_back(dir / fmt::format("nvd-{:06}.json", first));
      std::ofstream(paths.back(), std::ios::binary) << text;
    }
    return paths;
  }

  /// The software of inventory system `i`: 2..8 components over the same products and versions.
  std::vector<std::string> system_software(std::size_t i) const {
    std::mt19937_64 rng(mix(shape_.seed ^ 0x5eed, i));
    std::vector<std::string> out;
    for (std::size_t k = 0, n = 2 + rng() % 7; k < n; ++k) {
      std::size_t p = pick_product(rng);
      out.push_back(fmt::format("cpe:2.3:{}:{}:{}:{}:*:*:*:*:*:*:*", part(p), vendor(p), product_name(p), version(rng, p)));
    }
    return out;
  }

  static std::string vendor(std::size_t p) { return fmt::format("vendor{}", p % 9000); }
  static std::string product_name(std::size_t p) { return fmt::format("product_{}", p); }

 private:
  static constexpr int kCwes[] = {79, 787, 89, 352, 22, 125, 78, 416, 862, 434, 94, 20, 77, 287, 269, 502, 200, 863, 918, 119};
  static constexpr const char* kTags[] = {"Vendor Advisory", "Patch", "Third Party Advisory", "VDB Entry", "Exploit",
                                          "Mailing List", "Issue Tracking", "Release Notes"};
  static constexpr const char* kWords[] = {
      "allows", "remote", "attackers", "to", "execute", "arbitrary", "code", "via", "a", "crafted", "request", "in", "the",
      "component", "improper", "validation", "of", "input", "leads", "buffer", "overflow", "authenticated", "users",
      "could", "obtain", "sensitive", "information", "denial", "service", "memory", "corruption", "when", "processing",
      "specially", "header", "configuration", "file", "privilege", "escalation", "through", "unspecified", "vectors"};

  static std::uint64_t mix(std::uint64_t seed, std::uint64_t i) {
    std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (i + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  std::size_t pick_product(std::mt19937_64& rng) const {
    double x = std::uniform_real_distribution<double>(0, cumulative_.back())(rng);
    return static_cast<std::size_t>(std::lower_bound(cumulative_.begin(), cumulative_.end(), x) - cumulative_.begin());
  }

  static const char* part(std::size_t p) { return p % 11 == 0 ? "o" : "a"; }
  // Each product has 1..5 major lines of 10 minors of up to 24 patches.
  static std::size_t majors(std::size_t p) { return 1 + p % 5; }
  static std::string version(std::mt19937_64& rng, std::size_t p) {
    return fmt::format("{}.{}.{}", 1 + rng() % majors(p), rng() % 10, rng() % 24);
  }
  static std::string cna(std::mt19937_64& rng) {
    static constexpr const char* kCna[] = {"security@apache.org", "secure@microsoft.com", "psirt@us.ibm.com", "cve@mitre.org",
                                           "security-advisories@github.com", "vultures@jpcert.or.jp", "psirt@fortinet.com"};
    return kCna[rng() % std::size(kCna)];
  }

  static std::string sentence(std::mt19937_64& rng, std::size_t product, std::size_t words) {
    std::string s = fmt::format("A vulnerability in {} {} before {}.{}", vendor(product), product_name(product), 1 + rng() % 5, rng() % 10);
    for (std::size_t w = 0; w < words; ++w) {
      s += ' ';
      s += kWords[rng() % std::size(kWords)];
    }
    return s + ".";
  }

  static double score(std::mt19937_64& rng) { return static_cast<double>(20 + rng() % 81) / 10.0; }
  static const char* severity(double s) { return s >= 9 ? "CRITICAL" : s >= 7 ? "HIGH" : s >= 4 ? "MEDIUM" : "LOW"; }

  static std::string cvss31(std::mt19937_64& rng, const std::string& source, const char* type) {
    static constexpr const char* kAv[] = {"NETWORK", "ADJACENT_NETWORK", "LOCAL", "PHYSICAL"};
    double s = score(rng);
    const char* av = kAv[rng() % 4];
    return fmt::format(
        R"({{"source":"{}","type":"{}","cvssData":{{"version":"3.1","vectorString":"CVSS:3.1/AV:{}/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","attackVector":"{}","attackComplexity":"LOW","privilegesRequired":"NONE","userInteraction":"NONE","scope":"UNCHANGED","confidentialityImpact":"HIGH","integrityImpact":"HIGH","availabilityImpact":"HIGH","baseScore":{:.1f},"baseSeverity":"{}"}},"exploitabilityScore":3.9,"impactScore":5.9}})",
        source, type, av[0], av, s, severity(s));
  }

  static std::string cvss40(std::mt19937_64& rng) {
    double s = score(rng);
    return fmt::format(
        R"({{"source":"{}","type":"Secondary","cvssData":{{"version":"4.0","vectorString":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N","baseScore":{:.1f},"baseSeverity":"{}","attackVector":"NETWORK","attackComplexity":"LOW","attackRequirements":"NONE","privilegesRequired":"NONE","userInteraction":"NONE","vulnConfidentialityImpact":"HIGH","vulnIntegrityImpact":"HIGH","vulnAvailabilityImpact":"HIGH","subConfidentialityImpact":"NONE","subIntegrityImpact":"NONE","subAvailabilityImpact":"NONE","exploitMaturity":"NOT_DEFINED","confidentialityRequirement":"NOT_DEFINED","integrityRequirement":"NOT_DEFINED","availabilityRequirement":"NOT_DEFINED","modifiedAttackVector":"NOT_DEFINED","modifiedAttackComplexity":"NOT_DEFINED","modifiedAttackRequirements":"NOT_DEFINED","modifiedPrivilegesRequired":"NOT_DEFINED","modifiedUserInteraction":"NOT_DEFINED","modifiedVulnConfidentialityImpact":"NOT_DEFINED","modifiedVulnIntegrityImpact":"NOT_DEFINED","modifiedVulnAvailabilityImpact":"NOT_DEFINED","modifiedSubConfidentialityImpact":"NOT_DEFINED","modifiedSubIntegrityImpact":"NOT_DEFINED","modifiedSubAvailabilityImpact":"NOT_DEFINED","Safety":"NOT_DEFINED","Automatable":"NOT_DEFINED","Recovery":"NOT_DEFINED","valueDensity":"NOT_DEFINED","vulnerabilityResponseEffort":"NOT_DEFINED","providerUrgency":"NOT_DEFINED"}}}})",
        cna(rng), s, severity(s));
  }

  static std::string cvss2(std::mt19937_64& rng) {
    double s = score(rng);
    return fmt::format(
        R"({{"source":"nvd@nist.gov","type":"Primary","cvssData":{{"version":"2.0","vectorString":"AV:N/AC:L/Au:N/C:P/I:P/A:P","accessVector":"NETWORK","accessComplexity":"LOW","authentication":"NONE","confidentialityImpact":"PARTIAL","integrityImpact":"PARTIAL","availabilityImpact":"PARTIAL","baseScore":{:.1f}}},"baseSeverity":"{}","exploitabilityScore":10.0,"impactScore":6.4,"acInsufInfo":false,"obtainAllPrivilege":false,"obtainUserPrivilege":false,"obtainOtherPrivilege":false,"userInteractionRequired":false}})",
        s, severity(s));
  }

  static std::string match_id(std::mt19937_64& rng) {
    return fmt::format("{:08X}-{:04X}-{:04X}-{:04X}-{:012X}", rng() & 0xffffffff, rng() & 0xffff, rng() & 0xffff, rng() & 0xffff,
                       rng() & 0xffffffffffffULL);
  }

  // The cpeMatch entries naming product `p` as vulnerable: a fixed range on one minor line, every
  // version before a fix, a list of exact versions, or an inclusive range.
  static std::string vulnerable_matches(std::mt19937_64& rng, std::size_t p) {
    std::string base = fmt::format("cpe:2.3:{}:{}:{}", part(p), vendor(p), product_name(p));
    std::size_t major = 1 + rng() % majors(p), minor = rng() % 10;
    int kind = static_cast<int>(rng() % 100);
    if (kind < 45)
      return fmt::format(R"({{"vulnerable":true,"criteria":"{}:*:*:*:*:*:*:*:*","versionStartIncluding":"{}.{}.0","versionEndExcluding":"{}.{}.{}","matchCriteriaId":"{}"}})",
                         base, major, minor, major, minor, 1 + rng() % 23, match_id(rng));
    if (kind < 70)
      return fmt::format(R"({{"vulnerable":true,"criteria":"{}:*:*:*:*:*:*:*:*","versionEndExcluding":"{}.{}.{}","matchCriteriaId":"{}"}})", base,
                         major, minor, rng() % 24, match_id(rng));
    if (kind < 90) {
      std::string out;
      for (std::size_t k = 0, n = 1 + rng() % 8; k < n; ++k)
        fmt::format_to(std::back_inserter(out), R"({}{{"vulnerable":true,"criteria":"{}:{}.{}.{}:*:*:*:*:*:*:*","matchCriteriaId":"{}"}})",
                       k ? "," : "", base, major, minor, rng() % 24, match_id(rng));
      return out;
    }
    return fmt::format(R"({{"vulnerable":true,"criteria":"{}:*:*:*:*:*:*:*:*","versionStartIncluding":"{}.0.0","versionEndIncluding":"{}.{}.{}","matchCriteriaId":"{}"}})",
                       base, major, major, minor, rng() % 24, match_id(rng));
  }

  std::string platform_matches(std::mt19937_64& rng) const {
    std::string out;
    for (std::size_t k = 0, n = 1 + rng() % 3; k < n; ++k) {
      std::size_t p = pick_product(rng);
      fmt::format_to(std::back_inserter(out), R"({}{{"vulnerable":false,"criteria":"cpe:2.3:o:{}:{}:-:*:*:*:*:*:*:*","matchCriteriaId":"{}"}})",
                     k ? "," : "", vendor(p), product_name(p), match_id(rng));
    }
    return out;
  }

  // One configuration: mostly an OR node over one or more products; some "running on" AND
  // configurations (vulnerable node + platform node, as NVD writes them), some nested as children.
  std::string configuration(std::mt19937_64& rng, std::size_t product) const {
    std::string vulnerable = vulnerable_matches(rng, product);
    for (std::size_t extra = rng() % 10 < 3 ? 1 + rng() % 3 : 0; extra > 0; --extra) vulnerable += "," + vulnerable_matches(rng, product);
    int kind = static_cast<int>(rng() % 100);
    if (kind < 80) return R"({"nodes":[{"operator":"OR","negate":false,"cpeMatch":[)" + vulnerable + "]}]}";
    if (kind < 95)
      return R"({"operator":"AND","nodes":[{"operator":"OR","negate":false,"cpeMatch":[)" + vulnerable +
             R"(]},{"operator":"OR","negate":false,"cpeMatch":[)" + platform_matches(rng) + "]}]}";
    return R"({"nodes":[{"operator":"AND","negate":false,"children":[{"operator":"OR","negate":false,"cpeMatch":[)" + vulnerable +
           R"(]},{"operator":"OR","negate":false,"cpeMatch":[)" + platform_matches(rng) + "]}]}]}";
  }

  NvdShape shape_;
  std::vector<double> cumulative_;
};

}  // namespace khien::bench
