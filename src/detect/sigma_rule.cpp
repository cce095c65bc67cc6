// Parser of Sigma YAML documents into SigmaRule: metadata, detection items with their modifier
// chains, conditions, correlation sections and filters. Errors carry the YAML line.
#include "core/text.h"
#include "core/yaml_documents.h"
#include "detect/sigma_rule.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <hs/hs.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

namespace khien {

namespace {

struct ParseError {
  int line;
  std::string reason;
};

int line_of(const YAML::Node& n) { return n.Mark().is_null() ? 0 : n.Mark().line + 1; }

[[noreturn]] void raise(const YAML::Node& n, std::string reason) { throw ParseError{line_of(n), std::move(reason)}; }

std::string scalar(const YAML::Node& n, std::string_view what) {
  if (!n.IsScalar()) raise(n, std::string(what) + ": expected a string");
  return n.Scalar();
}

std::vector<std::string> string_list(const YAML::Node& n, std::string_view what) {
  std::vector<std::string> out;
  if (!n || n.IsNull()) return out;
  if (n.IsScalar()) { out.push_back(n.Scalar()); return out; }
  if (!n.IsSequence()) raise(n, std::string(what) + ": expected a list of strings");
  for (const auto& item : n) {
    if (item.IsNull()) continue;
    if (!item.IsScalar()) raise(item, std::string(what) + ": expected a list of strings");
    out.push_back(item.Scalar());
  }
  return out;
}

bool plain(const YAML::Node& n) { return n.Tag() == "?"; }

std::optional<double> number_of(const YAML::Node& n) {
  if (!n.IsScalar()) return std::nullopt;
  const std::string& s = n.Scalar();
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

struct Modifiers {
  SigmaPosition position = SigmaPosition::Equals;
  bool all = false, re = false, re_i = false, re_m = false, re_s = false, cidr = false, exists = false;
  bool fieldref = false, cased = false, expand = false;
  std::optional<SigmaCompare> compare;
  std::vector<std::string> transforms;  // windash, base64, base64offset, utf16le, utf16be, utf16, wide, expand, in order
};

Modifiers parse_modifiers(const std::vector<std::string_view>& names, const YAML::Node& at) {
  Modifiers m;
  for (std::string_view n : names) {
    if (n == "contains") m.position = SigmaPosition::Contains;
    else if (n == "startswith") m.position = SigmaPosition::StartsWith;
    else if (n == "endswith") m.position = SigmaPosition::EndsWith;
    else if (n == "all") m.all = true;
    else if (n == "re") m.re = true;
    else if (n == "i" || n == "m" || n == "s") {
      if (!m.re) raise(at, "modifier '" + std::string(n) + "' is only valid after 're'");
      (n == "i" ? m.re_i : n == "m" ? m.re_m : m.re_s) = true;
    } else if (n == "cidr") m.cidr = true;
    else if (n == "exists") m.exists = true;
    else if (n == "fieldref") m.fieldref = true;
    else if (n == "cased") m.cased = true;
    else if (n == "lt") m.compare = SigmaCompare::Lt;
    else if (n == "lte") m.compare = SigmaCompare::Lte;
    else if (n == "gt") m.compare = SigmaCompare::Gt;
    else if (n == "gte") m.compare = SigmaCompare::Gte;
    else if (n == "expand") { m.expand = true; m.transforms.emplace_back(n); }
    else if (n == "windash" || n == "base64" || n == "base64offset" || n == "utf16le" || n == "utf16be" ||
             n == "utf16" || n == "wide")
      m.transforms.emplace_back(n);
    else raise(at, "unknown modifier '" + std::string(n) + "'");
  }
  int kinds = int(m.re) + int(m.cidr) + int(m.exists) + int(m.fieldref) + int(m.compare.has_value());
  if (kinds > 1) raise(at, "modifiers re, cidr, exists, fieldref and lt/lte/gt/gte exclude each other");
  if (kinds == 1 && !m.transforms.empty()) raise(at, "encoding modifiers cannot be combined with re, cidr, exists, fieldref or comparisons");
  if ((m.re || m.cidr || m.exists || m.compare) && m.position != SigmaPosition::Equals)
    raise(at, "contains/startswith/endswith cannot be combined with re, cidr, exists or comparisons");
  return m;
}

bool regex_supported(const std::string& re, bool i, bool m, bool s, std::string& why) {
  RE2::Options opt;
  opt.set_log_errors(false);
  opt.set_case_sensitive(!i);
  opt.set_dot_nl(s);
  opt.set_never_nl(false);
  RE2 r(m ? "(?m)" + re : re, opt);
  if (r.ok()) return true;
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* err = nullptr;
  unsigned flags = (i ? HS_FLAG_CASELESS : 0) | (m ? HS_FLAG_MULTILINE : 0) | (s ? HS_FLAG_DOTALL : 0) | HS_FLAG_ALLOWEMPTY;
  if (hs_expression_info(re.c_str(), flags, &info, &err) == HS_SUCCESS) {
    std::free(info);
    return true;
  }
  why = r.error();
  if (err) hs_free_compile_error(err);
  return false;
}

// Replaces %name% placeholders with every configured value (cartesian product).
std::vector<std::string> expand_placeholders(const std::string& value, const SigmaPlaceholders& ph, std::string& missing) {
  std::vector<std::string> out{std::string()};
  std::size_t i = 0;
  while (i < value.size()) {
    std::size_t open = value.find('%', i);
    std::size_t close = open == std::string::npos ? std::string::npos : value.find('%', open + 1);
    if (close == std::string::npos) {
      for (auto& o : out) o += value.substr(i);
      break;
    }
    for (auto& o : out) o += value.substr(i, open - i);
    const std::string name = value.substr(open + 1, close - open - 1);
    auto it = ph.find(name);
    if (it == ph.end() || it->second.empty()) {
      if (missing.empty()) missing = name;
      for (auto& o : out) o += value.substr(open, close - open + 1);
    } else {
      std::vector<std::string> next;
      for (const auto& o : out)
        for (const auto& v : it->second) next.push_back(o + v);
      out = std::move(next);
    }
    i = close + 1;
  }
  return out;
}

SigmaValue build_value(const YAML::Node& node, const Modifiers& m, const SigmaPlaceholders& ph) {
  SigmaValue v;
  if (node.IsNull()) {
    if (m.re || m.cidr || m.exists || m.compare || m.fieldref || !m.transforms.empty() || m.position != SigmaPosition::Equals)
      raise(node, "null value cannot take modifiers");
    v.kind = SigmaMatchKind::Null;
    return v;
  }
  if (!node.IsScalar()) raise(node, "value: expected a string, number, boolean or null");
  const std::string& text = node.Scalar();
  if (m.exists) {
    v.kind = SigmaMatchKind::Exists;
    if (text == "true" || text == "yes" || text == "True") v.exists = true;
    else if (text == "false" || text == "no" || text == "False") v.exists = false;
    else raise(node, "exists: expected true or false, got '" + text + "'");
    return v;
  }
  if (m.compare) {
    auto n = number_of(node);
    if (!n) raise(node, "lt/lte/gt/gte: expected a number, got '" + text + "'");
    v.kind = SigmaMatchKind::Compare;
    v.compare = *m.compare;
    v.number = *n;
    return v;
  }
  if (m.cidr) {
    auto p = IpPrefix::parse(text);
    if (!p) raise(node, "cidr: '" + text + "' is not an address prefix");
    v.kind = SigmaMatchKind::Cidr;
    v.prefixes.push_back(*p);
    return v;
  }
  if (m.re) {
    std::string why;
    if (!regex_supported(text, m.re_i, m.re_m, m.re_s, why)) raise(node, "re: bad regular expression '" + text + "': " + why);
    v.kind = SigmaMatchKind::Regex;
    v.regex = text;
    v.re_i = m.re_i;
    v.re_m = m.re_m;
    v.re_s = m.re_s;
    return v;
  }
  if (m.fieldref) {
    if (text.empty()) raise(node, "fieldref: expected a field name");
    v.kind = SigmaMatchKind::FieldRef;
    v.ref_field = text;
    v.position = m.position;
    v.cased = m.cased;
    return v;
  }
  v.kind = SigmaMatchKind::Pattern;
  v.cased = m.cased;
  // Plain numbers and booleans are compared as their text; strings use wildcard syntax.
  std::vector<std::string> texts{text};
  std::vector<SigmaPattern> pats;
  bool expanded = false;
  for (const std::string& t : m.transforms) {
    if (t == "expand") {
      if (expanded) continue;
      expanded = true;
      texts = expand_placeholders(text, ph, v.missing_placeholder);
    }
  }
  for (const auto& t : texts) pats.push_back(plain(node) && number_of(node) ? SigmaPattern::literal(t) : SigmaPattern::parse(t));
  for (const std::string& t : m.transforms) {
    std::vector<SigmaPattern> next;
    for (auto& p : pats) {
      if (t == "windash") { p.windash(); next.push_back(std::move(p)); }
      else if (t == "utf16le" || t == "wide" || t == "utf16be" || t == "utf16") {
        if (auto st = p.utf16(t != "utf16be", t == "utf16"); !st) raise(node, st.error().message);
        next.push_back(std::move(p));
      } else if (t == "base64") {
        auto b = p.base64();
        if (!b) raise(node, b.error().message);
        next.push_back(std::move(*b));
      } else if (t == "base64offset") {
        auto b = p.base64offset();
        if (!b) raise(node, b.error().message);
        for (auto& x : *b) next.push_back(std::move(x));
      } else {
        next.push_back(std::move(p));
      }
    }
    pats = std::move(next);
  }
  for (auto& p : pats) {
    if (m.position == SigmaPosition::Contains || m.position == SigmaPosition::EndsWith) p.add_leading_star();
    if (m.position == SigmaPosition::Contains || m.position == SigmaPosition::StartsWith) p.add_trailing_star();
  }
  v.patterns = std::move(pats);
  return v;
}

std::string join_modifiers(const std::vector<std::string_view>& mods) {
  std::string out;
  for (auto m : mods) {
    if (!out.empty()) out += '|';
    out += m;
  }
  return out;
}

SigmaItem build_item(const std::string& key, const YAML::Node& keynode, const YAML::Node& value, SigmaRule& rule,
                     const SigmaPlaceholders& ph) {
  SigmaItem item;
  item.line = line_of(keynode);
  std::vector<std::string_view> parts;
  std::string_view k = key;
  std::size_t bar = k.find('|');
  item.field = std::string(k.substr(0, bar));
  while (bar != std::string_view::npos) {
    std::size_t next = k.find('|', bar + 1);
    parts.push_back(k.substr(bar + 1, next == std::string_view::npos ? std::string_view::npos : next - bar - 1));
    bar = next;
  }
  Modifiers m = parse_modifiers(parts, keynode);
  if (!parts.empty()) rule.modifiers.insert(join_modifiers(parts));
  item.all = m.all;
  if (value.IsSequence()) {
    if (value.size() == 0) raise(value, "field '" + item.field + "': empty list of values");
    for (const auto& v : value) item.values.push_back(build_value(v, m, ph));
  } else if (value.IsMap()) {
    raise(value, "field '" + item.field + "': expected a value or a list of values, not a map");
  } else {
    item.values.push_back(build_value(value, m, ph));
  }
  return item;
}

std::vector<SigmaItem> build_map(const YAML::Node& map, SigmaRule& rule, const SigmaPlaceholders& ph) {
  std::vector<SigmaItem> items;
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) raise(kv.first, "selection keys must be field names");
    items.push_back(build_item(kv.first.Scalar(), kv.first, kv.second, rule, ph));
  }
  return items;
}

SigmaSelection build_selection(const std::string& name, const YAML::Node& node, SigmaRule& rule, const SigmaPlaceholders& ph) {
  SigmaSelection sel;
  sel.name = name;
  sel.line = line_of(node);
  auto keywords = [&](const YAML::Node& values) {
    SigmaItem item;
    item.line = line_of(values);
    Modifiers m;
    m.position = SigmaPosition::Contains;
    if (values.IsSequence())
      for (const auto& v : values) item.values.push_back(build_value(v, m, ph));
    else
      item.values.push_back(build_value(values, m, ph));
    return item;
  };
  if (node.IsMap()) {
    sel.alternatives.push_back(build_map(node, rule, ph));
  } else if (node.IsSequence()) {
    if (node.size() == 0) raise(node, "search identifier '" + name + "': empty list");
    bool maps = false, scalars = false;
    for (const auto& e : node) (e.IsMap() ? maps : scalars) = true;
    if (maps && scalars) raise(node, "search identifier '" + name + "': mixes maps and plain values");
    if (maps) {
      for (const auto& e : node) sel.alternatives.push_back(build_map(e, rule, ph));
    } else {
      for (const auto& e : node)
        if (e.IsSequence()) raise(e, "search identifier '" + name + "': nested lists are not allowed");
      sel.alternatives.push_back({keywords(node)});
    }
  } else if (node.IsScalar()) {
    sel.alternatives.push_back({keywords(node)});
  } else {
    raise(node, "search identifier '" + name + "': empty");
  }
  return sel;
}

SigmaDetection build_detection(const YAML::Node& node, SigmaRule& rule, const SigmaPlaceholders& ph,
                               std::initializer_list<std::string_view> skip) {
  if (!node.IsMap()) raise(node, "detection: expected a map of search identifiers and a condition");
  SigmaDetection det;
  YAML::Node cond;
  bool has_cond = false;
  std::vector<std::string> names;
  for (const auto& kv : node) {
    const std::string key = scalar(kv.first, "detection key");
    if (key == "condition") { cond = kv.second; has_cond = true; continue; }
    bool skipped = key == "timeframe";
    for (auto s : skip) skipped = skipped || key == s;
    if (skipped) continue;
    det.selections.push_back(build_selection(key, kv.second, rule, ph));
    names.push_back(key);
  }
  if (!has_cond) raise(node, "detection: missing 'condition'");
  std::vector<std::string> texts = string_list(cond, "condition");
  if (texts.empty()) raise(cond, "condition: empty");
  ConditionNode root;
  root.kind = ConditionNode::Kind::Or;
  for (const auto& t : texts) {
    auto c = parse_condition(t, names);
    if (!c) raise(cond, c.error().message);
    root.children.push_back(std::move(*c));
  }
  det.condition = root.children.size() == 1 ? std::move(root.children[0]) : std::move(root);
  return det;
}

void parse_correlation(const YAML::Node& node, SigmaRule& rule) {
  if (!node.IsMap()) raise(node, "correlation: expected a map");
  SigmaCorrelation& c = rule.correlation;
  const YAML::Node type = node["type"];
  if (!type) raise(node, "correlation: missing 'type'");
  const std::string t = scalar(type, "correlation type");
  if (t == "event_count") c.type = SigmaCorrelation::Type::EventCount;
  else if (t == "value_count") c.type = SigmaCorrelation::Type::ValueCount;
  else if (t == "temporal") c.type = SigmaCorrelation::Type::Temporal;
  else if (t == "temporal_ordered") c.type = SigmaCorrelation::Type::TemporalOrdered;
  else raise(type, "correlation type '" + t + "': expected event_count, value_count, temporal or temporal_ordered");
  c.rules = string_list(node["rules"], "correlation rules");
  if (c.rules.empty()) raise(node, "correlation: 'rules' must name at least one rule");
  c.group_by = string_list(node["group-by"], "group-by");
  const YAML::Node ts = node["timespan"];
  if (!ts) raise(node, "correlation: missing 'timespan'");
  auto span = parse_sigma_timespan(scalar(ts, "timespan"));
  if (!span) raise(ts, "timespan '" + ts.Scalar() + "': expected a number and s, m, h, d or w (e.g. 5m)");
  c.timespan = *span;
  if (const YAML::Node g = node["generate"]) c.generate = scalar(g, "generate") == "true";
  const YAML::Node cond = node["condition"];
  if (cond) {
    if (!cond.IsMap()) raise(cond, "correlation condition: expected a map such as {gte: 10}");
    for (const auto& kv : cond) {
      const std::string k = scalar(kv.first, "condition key");
      if (k == "field") { c.field = scalar(kv.second, "condition field"); continue; }
      auto n = number_of(kv.second);
      if (!n || *n != std::floor(*n)) raise(kv.second, "correlation condition '" + k + "': expected an integer");
      const auto v = static_cast<std::int64_t>(*n);
      if (k == "gt") c.gt = v;
      else if (k == "gte") c.gte = v;
      else if (k == "lt") c.lt = v;
      else if (k == "lte") c.lte = v;
      else if (k == "eq") c.eq = v;
      else raise(kv.first, "correlation condition '" + k + "': expected gt, gte, lt, lte, eq or field");
    }
  } else if (c.type == SigmaCorrelation::Type::EventCount || c.type == SigmaCorrelation::Type::ValueCount) {
    raise(node, "correlation: event_count and value_count need a 'condition'");
  }
  if (c.type == SigmaCorrelation::Type::ValueCount && c.field.empty())
    raise(cond ? cond : node, "value_count: the condition needs 'field'");
  if (const YAML::Node a = node["aliases"]) {
    if (!a.IsMap()) raise(a, "aliases: expected a map of alias -> {rule: field}");
    for (const auto& kv : a) {
      const std::string alias = scalar(kv.first, "alias");
      if (!kv.second.IsMap()) raise(kv.second, "alias '" + alias + "': expected a map of rule -> field");
      for (const auto& rf : kv.second) c.aliases[alias][scalar(rf.first, "alias rule")] = scalar(rf.second, "alias field");
    }
  }
}

void parse_document(const YAML::Node& doc, SigmaRule& rule, const SigmaPlaceholders& ph) {
  if (!doc.IsMap()) raise(doc, "a Sigma document must be a map");
  rule.line = line_of(doc);
  auto str = [&](const char* key, std::string& out) {
    if (const YAML::Node n = doc[key]) {
      if (!n.IsNull()) out = scalar(n, key);
    }
  };
  str("title", rule.title);
  str("id", rule.id);
  str("name", rule.name);
  str("status", rule.status);
  str("level", rule.level);
  str("description", rule.description);
  if (rule.title.empty()) raise(doc, "missing 'title'");
  rule.tags = string_list(doc["tags"], "tags");
  rule.fields = string_list(doc["fields"], "fields");
  rule.falsepositives = string_list(doc["falsepositives"], "falsepositives");
  if (const YAML::Node rel = doc["related"]) {
    if (!rel.IsSequence()) raise(rel, "related: expected a list of {id, type}");
    for (const auto& r : rel) {
      if (!r.IsMap() || !r["id"]) raise(r, "related: each entry needs an 'id'");
      rule.related.emplace_back(scalar(r["id"], "related id"), r["type"] ? scalar(r["type"], "related type") : std::string());
    }
  }
  if (const YAML::Node ls = doc["logsource"]) {
    if (!ls.IsMap()) raise(ls, "logsource: expected a map");
    auto get = [&](const char* k) { return ls[k] && !ls[k].IsNull() ? ascii_lower(scalar(ls[k], k)) : std::string(); };
    rule.logsource = {get("product"), get("category"), get("service")};
  }
  const YAML::Node det = doc["detection"], corr = doc["correlation"], filt = doc["filter"];
  if (int(bool(det)) + int(bool(corr)) + int(bool(filt)) != 1)
    raise(doc, "expected exactly one of 'detection', 'correlation' or 'filter'");
  if (det) {
    rule.kind = SigmaKind::Detection;
    if (!doc["logsource"]) raise(doc, "missing 'logsource'");
    rule.detection = build_detection(det, rule, ph, {});
  } else if (corr) {
    rule.kind = SigmaKind::Correlation;
    parse_correlation(corr, rule);
  } else {
    rule.kind = SigmaKind::Filter;
    if (!filt.IsMap()) raise(filt, "filter: expected a map with rules, selections and condition");
    rule.filter_rules = string_list(filt["rules"], "filter rules");
    if (rule.filter_rules.empty()) raise(filt, "filter: 'rules' must name at least one rule");
    rule.detection = build_detection(filt, rule, ph, {"rules"});
  }
}

}  // namespace

bool SigmaCorrelation::holds(std::int64_t count, std::int64_t rule_count) const {
  const bool any = gt || gte || lt || lte || eq;
  if (!any) return count >= rule_count;
  if (gt && !(count > *gt)) return false;
  if (gte && !(count >= *gte)) return false;
  if (lt && !(count < *lt)) return false;
  if (lte && !(count <= *lte)) return false;
  if (eq && count != *eq) return false;
  return true;
}

std::optional<TimeNs> parse_sigma_timespan(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
  if (ec != std::errc() || ptr != text.data() + text.size() - 1 || n <= 0 || n > 100000000) return std::nullopt;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    default: return std::nullopt;
  }
  return n * unit * 1000000000LL;
}

void parse_sigma_text(std::string_view text, std::string_view file, std::vector<SigmaRule>& rules,
                      std::vector<SigmaLoadError>& errors, const SigmaPlaceholders& placeholders) {
  if (auto refused = yaml_refusal(text)) {
    errors.push_back({std::string(file), refused->line, "invalid YAML: " + refused->reason});
    return;
  }
  std::vector<YAML::Node> docs;
  try {
    docs = load_yaml_documents(std::string(text));
  } catch (const YAML::Exception& e) {
    errors.push_back({std::string(file), e.mark.is_null() ? 0 : e.mark.line + 1, "invalid YAML: " + e.msg});
    return;
  }
  for (const auto& doc : docs) {
    if (!doc || doc.IsNull()) continue;
    SigmaRule rule;
    rule.file = std::string(file);
    try {
      parse_document(doc, rule, placeholders);
      rules.push_back(std::move(rule));
    } catch (const ParseError& e) {
      errors.push_back({std::string(file), e.line, e.reason});
    } catch (const YAML::Exception& e) {
      errors.push_back({std::string(file), e.mark.is_null() ? line_of(doc) : e.mark.line + 1, e.msg});
    }
  }
}

}  // namespace khien
