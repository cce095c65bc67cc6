// Version ordering: tokenizing and the token comparison rules documented in package_version.h.
#include "vuln/package_version.h"

#include <algorithm>
#include <cctype>

namespace khien {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Rank of a pre-release word, or -1 when the word is not one.
int prerelease_rank(std::string_view w) {
  if (w == "dev" || w == "snapshot") return 0;
  if (w == "alpha") return 1;
  if (w == "beta") return 2;
  if (w == "milestone") return 3;
  if (w == "rc" || w == "cr" || w == "pre" || w == "preview") return 4;
  return -1;
}

bool is_release_marker(std::string_view w) { return w == "final" || w == "ga" || w == "release"; }

}  // namespace

PackageVersion::PackageVersion(std::string_view text) : text_(text) {
  std::size_t i = 0;
  if (text.size() >= 2 && (text[0] == 'v' || text[0] == 'V') && is_digit(text[1])) i = 1;
  std::vector<Token> raw;
  while (i < text.size()) {
    char c = text[i];
    if (is_digit(c)) {
      std::size_t j = i;
      while (j < text.size() && is_digit(text[j])) ++j;
      std::size_t k = i;
      while (k + 1 < j && text[k] == '0') ++k;  // drop leading zeros, keep one digit
      raw.push_back({Kind::number, 0, std::string(text.substr(k, j - k))});
      i = j;
    } else if (is_alpha(c)) {
      std::size_t j = i;
      std::string word;
      while (j < text.size() && is_alpha(text[j])) word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[j++]))));
      i = j;
      if (is_release_marker(word)) continue;
      int rank = prerelease_rank(word);
      if (rank >= 0) raw.push_back({Kind::pre, rank, {}});
      else raw.push_back({Kind::post, 0, std::move(word)});
    } else {
      ++i;  // separators and other punctuation only split tokens
    }
  }
  // Drop trailing zeros of every run of numbers (rule 5).
  tokens_.reserve(raw.size());
  std::size_t run_start = 0;
  for (std::size_t t = 0; t <= raw.size(); ++t) {
    bool at_end_of_run = t == raw.size() || raw[t].kind != Kind::number;
    if (!at_end_of_run) continue;
    std::size_t run_end = t;
    while (run_end > run_start && raw[run_end - 1].text == "0") --run_end;
    for (std::size_t r = run_start; r < run_end; ++r) tokens_.push_back(std::move(raw[r]));
    if (t < raw.size()) tokens_.push_back(std::move(raw[t]));
    run_start = t + 1;
  }
}

int PackageVersion::compare_tokens(const Token* a, const Token* b) {
  Kind ka = a ? a->kind : Kind::end;
  Kind kb = b ? b->kind : Kind::end;
  if (ka != kb) return ka < kb ? -1 : 1;
  switch (ka) {
    case Kind::pre: return a->rank == b->rank ? 0 : (a->rank < b->rank ? -1 : 1);
    case Kind::end: return 0;
    case Kind::post: return a->text.compare(b->text) < 0 ? -1 : (a->text == b->text ? 0 : 1);
    case Kind::number:
      if (a->text.size() != b->text.size()) return a->text.size() < b->text.size() ? -1 : 1;
      return a->text.compare(b->text) < 0 ? -1 : (a->text == b->text ? 0 : 1);
  }
  return 0;
}

int PackageVersion::compare(const PackageVersion& other) const {
  std::size_t n = std::max(tokens_.size(), other.tokens_.size());
  for (std::size_t i = 0; i < n; ++i) {
    const Token* a = i < tokens_.size() ? &tokens_[i] : nullptr;
    const Token* b = i < other.tokens_.size() ? &other.tokens_[i] : nullptr;
    if (int c = compare_tokens(a, b); c != 0) return c;
  }
  return 0;
}

bool PackageVersion::is_prerelease() const {
  if (tokens_.empty()) return false;
  std::size_t last = tokens_.size() - 1;
  if (tokens_[last].kind == Kind::number && last > 0) --last;
  return tokens_[last].kind == Kind::pre;
}

PackageVersion PackageVersion::release() const {
  PackageVersion out;
  out.text_ = text_;
  out.tokens_ = tokens_;
  if (!is_prerelease()) return out;
  if (out.tokens_.back().kind == Kind::number) out.tokens_.pop_back();
  out.tokens_.pop_back();
  // The release part may now end in zeros that rule 5 would have dropped.
  while (!out.tokens_.empty() && out.tokens_.back().kind == Kind::number && out.tokens_.back().text == "0") out.tokens_.pop_back();
  return out;
}

int compare_versions(std::string_view a, std::string_view b) { return PackageVersion(a).compare(PackageVersion(b)); }

}  // namespace khien
