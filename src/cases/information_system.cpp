// Information system model: validation, JSON form, CPE 2.3 syntax.
#include "cases/information_system.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/ip_address.h"
#include "store/registry_data.h"

namespace khien {

namespace {
constexpr std::array<std::pair<LayerStatus, std::string_view>, 3> kLayerNames{
    {{LayerStatus::none, "none"}, {LayerStatus::partial, "partial"}, {LayerStatus::full, "full"}}};

double layer_value(LayerStatus s) {
  return s == LayerStatus::full ? 1.0 : s == LayerStatus::partial ? 0.5 : 0.0;
}

bool host_under(std::string_view host, std::string_view domain) {
  if (host == domain) return true;
  return host.size() > domain.size() && host.substr(host.size() - domain.size()) == domain &&
         host[host.size() - domain.size() - 1] == '.';
}
bool valid_utf8(std::string_view b) {
  std::size_t i = 0;
  while (i < b.size()) {
    auto c = static_cast<unsigned char>(b[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return false;  // no control characters in a display name
      ++i;
      continue;
    }
    int extra = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (extra < 0 || c == 0xC0 || c == 0xC1 || c > 0xF4 || i + static_cast<std::size_t>(extra) >= b.size())
      return false;
    for (int k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(b[i + static_cast<std::size_t>(k)]) & 0xC0) != 0x80) return false;
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

// Lowercase host name: labels of a-z, 0-9 and inner hyphens, at least two labels.
bool is_host_name(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  int labels = 0;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = text.find('.', start);
    std::string_view label = text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 2;
}

}  // namespace

double FourLayerProtection::coverage() const {
  return (layer_value(on_site) + layer_value(monitoring) + layer_value(assessment) + layer_value(national_connection)) /
         4.0;
}

std::string_view to_string(LayerStatus s) {
  for (const auto& [v, name] : kLayerNames)
    if (v == s) return name;
  return "none";
}

std::optional<LayerStatus> parse_layer_status(std::string_view text) {
  for (const auto& [v, name] : kLayerNames)
    if (name == text) return v;
  return std::nullopt;
}

std::optional<TimeNs> parse_civil_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len, int& out) {
    auto [end, ec] = std::from_chars(t.data() + pos, t.data() + pos + len, out);
    return ec == std::errc() && end == t.data() + pos + len;
  };
  int y = 0, m = 0, d = 0;
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
  // TimeNs ends in 2262; a drill date beyond 2200 is a typo anyway.
  if (y < 1970 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  // Reject 2026-02-31 and the like: the date must survive the round trip.
  std::int64_t ry = 0;
  unsigned rm = 0, rd = 0;
  civil_from_days(days, ry, rm, rd);
  if (ry != y || rm != static_cast<unsigned>(m) || rd != static_cast<unsigned>(d)) return std::nullopt;
  return days * 86400LL * 1000000000LL;
}

std::string format_civil_date(TimeNs t) {
  std::int64_t days = t / (86400LL * 1000000000LL);
  if (t < 0 && t % (86400LL * 1000000000LL) != 0) --days;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

bool is_cpe23(std::string_view text) {
  constexpr std::string_view kPrefix = "cpe:2.3:";
  if (text.size() > 1024 || text.substr(0, kPrefix.size()) != kPrefix) return false;
  std::vector<std::string_view> parts;
  std::size_t start = kPrefix.size();
  for (std::size_t i = start; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ':') {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
      continue;
    }
    char c = text[i];
    if (c == '\\') {
      // An escape quotes the next printable character (":" inside a value is written "\:").
      if (i + 1 >= text.size() || text[i + 1] <= ' ' || text[i + 1] > '~') return false;
      ++i;
      continue;
    }
    if (c <= ' ' || c > '~') return false;
  }
  if (parts.size() != 11) return false;
  for (auto p : parts)
    if (p.empty()) return false;
  return parts[0] == "a" || parts[0] == "o" || parts[0] == "h" || parts[0] == "*" || parts[0] == "-";
}

std::vector<FieldProblem> validate_system(const InformationSystem& s, const RegistryData* registry) {
  std::vector<FieldProblem> out;
  if (!is_registry_id(s.id))
    out.push_back({"id", fmt::format("'{}' is not a valid id (lowercase ASCII letters and digits, words joined by "
                                     "single hyphens)",
                                     s.id)});
  if (s.name.empty())
    out.push_back({"name", "must not be empty"});
  else if (!valid_utf8(s.name))
    out.push_back({"name", "must be UTF-8 text without control characters"});
  if (s.security_level < 1 || s.security_level > 5)
    out.push_back({"security_level", fmt::format("{} is not a level from 1 to 5 (Decree 85/2016)", s.security_level)});
  for (std::size_t i = 0; i < s.software.size(); ++i) {
    if (!is_cpe23(s.software[i]))
      out.push_back({fmt::format("software[{}]", i),
                     fmt::format("'{}' is not a CPE 2.3 name (cpe:2.3:part:vendor:product:version:update:edition:"
                                 "language:sw_edition:target_sw:target_hw:other)",
                                 s.software[i])});
  }
  const Organisation* org = nullptr;
  if (s.owner.empty()) {
    out.push_back({"owner", "must name the owning organisation"});
  } else if (registry) {
    org = registry->find_organisation(s.owner);
    if (!org) out.push_back({"owner", fmt::format("unknown organisation '{}'", s.owner)});
  }
  for (std::size_t i = 0; i < s.addresses.size(); ++i) {
    auto prefix = IpPrefix::parse(s.addresses[i]);
    std::string field = fmt::format("addresses[{}]", i);
    if (!prefix) {
      out.push_back({field, fmt::format("'{}' is not an address or CIDR prefix", s.addresses[i])});
      continue;
    }
    if (!org) continue;
    bool inside = false;
    for (const auto& range : org->ip_ranges) {
      if (range.address.v4 == prefix->address.v4 && range.bits <= prefix->bits && range.contains(prefix->address))
        inside = true;
    }
    if (!inside)
      out.push_back({field, fmt::format("'{}' is outside the address ranges of '{}'", s.addresses[i], s.owner)});
  }
  for (std::size_t i = 0; i < s.domains.size(); ++i) {
    if (!is_host_name(s.domains[i])) {
      out.push_back({fmt::format("domains[{}]", i), fmt::format("'{}' is not a lowercase host name", s.domains[i])});
      continue;
    }
    if (!org) continue;
    bool inside = false;
    for (const auto& d : org->domains)
      if (host_under(s.domains[i], d)) inside = true;
    if (!inside)
      out.push_back(
          {fmt::format("domains[{}]", i), fmt::format("'{}' is not under a domain of '{}'", s.domains[i], s.owner)});
  }
  return out;
}

std::string system_to_json(const InformationSystem& s) {
  nlohmann::json j;
  j["id"] = s.id;
  j["name"] = s.name;
  j["owner"] = s.owner;
  j["security_level"] = s.security_level;
  j["level_approved"] = s.level_approved;
  j["national_critical"] = s.national_critical;
  j["protection"] = {{"on_site", to_string(s.protection.on_site)},
                     {"monitoring", to_string(s.protection.monitoring)},
                     {"assessment", to_string(s.protection.assessment)},
                     {"national_connection", to_string(s.protection.national_connection)}};
  j["last_drill"] = s.last_drill ? nlohmann::json(format_civil_date(*s.last_drill)) : nlohmann::json(nullptr);
  j["addresses"] = s.addresses;
  j["domains"] = s.domains;
  j["software"] = s.software;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<InformationSystem> system_from_json(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return fail("information system: expected a JSON object");
  InformationSystem s;
  try {
    s.id = j.value("id", "");
    s.name = j.value("name", "");
    s.owner = j.value("owner", "");
    s.security_level = j.value("security_level", 1);
    s.level_approved = j.value("level_approved", false);
    s.national_critical = j.value("national_critical", false);
    if (j.contains("protection")) {
      const auto& p = j["protection"];
      auto layer = [&](const char* key, LayerStatus& out) -> Status {
        if (!p.contains(key)) return {};
        auto v = parse_layer_status(p[key].get<std::string>());
        if (!v) return fail(fmt::format("protection.{}: expected none, partial or full", key));
        out = *v;
        return {};
      };
      for (auto st : {layer("on_site", s.protection.on_site), layer("monitoring", s.protection.monitoring),
                      layer("assessment", s.protection.assessment),
                      layer("national_connection", s.protection.national_connection)})
        if (!st) return tl::unexpected(st.error());
    }
    if (j.contains("last_drill") && !j["last_drill"].is_null()) {
      auto d = parse_civil_date(j["last_drill"].get<std::string>());
      if (!d) return fail("last_drill: expected a date YYYY-MM-DD");
      s.last_drill = d;
    }
    if (j.contains("addresses")) s.addresses = j["addresses"].get<std::vector<std::string>>();
    if (j.contains("domains")) s.domains = j["domains"].get<std::vector<std::string>>();
    if (j.contains("software")) s.software = j["software"].get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    return fail(fmt::format("information system: {}", e.what()));
  }
  return s;
}

}  // namespace khien
