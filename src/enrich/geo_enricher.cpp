// GeoEnricher: libmaxminddb lookups (memory-mapped, thread-safe) turned into OCSF location and AS fields.
#include "enrich/geo_enricher.h"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>

#include <cstring>

#include <fmt/format.h>

#include "core/field_dictionary.h"

namespace khien {

namespace {

struct SideFields {
  FieldId country, city, asn, as_name;
  explicit SideFields(std::string_view side)
      : country(intern_field(fmt::format("{}.location.country", side))),
        city(intern_field(fmt::format("{}.location.city", side))),
        asn(intern_field(fmt::format("{}.autonomous_system.number", side))),
        as_name(intern_field(fmt::format("{}.autonomous_system.name", side))) {}
};

std::string_view utf8_value(MMDB_entry_s& entry, const char* const* path) {
  MMDB_entry_data_s data{};
  if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data) return {};
  if (data.type != MMDB_DATA_TYPE_UTF8_STRING) return {};
  return std::string_view(data.utf8_string, data.data_size);
}

std::uint32_t uint_value(MMDB_entry_s& entry, const char* const* path) {
  MMDB_entry_data_s data{};
  if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data) return 0;
  switch (data.type) {
    case MMDB_DATA_TYPE_UINT32: return data.uint32;
    case MMDB_DATA_TYPE_UINT16: return data.uint16;
    default: return 0;
  }
}

}  // namespace

struct GeoEnricher::Impl {
  MMDB_s city{};
  MMDB_s asn{};
  bool have_city = false;
  bool have_asn = false;

  ~Impl() {
    if (have_city) MMDB_close(&city);
    if (have_asn) MMDB_close(&asn);
  }

  static std::optional<MMDB_lookup_result_s> find(const MMDB_s& db, const IpAddress& ip) {
    sockaddr_storage ss{};
    if (ip.v4) {
      auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
      sin->sin_family = AF_INET;
      sin->sin_addr.s_addr = htonl(ip.v4_host_order());
    } else {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
      sin6->sin6_family = AF_INET6;
      std::memcpy(&sin6->sin6_addr, ip.bytes.data(), 16);
    }
    int error = MMDB_SUCCESS;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&db, reinterpret_cast<const sockaddr*>(&ss), &error);
    // An IPv6 address in an IPv4-only database is an error, not a miss; both mean "nothing known".
    if (error != MMDB_SUCCESS || !r.found_entry) return std::nullopt;
    return r;
  }
};

GeoEnricher::GeoEnricher() : impl_(std::make_unique<Impl>()) {}
GeoEnricher::~GeoEnricher() = default;

Result<std::unique_ptr<GeoEnricher>> GeoEnricher::open(const GeoOptions& options) {
  std::unique_ptr<GeoEnricher> g(new GeoEnricher());
  auto open_one = [](const std::string& path, MMDB_s& db, const char* what) -> Status {
    int st = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db);
    if (st == MMDB_SUCCESS) return {};
    std::string reason = MMDB_strerror(st);
    if (st == MMDB_IO_ERROR) reason += fmt::format(" ({})", std::strerror(errno));
    return fail(fmt::format("geo.{} '{}': {}", what, path, reason));
  };
  if (!options.city_db.empty()) {
    if (auto st = open_one(options.city_db, g->impl_->city, "city_db"); !st) return tl::unexpected(st.error());
    g->impl_->have_city = true;
  }
  if (!options.asn_db.empty()) {
    if (auto st = open_one(options.asn_db, g->impl_->asn, "asn_db"); !st) return tl::unexpected(st.error());
    g->impl_->have_asn = true;
  }
  return g;
}

bool GeoEnricher::has_city() const { return impl_->have_city; }
bool GeoEnricher::has_asn() const { return impl_->have_asn; }

GeoInfo GeoEnricher::lookup(const IpAddress& ip) const {
  static const char* const kCountry[] = {"country", "iso_code", nullptr};
  static const char* const kRegisteredCountry[] = {"registered_country", "iso_code", nullptr};
  static const char* const kCity[] = {"city", "names", "en", nullptr};
  static const char* const kAsn[] = {"autonomous_system_number", nullptr};
  static const char* const kAsOrg[] = {"autonomous_system_organization", nullptr};
  GeoInfo info;
  if (impl_->have_city) {
    if (auto r = Impl::find(impl_->city, ip)) {
      info.country = utf8_value(r->entry, kCountry);
      if (info.country.empty()) info.country = utf8_value(r->entry, kRegisteredCountry);
      info.city = utf8_value(r->entry, kCity);
    }
  }
  if (impl_->have_asn) {
    if (auto r = Impl::find(impl_->asn, ip)) {
      info.asn = uint_value(r->entry, kAsn);
      info.as_org = utf8_value(r->entry, kAsOrg);
    }
  }
  return info;
}

int GeoEnricher::enrich(Event& event) const {
  static const SideFields src("src_endpoint"), dst("dst_endpoint");
  int found = 0;
  for (auto [ip_field, f] : {std::pair{field::src_endpoint_ip, &src}, std::pair{field::dst_endpoint_ip, &dst}}) {
    const Value* v = event.get(ip_field);
    if (!v || v->type != FieldType::Ip) continue;
    GeoInfo g = lookup(v->ip);
    if (!g.found()) continue;
    ++found;
    // Views into the memory map outlive the batch, so no copy into the arena is needed.
    if (!g.country.empty()) event.set(f->country, Value::of_string(g.country));
    if (!g.city.empty()) event.set(f->city, Value::of_string(g.city));
    if (g.asn != 0) event.set(f->asn, Value::of_int(g.asn));
    if (!g.as_org.empty()) event.set(f->as_name, Value::of_string(g.as_org));
  }
  return found;
}

}  // namespace khien
