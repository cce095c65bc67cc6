// STIX 2.1 object validation (OASIS STIX 2.1 sections 3, 4, 5, 6 and 7).
#include "intel/stix_object.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

#include "core/time.h"
#include "intel/stix_pattern_parser.h"

namespace khien {

namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 19> kDomainTypes{
    "attack-pattern", "campaign",      "course-of-action", "grouping", "identity",         "incident", "indicator",
    "infrastructure", "intrusion-set", "location",         "malware",  "malware-analysis", "note",     "observed-data",
    "opinion",        "report",        "threat-actor",     "tool",     "vulnerability"};

constexpr std::array<std::string_view, 18> kObservableTypes{"artifact",
                                                            "autonomous-system",
                                                            "directory",
                                                            "domain-name",
                                                            "email-addr",
                                                            "email-message",
                                                            "file",
                                                            "ipv4-addr",
                                                            "ipv6-addr",
                                                            "mac-addr",
                                                            "mutex",
                                                            "network-traffic",
                                                            "process",
                                                            "software",
                                                            "url",
                                                            "user-account",
                                                            "windows-registry-key",
                                                            "x509-certificate"};

// Required properties beyond the common ones, per type (from the STIX 2.1 specification).
struct Required {
  std::string_view type;
  std::array<std::string_view, 5> properties;
};
constexpr std::array<Required, 35> kRequired{{
    {"attack-pattern", {"name"}},
    {"campaign", {"name"}},
    {"course-of-action", {"name"}},
    {"grouping", {"context", "object_refs"}},
    {"identity", {"name"}},
    {"incident", {"name"}},
    {"indicator", {"pattern", "pattern_type", "valid_from"}},
    {"infrastructure", {"name"}},
    {"intrusion-set", {"name"}},
    {"malware", {"is_family"}},
    {"malware-analysis", {"product"}},
    {"note", {"content", "object_refs"}},
    {"observed-data", {"first_observed", "last_observed", "number_observed"}},
    {"opinion", {"opinion", "object_refs"}},
    {"report", {"name", "published", "object_refs"}},
    {"threat-actor", {"name"}},
    {"tool", {"name"}},
    {"vulnerability", {"name"}},
    {"relationship", {"relationship_type", "source_ref", "target_ref"}},
    {"sighting", {"sighting_of_ref"}},
    {"language-content", {"object_ref", "contents"}},
    {"extension-definition", {"name", "schema", "version", "extension_types", "created_by_ref"}},
    {"autonomous-system", {"number"}},
    {"directory", {"path"}},
    {"domain-name", {"value"}},
    {"email-addr", {"value"}},
    {"ipv4-addr", {"value"}},
    {"ipv6-addr", {"value"}},
    {"mac-addr", {"value"}},
    {"mutex", {"name"}},
    {"network-traffic", {"protocols"}},
    {"software", {"name"}},
    {"url", {"value"}},
    {"location", {}},
    {"file", {}},
}};

// Properties that hold timestamps wherever they appear at the top level.
constexpr std::array<std::string_view, 7> kTimestampProperties{
    "valid_from", "valid_until", "first_seen", "last_seen", "first_observed", "last_observed", "published"};

bool contains(const auto& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_type_name(std::string_view t) {
  if (t.size() < 3 || t.size() > 250) return false;
  if (!((t.front() >= 'a' && t.front() <= 'z') || (t.front() >= '0' && t.front() <= '9'))) return false;
  if (t.back() == '-' || t.find("--") != std::string_view::npos) return false;
  return std::all_of(t.begin(), t.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool is_property_name(std::string_view p) {
  if (p.empty() || p.size() > 250) return false;
  return std::all_of(p.begin(), p.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

StixKind kind_of(std::string_view type, const json& object) {
  if (contains(kDomainTypes, type)) return StixKind::domain;
  if (type == "relationship" || type == "sighting") return StixKind::relationship;
  if (contains(kObservableTypes, type)) return StixKind::cyber_observable;
  if (type == "marking-definition") return StixKind::marking_definition;
  if (type == "language-content") return StixKind::language_content;
  if (type == "extension-definition") return StixKind::extension_definition;
  // Custom types with created/modified follow the SDO rules; the rest the SCO rules.
  return object.contains("created") ? StixKind::custom : StixKind::cyber_observable;
}

int parse_digits(std::string_view s, std::size_t pos, std::size_t n) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

class Checker {
 public:
  Checker(const json& o, std::string where) : o_(o), where_(std::move(where)) {}

  tl::unexpected<Error> error(std::string_view property, std::string_view reason) const {
    return fail(fmt::format("{}: property '{}': {}", where_, property, reason));
  }

  const json* get(std::string_view name) const {
    auto it = o_.find(name);
    return it == o_.end() ? nullptr : &*it;
  }

  Status string(std::string_view name, bool required) const {
    const json* v = get(name);
    if (!v) return required ? Status(error(name, "is required")) : Status();
    if (!v->is_string()) return error(name, "must be a string");
    return {};
  }

  Result<std::optional<StixTimeUs>> timestamp(std::string_view name, bool required) const {
    const json* v = get(name);
    if (!v) {
      if (required) return error(name, "is required");
      return std::optional<StixTimeUs>();
    }
    if (!v->is_string()) return error(name, "must be a timestamp string");
    auto t = parse_stix_timestamp(v->get_ref<const std::string&>());
    if (!t)
      return error(name, fmt::format("'{}' is not a STIX timestamp (RFC 3339 in UTC ending in Z, e.g. "
                                     "2016-05-12T08:17:27.000Z)",
                                     v->get_ref<const std::string&>()));
    return std::optional<StixTimeUs>(*t);
  }

  Status identifier(std::string_view name, const json& v, std::string_view expected_type = {}) const {
    if (!v.is_string() || !is_stix_identifier(v.get_ref<const std::string&>()))
      return error(name, fmt::format("'{}' is not a STIX identifier (type--UUID)",
                                     v.is_string() ? v.get<std::string>() : v.dump()));
    if (!expected_type.empty() && v.get_ref<const std::string&>().rfind(std::string(expected_type) + "--", 0) != 0)
      return error(name, fmt::format("must reference a {} (got '{}')", expected_type, v.get<std::string>()));
    return {};
  }

  Status integer(std::string_view name, std::int64_t lo, std::int64_t hi, bool required) const {
    const json* v = get(name);
    if (!v) return required ? Status(error(name, "is required")) : Status();
    if (!v->is_number_integer()) return error(name, "must be an integer");
    auto x = v->get<std::int64_t>();
    if (x < lo || x > hi) return error(name, fmt::format("{} is outside {}..{}", x, lo, hi));
    return {};
  }

  Status nonempty_list(std::string_view name) const {
    const json* v = get(name);
    if (v && (!v->is_array() || v->empty())) return error(name, "must be a non-empty list");
    return {};
  }

 private:
  const json& o_;
  std::string where_;
};

}  // namespace

std::optional<StixTimeUs> parse_stix_timestamp(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.f+]Z
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (s.back() != 'Z' && s.back() != 'z') return std::nullopt;
  int y = parse_digits(s, 0, 4), mo = parse_digits(s, 5, 2), d = parse_digits(s, 8, 2);
  int h = parse_digits(s, 11, 2), mi = parse_digits(s, 14, 2), se = parse_digits(s, 17, 2);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
    return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[mo - 1] + (mo == 2 && leap ? 1 : 0)) return std::nullopt;
  std::int64_t micros = 0;
  std::size_t pos = 19;
  if (pos < s.size() - 1) {
    if (s[pos] != '.' || pos + 1 == s.size() - 1) return std::nullopt;
    int digits = 0;
    for (++pos; pos < s.size() - 1; ++pos, ++digits) {
      if (s[pos] < '0' || s[pos] > '9') return std::nullopt;
      if (digits < 6) micros = micros * 10 + (s[pos] - '0');
    }
    for (; digits < 6; ++digits) micros *= 10;
  }
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi) * 60'000'000LL + std::int64_t{se} * 1'000'000 + micros;
}

std::string format_stix_timestamp(StixTimeUs t) {
  std::int64_t days = t >= 0 ? t / 86'400'000'000LL : -((-t + 86'399'999'999LL) / 86'400'000'000LL);
  std::int64_t rest = t - days * 86'400'000'000LL;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  std::int64_t secs = rest / 1'000'000, micros = rest % 1'000'000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", y, m, d, secs / 3600, secs / 60 % 60, secs % 60,
                     micros);
}

bool is_stix_identifier(std::string_view id) {
  auto sep = id.find("--");
  if (sep == std::string_view::npos || !is_type_name(id.substr(0, sep))) return false;
  auto uuid = id.substr(sep + 2);
  if (uuid.size() != 36) return false;
  for (std::size_t i = 0; i < 36; ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? uuid[i] != '-' : !is_hex(uuid[i])) return false;
  }
  return true;
}

Result<StixObjectInfo> validate_stix_object(const json& o, const StixValidationOptions& options) {
  if (!o.is_object()) return fail("object: must be a JSON object");
  StixObjectInfo info;
  std::string where = "object";
  if (auto it = o.find("id"); it != o.end() && it->is_string() && !it->get_ref<const std::string&>().empty())
    where = it->get<std::string>().substr(0, 300);
  Checker c(o, where);

  const json* type = c.get("type");
  if (!type) return c.error("type", "is required");
  if (!type->is_string() || !is_type_name(type->get_ref<const std::string&>()))
    return c.error("type", "must be 3-250 characters of a-z, 0-9 and '-' (e.g. indicator)");
  info.type = type->get<std::string>();
  info.kind = kind_of(info.type, o);

  const json* id = c.get("id");
  if (!id) return c.error("id", "is required");
  if (!id->is_string() || !is_stix_identifier(id->get_ref<const std::string&>()))
    return c.error("id", "must be <type>--<UUID>");
  info.id = id->get<std::string>();
  if (info.id.compare(0, info.type.size() + 2, info.type + "--") != 0)
    return c.error("id", fmt::format("prefix does not match type '{}'", info.type));

  const json* sv = c.get("spec_version");
  if (sv && !sv->is_string()) return c.error("spec_version", "must be a string");
  if (sv) info.spec_version = sv->get<std::string>();
  bool stix20 = false;
  if (!sv && info.kind == StixKind::cyber_observable) {
    info.spec_version = "2.1";  // optional on SCOs; 2.1 is implied
  } else if (!sv || info.spec_version == "2.0") {
    if (!options.allow_stix20)
      return c.error("spec_version",
                     sv ? "must be \"2.1\" (STIX 2.0 is not accepted here)" : "is required and must be \"2.1\"");
    stix20 = true;
    info.spec_version = "2.0";
  } else if (info.spec_version != "2.1") {
    return c.error("spec_version", fmt::format("must be \"2.1\", not \"{}\"", info.spec_version));
  }

  if (!stix20) {
    for (const auto& [key, value] : o.items())
      if (!is_property_name(key)) return c.error(key, "property names are a-z, 0-9 and '_', at most 250 characters");
  }

  // created / modified
  bool versioned = info.kind != StixKind::cyber_observable;
  bool needs_modified = versioned && info.kind != StixKind::marking_definition;
  auto created = c.timestamp("created", versioned);
  if (!created) return tl::unexpected(created.error());
  auto modified = c.timestamp("modified", needs_modified);
  if (!modified) return tl::unexpected(modified.error());
  info.created_us = *created;
  info.modified_us = *modified;
  if (*created) info.created = o["created"].get<std::string>();
  if (*modified) info.modified = o["modified"].get<std::string>();
  if (*created && *modified && **modified < **created)
    return c.error("modified", fmt::format("{} is earlier than created {}", info.modified, info.created));

  if (const json* r = c.get("revoked")) {
    if (!r->is_boolean()) return c.error("revoked", "must be true or false");
    info.revoked = r->get<bool>();
  }
  if (auto st = c.integer("confidence", 0, 100, false); !st) return tl::unexpected(st.error());
  if (const json* l = c.get("labels")) {
    if (!l->is_array()) return c.error("labels", "must be a list of strings");
    for (const auto& x : *l)
      if (!x.is_string()) return c.error("labels", "must be a list of strings");
  }
  if (auto st = c.string("lang", false); !st) return tl::unexpected(st.error());
  if (const json* ext = c.get("external_references")) {
    if (!ext->is_array()) return c.error("external_references", "must be a list");
    for (std::size_t i = 0; i < ext->size(); ++i) {
      const auto& e = (*ext)[i];
      if (!e.is_object() || !e.contains("source_name") || !e["source_name"].is_string())
        return c.error(fmt::format("external_references[{}]", i), "source_name is required");
    }
  }
  if (const json* k = c.get("kill_chain_phases")) {
    if (!k->is_array()) return c.error("kill_chain_phases", "must be a list");
    for (std::size_t i = 0; i < k->size(); ++i) {
      const auto& e = (*k)[i];
      if (!e.is_object() || !e.contains("kill_chain_name") || !e["kill_chain_name"].is_string() ||
          !e.contains("phase_name") || !e["phase_name"].is_string())
        return c.error(fmt::format("kill_chain_phases[{}]", i), "kill_chain_name and phase_name are required");
    }
  }

  // Per-type required properties and value checks.
  if (!stix20) {
    for (const auto& r : kRequired) {
      if (r.type != info.type) continue;
      for (auto p : r.properties)
        if (!p.empty() && !o.contains(p)) return c.error(p, "is required");
    }
  }
  for (auto p : kTimestampProperties)
    if (auto t = c.timestamp(p, false); !t) return tl::unexpected(t.error());
  if (info.type == "indicator" && !stix20) {
    for (auto p : {"pattern", "pattern_type"})
      if (auto st = c.string(p, true); !st) return tl::unexpected(st.error());
    // A STIX pattern that does not parse could never match; refusing it keeps a bundle all-or-nothing.
    if (o["pattern_type"].get<std::string>() == "stix") {
      if (auto ast = parse_stix_pattern(o["pattern"].get<std::string>()); !ast)
        return c.error("pattern", "is not a valid STIX pattern: " + ast.error().message);
    }
    info.valid_from = *c.timestamp("valid_from", true);
    info.valid_until = *c.timestamp("valid_until", false);
    if (info.valid_until && *info.valid_until <= *info.valid_from)
      return c.error("valid_until", "must be later than valid_from");
  }
  if (info.type == "observed-data") {
    if (auto st = c.integer("number_observed", 1, 999'999'999, !stix20); !st) return tl::unexpected(st.error());
    auto first = *c.timestamp("first_observed", false), last = *c.timestamp("last_observed", false);
    if (first && last && *last < *first) return c.error("last_observed", "is earlier than first_observed");
  }
  if (info.type == "sighting") {
    if (auto st = c.integer("count", 0, 999'999'999, false); !st) return tl::unexpected(st.error());
    auto first = *c.timestamp("first_seen", false), last = *c.timestamp("last_seen", false);
    if (first && last && *last < *first) return c.error("last_seen", "is earlier than first_seen");
  }
  if (info.type == "relationship")
    if (auto st = c.string("relationship_type", true); !st) return tl::unexpected(st.error());
  if (info.type == "malware" && c.get("is_family") && !c.get("is_family")->is_boolean())
    return c.error("is_family", "must be true or false");
  for (auto p : {"name", "content", "opinion", "context", "product"})
    if (auto st = c.string(p, false); !st) return tl::unexpected(st.error());
  for (auto p : {"object_refs", "object_marking_refs", "granular_markings"})
    if (auto st = c.nonempty_list(p); !st) return tl::unexpected(st.error());
  if (info.kind == StixKind::marking_definition && !stix20) {
    bool has_definition = o.contains("definition_type") && o.contains("definition");
    if (!has_definition && !o.contains("extensions"))
      return c.error("definition", "a marking-definition needs definition_type and definition, or extensions");
    if (has_definition && !o["definition_type"].is_string()) return c.error("definition_type", "must be a string");
  }

  // References. STIX 2.0 observables use object-local keys; those are skipped.
  for (const auto& item : o.items()) {
    const std::string& key = item.key();
    const json& value = item.value();
    bool single = key.size() > 4 && key.compare(key.size() - 4, 4, "_ref") == 0;
    bool multiple = key.size() > 5 && key.compare(key.size() - 5, 5, "_refs") == 0;
    if (!single && !multiple) continue;
    bool custom = key.rfind("x_", 0) == 0;
    bool marking = key == "object_marking_refs";
    auto add = [&](const std::string& property, const json& v) -> Status {
      if (custom) {
        // Custom properties may hold anything; only well-formed identifiers are followed.
        if (v.is_string() && is_stix_identifier(v.get_ref<const std::string&>()))
          info.references.push_back({property, v.get<std::string>(), false, true});
        return {};
      }
      if (stix20 && info.kind == StixKind::cyber_observable) return {};
      if (auto st =
              c.identifier(property, v, marking ? "marking-definition" : (key == "created_by_ref" ? "identity" : ""));
          !st)
        return st;
      info.references.push_back({property, v.get<std::string>(), marking, false});
      return {};
    };
    if (single) {
      if (auto st = add(key, value); !st) return tl::unexpected(st.error());
    } else {
      if (!value.is_array()) {
        if (custom) continue;
        return c.error(key, "must be a list of identifiers");
      }
      for (std::size_t i = 0; i < value.size(); ++i)
        if (auto st = add(fmt::format("{}[{}]", key, i), value[i]); !st) return tl::unexpected(st.error());
    }
  }
  if (const json* gm = c.get("granular_markings")) {
    for (std::size_t i = 0; i < gm->size(); ++i) {
      const auto& m = (*gm)[i];
      std::string prop = fmt::format("granular_markings[{}]", i);
      if (!m.is_object()) return c.error(prop, "must be an object");
      auto sel = m.find("selectors");
      if (sel == m.end() || !sel->is_array() || sel->empty())
        return c.error(prop + ".selectors", "is required (a non-empty list)");
      auto ref = m.find("marking_ref");
      if (ref == m.end()) {
        if (!m.contains("lang")) return c.error(prop, "needs marking_ref or lang");
        continue;
      }
      if (auto st = c.identifier(prop + ".marking_ref", *ref, "marking-definition"); !st)
        return tl::unexpected(st.error());
      info.references.push_back({prop + ".marking_ref", ref->get<std::string>(), true, false});
    }
  }
  return info;
}

}  // namespace khien
