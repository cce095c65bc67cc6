// Normalization of domains, digests and e-mail addresses to the one form the matcher stores.
#include "intel/observable_normalizer.h"

#include <array>
#include <cctype>

#include "core/text.h"

namespace khien {
namespace {

constexpr bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_digest_length(std::size_t n) {
  return n == 32 || n == 40 || n == 64 || n == 128;
}

}  // namespace

std::size_t normalize_domain_into(std::string_view text, char* out) {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  if (text.empty() || text.size() > 253) return 0;
  std::size_t label = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = ascii_lower(text[i]);
    if (c == '.') {
      if (label == 0) return 0;
      label = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
      if (++label > 63) return 0;
    } else {
      return 0;
    }
    out[i] = c;
  }
  return label == 0 ? 0 : text.size();
}

std::optional<std::string> normalize_domain(std::string_view text) {
  char buf[256];
  std::size_t n = normalize_domain_into(text, buf);
  if (n == 0) return std::nullopt;
  return std::string(buf, n);
}

std::size_t normalize_hash_into(std::string_view text, char* out) {
  if (!is_digest_length(text.size())) return 0;
  // One table read per digit and no branch inside the loop (digests are mostly valid).
  static constexpr auto kLowerHex = [] {
    std::array<char, 256> t{};
    for (int c = 0; c < 256; ++c)
      if (is_hex(static_cast<char>(c))) t[static_cast<std::size_t>(c)] = ascii_lower(static_cast<char>(c));
    return t;
  }();
  char bad = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = kLowerHex[static_cast<unsigned char>(text[i])];
    bad |= static_cast<char>(c == 0);
    out[i] = c;
  }
  return bad ? 0 : text.size();
}

std::optional<std::string> normalize_hash_hex(std::string_view text) {
  char buf[128];
  std::size_t n = normalize_hash_into(text, buf);
  if (n == 0) return std::nullopt;
  return std::string(buf, n);
}

std::string normalize_hash_algorithm(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '-' || c == '_') continue;
    out += c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
  }
  return out;
}

std::size_t hash_algorithm_digits(std::string_view canonical) {
  if (canonical == "MD5") return 32;
  if (canonical == "SHA1") return 40;
  if (canonical == "SHA256") return 64;
  if (canonical == "SHA512") return 128;
  return 0;
}

std::optional<std::string> normalize_email(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  auto at = text.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == text.size() ||
      text.find('@', at + 1) != std::string_view::npos)
    return std::nullopt;
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == ' ' || c == '<' || c == '>' || c == ',' || static_cast<unsigned char>(c) < 0x20) return std::nullopt;
    out += ascii_lower(c);
  }
  return out;
}

void for_each_email_address(std::string_view text, const std::function<void(std::string_view)>& fn) {
  std::size_t i = 0;
  while (i < text.size()) {
    // One recipient runs to the next ',' or ';' that is outside a quoted display name.
    std::size_t end = i;
    bool quoted = false;
    while (end < text.size() && (quoted || (text[end] != ',' && text[end] != ';'))) {
      if (text[end] == '"') quoted = !quoted;
      ++end;
    }
    std::string_view one = text.substr(i, end - i);
    auto lt = one.rfind('<');
    if (lt != std::string_view::npos) {
      auto gt = one.find('>', lt);
      one = one.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
    }
    while (!one.empty() && (one.front() == ' ' || one.front() == '\t')) one.remove_prefix(1);
    while (!one.empty() && (one.back() == ' ' || one.back() == '\t')) one.remove_suffix(1);
    if (!one.empty()) fn(one);
    i = end + 1;
  }
}

void for_each_hex_digest(std::string_view text, const std::function<void(std::string_view)>& fn) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_hex(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && is_hex(text[j])) ++j;
    // A run glued to letters ("SHA1=abc..." is fine; "xabc..." is not a digest).
    bool bounded = i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '=';
    if (bounded && is_digest_length(j - i)) fn(text.substr(i, j - i));
    i = j;
  }
}

}  // namespace khien
