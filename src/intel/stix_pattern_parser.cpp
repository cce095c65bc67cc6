// Recursive-descent parser of STIX 2.1 patterns: a lexer into tokens with positions, then one
// function per grammar level. Errors stop at the first problem and name its position.
#include "intel/stix_pattern_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace khien {
namespace {

enum class Tok : std::uint8_t {
  End,
  LBrack,
  RBrack,
  LParen,
  RParen,
  Comma,
  Colon,
  Dot,
  Star,
  Eq,
  Neq,
  Lt,
  Le,
  Gt,
  Ge,
  String,
  Int,
  Float,
  Timestamp,
  Hex,
  Binary,
  Ident
};

struct Token {
  Tok kind = Tok::End;
  std::uint32_t pos = 0;  // 1-based
  std::string_view raw;
  std::string text;  // decoded string literal, or literal body for t'' h'' b''
};

bool is_ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_reserved(std::string_view s) {
  static constexpr std::string_view kWords[] = {"AND",      "OR",         "NOT",    "FOLLOWEDBY", "LIKE",  "MATCHES",
                                                "ISSUBSET", "ISSUPERSET", "EXISTS", "IN",         "START", "STOP",
                                                "WITHIN",   "REPEATS",    "TIMES",  "SECONDS",    "true",  "false"};
  for (auto w : kWords)
    if (s == w) return true;
  return false;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict STIX timestamp: YYYY-MM-DDTHH:MM:SS[.fraction]Z.
std::optional<TimeNs> parse_stix_timestamp(std::string_view s) {
  auto num = [&](std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (!is_digit(s[i])) return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, se;
  if (!num(0, 4, y) || s.size() < 20 || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' || !num(8, 2, d) || s[10] != 'T' ||
      !num(11, 2, h) || s[13] != ':' || !num(14, 2, mi) || s[16] != ':' || !num(17, 2, se))
    return std::nullopt;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || se > 60) return std::nullopt;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return std::nullopt;
  std::size_t i = 19;
  std::int64_t frac_ns = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t digits = 0;
    std::int64_t scale = 100000000;
    while (i < s.size() && is_digit(s[i])) {
      if (digits < 9) frac_ns += (s[i] - '0') * scale, scale /= 10;
      ++digits, ++i;
    }
    if (digits == 0) return std::nullopt;
  }
  if (i + 1 != s.size() || s[i] != 'Z') return std::nullopt;
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + se;
  // TimeNs (nanoseconds in 64 bits) spans the years 1678 to 2261.
  if (secs >= 9223372036LL - 1 || secs <= -9223372036LL + 1) return std::nullopt;
  return secs * 1000000000LL + frac_ns;
}

class Parser {
 public:
  Parser(std::string_view text, const StixPatternParser::Limits& limits) : text_(text), limits_(limits) {}

  Result<PatternAst> run() {
    if (text_.size() > limits_.max_bytes)
      return fail("pattern is " + std::to_string(text_.size()) + " bytes, longer than the " +
                  std::to_string(limits_.max_bytes) + "-byte limit");
    if (!lex()) return fail(error_);
    PatternAst ast;
    if (!parse_observations(ast.root, 0)) return fail(error_);
    if (peek().kind != Tok::End) {
      error_at(peek(), "expected AND, OR, FOLLOWEDBY or end of pattern");
      return fail(error_);
    }
    return ast;
  }

 private:
  // ---- lexer ----
  bool lex_error(std::size_t at, const std::string& msg) {
    error_ = "position " + std::to_string(at + 1) + ": " + msg;
    return false;
  }

  bool lex_quoted(std::size_t& i, std::string& out, bool allow_escapes) {
    std::size_t start = i;
    ++i;  // opening quote
    while (i < text_.size()) {
      char c = text_[i];
      if (c == '\'') {
        ++i;
        return true;
      }
      if (c == '\\' && allow_escapes) {
        if (i + 1 < text_.size() && (text_[i + 1] == '\'' || text_[i + 1] == '\\')) {
          out += text_[i + 1];
          i += 2;
          continue;
        }
        return lex_error(i, "invalid escape in string constant (only \\' and \\\\ are allowed)");
      }
      out += c;
      ++i;
    }
    return lex_error(start, "unterminated string constant");
  }

  bool lex() {
    std::size_t i = 0;
    const std::size_t n = text_.size();
    while (true) {
      while (i < n && (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\r' || text_[i] == '\n')) ++i;
      Token t;
      t.pos = static_cast<std::uint32_t>(i + 1);
      if (i >= n) {
        tokens_.push_back(std::move(t));
        return true;
      }
      std::size_t start = i;
      char c = text_[i];
      auto single = [&](Tok k) {
        t.kind = k;
        ++i;
      };
      switch (c) {
        case '[':
          single(Tok::LBrack);
          break;
        case ']':
          single(Tok::RBrack);
          break;
        case '(':
          single(Tok::LParen);
          break;
        case ')':
          single(Tok::RParen);
          break;
        case ',':
          single(Tok::Comma);
          break;
        case ':':
          single(Tok::Colon);
          break;
        case '*':
          single(Tok::Star);
          break;
        case '=':
          single(Tok::Eq);
          break;
        case '!':
          if (i + 1 < n && text_[i + 1] == '=') {
            t.kind = Tok::Neq;
            i += 2;
          } else {
            return lex_error(i, "unexpected character '!' (did you mean '!='?)");
          }
          break;
        case '<':
        case '>': {
          bool eq = i + 1 < n && text_[i + 1] == '=';
          t.kind = c == '<' ? (eq ? Tok::Le : Tok::Lt) : (eq ? Tok::Ge : Tok::Gt);
          i += eq ? 2 : 1;
          break;
        }
        case '\'':
          t.kind = Tok::String;
          if (!lex_quoted(i, t.text, true)) return false;
          break;
        default:
          if ((c == 't' || c == 'h' || c == 'b') && i + 1 < n && text_[i + 1] == '\'') {
            t.kind = c == 't' ? Tok::Timestamp : c == 'h' ? Tok::Hex : Tok::Binary;
            ++i;
            if (!lex_quoted(i, t.text, false)) return false;
          } else if (is_ident_start(c)) {
            t.kind = Tok::Ident;
            while (i < n && is_ident_char(text_[i])) ++i;
          } else if (is_digit(c) || c == '+' || c == '-' || (c == '.' && i + 1 < n && is_digit(text_[i + 1]))) {
            std::size_t j = i;
            if (c == '+' || c == '-') ++j;
            std::size_t int_digits = 0;
            while (j < n && is_digit(text_[j])) ++j, ++int_digits;
            bool is_float = false;
            if (j + 1 < n && text_[j] == '.' && is_digit(text_[j + 1])) {
              is_float = true;
              ++j;
              while (j < n && is_digit(text_[j])) ++j;
            }
            if (int_digits == 0 && !is_float) return lex_error(i, std::string("expected a digit after '") + c + "'");
            t.kind = is_float ? Tok::Float : Tok::Int;
            i = j;
          } else if (c == '.') {
            single(Tok::Dot);
          } else {
            std::string shown = static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f
                                    ? "byte 0x" + std::string(1, "0123456789abcdef"[(c >> 4) & 15]) +
                                          std::string(1, "0123456789abcdef"[c & 15])
                                    : std::string("'") + c + "'";
            return lex_error(i, "unexpected character " + shown);
          }
      }
      t.raw = text_.substr(start, i - start);
      tokens_.push_back(std::move(t));
    }
  }

  // ---- helpers ----
  const Token& peek(std::size_t ahead = 0) const {
    std::size_t k = std::min(cur_ + ahead, tokens_.size() - 1);
    return tokens_[k];
  }
  const Token& next() {
    const Token& t = tokens_[cur_];
    if (cur_ + 1 < tokens_.size()) ++cur_;
    return t;
  }
  bool is_word(const Token& t, std::string_view w) const { return t.kind == Tok::Ident && t.raw == w; }

  static std::string describe(const Token& t) {
    if (t.kind == Tok::End) return "end of pattern";
    std::string s(t.raw.substr(0, 40));
    if (t.raw.size() > 40) s += "...";
    return "'" + s + "'";
  }

  bool error_at(const Token& t, const std::string& expected) {
    if (error_.empty()) error_ = "position " + std::to_string(t.pos) + ": " + expected + ", found " + describe(t);
    return false;
  }
  bool error_plain(std::uint32_t pos, const std::string& msg) {
    if (error_.empty()) error_ = "position " + std::to_string(pos) + ": " + msg;
    return false;
  }
  bool expect(Tok kind, const char* what) {
    if (peek().kind != kind) return error_at(peek(), std::string("expected ") + what);
    next();
    return true;
  }
  bool enter(const Token& t) {
    if (++depth_ > limits_.max_depth)
      return error_plain(t.pos, "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    return true;
  }

  // ---- observation expressions: FOLLOWEDBY < OR < AND < qualified primary ----
  bool parse_observations(ObservationExpr& out, int level) {
    static constexpr std::string_view kOps[] = {"FOLLOWEDBY", "OR", "AND"};
    static constexpr ObservationExpr::Kind kKinds[] = {ObservationExpr::Kind::FollowedBy, ObservationExpr::Kind::Or,
                                                       ObservationExpr::Kind::And};
    auto parse_child = [&](ObservationExpr& child) {
      return level == 2 ? parse_qualified(child) : parse_observations(child, level + 1);
    };
    ObservationExpr first;
    std::uint32_t pos = peek().pos;
    if (!parse_child(first)) return false;
    if (!is_word(peek(), kOps[level])) {
      out = std::move(first);
      return true;
    }
    out = ObservationExpr{};
    out.kind = kKinds[level];
    out.position = pos;
    auto append = [&](ObservationExpr&& child) {
      if (child.kind == out.kind && child.qualifiers.empty()) {
        for (auto& g : child.children) out.children.push_back(std::move(g));
      } else {
        out.children.push_back(std::move(child));
      }
    };
    append(std::move(first));
    while (is_word(peek(), kOps[level])) {
      next();
      ObservationExpr child;
      if (!parse_child(child)) return false;
      append(std::move(child));
    }
    return true;
  }

  bool parse_qualified(ObservationExpr& out) {
    if (!parse_observation_primary(out)) return false;
    while (true) {
      const Token& t = peek();
      Qualifier q;
      q.position = t.pos;
      if (is_word(t, "WITHIN")) {
        next();
        const Token& v = peek();
        if (v.kind != Tok::Int && v.kind != Tok::Float) return error_at(v, "expected a number of seconds after WITHIN");
        double secs = 0;
        auto body = v.raw.front() == '+' ? v.raw.substr(1) : v.raw;
        auto res = std::from_chars(body.data(), body.data() + body.size(), secs);
        if (res.ec != std::errc() || !std::isfinite(secs) || secs < 0)
          return error_at(v, "expected a non-negative number of seconds after WITHIN");
        next();
        q.kind = Qualifier::Kind::Within;
        q.seconds = secs;
        if (!is_word(peek(), "SECONDS")) return error_at(peek(), "expected SECONDS");
        next();
      } else if (is_word(t, "REPEATS")) {
        next();
        PatternConstant c;
        const Token& v = peek();
        if (v.kind != Tok::Int || !parse_int(v, c) || c.i <= 0)
          return error_at(v, "expected a positive integer after REPEATS");
        next();
        q.kind = Qualifier::Kind::Repeats;
        q.times = c.i;
        if (!is_word(peek(), "TIMES")) return error_at(peek(), "expected TIMES");
        next();
      } else if (is_word(t, "START")) {
        next();
        q.kind = Qualifier::Kind::StartStop;
        if (peek().kind != Tok::Timestamp) return error_at(peek(), "expected a timestamp t'...' after START");
        if (!parse_constant(q.start)) return false;
        if (!is_word(peek(), "STOP")) return error_at(peek(), "expected STOP");
        next();
        if (peek().kind != Tok::Timestamp) return error_at(peek(), "expected a timestamp t'...' after STOP");
        if (!parse_constant(q.stop)) return false;
        if (q.stop.t <= q.start.t) return error_plain(q.stop.position, "STOP time must be later than START time");
      } else {
        return true;
      }
      out.qualifiers.push_back(std::move(q));
    }
  }

  bool parse_observation_primary(ObservationExpr& out) {
    const Token& t = peek();
    if (t.kind == Tok::LBrack) {
      if (!enter(t)) return false;
      next();
      out = ObservationExpr{};
      out.kind = ObservationExpr::Kind::Observation;
      out.position = t.pos;
      if (!parse_comparisons(out.comparison, 0)) return false;
      if (!expect(Tok::RBrack, "']'")) return false;
      --depth_;
      return true;
    }
    if (t.kind == Tok::LParen) {
      if (!enter(t)) return false;
      next();
      if (!parse_observations(out, 0)) return false;
      if (!expect(Tok::RParen, "')'")) return false;
      --depth_;
      return true;
    }
    return error_at(t, "expected '[' or '(' to start an observation expression");
  }

  // ---- comparison expressions: OR < AND < property test ----
  bool parse_comparisons(ComparisonExpr& out, int level) {
    const std::string_view op = level == 0 ? "OR" : "AND";
    const auto kind = level == 0 ? ComparisonExpr::Kind::Or : ComparisonExpr::Kind::And;
    auto parse_child = [&](ComparisonExpr& child) {
      return level == 1 ? parse_property_test(child) : parse_comparisons(child, level + 1);
    };
    ComparisonExpr first;
    std::uint32_t pos = peek().pos;
    if (!parse_child(first)) return false;
    if (!is_word(peek(), op)) {
      out = std::move(first);
      return true;
    }
    out = ComparisonExpr{};
    out.kind = kind;
    out.position = pos;
    auto append = [&](ComparisonExpr&& child) {
      if (child.kind == kind) {
        for (auto& g : child.children) out.children.push_back(std::move(g));
      } else {
        out.children.push_back(std::move(child));
      }
    };
    append(std::move(first));
    while (is_word(peek(), op)) {
      next();
      ComparisonExpr child;
      if (!parse_child(child)) return false;
      append(std::move(child));
    }
    return true;
  }

  bool parse_property_test(ComparisonExpr& out) {
    const Token& t = peek();
    if (t.kind == Tok::LParen) {
      if (!enter(t)) return false;
      next();
      if (!parse_comparisons(out, 0)) return false;
      if (!expect(Tok::RParen, "')'")) return false;
      --depth_;
      return true;
    }
    out = ComparisonExpr{};
    out.kind = ComparisonExpr::Kind::Comparison;
    out.position = t.pos;
    if (is_word(t, "EXISTS")) {
      next();
      out.op = ComparisonOp::Exists;
      return parse_path(out.path);
    }
    if (t.kind != Tok::Ident || is_reserved(t.raw))
      return error_at(t, "expected an object path (such as file:name), '(' or EXISTS");
    if (!parse_path(out.path)) return false;
    if (is_word(peek(), "NOT")) {
      next();
      out.negated = true;
    }
    const Token& op = peek();
    switch (op.kind) {
      case Tok::Eq:
        out.op = ComparisonOp::Equal;
        break;
      case Tok::Neq:
        out.op = ComparisonOp::NotEqual;
        break;
      case Tok::Lt:
        out.op = ComparisonOp::Less;
        break;
      case Tok::Le:
        out.op = ComparisonOp::LessEqual;
        break;
      case Tok::Gt:
        out.op = ComparisonOp::Greater;
        break;
      case Tok::Ge:
        out.op = ComparisonOp::GreaterEqual;
        break;
      case Tok::Ident:
        if (op.raw == "IN")
          out.op = ComparisonOp::In;
        else if (op.raw == "LIKE")
          out.op = ComparisonOp::Like;
        else if (op.raw == "MATCHES")
          out.op = ComparisonOp::Matches;
        else if (op.raw == "ISSUBSET")
          out.op = ComparisonOp::IsSubset;
        else if (op.raw == "ISSUPERSET")
          out.op = ComparisonOp::IsSuperset;
        else
          return error_at(op, "expected a comparison operator");
        break;
      default:
        return error_at(op, "expected a comparison operator");
    }
    next();
    switch (out.op) {
      case ComparisonOp::Equal:
      case ComparisonOp::NotEqual: {
        PatternConstant c;
        if (!parse_constant(c)) return false;
        out.values.push_back(std::move(c));
        return true;
      }
      case ComparisonOp::Less:
      case ComparisonOp::LessEqual:
      case ComparisonOp::Greater:
      case ComparisonOp::GreaterEqual: {
        PatternConstant c;
        if (is_word(peek(), "true") || is_word(peek(), "false"))
          return error_at(peek(), std::string("expected an orderable constant after ") + comparison_op_text(out.op));
        if (!parse_constant(c)) return false;
        out.values.push_back(std::move(c));
        return true;
      }
      case ComparisonOp::In: {
        if (!expect(Tok::LParen, "'(' to start the IN set")) return false;
        if (peek().kind == Tok::RParen) {
          next();
          return true;
        }
        while (true) {
          PatternConstant c;
          if (!parse_constant(c)) return false;
          out.values.push_back(std::move(c));
          if (out.values.size() > limits_.max_set_size)
            return error_plain(out.position,
                               "IN set has more than " + std::to_string(limits_.max_set_size) + " constants");
          if (peek().kind == Tok::Comma) {
            next();
            continue;
          }
          return expect(Tok::RParen, "',' or ')' in the IN set");
        }
      }
      case ComparisonOp::Like:
      case ComparisonOp::Matches:
      case ComparisonOp::IsSubset:
      case ComparisonOp::IsSuperset: {
        if (peek().kind != Tok::String)
          return error_at(peek(), std::string("expected a string constant after ") + comparison_op_text(out.op));
        PatternConstant c;
        if (!parse_constant(c)) return false;
        if (out.op == ComparisonOp::Matches && !compile_regex(c, out)) return false;
        out.values.push_back(std::move(c));
        return true;
      }
      case ComparisonOp::Exists:
        break;
    }
    return true;
  }

  bool parse_path(ObjectPath& path) {
    const Token& type = peek();
    if (type.kind != Tok::Ident || is_reserved(type.raw)) return error_at(type, "expected an object type");
    path.object_type = std::string(type.raw);
    next();
    if (!expect(Tok::Colon, "':' after the object type")) return false;
    const Token& first = peek();
    if (first.kind == Tok::Ident) {
      path.steps.push_back({PathStep::Kind::Property, std::string(first.raw), 0});
    } else if (first.kind == Tok::String) {
      path.steps.push_back({PathStep::Kind::Property, first.text, 0});
    } else {
      return error_at(first, "expected a property name after ':'");
    }
    next();
    while (true) {
      const Token& t = peek();
      if (t.kind == Tok::Dot) {
        next();
        const Token& name = peek();
        if (name.kind == Tok::Ident)
          path.steps.push_back({PathStep::Kind::Property, std::string(name.raw), 0});
        else if (name.kind == Tok::String)
          path.steps.push_back({PathStep::Kind::Property, name.text, 0});
        else
          return error_at(name, "expected a property name after '.'");
        next();
      } else if (t.kind == Tok::LBrack) {
        next();
        const Token& idx = peek();
        if (idx.kind == Tok::Star) {
          path.steps.push_back({PathStep::Kind::AnyIndex, {}, 0});
        } else if (idx.kind == Tok::Int) {
          PatternConstant c;
          if (!parse_int(idx, c)) return error_at(idx, "expected a list index");
          path.steps.push_back({PathStep::Kind::Index, {}, c.i});
        } else {
          return error_at(idx, "expected a list index or '*'");
        }
        next();
        if (!expect(Tok::RBrack, "']' after the list index")) return false;
      } else {
        return true;
      }
    }
  }

  static bool parse_int(const Token& t, PatternConstant& c) {
    auto body = t.raw.front() == '+' ? t.raw.substr(1) : t.raw;
    auto res = std::from_chars(body.data(), body.data() + body.size(), c.i);
    return res.ec == std::errc() && res.ptr == body.data() + body.size();
  }

  bool parse_constant(PatternConstant& c) {
    const Token& t = peek();
    c.position = t.pos;
    switch (t.kind) {
      case Tok::String:
        c.kind = ConstantKind::String;
        c.text = t.text;
        break;
      case Tok::Int:
        c.kind = ConstantKind::Int;
        if (!parse_int(t, c)) return error_plain(t.pos, "integer constant out of range");
        break;
      case Tok::Float: {
        c.kind = ConstantKind::Float;
        auto body = t.raw.front() == '+' ? t.raw.substr(1) : t.raw;
        auto res = std::from_chars(body.data(), body.data() + body.size(), c.f);
        if (res.ec != std::errc() || !std::isfinite(c.f)) return error_plain(t.pos, "float constant out of range");
        break;
      }
      case Tok::Timestamp: {
        c.kind = ConstantKind::Timestamp;
        c.text = t.text;
        auto ts = parse_stix_timestamp(t.text);
        if (!ts)
          return error_plain(t.pos, "invalid timestamp (expected t'YYYY-MM-DDTHH:MM:SS[.s]Z', years 1678 to 2261)");
        c.t = *ts;
        break;
      }
      case Tok::Hex: {
        c.kind = ConstantKind::Hex;
        c.text = t.text;
        if (t.text.size() % 2) return error_plain(t.pos, "hex constant has an odd number of digits");
        for (std::size_t i = 0; i < t.text.size(); i += 2) {
          int hi = hex_value(t.text[i]), lo = hex_value(t.text[i + 1]);
          if (hi < 0 || lo < 0) return error_plain(t.pos, "hex constant has a character that is not a hex digit");
          c.bytes += static_cast<char>(hi * 16 + lo);
        }
        break;
      }
      case Tok::Binary: {
        c.kind = ConstantKind::Binary;
        c.text = t.text;
        if (!decode_base64(t.text, c.bytes)) return error_plain(t.pos, "binary constant is not valid base64");
        break;
      }
      case Tok::Ident:
        if (t.raw == "true" || t.raw == "false") {
          c.kind = ConstantKind::Bool;
          c.b = t.raw == "true";
          break;
        }
        [[fallthrough]];
      default:
        return error_at(t, "expected a constant");
    }
    next();
    return true;
  }

  static bool decode_base64(std::string_view s, std::string& out) {
    if (s.size() % 4) return false;
    for (std::size_t i = 0; i < s.size(); i += 4) {
      int v[4];
      int pad = 0;
      for (int k = 0; k < 4; ++k) {
        char ch = s[i + k];
        if (ch == '=') {
          // Padding only in the last group, only at its end.
          if (i + 4 != s.size() || k < 2) return false;
          v[k] = 0;
          ++pad;
        } else {
          if (pad) return false;
          v[k] = base64_value(ch);
          if (v[k] < 0) return false;
        }
      }
      std::uint32_t triple = (static_cast<std::uint32_t>(v[0]) << 18) | (static_cast<std::uint32_t>(v[1]) << 12) |
                             (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
      out += static_cast<char>((triple >> 16) & 0xff);
      if (pad < 2) out += static_cast<char>((triple >> 8) & 0xff);
      if (pad < 1) out += static_cast<char>(triple & 0xff);
    }
    return true;
  }

  // Refuses expressions std::regex would compile into huge automata or recurse deeply on.
  bool compile_regex(const PatternConstant& c, ComparisonExpr& out) {
    std::string_view body = c.text;
    if (body.size() > limits_.max_regex_bytes)
      return error_plain(c.position, "MATCHES expression is " + std::to_string(body.size()) +
                                         " bytes, longer than the " + std::to_string(limits_.max_regex_bytes) +
                                         "-byte limit");
    auto flags = std::regex::ECMAScript;
    if (body.substr(0, 4) == "(?i)") {
      flags |= std::regex::icase;
      body.remove_prefix(4);
    }
    double states = 1;
    int group_depth = 0;
    bool in_class = false;
    for (std::size_t i = 0; i < body.size(); ++i) {
      char ch = body[i];
      if (ch == '\\') {
        ++i;
        continue;
      }
      if (in_class) {
        if (ch == ']') in_class = false;
        continue;
      }
      if (ch == '[')
        in_class = true;
      else if (ch == '(') {
        if (++group_depth > 16) return error_plain(c.position, "MATCHES expression nests groups deeper than 16 levels");
      } else if (ch == ')') {
        --group_depth;
      } else if (ch == '{') {
        std::size_t j = i + 1;
        double bound = 0;
        while (j < body.size() && (is_digit(body[j]) || body[j] == ',')) {
          if (is_digit(body[j])) bound = body[j - 1] == ',' ? (body[j] - '0') : bound * 10 + (body[j] - '0');
          ++j;
        }
        if (j < body.size() && body[j] == '}') states *= std::max(1.0, bound);
      }
    }
    if (states > 100000)
      return error_plain(c.position, "MATCHES expression repeats too much (counted repetitions multiply past 100000)");
    try {
      out.regex = std::make_shared<const std::regex>(std::string(body), flags);
    } catch (const std::regex_error& e) {
      return error_plain(c.position, std::string("invalid MATCHES regular expression: ") + e.what());
    }
    return true;
  }

  tl::unexpected<Error> fail(const std::string& msg) { return khien::fail(msg); }

  std::string_view text_;
  StixPatternParser::Limits limits_;
  std::vector<Token> tokens_;
  std::size_t cur_ = 0;
  int depth_ = 0;
  std::string error_;
};

}  // namespace

Result<PatternAst> StixPatternParser::parse(std::string_view text, const Limits& limits) {
  Parser parser(text, limits);
  return parser.run();
}

}  // namespace khien
