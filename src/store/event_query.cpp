// Query parsing (recursive descent) and evaluation against archived event JSON.
#include "store/event_query.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "core/case_fold.h"
#include "core/ip_address.h"
#include "core/text.h"

namespace khien {

struct EventQuery::Node {
  enum class Kind { And, Or, Not, Term, Word, Compare } kind = Kind::Term;
  std::vector<std::unique_ptr<Node>> children;
  std::string field;
  std::string value;  // case-folded pattern (fold_case)
  bool wildcard = false;
  // A bare word that is plain ASCII without wildcards, quotes, backslashes or slashes (which JSON
  // may escape): it appears in the archived line wherever it appears in a value, so the line is
  // searched for it before any value is.
  bool line_prefilter = false;
  std::optional<IpPrefix> cidr;
  std::string op;  // for Compare
  double number = 0;
};

namespace {

// Glob match with * and ?, both sides case-folded; `?` stands for one character (a whole UTF-8
// sequence), `*` for any run of them.
bool glob(std::string_view pat, std::string_view text) {
  auto step = [&](std::size_t at) { return std::min(text.size(), at + utf8_sequence_length(static_cast<unsigned char>(text[at]))); };
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pat.size() && pat[p] == '?') { ++p; t = step(t); }
    else if (p < pat.size() && pat[p] == text[t] && pat[p] != '*') { ++p; ++t; }
    else if (p < pat.size() && pat[p] == '*') { star = p++; mark = t; }
    else if (star != std::string_view::npos) { p = star + 1; mark = step(mark); t = mark; }
    else return false;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

// The text of a scalar (numbers and booleans as JSON writes them), or false for null.
bool scalar_text(simdjson::dom::element v, char (&buf)[64], std::string_view& text) {
  if (v.is_string()) {
    text = v.get_string().value_unsafe();
  } else if (v.is_int64()) {
    auto r = std::to_chars(buf, buf + sizeof(buf), v.get_int64().value_unsafe());
    text = std::string_view(buf, static_cast<std::size_t>(r.ptr - buf));
  } else if (v.is_uint64()) {
    auto r = std::to_chars(buf, buf + sizeof(buf), v.get_uint64().value_unsafe());
    text = std::string_view(buf, static_cast<std::size_t>(r.ptr - buf));
  } else if (v.is_double()) {
    auto r = std::to_chars(buf, buf + sizeof(buf), v.get_double().value_unsafe());
    text = std::string_view(buf, static_cast<std::size_t>(r.ptr - buf));
  } else if (v.is_bool()) {
    text = v.get_bool().value_unsafe() ? "true" : "false";
  } else {
    return false;
  }
  return true;
}

// `text` case-folded, in a buffer reused by the thread.
std::string_view folded(std::string_view text) {
  thread_local std::string buffer;
  buffer.clear();
  fold_case_into(text, buffer);
  return buffer;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Result<std::unique_ptr<EventQuery::Node>> parse() {
    skip();
    if (pos_ == s_.size()) return std::unique_ptr<EventQuery::Node>();
    auto node = parse_or(0);
    if (!node) return node;
    skip();
    if (pos_ != s_.size()) return fail(fmt::format("query: position {}: unexpected '{}'", pos_ + 1, s_.substr(pos_, 10)));
    return node;
  }

 private:
  using NodePtr = std::unique_ptr<EventQuery::Node>;
  static constexpr int kMaxDepth = 64;
  // Every term is tested against every event of the searched range: a bound keeps one request
  // from holding a search thread for minutes.
  static constexpr std::size_t kMaxTerms = 256;

  void skip() { while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_; }

  bool keyword(std::string_view kw) {
    skip();
    if (s_.size() - pos_ < kw.size() || !ascii_iequals(s_.substr(pos_, kw.size()), kw)) return false;
    std::size_t end = pos_ + kw.size();
    if (end < s_.size() && !std::isspace(static_cast<unsigned char>(s_[end])) && s_[end] != '(') return false;
    pos_ = end;
    return true;
  }

  Result<NodePtr> parse_or(int depth) {
    if (depth > kMaxDepth) return fail("query: nested too deeply");
    auto left = parse_and(depth);
    if (!left) return left;
    NodePtr node = std::move(*left);
    while (keyword("OR")) {
      auto right = parse_and(depth);
      if (!right) return right;
      auto parent = std::make_unique<EventQuery::Node>();
      parent->kind = EventQuery::Node::Kind::Or;
      parent->children.push_back(std::move(node));
      parent->children.push_back(std::move(*right));
      node = std::move(parent);
    }
    return node;
  }

  Result<NodePtr> parse_and(int depth) {
    auto left = parse_unary(depth);
    if (!left) return left;
    NodePtr node = std::move(*left);
    for (;;) {
      skip();
      if (pos_ >= s_.size() || s_[pos_] == ')') break;
      std::size_t save = pos_;
      if (keyword("OR")) { pos_ = save; break; }
      keyword("AND");
      auto right = parse_unary(depth);
      if (!right) return right;
      auto parent = std::make_unique<EventQuery::Node>();
      parent->kind = EventQuery::Node::Kind::And;
      parent->children.push_back(std::move(node));
      parent->children.push_back(std::move(*right));
      node = std::move(parent);
    }
    return node;
  }

  Result<NodePtr> parse_unary(int depth) {
    if (depth > kMaxDepth) return fail("query: nested too deeply");
    skip();
    if (pos_ >= s_.size()) return fail(fmt::format("query: position {}: expected a term", pos_ + 1));
    if (keyword("NOT") || s_[pos_] == '-') {
      if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
      auto inner = parse_unary(depth + 1);
      if (!inner) return inner;
      auto node = std::make_unique<EventQuery::Node>();
      node->kind = EventQuery::Node::Kind::Not;
      node->children.push_back(std::move(*inner));
      return node;
    }
    if (s_[pos_] == '(') {
      ++pos_;
      auto inner = parse_or(depth + 1);
      if (!inner) return inner;
      skip();
      if (pos_ >= s_.size() || s_[pos_] != ')') return fail(fmt::format("query: position {}: expected ')'", pos_ + 1));
      ++pos_;
      return inner;
    }
    return parse_term();
  }

  Result<std::string> parse_value() {
    skip();
    if (pos_ < s_.size() && s_[pos_] == '"') {
      std::string out;
      ++pos_;
      while (pos_ < s_.size() && s_[pos_] != '"') {
        if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
        out.push_back(s_[pos_++]);
      }
      if (pos_ >= s_.size()) return fail("query: unterminated quoted value");
      ++pos_;
      return out;
    }
    std::size_t start = pos_;
    while (pos_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[pos_])) && s_[pos_] != ')' && s_[pos_] != '(') ++pos_;
    if (pos_ == start) return fail(fmt::format("query: position {}: expected a value", pos_ + 1));
    return std::string(s_.substr(start, pos_ - start));
  }

  Result<NodePtr> parse_term() {
    if (++terms_ > kMaxTerms) return fail(fmt::format("query: more than {} terms", kMaxTerms));
    auto node = std::make_unique<EventQuery::Node>();
    // A field name runs up to ':'; anything else is a bare word.
    std::size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.' ||
                                s_[pos_] == '_' || s_[pos_] == '@' || s_[pos_] == '-'))
      ++pos_;
    if (pos_ < s_.size() && s_[pos_] == ':' && pos_ > start) {
      node->field = std::string(s_.substr(start, pos_ - start));
      ++pos_;
      for (std::string_view op : {"<=", ">=", "<", ">"}) {
        if (s_.substr(pos_, op.size()) == op) {
          pos_ += op.size();
          auto v = parse_value();
          if (!v) return tl::unexpected(v.error());
          double number = 0;
          auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), number);
          if (ec != std::errc() || end != v->data() + v->size())
            return fail(fmt::format("query: field '{}': '{}' is not a number", node->field, *v));
          node->kind = EventQuery::Node::Kind::Compare;
          node->op = std::string(op);
          node->number = number;
          return node;
        }
      }
      auto v = parse_value();
      if (!v) return tl::unexpected(v.error());
      node->kind = EventQuery::Node::Kind::Term;
      node->value = fold_case(*v);
      node->wildcard = node->value.find_first_of("*?") != std::string::npos;
      if (auto slash = v->find('/'); slash != std::string::npos) {
        node->cidr = IpPrefix::parse(*v);
        // An address before the slash means a CIDR was meant: a bad prefix is an error, not text.
        if (!node->cidr && IpAddress::parse(std::string_view(*v).substr(0, slash)))
          return fail(fmt::format("query: field '{}': '{}' is not a valid CIDR (prefix length 0-32 for IPv4, 0-128 for IPv6)",
                                  node->field, *v));
      }
      return node;
    }
    pos_ = start;
    auto v = parse_value();
    if (!v) return tl::unexpected(v.error());
    node->kind = EventQuery::Node::Kind::Word;
    node->value = fold_case(*v);
    node->wildcard = node->value.find_first_of("*?") != std::string::npos;
    node->line_prefilter = !node->wildcard && is_ascii(node->value) && node->value.find_first_of("\"\\/") == std::string::npos;
    return node;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::size_t terms_ = 0;
};

template <typename Visit>
void visit_event_field(simdjson::dom::element event, std::string_view path, Visit&& visit);

template <typename Visit>
void visit_scalars(simdjson::dom::element el, Visit& visit) {
  if (el.is_array()) {
    for (auto child : el.get_array()) visit_scalars(child, visit);
    return;
  }
  visit(el);
}

bool match_term(const EventQuery::Node& n, simdjson::dom::element v) {
  std::string_view text;
  char buf[64];
  if (!scalar_text(v, buf, text)) return false;
  if (n.cidr) {
    auto ip = IpAddress::parse(text);
    return ip && n.cidr->contains(*ip);
  }
  if (!n.wildcard && is_ascii(text)) return ascii_iequals(n.value, text);
  const std::string_view f = folded(text);
  return n.wildcard ? glob(n.value, f) : n.value == f;
}

// A bare word: a case-insensitive part of a value, or with wildcards a pattern for a whole value.
bool match_word(const EventQuery::Node& n, simdjson::dom::element v) {
  std::string_view text;
  char buf[64];
  if (!scalar_text(v, buf, text)) return false;
  if (!n.wildcard && is_ascii(text) && is_ascii(n.value)) return ascii_contains_lowered(text, n.value);
  const std::string_view f = folded(text);
  return n.wildcard ? glob(n.value, f) : f.find(n.value) != std::string_view::npos;
}

// Every scalar of an event: its fields and, inside "raw", the original record's values.
template <typename Visit>
void visit_all_values(simdjson::dom::element el, Visit& visit) {
  simdjson::dom::object object;
  simdjson::dom::array array;
  if (!el.get_object().get(object)) {
    for (auto kv : object) visit_all_values(kv.value, visit);
  } else if (!el.get_array().get(array)) {
    for (auto child : array) visit_all_values(child, visit);
  } else {
    visit(el);
  }
}

bool match_compare(const EventQuery::Node& n, simdjson::dom::element v) {
  double x;
  if (v.is_int64()) x = static_cast<double>(v.get_int64().value_unsafe());
  else if (v.is_uint64()) x = static_cast<double>(v.get_uint64().value_unsafe());
  else if (v.is_double()) x = v.get_double().value_unsafe();
  else if (v.is_string()) {
    auto s = v.get_string().value_unsafe();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (ec != std::errc() || end != s.data() + s.size()) return false;
  } else return false;
  if (n.op == "<") return x < n.number;
  if (n.op == "<=") return x <= n.number;
  if (n.op == ">") return x > n.number;
  return x >= n.number;
}

bool eval(const EventQuery::Node& n, simdjson::dom::element ev, std::string_view line) {
  using K = EventQuery::Node::Kind;
  switch (n.kind) {
    case K::And:
      for (const auto& c : n.children) if (!eval(*c, ev, line)) return false;
      return true;
    case K::Or:
      for (const auto& c : n.children) if (eval(*c, ev, line)) return true;
      return false;
    case K::Not: return !eval(*n.children[0], ev, line);
    case K::Word: {
      if (n.line_prefilter && !ascii_contains_lowered(line, n.value)) return false;
      bool hit = false;
      auto visit = [&](simdjson::dom::element v) {
        if (!hit) hit = match_word(n, v);
      };
      visit_all_values(ev, visit);
      return hit;
    }
    case K::Term:
    case K::Compare: {
      bool hit = false;
      visit_event_field(ev, n.field, [&](simdjson::dom::element v) {
        if (!hit) hit = n.kind == K::Term ? match_term(n, v) : match_compare(n, v);
      });
      if (!hit && n.kind == K::Term && n.value == "*") return false;
      return hit;
    }
  }
  return false;
}

// Looks `path` up in an archived event: first as a top-level key, then as a dotted path inside
// "raw" (the original record). Calls `visit` for each scalar found (arrays yield each element).
template <typename Visit>
void visit_event_field(simdjson::dom::element event, std::string_view path, Visit&& visit) {
  simdjson::dom::object obj;
  if (event.get_object().get(obj)) return;
  simdjson::dom::element top;
  if (!obj[path].get(top)) {
    visit_scalars(top, visit);
    return;
  }
  // Original fields live inside "raw"; walk the dotted path, also trying keys that contain dots.
  simdjson::dom::element raw;
  if (obj["raw"].get(raw) || !raw.is_object()) return;
  auto walk = [&](auto&& self, simdjson::dom::element node, std::string_view rest) -> void {
    if (node.is_array()) {
      for (auto child : node.get_array()) self(self, child, rest);
      return;
    }
    if (rest.empty()) {
      visit(node);
      return;
    }
    simdjson::dom::object o;
    if (node.get_object().get(o)) return;
    for (auto [key, value] : o) {
      if (rest.size() >= key.size() && rest.substr(0, key.size()) == key &&
          (rest.size() == key.size() || rest[key.size()] == '.')) {
        self(self, value, rest.size() == key.size() ? std::string_view() : rest.substr(key.size() + 1));
      }
    }
  };
  walk(walk, raw, path);
}

}  // namespace

EventQuery::EventQuery() = default;
EventQuery::~EventQuery() = default;
EventQuery::EventQuery(EventQuery&&) noexcept = default;
EventQuery& EventQuery::operator=(EventQuery&&) noexcept = default;

Result<EventQuery> EventQuery::parse(std::string_view text) {
  constexpr std::size_t kMaxLength = 8192;
  if (text.size() > kMaxLength) return fail(fmt::format("query: longer than {} characters", kMaxLength));
  Parser parser(text);
  auto root = parser.parse();
  if (!root) return tl::unexpected(root.error());
  EventQuery q;
  q.root_ = std::move(*root);
  return q;
}

bool EventQuery::empty() const { return root_ == nullptr; }

bool EventQuery::matches(simdjson::dom::element event, std::string_view line) const {
  return !root_ || eval(*root_, event, line);
}

}  // namespace khien
