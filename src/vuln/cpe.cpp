// CPE 2.3 binding and unbinding (NISTIR 7695 §6) and name comparison (NISTIR 7696 §6).
#include "vuln/cpe.h"

#include <fmt/format.h>

#include <vector>

#include "core/text.h"

namespace khien {

namespace {

constexpr std::array<std::string_view, kCpeAttributeCount> kNames = {
    "part", "vendor", "product", "version", "update", "edition", "language", "sw_edition", "target_sw", "target_hw", "other"};

bool is_plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_printable(char c) { return c >= 0x21 && c <= 0x7e; }

// One logical character of a WFN string and whether it was quoted.
struct Unit {
  char c;
  bool quoted;
  bool wildcard() const { return !quoted && (c == '*' || c == '?'); }
  bool operator==(const Unit&) const = default;
};

std::vector<Unit> units_of(std::string_view wfn) {
  std::vector<Unit> out;
  out.reserve(wfn.size());
  for (std::size_t i = 0; i < wfn.size(); ++i) {
    if (wfn[i] == '\\' && i + 1 < wfn.size()) out.push_back({wfn[++i], true});
    else out.push_back({wfn[i], false});
  }
  return out;
}

// Where the leading and trailing wildcards of a value end and begin.
struct WildcardShape {
  bool lead_star = false, trail_star = false;
  std::size_t lead_q = 0, trail_q = 0;
  std::size_t middle_begin = 0, middle_end = 0;
};

WildcardShape shape_of(const std::vector<Unit>& u) {
  WildcardShape s;
  std::size_t b = 0, e = u.size();
  if (b < e && u[b] == Unit{'*', false}) { s.lead_star = true; ++b; }
  else while (b < e && u[b] == Unit{'?', false}) { ++s.lead_q; ++b; }
  if (b < e && u[e - 1] == Unit{'*', false}) { s.trail_star = true; --e; }
  else while (b < e && u[e - 1] == Unit{'?', false}) { ++s.trail_q; --e; }
  s.middle_begin = b;
  s.middle_end = e;
  return s;
}

Status check_wildcards(CpeAttribute attr, const std::string& wfn) {
  auto u = units_of(wfn);
  auto s = shape_of(u);
  for (std::size_t i = s.middle_begin; i < s.middle_end; ++i) {
    if (u[i].wildcard())
      return fail(fmt::format("attribute '{}': unquoted '{}' is only allowed at the start or end of a value",
                              kNames[static_cast<std::size_t>(attr)], u[i].c));
  }
  return {};
}

Status check_part(const CpeValue& v) {
  if (v.is_string() && v.wfn != "a" && v.wfn != "o" && v.wfn != "h")
    return fail(fmt::format("attribute 'part': must be a, o or h, got '{}'", v.text()));
  return {};
}

Result<CpeValue> unbind_formatted_value(CpeAttribute attr, std::string_view raw) {
  auto name = kNames[static_cast<std::size_t>(attr)];
  if (raw == "*") return CpeValue::any();
  if (raw == "-") return CpeValue::na();
  if (raw.empty()) return fail(fmt::format("attribute '{}' is empty (use * for ANY or - for NA)", name));
  CpeValue v{CpeValue::Kind::string, {}};
  v.wfn.reserve(raw.size() + 4);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\') {
      if (i + 1 >= raw.size()) return fail(fmt::format("attribute '{}' ends with a lone backslash", name));
      char d = raw[++i];
      if (!is_printable(d)) return fail(fmt::format("attribute '{}': byte 0x{:02x} is not printable ASCII", name, static_cast<unsigned char>(d)));
      if (is_plain(d)) v.wfn.push_back(ascii_lower(d));
      else { v.wfn.push_back('\\'); v.wfn.push_back(d); }
    } else if (c == '*' || c == '?') {
      v.wfn.push_back(c);
    } else if (is_plain(c)) {
      v.wfn.push_back(ascii_lower(c));
    } else if (is_printable(c)) {
      v.wfn.push_back('\\');
      v.wfn.push_back(c);
    } else {
      return fail(fmt::format("attribute '{}': byte 0x{:02x} is not printable ASCII", name, static_cast<unsigned char>(c)));
    }
  }
  if (auto st = check_wildcards(attr, v.wfn); !st) return tl::unexpected(st.error());
  return v;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<CpeValue> unbind_uri_value(CpeAttribute attr, std::string_view raw) {
  auto name = kNames[static_cast<std::size_t>(attr)];
  if (raw.empty()) return CpeValue::any();
  if (raw == "-") return CpeValue::na();
  CpeValue v{CpeValue::Kind::string, {}};
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (is_plain(c)) {
      v.wfn.push_back(ascii_lower(c));
    } else if (c == '.' || c == '-') {
      v.wfn.push_back('\\');
      v.wfn.push_back(c);
    } else if (c == '%') {
      int hi = i + 1 < raw.size() ? hex_value(raw[i + 1]) : -1;
      int lo = i + 2 < raw.size() ? hex_value(raw[i + 2]) : -1;
      if (hi < 0 || lo < 0) return fail(fmt::format("attribute '{}': '%' must be followed by two hex digits", name));
      char d = static_cast<char>(hi * 16 + lo);
      i += 2;
      if (d == 1) v.wfn.push_back('?');
      else if (d == 2) v.wfn.push_back('*');
      else if (is_plain(d)) v.wfn.push_back(ascii_lower(d));
      else if (is_printable(d)) { v.wfn.push_back('\\'); v.wfn.push_back(d); }
      else return fail(fmt::format("attribute '{}': %{:02x} is not a printable ASCII character", name, static_cast<unsigned char>(d)));
    } else if (is_printable(c)) {
      return fail(fmt::format("attribute '{}': '{}' must be percent-encoded in a URI", name, c));
    } else {
      return fail(fmt::format("attribute '{}': byte 0x{:02x} is not printable ASCII", name, static_cast<unsigned char>(c)));
    }
  }
  if (auto st = check_wildcards(attr, v.wfn); !st) return tl::unexpected(st.error());
  if (v.wfn == "*") return CpeValue::any();  // a lone %02 is the logical ANY, as `*` is in a formatted string
  return v;
}

std::string bind_formatted_value(const CpeValue& v) {
  if (v.is_any()) return "*";
  if (v.is_na()) return "-";
  if (v.wfn == "\\-") return "\\-";  // a lone unquoted hyphen would read back as NA
  std::string out;
  for (std::size_t i = 0; i < v.wfn.size(); ++i) {
    if (v.wfn[i] == '\\' && i + 1 < v.wfn.size()) {
      char d = v.wfn[++i];
      if (d != '.' && d != '-' && d != '_') out.push_back('\\');
      out.push_back(d);
    } else {
      out.push_back(v.wfn[i]);
    }
  }
  return out;
}

std::string bind_uri_value(const CpeValue& v) {
  if (v.is_any()) return "";
  if (v.is_na()) return "-";
  if (v.wfn == "\\-") return "%2d";
  std::string out;
  for (std::size_t i = 0; i < v.wfn.size(); ++i) {
    char c = v.wfn[i];
    if (c == '\\' && i + 1 < v.wfn.size()) {
      char d = v.wfn[++i];
      if (d == '.' || d == '-') out.push_back(d);
      else out += fmt::format("%{:02x}", static_cast<unsigned char>(d));
    } else if (c == '?') {
      out += "%01";
    } else if (c == '*') {
      out += "%02";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string_view cpe_attribute_name(CpeAttribute a) { return kNames[static_cast<std::size_t>(a)]; }

std::string_view cpe_relation_name(CpeRelation r) {
  switch (r) {
    case CpeRelation::equal: return "EQUAL";
    case CpeRelation::superset: return "SUPERSET";
    case CpeRelation::subset: return "SUBSET";
    case CpeRelation::disjoint: return "DISJOINT";
    case CpeRelation::undefined: return "UNDEFINED";
  }
  return "UNDEFINED";
}

bool CpeValue::has_wildcards() const {
  if (kind != Kind::string) return false;
  for (std::size_t i = 0; i < wfn.size(); ++i) {
    if (wfn[i] == '\\') ++i;
    else if (wfn[i] == '*' || wfn[i] == '?') return true;
  }
  return false;
}

std::string CpeValue::text() const {
  if (kind == Kind::any) return "*";
  if (kind == Kind::na) return "-";
  std::string out;
  out.reserve(wfn.size());
  for (std::size_t i = 0; i < wfn.size(); ++i) {
    if (wfn[i] == '\\' && i + 1 < wfn.size()) ++i;
    out.push_back(wfn[i]);
  }
  return out;
}

CpeValue CpeValue::literal(std::string_view text) {
  CpeValue v{Kind::string, {}};
  for (char c : text) {
    if (is_plain(c)) v.wfn.push_back(ascii_lower(c));
    else { v.wfn.push_back('\\'); v.wfn.push_back(c); }
  }
  return v;
}

Result<Cpe> Cpe::parse(std::string_view text) {
  if (text.size() >= 8 && (text.substr(0, 8) == "cpe:2.3:" || text.substr(0, 8) == "CPE:2.3:")) return parse_formatted(text);
  if (text.size() >= 5 && (text.substr(0, 5) == "cpe:/" || text.substr(0, 5) == "CPE:/")) return parse_uri(text);
  return fail("not a CPE name: expected a formatted string starting with 'cpe:2.3:' or a URI starting with 'cpe:/'");
}

Result<Cpe> Cpe::parse_formatted(std::string_view text) {
  if (text.size() < 8 || (text.substr(0, 8) != "cpe:2.3:" && text.substr(0, 8) != "CPE:2.3:"))
    return fail("not a CPE 2.3 formatted string: it must start with 'cpe:2.3:'");
  std::string_view rest = text.substr(8);
  std::array<std::string_view, kCpeAttributeCount> raw{};
  std::size_t count = 0, start = 0;
  for (std::size_t i = 0; i <= rest.size(); ++i) {
    if (i + 1 < rest.size() && rest[i] == '\\') { ++i; continue; }
    if (i == rest.size() || rest[i] == ':') {
      if (count < kCpeAttributeCount) raw[count] = rest.substr(start, i - start);
      ++count;
      start = i + 1;
    }
  }
  if (count != kCpeAttributeCount)
    return fail(fmt::format("a CPE 2.3 formatted string has 11 attributes after 'cpe:2.3:', found {}", count));
  Cpe cpe;
  for (std::size_t a = 0; a < kCpeAttributeCount; ++a) {
    auto v = unbind_formatted_value(static_cast<CpeAttribute>(a), raw[a]);
    if (!v) return tl::unexpected(v.error());
    cpe.values_[a] = std::move(*v);
  }
  if (auto st = check_part(cpe.part()); !st) return tl::unexpected(st.error());
  return cpe;
}

Result<Cpe> Cpe::parse_uri(std::string_view text) {
  if (text.size() < 5 || (text.substr(0, 5) != "cpe:/" && text.substr(0, 5) != "CPE:/"))
    return fail("not a CPE URI: it must start with 'cpe:/'");
  std::string_view rest = text.substr(5);
  std::vector<std::string_view> raw;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= rest.size(); ++i) {
    if (i == rest.size() || rest[i] == ':') {
      raw.push_back(rest.substr(start, i - start));
      start = i + 1;
    }
  }
  if (raw.size() > 7) return fail(fmt::format("a CPE URI has at most 7 components, found {}", raw.size()));
  Cpe cpe;
  static constexpr CpeAttribute kUriOrder[] = {CpeAttribute::part, CpeAttribute::vendor, CpeAttribute::product,
                                               CpeAttribute::version, CpeAttribute::update, CpeAttribute::edition,
                                               CpeAttribute::language};
  for (std::size_t i = 0; i < raw.size(); ++i) {
    CpeAttribute attr = kUriOrder[i];
    if (attr == CpeAttribute::edition && !raw[i].empty() && raw[i][0] == '~') {
      std::vector<std::string_view> packed;
      std::string_view p = raw[i].substr(1);
      std::size_t s = 0;
      for (std::size_t j = 0; j <= p.size(); ++j) {
        if (j == p.size() || p[j] == '~') {
          packed.push_back(p.substr(s, j - s));
          s = j + 1;
        }
      }
      if (packed.size() != 5)
        return fail(fmt::format("attribute 'edition': a packed edition has 5 '~'-separated fields "
                                "(edition, sw_edition, target_sw, target_hw, other), found {}", packed.size()));
      static constexpr CpeAttribute kPacked[] = {CpeAttribute::edition, CpeAttribute::sw_edition, CpeAttribute::target_sw,
                                                 CpeAttribute::target_hw, CpeAttribute::other};
      for (std::size_t k = 0; k < 5; ++k) {
        auto v = unbind_uri_value(kPacked[k], packed[k]);
        if (!v) return tl::unexpected(v.error());
        cpe.set(kPacked[k], std::move(*v));
      }
      continue;
    }
    if (raw[i].find('~') != std::string_view::npos)
      return fail(fmt::format("attribute '{}': '~' must be percent-encoded (%7e) outside a packed edition", cpe_attribute_name(attr)));
    auto v = unbind_uri_value(attr, raw[i]);
    if (!v) return tl::unexpected(v.error());
    cpe.set(attr, std::move(*v));
  }
  if (auto st = check_part(cpe.part()); !st) return tl::unexpected(st.error());
  return cpe;
}

std::string Cpe::to_formatted() const {
  std::string out = "cpe:2.3";
  for (const auto& v : values_) {
    out.push_back(':');
    out += bind_formatted_value(v);
  }
  return out;
}

std::string Cpe::to_uri() const {
  std::array<std::string, 7> parts;
  parts[0] = bind_uri_value(part());
  parts[1] = bind_uri_value(vendor());
  parts[2] = bind_uri_value(product());
  parts[3] = bind_uri_value(version());
  parts[4] = bind_uri_value(update());
  const auto& ed = get(CpeAttribute::edition);
  bool pack = !get(CpeAttribute::sw_edition).is_any() || !get(CpeAttribute::target_sw).is_any() ||
              !get(CpeAttribute::target_hw).is_any() || !get(CpeAttribute::other).is_any();
  if (pack) {
    parts[5] = "~" + bind_uri_value(ed) + "~" + bind_uri_value(get(CpeAttribute::sw_edition)) + "~" +
               bind_uri_value(get(CpeAttribute::target_sw)) + "~" + bind_uri_value(get(CpeAttribute::target_hw)) + "~" +
               bind_uri_value(get(CpeAttribute::other));
  } else {
    parts[5] = bind_uri_value(ed);
  }
  parts[6] = bind_uri_value(get(CpeAttribute::language));
  std::size_t last = 7;
  while (last > 0 && parts[last - 1].empty()) --last;
  std::string out = "cpe:/";
  for (std::size_t i = 0; i < last; ++i) {
    if (i) out.push_back(':');
    out += parts[i];
  }
  return out;
}

CpeRelation compare_cpe_values(const CpeValue& source, const CpeValue& target) {
  if (target.has_wildcards()) return CpeRelation::undefined;
  if (source.kind == target.kind && source.wfn == target.wfn) return CpeRelation::equal;
  if (source.is_any()) return CpeRelation::superset;
  if (target.is_any()) return CpeRelation::subset;
  if (source.is_na() || target.is_na()) return CpeRelation::disjoint;
  if (!source.has_wildcards()) return CpeRelation::disjoint;
  // NISTIR 7696 compare_strings: the literal middle must occur in the target with at most as many
  // characters before (after) it as there are leading (trailing) '?', or any number after a '*'.
  auto su = units_of(source.wfn);
  auto tu = units_of(target.wfn);
  auto s = shape_of(su);
  std::size_t m = s.middle_end - s.middle_begin;
  if (m > tu.size()) return CpeRelation::disjoint;
  for (std::size_t p = 0; p + m <= tu.size(); ++p) {
    std::size_t before = p, after = tu.size() - p - m;
    if (!s.lead_star && before > s.lead_q) break;
    if (!s.trail_star && after > s.trail_q) continue;
    bool same = true;
    for (std::size_t k = 0; k < m && same; ++k) same = su[s.middle_begin + k] == tu[p + k];
    if (same) return CpeRelation::superset;
  }
  return CpeRelation::disjoint;
}

CpeComparison compare_cpes(const Cpe& source, const Cpe& target) {
  CpeComparison out;
  bool all_equal = true, sup = true, sub = true, disjoint = false, undefined = false;
  for (std::size_t a = 0; a < kCpeAttributeCount; ++a) {
    auto attr = static_cast<CpeAttribute>(a);
    auto r = compare_cpe_values(source.get(attr), target.get(attr));
    out.attributes[a] = r;
    if (r != CpeRelation::equal) all_equal = false;
    if (r != CpeRelation::equal && r != CpeRelation::superset) sup = false;
    if (r != CpeRelation::equal && r != CpeRelation::subset) sub = false;
    if (r == CpeRelation::disjoint) disjoint = true;
    if (r == CpeRelation::undefined) undefined = true;
  }
  if (disjoint) out.name = CpeRelation::disjoint;
  else if (undefined) out.name = CpeRelation::undefined;
  else if (all_equal) out.name = CpeRelation::equal;
  else if (sup) out.name = CpeRelation::superset;
  else if (sub) out.name = CpeRelation::subset;
  else out.name = CpeRelation::undefined;
  return out;
}

}  // namespace khien
