// Canonical printing of parsed STIX patterns (used in messages, tests and the fuzz round trip).
#include "intel/pattern_ast.h"

#include <cctype>
#include <charconv>
#include <cstring>
#include <iterator>
#include <string_view>

namespace khien {
namespace {

bool is_keyword(std::string_view s) {
  static constexpr std::string_view kWords[] = {"AND",      "OR",         "NOT",    "FOLLOWEDBY", "LIKE",  "MATCHES",
                                                "ISSUBSET", "ISSUPERSET", "EXISTS", "IN",         "START", "STOP",
                                                "WITHIN",   "REPEATS",    "TIMES",  "SECONDS",    "true",  "false"};
  for (auto w : kWords)
    if (s == w) return true;
  return false;
}

bool is_plain_identifier(std::string_view s) {
  if (s.empty()) return false;
  auto c0 = static_cast<unsigned char>(s[0]);
  if (!(std::isalpha(c0) || c0 == '_')) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || u == '_')) return false;
  }
  return !is_keyword(s);
}

void append_quoted(std::string& out, std::string_view s) {
  out += '\'';
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
}

void append_float(std::string& out, double v) {
  char buf[400];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  std::string_view text(buf, static_cast<std::size_t>(res.ptr - buf));
  out += text;
  // The grammar requires a fraction: "5" must print as "5.0".
  if (text.find('.') == std::string_view::npos) out += ".0";
}

void append_observation(std::string& out, const ObservationExpr& node);

// Binding strength of observation operators: AND over OR over FOLLOWEDBY.
int binding(ObservationExpr::Kind kind) {
  switch (kind) {
    case ObservationExpr::Kind::FollowedBy:
      return 1;
    case ObservationExpr::Kind::Or:
      return 2;
    case ObservationExpr::Kind::And:
      return 3;
    case ObservationExpr::Kind::Observation:
      return 4;
  }
  return 4;
}

// Parentheses only where precedence needs them, so the canonical text never nests deeper than the
// pattern it came from (and stays within the parser's depth limit).
void append_observation_operand(std::string& out, const ObservationExpr& child, ObservationExpr::Kind parent) {
  bool wrap = child.qualifiers.empty() && binding(child.kind) <= binding(parent);
  if (wrap) out += '(';
  append_observation(out, child);
  if (wrap) out += ')';
}

void append_qualifier(std::string& out, const Qualifier& q) {
  switch (q.kind) {
    case Qualifier::Kind::Within:
      out += " WITHIN ";
      append_float(out, q.seconds);
      out += " SECONDS";
      break;
    case Qualifier::Kind::Repeats:
      out += " REPEATS ";
      out += std::to_string(q.times);
      out += " TIMES";
      break;
    case Qualifier::Kind::StartStop:
      out += " START ";
      out += constant_to_string(q.start);
      out += " STOP ";
      out += constant_to_string(q.stop);
      break;
  }
}

void append_observation(std::string& out, const ObservationExpr& node) {
  bool compound = node.kind != ObservationExpr::Kind::Observation;
  bool wrap_self = compound && !node.qualifiers.empty();
  if (wrap_self) out += '(';
  if (!compound) {
    out += '[';
    out += comparison_to_string(node.comparison);
    out += ']';
  } else {
    const char* op = node.kind == ObservationExpr::Kind::And  ? " AND "
                     : node.kind == ObservationExpr::Kind::Or ? " OR "
                                                              : " FOLLOWEDBY ";
    for (std::size_t i = 0; i < node.children.size(); ++i) {
      if (i) out += op;
      append_observation_operand(out, node.children[i], node.kind);
    }
  }
  if (wrap_self) out += ')';
  for (const auto& q : node.qualifiers) append_qualifier(out, q);
}

void append_comparison(std::string& out, const ComparisonExpr& e) {
  if (e.kind != ComparisonExpr::Kind::Comparison) {
    const char* op = e.kind == ComparisonExpr::Kind::And ? " AND " : " OR ";
    for (std::size_t i = 0; i < e.children.size(); ++i) {
      if (i) out += op;
      // AND binds tighter than OR: only an OR (or a same-kind group) inside an AND needs parentheses.
      const auto child = e.children[i].kind;
      bool wrap = child != ComparisonExpr::Kind::Comparison && (child == e.kind || child == ComparisonExpr::Kind::Or);
      if (wrap) out += '(';
      append_comparison(out, e.children[i]);
      if (wrap) out += ')';
    }
    return;
  }
  if (e.op == ComparisonOp::Exists) {
    out += "EXISTS ";
    out += e.path.to_string();
    return;
  }
  out += e.path.to_string();
  out += ' ';
  if (e.negated) out += "NOT ";
  out += comparison_op_text(e.op);
  out += ' ';
  if (e.op == ComparisonOp::In) {
    out += '(';
    for (std::size_t i = 0; i < e.values.size(); ++i) {
      if (i) out += ", ";
      out += constant_to_string(e.values[i]);
    }
    out += ')';
  } else if (!e.values.empty()) {
    out += constant_to_string(e.values[0]);
  }
}

}  // namespace

const char* comparison_op_text(ComparisonOp op) {
  // In the order of ComparisonOp.
  static constexpr const char* kText[] = {"=",  "!=",   "<",       "<=",       ">",          ">=",
                                          "IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET", "EXISTS"};
  static_assert(std::size(kText) == static_cast<std::size_t>(ComparisonOp::Exists) + 1);
  auto i = static_cast<std::size_t>(op);
  return i < std::size(kText) ? kText[i] : "?";
}

std::string ObjectPath::to_string() const { return written(true); }

std::string ObjectPath::dotted() const { return written(false); }

std::string ObjectPath::written(bool quote_names) const {
  std::string out = object_type;
  out += ':';
  bool first = true;
  for (const auto& step : steps) {
    switch (step.kind) {
      case PathStep::Kind::Property:
        if (!first) out += '.';
        if (!quote_names || is_plain_identifier(step.name))
          out += step.name;
        else
          append_quoted(out, step.name);
        break;
      case PathStep::Kind::Index:
        out += '[';
        out += std::to_string(step.index);
        out += ']';
        break;
      case PathStep::Kind::AnyIndex:
        out += "[*]";
        break;
    }
    first = false;
  }
  return out;
}

std::string constant_to_string(const PatternConstant& v) {
  std::string out;
  switch (v.kind) {
    case ConstantKind::String:
      append_quoted(out, v.text);
      break;
    case ConstantKind::Int:
      out = std::to_string(v.i);
      break;
    case ConstantKind::Float:
      append_float(out, v.f);
      break;
    case ConstantKind::Bool:
      out = v.b ? "true" : "false";
      break;
    case ConstantKind::Timestamp:
      out = "t'" + v.text + "'";
      break;
    case ConstantKind::Hex:
      out = "h'" + v.text + "'";
      break;
    case ConstantKind::Binary:
      out = "b'" + v.text + "'";
      break;
  }
  return out;
}

std::string comparison_to_string(const ComparisonExpr& expr) {
  std::string out;
  append_comparison(out, expr);
  return out;
}

std::string PatternAst::to_string() const {
  std::string out;
  append_observation(out, root);
  return out;
}

}  // namespace khien
