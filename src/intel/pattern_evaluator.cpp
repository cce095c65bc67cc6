// Single-event evaluation of STIX patterns: comparisons over the event fields a path maps to.
#include "intel/pattern_evaluator.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "core/text.h"
#include "intel/observable_normalizer.h"
#include "intel/stix_field_map.h"

namespace khien {
namespace {

constexpr std::size_t kMaxRegexSubject = 4096;

enum class Order : std::uint8_t { Less, Equal, Greater, Incomparable };

Order order_of(int c) {
  return c < 0 ? Order::Less : c > 0 ? Order::Greater : Order::Equal;
}

template <typename T>
Order order_values(T a, T b) {
  return a < b ? Order::Less : b < a ? Order::Greater : Order::Equal;
}

Order compare_text(std::string_view a, std::string_view b, bool ci) {
  if (!ci) return order_of(a.compare(b));
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    char x = ascii_lower(a[i]), y = ascii_lower(b[i]);
    if (x != y) return x < y ? Order::Less : Order::Greater;
  }
  return order_values(a.size(), b.size());
}

std::optional<double> parse_number(std::string_view s) {
  double d = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size(), d);
  if (res.ec != std::errc() || res.ptr != s.data() + s.size()) return std::nullopt;
  return d;
}

std::optional<double> constant_number(const PatternConstant& c) {
  if (c.kind == ConstantKind::Int) return static_cast<double>(c.i);
  if (c.kind == ConstantKind::Float) return c.f;
  return std::nullopt;
}

// A value of the event, prepared for one comparison (strings already trimmed for domains etc.).
struct Operand {
  const Value* value = nullptr;
  std::string_view text;  // string form for String values (an e-mail address for Email fields)
};

Order compare_ip_with(const IpAddress& ip, const PatternConstant& c) {
  if (c.kind != ConstantKind::String) return Order::Incomparable;
  if (c.text.find('/') != std::string::npos) {
    auto prefix = IpPrefix::parse(c.text);
    if (!prefix) return Order::Incomparable;
    return prefix->contains(ip) ? Order::Equal : Order::Incomparable;
  }
  auto other = IpAddress::parse(c.text);
  if (!other) return Order::Incomparable;
  return order_of(std::memcmp(ip.bytes.data(), other->bytes.data(), 16));
}

Order compare_operand(const Operand& v, const PatternConstant& c, StixValueKind kind) {
  bool ci = kind != StixValueKind::Plain;
  switch (v.value->type) {
    case FieldType::String: {
      std::string_view s = v.text;
      if (kind == StixValueKind::Domain && !s.empty() && s.back() == '.') s.remove_suffix(1);
      switch (c.kind) {
        case ConstantKind::String: {
          std::string_view k = c.text;
          if (kind == StixValueKind::Domain && !k.empty() && k.back() == '.') k.remove_suffix(1);
          // An address kept as text (a decoder could not type it) still compares as an address.
          if (c.text.find('/') != std::string::npos)
            if (auto ip = IpAddress::parse(s)) return compare_ip_with(*ip, c);
          return compare_text(s, k, ci);
        }
        case ConstantKind::Hex:
        case ConstantKind::Binary:
          if (compare_text(s, c.text, true) == Order::Equal && c.kind == ConstantKind::Hex) return Order::Equal;
          return order_of(s.compare(c.bytes));
        case ConstantKind::Int:
        case ConstantKind::Float: {
          auto d = parse_number(s);
          if (!d) return Order::Incomparable;
          return order_values(*d, *constant_number(c));
        }
        case ConstantKind::Timestamp: {
          auto t = parse_time_any(s);
          if (!t) return Order::Incomparable;
          return order_values(*t, c.t);
        }
        case ConstantKind::Bool:
          if (s == "true") return c.b ? Order::Equal : Order::Greater;
          if (s == "false") return c.b ? Order::Less : Order::Equal;
          return Order::Incomparable;
      }
      return Order::Incomparable;
    }
    case FieldType::Int:
    case FieldType::Float: {
      double x = v.value->type == FieldType::Int ? static_cast<double>(v.value->i) : v.value->f;
      if (auto d = constant_number(c)) {
        if (v.value->type == FieldType::Int && c.kind == ConstantKind::Int) return order_values(v.value->i, c.i);
        return order_values(x, *d);
      }
      if (c.kind == ConstantKind::String) {
        auto d = parse_number(c.text);
        if (!d) return Order::Incomparable;
        return order_values(x, *d);
      }
      return Order::Incomparable;
    }
    case FieldType::Bool:
      if (c.kind != ConstantKind::Bool) return Order::Incomparable;
      return order_values(v.value->b, c.b);
    case FieldType::Timestamp:
      if (c.kind == ConstantKind::Timestamp) return order_values(v.value->t, c.t);
      if (c.kind == ConstantKind::String) {
        auto t = parse_iso8601(c.text);
        if (!t) return Order::Incomparable;
        return order_values(v.value->t, *t);
      }
      return Order::Incomparable;
    case FieldType::Ip:
      return compare_ip_with(v.value->ip, c);
  }
  return Order::Incomparable;
}

// The event value as text, for LIKE / MATCHES.
std::string_view operand_text(const Operand& v, char* buf) {
  if (v.value->type == FieldType::String) return v.text;
  if (v.value->type == FieldType::Ip) return {buf, v.value->ip.format(buf)};
  if (v.value->type == FieldType::Int) {
    auto res = std::to_chars(buf, buf + 32, v.value->i);
    return {buf, static_cast<std::size_t>(res.ptr - buf)};
  }
  return {};
}

bool subset_test(const Operand& v, const PatternConstant& c, bool superset) {
  if (c.kind != ConstantKind::String) return false;
  auto net = IpPrefix::parse(c.text);
  if (!net) return false;
  std::optional<IpPrefix> mine;
  if (v.value->type == FieldType::Ip) {
    mine = IpPrefix{v.value->ip, v.value->ip.v4 ? 32 : 128};
  } else if (v.value->type == FieldType::String) {
    mine = IpPrefix::parse(v.text);
  }
  if (!mine || mine->address.v4 != net->address.v4) return false;
  const IpPrefix& inner = superset ? *net : *mine;
  const IpPrefix& outer = superset ? *mine : *net;
  return inner.bits >= outer.bits && outer.contains(inner.address);
}

bool operator_holds(const ComparisonExpr& e, const Operand& v, StixValueKind kind) {
  char buf[64];
  switch (e.op) {
    case ComparisonOp::Equal:
      return compare_operand(v, e.values[0], kind) == Order::Equal;
    case ComparisonOp::NotEqual: {
      Order o = compare_operand(v, e.values[0], kind);
      return o == Order::Less || o == Order::Greater;
    }
    case ComparisonOp::Less:
      return compare_operand(v, e.values[0], kind) == Order::Less;
    case ComparisonOp::LessEqual: {
      Order o = compare_operand(v, e.values[0], kind);
      return o == Order::Less || o == Order::Equal;
    }
    case ComparisonOp::Greater:
      return compare_operand(v, e.values[0], kind) == Order::Greater;
    case ComparisonOp::GreaterEqual: {
      Order o = compare_operand(v, e.values[0], kind);
      return o == Order::Greater || o == Order::Equal;
    }
    case ComparisonOp::In:
      for (const auto& c : e.values)
        if (compare_operand(v, c, kind) == Order::Equal) return true;
      return false;
    case ComparisonOp::Like: {
      auto text = operand_text(v, buf);
      if (text.data() == nullptr && v.value->type != FieldType::String) return false;
      return like_match(text, e.values[0].text, kind != StixValueKind::Plain);
    }
    case ComparisonOp::Matches: {
      if (!e.regex) return false;
      auto text = operand_text(v, buf);
      if (text.size() > kMaxRegexSubject) return false;
      if (text.data() == nullptr && v.value->type != FieldType::String) return false;
      try {
        return std::regex_search(text.begin(), text.end(), *e.regex);
      } catch (const std::regex_error&) {
        return false;  // complexity or stack limits of the library: treat as no match
      }
    }
    case ComparisonOp::IsSubset:
      return subset_test(v, e.values[0], false);
    case ComparisonOp::IsSuperset:
      return subset_test(v, e.values[0], true);
    case ComparisonOp::Exists:
      return true;
  }
  return false;
}

bool evaluate_comparison(const ComparisonExpr& e, const Event& event) {
  switch (e.kind) {
    case ComparisonExpr::Kind::And:
      for (const auto& c : e.children)
        if (!evaluate_comparison(c, event)) return false;
      return true;
    case ComparisonExpr::Kind::Or:
      for (const auto& c : e.children)
        if (evaluate_comparison(c, event)) return true;
      return false;
    case ComparisonExpr::Kind::Comparison:
      break;
  }
  const StixFieldMapping* map = find_stix_field_mapping(e.path);
  if (!map) return false;
  bool any_value = false;
  bool holds = false;
  for (const auto& slot : event) {
    bool mapped = false;
    for (FieldId f : map->fields) {
      if (f == field::none) break;
      if (f == slot.field) mapped = true;
    }
    if (!mapped) continue;
    auto test = [&](std::string_view text) {
      any_value = true;
      Operand v{&slot.value, text};
      if (operator_holds(e, v, map->kind)) holds = true;
    };
    if (map->kind == StixValueKind::Email && slot.value.type == FieldType::String) {
      for_each_email_address(slot.value.s, test);
    } else {
      test(slot.value.type == FieldType::String ? slot.value.s : std::string_view());
    }
    if (holds) break;
  }
  if (!any_value) return false;
  return e.negated ? !holds : holds;
}

bool evaluate_observation(const ObservationExpr& node, const Event& event) {
  if (!node.qualifiers.empty()) return false;
  switch (node.kind) {
    case ObservationExpr::Kind::Observation:
      return evaluate_comparison(node.comparison, event);
    case ObservationExpr::Kind::Or:
      for (const auto& c : node.children)
        if (evaluate_observation(c, event)) return true;
      return false;
    case ObservationExpr::Kind::And:
    case ObservationExpr::Kind::FollowedBy:
      return false;
  }
  return false;
}

Status check_node(const ObservationExpr& node) {
  if (!node.qualifiers.empty()) {
    switch (node.qualifiers.front().kind) {
      case Qualifier::Kind::Within:
        return fail("uses WITHIN (needs a time window of events)");
      case Qualifier::Kind::Repeats:
        return fail("uses REPEATS (needs several events)");
      case Qualifier::Kind::StartStop:
        return fail("uses START/STOP (needs observation times)");
    }
  }
  switch (node.kind) {
    case ObservationExpr::Kind::Observation:
      return {};
    case ObservationExpr::Kind::FollowedBy:
      return fail("uses FOLLOWEDBY (needs an ordered sequence of events)");
    case ObservationExpr::Kind::And:
      return fail("uses AND between observations (needs several events)");
    case ObservationExpr::Kind::Or:
      for (const auto& c : node.children) {
        auto st = check_node(c);
        if (!st) return st;
      }
      return {};
  }
  return {};
}

void collect_unmapped(const ComparisonExpr& e, std::vector<std::string>& out) {
  if (e.kind != ComparisonExpr::Kind::Comparison) {
    for (const auto& c : e.children) collect_unmapped(c, out);
    return;
  }
  if (find_stix_field_mapping(e.path)) return;
  auto text = e.path.to_string();
  for (const auto& s : out)
    if (s == text) return;
  out.push_back(std::move(text));
}

void collect_unmapped(const ObservationExpr& node, std::vector<std::string>& out) {
  if (node.kind == ObservationExpr::Kind::Observation) {
    collect_unmapped(node.comparison, out);
    return;
  }
  for (const auto& c : node.children) collect_unmapped(c, out);
}

std::size_t utf8_length(std::string_view s, std::size_t at) {
  auto c = static_cast<unsigned char>(s[at]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  return std::min(n, s.size() - at);
}

}  // namespace

bool like_match(std::string_view text, std::string_view pattern, bool ignore_case) {
  std::size_t t = 0, p = 0;
  std::size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star_p = ++p;
      star_t = t;
      continue;
    }
    if (p < pattern.size() && pattern[p] == '_') {
      t += utf8_length(text, t);
      ++p;
      continue;
    }
    if (p < pattern.size() && (ignore_case ? ascii_lower(pattern[p]) == ascii_lower(text[t]) : pattern[p] == text[t])) {
      ++t;
      ++p;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    star_t += utf8_length(text, star_t);
    t = star_t;
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

Status check_single_event(const PatternAst& ast) {
  return check_node(ast.root);
}

bool evaluate(const PatternAst& ast, const Event& event) {
  return evaluate_observation(ast.root, event);
}

std::vector<std::string> unmapped_paths(const PatternAst& ast) {
  std::vector<std::string> out;
  collect_unmapped(ast.root, out);
  return out;
}

}  // namespace khien
