// Required-literal extraction for Sigma patterns (their literal parts) and regexes (RE2's
// prefilter atoms).
#include "detect/required_literal.h"

#include <algorithm>

#include <re2/filtered_re2.h>
#include <re2/re2.h>

namespace khien {

bool is_plain_literal(const SigmaPattern& p) {
  const auto& parts = p.parts();
  std::size_t literals = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    switch (parts[i].kind) {
      case PatternPart::Kind::Literal: ++literals; break;
      case PatternPart::Kind::Star:
        if (i != 0 && i + 1 != parts.size()) return false;
        break;
      default: return false;
    }
  }
  return literals == 1;
}

std::vector<SigmaPattern> expand_choices(const SigmaPattern& p, std::size_t limit) {
  std::size_t combinations = 1;
  for (const auto& part : p.parts())
    if (part.kind == PatternPart::Kind::Choice) {
      combinations *= part.choices.size();
      if (combinations > limit) return {p};
    }
  if (combinations == 1) return {p};
  std::vector<std::vector<PatternPart>> out(1);
  for (const auto& part : p.parts()) {
    if (part.kind != PatternPart::Kind::Choice) {
      for (auto& o : out) o.push_back(part);
      continue;
    }
    std::vector<std::vector<PatternPart>> next;
    for (const auto& o : out)
      for (const auto& c : part.choices) {
        auto e = o;
        PatternPart lit;
        lit.text = c;
        e.push_back(std::move(lit));
        next.push_back(std::move(e));
      }
    out = std::move(next);
  }
  std::vector<SigmaPattern> result;
  for (const auto& parts : out) result.push_back(SigmaPattern::from_parts(parts));
  return result;
}

std::string required_literal(const SigmaPattern& p) {
  const std::string* best = nullptr;
  for (const auto& part : p.parts())
    if (part.kind == PatternPart::Kind::Literal && (!best || part.text.size() > best->size())) best = &part.text;
  if (!best || best->size() < kMinRequiredLiteral) return {};
  return *best;
}

std::vector<std::string> regex_required_literals(const std::string& regex, bool caseless, bool multiline, bool dotall) {
  for (unsigned char c : regex)
    if (c >= 0x80) return {};
  re2::RE2::Options opt;
  opt.set_log_errors(false);
  opt.set_encoding(re2::RE2::Options::EncodingLatin1);
  opt.set_case_sensitive(!caseless);
  opt.set_never_nl(false);
  opt.set_dot_nl(dotall);
  re2::FilteredRE2 filter(static_cast<int>(kMinRequiredLiteral));
  int id = 0;
  if (filter.Add(multiline ? "(?m)" + regex : regex, opt, &id) != re2::RE2::NoError) return {};
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  for (const auto& a : atoms)
    for (unsigned char c : a)
      if (c >= 0x80) return {};
  // The atoms are every literal of RE2's prefilter, an and/or tree over them. All of them together
  // are a valid set (a match contains at least one), but a weak one: for `\.exe.*werfault\.exe`
  // it holds `.exe`, which is in nearly every command line, so the regex ran on nearly every event
  // although `werfault.exe` alone gates it. The tree is monotone: a set S is valid when the regex
  // fails the prefilter with every atom outside S present. Atoms are dropped from S, shortest
  // (likeliest to occur) first, while S stays valid.
  std::vector<int> present, passing;
  filter.AllPotentials(present, &passing);
  if (!passing.empty()) return {};  // passes with no atom at all: nothing gates it
  std::vector<std::size_t> order(atoms.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return atoms[a].size() < atoms[b].size(); });
  std::vector<bool> kept(atoms.size(), true);
  for (std::size_t i : order) {
    kept[i] = false;
    present.clear();
    for (std::size_t j = 0; j < atoms.size(); ++j)
      if (!kept[j]) present.push_back(static_cast<int>(j));
    passing.clear();
    filter.AllPotentials(present, &passing);
    if (!passing.empty()) kept[i] = true;
  }
  std::vector<std::string> gate;
  for (std::size_t i = 0; i < atoms.size(); ++i)
    if (kept[i]) gate.push_back(std::move(atoms[i]));
  return gate;
}

}  // namespace khien
