// GeoIP and ASN enrichment of event addresses from MaxMind-format (.mmdb) databases through libmaxminddb.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/event.h"
#include "core/ip_address.h"

namespace khien {

/// Where the databases are; an empty path leaves that part out.
struct GeoOptions {
  std::string city_db;  ///< GeoIP2/GeoLite2 City or Country database
  std::string asn_db;   ///< GeoLite2/GeoIP2 ASN database
};

/// What the databases say about one address. Views point into the memory-mapped database and
/// live as long as the GeoEnricher.
struct GeoInfo {
  std::string_view country;  ///< ISO 3166-1 alpha-2 code ("VN"), empty if unknown
  std::string_view city;     ///< English city name, empty if unknown
  std::uint32_t asn = 0;     ///< autonomous system number, 0 if unknown
  std::string_view as_org;   ///< autonomous system organisation, empty if unknown
  bool found() const { return !country.empty() || !city.empty() || asn != 0; }
};

/// Looks addresses up and writes, for src_endpoint.ip and dst_endpoint.ip of an event:
/// `<side>.location.country`, `<side>.location.city`, `<side>.autonomous_system.number` and
/// `<side>.autonomous_system.name` (OCSF names; the common schema has no such fields yet, so they
/// are original fields). Private, loopback and other addresses the databases do not hold get nothing.
///
/// Threading: immutable after open(); lookups are safe from any number of threads (libmaxminddb
/// reads a read-only memory map).
class GeoEnricher {
 public:
  /// Opens the databases; an error names the file and libmaxminddb's reason.
  static Result<std::unique_ptr<GeoEnricher>> open(const GeoOptions& options);
  ~GeoEnricher();
  GeoEnricher(const GeoEnricher&) = delete;
  GeoEnricher& operator=(const GeoEnricher&) = delete;

  GeoInfo lookup(const IpAddress& ip) const;
  /// Adds the fields above to `event`; returns how many addresses were found.
  int enrich(Event& event) const;
  bool has_city() const;
  bool has_asn() const;

 private:
  GeoEnricher();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace khien
