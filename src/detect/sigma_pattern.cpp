// SigmaPattern: wildcard parsing, value-modifier transformations and regex translation.
#include "detect/sigma_pattern.h"

#include <cstdio>

namespace khien {

namespace {

bool is_word(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    std::uint32_t v = (std::uint8_t(in[i]) << 16) | (std::uint8_t(in[i + 1]) << 8) | std::uint8_t(in[i + 2]);
    out += kB64[(v >> 18) & 63]; out += kB64[(v >> 12) & 63]; out += kB64[(v >> 6) & 63]; out += kB64[v & 63];
  }
  if (in.size() - i == 1) {
    std::uint32_t v = std::uint8_t(in[i]) << 16;
    out += kB64[(v >> 18) & 63]; out += kB64[(v >> 12) & 63]; out += "==";
  } else if (in.size() - i == 2) {
    std::uint32_t v = (std::uint8_t(in[i]) << 16) | (std::uint8_t(in[i + 1]) << 8);
    out += kB64[(v >> 18) & 63]; out += kB64[(v >> 12) & 63]; out += kB64[(v >> 6) & 63]; out += '=';
  }
  return out;
}

// Decodes one UTF-8 code point at `i` (advancing it); an invalid byte passes through as itself.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
  const unsigned char c = s[i];
  const int extra = c >= 0xF0 && c < 0xF8 ? 3 : c >= 0xE0 && c < 0xF0 ? 2 : c >= 0xC0 && c < 0xE0 ? 1 : 0;
  if (extra == 0 || i + extra >= s.size()) { ++i; return c; }
  std::uint32_t cp = c & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    const unsigned char cc = s[i + k];
    if ((cc & 0xC0) != 0x80) { ++i; return c; }
    cp = (cp << 6) | (cc & 0x3F);
  }
  i += extra + 1;
  return cp;
}

std::string to_utf16(std::string_view s, bool le) {
  std::string out;
  auto unit = [&](std::uint16_t u) {
    if (le) { out += char(u & 0xFF); out += char(u >> 8); }
    else { out += char(u >> 8); out += char(u & 0xFF); }
  };
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = next_code_point(s, i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      unit(std::uint16_t(0xD800 + (cp >> 10)));
      unit(std::uint16_t(0xDC00 + (cp & 0x3FF)));
    } else {
      unit(std::uint16_t(cp));
    }
  }
  return out;
}

}  // namespace

void SigmaPattern::push_literal(std::string_view bytes) {
  if (bytes.empty()) return;
  if (!parts_.empty() && parts_.back().kind == PatternPart::Kind::Literal) {
    parts_.back().text.append(bytes);
    return;
  }
  PatternPart p;
  p.text.assign(bytes);
  parts_.push_back(std::move(p));
}

SigmaPattern SigmaPattern::parse(std::string_view text) {
  SigmaPattern out;
  std::string lit;
  auto flush = [&] { out.push_literal(lit); lit.clear(); };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '*' || text[i + 1] == '?' || text[i + 1] == '\\')) {
      lit += text[++i];
    } else if (c == '*' || c == '?') {
      flush();
      PatternPart p;
      p.kind = c == '*' ? PatternPart::Kind::Star : PatternPart::Kind::One;
      // Consecutive stars are one star.
      if (!(p.kind == PatternPart::Kind::Star && !out.parts_.empty() && out.parts_.back().kind == PatternPart::Kind::Star))
        out.parts_.push_back(std::move(p));
    } else {
      lit += c;
    }
  }
  flush();
  return out;
}

SigmaPattern SigmaPattern::literal(std::string_view text) {
  SigmaPattern out;
  out.push_literal(text);
  return out;
}

SigmaPattern SigmaPattern::from_parts(const std::vector<PatternPart>& parts) {
  SigmaPattern out;
  for (const auto& p : parts) {
    if (p.kind == PatternPart::Kind::Literal) out.push_literal(p.text);
    else if (!(p.kind == PatternPart::Kind::Star && !out.parts_.empty() && out.parts_.back().kind == PatternPart::Kind::Star))
      out.parts_.push_back(p);
  }
  return out;
}

bool SigmaPattern::has_wildcards() const {
  for (const auto& p : parts_)
    if (p.kind != PatternPart::Kind::Literal) return true;
  return false;
}

bool SigmaPattern::matches_anything() const {
  if (parts_.empty()) return false;
  for (const auto& p : parts_)
    if (p.kind != PatternPart::Kind::Star) return false;
  return true;
}

void SigmaPattern::add_leading_star() {
  if (!parts_.empty() && parts_.front().kind == PatternPart::Kind::Star) return;
  PatternPart p;
  p.kind = PatternPart::Kind::Star;
  parts_.insert(parts_.begin(), std::move(p));
}

void SigmaPattern::add_trailing_star() {
  if (!parts_.empty() && parts_.back().kind == PatternPart::Kind::Star) return;
  PatternPart p;
  p.kind = PatternPart::Kind::Star;
  parts_.push_back(std::move(p));
}

void SigmaPattern::windash() {
  static const std::vector<std::string> kDashes = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};
  std::vector<PatternPart> out;
  for (std::size_t pi = 0; pi < parts_.size(); ++pi) {
    const PatternPart& part = parts_[pi];
    if (part.kind != PatternPart::Kind::Literal) { out.push_back(part); continue; }
    const std::string& t = part.text;
    std::string lit;
    for (std::size_t i = 0; i < t.size(); ++i) {
      // A flag dash: not preceded by a word character, followed by one (`-enc`, ` /c`).
      bool prev_word = false;
      if (i > 0) prev_word = is_word(t[i - 1]);
      else if (pi > 0 && parts_[pi - 1].kind == PatternPart::Kind::Literal && !parts_[pi - 1].text.empty())
        prev_word = is_word(parts_[pi - 1].text.back());
      const bool next_word = i + 1 < t.size() && is_word(t[i + 1]);
      if ((t[i] == '-' || t[i] == '/') && !prev_word && next_word) {
        if (!lit.empty()) { PatternPart l; l.text = lit; out.push_back(std::move(l)); lit.clear(); }
        PatternPart c;
        c.kind = PatternPart::Kind::Choice;
        c.choices = kDashes;
        out.push_back(std::move(c));
      } else {
        lit += t[i];
      }
    }
    if (!lit.empty()) { PatternPart l; l.text = lit; out.push_back(std::move(l)); }
  }
  parts_ = std::move(out);
}

Status SigmaPattern::utf16(bool little_endian, bool bom) {
  if (has_wildcards()) return fail("utf16 modifiers need a value without wildcards");
  std::string text = literal_text();
  std::string enc = bom ? (little_endian ? std::string("\xFF\xFE") : std::string("\xFE\xFF")) : std::string();
  enc += to_utf16(text, little_endian);
  parts_.clear();
  push_literal(enc);
  return {};
}

std::string SigmaPattern::literal_text() const {
  std::string out;
  for (const auto& p : parts_)
    if (p.kind == PatternPart::Kind::Literal) out += p.text;
  return out;
}

Result<SigmaPattern> SigmaPattern::base64() const {
  if (has_wildcards()) return fail("base64 modifier needs a value without wildcards");
  return literal(base64_encode(literal_text()));
}

Result<std::vector<SigmaPattern>> SigmaPattern::base64offset() const {
  if (has_wildcards()) return fail("base64offset modifier needs a value without wildcards");
  const std::string v = literal_text();
  static constexpr std::size_t kStart[] = {0, 2, 3};
  static constexpr std::size_t kEndCut[] = {0, 3, 2};
  std::vector<SigmaPattern> out;
  for (std::size_t shift = 0; shift < 3; ++shift) {
    std::string enc = base64_encode(std::string(shift, ' ') + v);
    const std::size_t cut = kEndCut[(v.size() + shift) % 3];
    if (enc.size() < kStart[shift] + cut) continue;
    std::string mid = enc.substr(kStart[shift], enc.size() - kStart[shift] - cut);
    if (!mid.empty()) out.push_back(literal(mid));
  }
  if (out.empty()) return fail("base64offset: value too short to encode");
  return out;
}

namespace {

void append_escaped(std::string& out, std::string_view bytes) {
  for (unsigned char c : bytes) {
    if (is_word(c)) {
      out += char(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
}

}  // namespace

std::string SigmaPattern::to_regex() const {
  std::string out;
  if (parts_.empty()) return "^$";
  std::size_t begin = 0, end = parts_.size();
  if (parts_.front().kind == PatternPart::Kind::Star) ++begin;
  else out += '^';
  const bool open_end = parts_.back().kind == PatternPart::Kind::Star && end > begin;
  if (open_end) --end;
  for (std::size_t i = begin; i < end; ++i) {
    const PatternPart& p = parts_[i];
    switch (p.kind) {
      case PatternPart::Kind::Literal: append_escaped(out, p.text); break;
      case PatternPart::Kind::Star: out += ".*"; break;
      case PatternPart::Kind::One: out += '.'; break;
      case PatternPart::Kind::Choice:
        out += "(?:";
        for (std::size_t k = 0; k < p.choices.size(); ++k) {
          if (k) out += '|';
          append_escaped(out, p.choices[k]);
        }
        out += ')';
        break;
    }
  }
  if (!open_end) out += "\\z";
  return out;
}

std::string SigmaPattern::key() const {
  std::string out;
  for (const auto& p : parts_) {
    switch (p.kind) {
      case PatternPart::Kind::Literal: out += 'L'; out += std::to_string(p.text.size()); out += ':'; out += p.text; break;
      case PatternPart::Kind::Star: out += '*'; break;
      case PatternPart::Kind::One: out += '?'; break;
      case PatternPart::Kind::Choice:
        out += 'C';
        for (const auto& c : p.choices) { out += std::to_string(c.size()); out += ':'; out += c; }
        break;
    }
  }
  return out;
}

}  // namespace khien
