// Value tests outside Vectorscan: equality, globs, positions, numbers, text of typed values.
#include "detect/value_match.h"

#include <charconv>
#include <cstdlib>
#include <cstring>

#include "core/time.h"

namespace khien {

namespace {
bool folded_equal(std::string_view text, std::string_view lower, bool cased) {
  for (std::size_t i = 0; i < lower.size(); ++i)
    if (fold(text[i], cased) != lower[i]) return false;
  return true;
}
}  // namespace

std::optional<StarGlob> StarGlob::of(const std::vector<PatternPart>& parts, bool cased) {
  StarGlob g;
  g.cased = cased;
  for (const auto& part : parts) {
    if (part.kind == PatternPart::Kind::Star) continue;
    if (part.kind != PatternPart::Kind::Literal) return std::nullopt;
    g.pieces.push_back(cased ? part.text : ascii_lower(part.text));
  }
  if (g.pieces.empty()) return std::nullopt;
  g.open_start = parts.front().kind == PatternPart::Kind::Star;
  g.open_end = parts.back().kind == PatternPart::Kind::Star;
  return g;
}

bool StarGlob::matches(std::string_view text) const {
  std::size_t at = 0, first = 0, last = pieces.size();
  if (!open_start) {
    const std::string& head = pieces.front();
    if (text.size() < head.size() || !folded_equal(text, head, cased)) return false;
    at = head.size();
    first = 1;
  }
  if (!open_end) {
    if (first == last) return at == text.size();  // one piece, the whole value
    --last;
  }
  for (std::size_t i = first; i < last; ++i) {
    const std::string& piece = pieces[i];
    std::size_t found = std::string_view::npos;
    for (std::size_t k = at; k + piece.size() <= text.size(); ++k)
      if (fold(text[k], cased) == piece[0] && folded_equal(text.substr(k), piece, cased)) {
        found = k;
        break;
      }
    if (found == std::string_view::npos) return false;
    at = found + piece.size();
  }
  if (open_end) return true;
  const std::string& tail = pieces.back();
  return text.size() >= at + tail.size() && folded_equal(text.substr(text.size() - tail.size()), tail, cased);
}

bool glob_match(const std::vector<PatternPart>& parts, std::size_t pi, std::string_view text, bool cased, int budget) {
  if (--budget <= 0) return false;
  if (pi == parts.size()) return text.empty();
  const PatternPart& p = parts[pi];
  switch (p.kind) {
    case PatternPart::Kind::Literal: {
      if (text.size() < p.text.size()) return false;
      for (std::size_t i = 0; i < p.text.size(); ++i)
        if (fold(text[i], cased) != fold(p.text[i], cased)) return false;
      return glob_match(parts, pi + 1, text.substr(p.text.size()), cased, budget);
    }
    case PatternPart::Kind::One:
      return !text.empty() && glob_match(parts, pi + 1, text.substr(1), cased, budget);
    case PatternPart::Kind::Choice:
      for (const auto& c : p.choices) {
        PatternPart lit;
        lit.text = c;
        std::vector<PatternPart> rest{lit};
        rest.insert(rest.end(), parts.begin() + static_cast<std::ptrdiff_t>(pi) + 1, parts.end());
        if (glob_match(rest, 0, text, cased, budget)) return true;
      }
      return false;
    case PatternPart::Kind::Star:
      for (std::size_t k = 0; k <= text.size(); ++k)
        if (glob_match(parts, pi + 1, text.substr(k), cased, budget)) return true;
      return false;
  }
  return false;
}

bool position_match(std::string_view value, std::string_view want, SigmaPosition pos, bool cased) {
  auto eq = [&](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (fold(a[i], cased) != fold(b[i], cased)) return false;
    return true;
  };
  switch (pos) {
    case SigmaPosition::Equals: return eq(value, want);
    case SigmaPosition::StartsWith: return value.size() >= want.size() && eq(value.substr(0, want.size()), want);
    case SigmaPosition::EndsWith: return value.size() >= want.size() && eq(value.substr(value.size() - want.size()), want);
    case SigmaPosition::Contains:
      if (want.size() > value.size()) return false;
      for (std::size_t i = 0; i + want.size() <= value.size(); ++i)
        if (eq(value.substr(i, want.size()), want)) return true;
      return false;
  }
  return false;
}

std::string_view text_of(const Value& v, char* buf, std::size_t cap) {
  switch (v.type) {
    case FieldType::String: return v.s;
    case FieldType::Int: {
      auto r = std::to_chars(buf, buf + cap, v.i);
      return {buf, static_cast<std::size_t>(r.ptr - buf)};
    }
    case FieldType::Float: {
      auto r = std::to_chars(buf, buf + cap, v.f);
      return {buf, static_cast<std::size_t>(r.ptr - buf)};
    }
    case FieldType::Bool: return v.b ? "true" : "false";
    case FieldType::Ip: return {buf, v.ip.format(buf)};
    case FieldType::Timestamp: return {buf, format_rfc3339(v.t, buf)};
  }
  return {};
}

std::optional<double> number_of(const Value& v) {
  switch (v.type) {
    case FieldType::Int: return static_cast<double>(v.i);
    case FieldType::Float: return v.f;
    case FieldType::Bool: return v.b ? 1.0 : 0.0;
    case FieldType::String: {
      if (v.s.empty() || v.s.size() > 64) return std::nullopt;
      char tmp[65];
      std::memcpy(tmp, v.s.data(), v.s.size());
      tmp[v.s.size()] = 0;
      char* end = nullptr;
      double d = std::strtod(tmp, &end);
      if (end != tmp + v.s.size()) {
        // Hex as Windows writes it ("0x1a2c").
        if (v.s.size() > 2 && v.s[0] == '0' && (v.s[1] == 'x' || v.s[1] == 'X')) {
          std::uint64_t u = 0;
          auto r = std::from_chars(v.s.data() + 2, v.s.data() + v.s.size(), u, 16);
          if (r.ec == std::errc() && r.ptr == v.s.data() + v.s.size()) return static_cast<double>(u);
        }
        return std::nullopt;
      }
      return d;
    }
    default: return std::nullopt;
  }
}

}  // namespace khien
