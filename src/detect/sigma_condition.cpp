// Recursive-descent parser of the Sigma condition grammar.
#include "detect/sigma_condition.h"

#include <cctype>

#include "core/text.h"

namespace khien {

bool identifier_matches(std::string_view pattern, std::string_view name) {
  // Iterative glob match with single-star backtracking: linear for practical patterns.
  std::size_t p = 0, n = 0, star = std::string_view::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) { ++p; ++n; }
    else if (p < pattern.size() && pattern[p] == '*') { star = p++; mark = n; }
    else if (star != std::string_view::npos) { p = star + 1; n = ++mark; }
    else return false;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

struct Token {
  enum class Kind { Word, LParen, RParen, Pipe, End } kind;
  std::string_view text;
  std::size_t pos;
};

bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '*' || c == '?' || c == '-' || c == '.' ||
         c == '$' || c == '@' || c == '#';
}

class Parser {
 public:
  Parser(std::string_view text, const std::vector<std::string>& names) : text_(text), names_(names) {}

  Result<ConditionNode> run() {
    if (auto st = tokenize(); !st) return tl::unexpected(st.error());
    auto node = parse_or(0);
    if (!node) return node;
    if (peek().kind != Token::Kind::End) return error("unexpected '" + std::string(peek().text) + "'");
    return node;
  }

 private:
  Status tokenize() {
    std::size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) { ++i; continue; }
      if (c == '(') { tokens_.push_back({Token::Kind::LParen, text_.substr(i, 1), i}); ++i; continue; }
      if (c == ')') { tokens_.push_back({Token::Kind::RParen, text_.substr(i, 1), i}); ++i; continue; }
      if (c == '|') { tokens_.push_back({Token::Kind::Pipe, text_.substr(i, 1), i}); ++i; continue; }
      if (!is_ident_char(c)) return fail("condition: unexpected character '" + std::string(1, c) + "' at offset " + std::to_string(i));
      std::size_t start = i;
      while (i < text_.size() && is_ident_char(text_[i])) ++i;
      tokens_.push_back({Token::Kind::Word, text_.substr(start, i - start), start});
    }
    tokens_.push_back({Token::Kind::End, "end of condition", text_.size()});
    return {};
  }

  const Token& peek() const { return tokens_[pos_]; }
  const Token& take() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool peek_word(std::string_view w) const { return peek().kind == Token::Kind::Word && ascii_iequals(peek().text, w); }

  tl::unexpected<Error> error(std::string reason) const { return fail("condition: " + reason); }

  Result<ConditionNode> parse_or(int depth) {
    auto left = parse_and(depth);
    if (!left) return left;
    if (!peek_word("or")) return left;
    ConditionNode node;
    node.kind = ConditionNode::Kind::Or;
    node.children.push_back(std::move(*left));
    while (peek_word("or")) {
      take();
      auto right = parse_and(depth);
      if (!right) return right;
      node.children.push_back(std::move(*right));
    }
    return node;
  }

  Result<ConditionNode> parse_and(int depth) {
    auto left = parse_not(depth);
    if (!left) return left;
    if (!peek_word("and")) return left;
    ConditionNode node;
    node.kind = ConditionNode::Kind::And;
    node.children.push_back(std::move(*left));
    while (peek_word("and")) {
      take();
      auto right = parse_not(depth);
      if (!right) return right;
      node.children.push_back(std::move(*right));
    }
    return node;
  }

  Result<ConditionNode> parse_not(int depth) {
    if (depth > kMaxConditionDepth) return error("nested deeper than " + std::to_string(kMaxConditionDepth) + " levels");
    if (peek_word("not")) {
      take();
      auto inner = parse_not(depth + 1);
      if (!inner) return inner;
      ConditionNode node;
      node.kind = ConditionNode::Kind::Not;
      node.children.push_back(std::move(*inner));
      return node;
    }
    return parse_primary(depth);
  }

  Result<ConditionNode> parse_primary(int depth) {
    const Token& t = peek();
    switch (t.kind) {
      case Token::Kind::LParen: {
        take();
        auto inner = parse_or(depth + 1);
        if (!inner) return inner;
        if (peek().kind != Token::Kind::RParen) return error("missing ')' before " + describe(peek()));
        take();
        return inner;
      }
      case Token::Kind::RParen: return error("unexpected ')'");
      case Token::Kind::Pipe: return error("'|' aggregations are Sigma 1 syntax; write a correlation rule instead");
      case Token::Kind::End: return error("expression expected at end of condition");
      case Token::Kind::Word: break;
    }
    if (ascii_iequals(t.text, "and") || ascii_iequals(t.text, "or")) return error("operand expected before '" + std::string(t.text) + "'");
    // Quantifier: `1 of x*`, `all of them`, `N of x`.
    if (pos_ + 1 < tokens_.size() && tokens_[pos_ + 1].kind == Token::Kind::Word && ascii_iequals(tokens_[pos_ + 1].text, "of")) {
      std::string_view quant = take().text;
      take();  // of
      const Token& target = peek();
      if (target.kind != Token::Kind::Word) return error("identifier pattern or 'them' expected after 'of'");
      take();
      std::vector<std::size_t> picked;
      const bool them = ascii_iequals(target.text, "them");
      for (std::size_t i = 0; i < names_.size(); ++i) {
        if (them ? !names_[i].starts_with('_') : identifier_matches(target.text, names_[i])) picked.push_back(i);
      }
      if (picked.empty()) return error("'" + std::string(target.text) + "' matches no search identifier");
      ConditionNode node;
      if (ascii_iequals(quant, "all")) {
        node.kind = ConditionNode::Kind::And;
      } else {
        std::size_t n = 0;
        for (char c : quant) {
          if (!std::isdigit(static_cast<unsigned char>(c)) || n > 100000) return error("'" + std::string(quant) + " of': expected 'all' or a number");
          n = n * 10 + static_cast<std::size_t>(c - '0');
        }
        if (n == 0) return error("'0 of' is not a condition");
        node.kind = n == 1 ? ConditionNode::Kind::Or : ConditionNode::Kind::AtLeast;
        node.count = n;
      }
      for (std::size_t i : picked) {
        ConditionNode leaf;
        leaf.kind = ConditionNode::Kind::Selection;
        leaf.selection = i;
        node.children.push_back(std::move(leaf));
      }
      return node;
    }
    take();
    for (std::size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == t.text) {
        ConditionNode leaf;
        leaf.kind = ConditionNode::Kind::Selection;
        leaf.selection = i;
        return leaf;
      }
    }
    return error("unknown search identifier '" + std::string(t.text) + "'");
  }

  static std::string describe(const Token& t) {
    return t.kind == Token::Kind::End ? std::string("end of condition") : "'" + std::string(t.text) + "'";
  }

  std::string_view text_;
  const std::vector<std::string>& names_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
};

}  // namespace

Result<ConditionNode> parse_condition(std::string_view text, const std::vector<std::string>& names) {
  if (text.size() > 65536) return fail("condition: longer than 65536 characters");
  Parser p(text, names);
  return p.run();
}

}  // namespace khien
