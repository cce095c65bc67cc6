// MISP warninglists loaded into lookup tables: exact strings, host names with their
// sub-domains, CIDR prefixes (longest-prefix table), substrings (4-byte gram index), RE2 regexes.
#include "intel/warninglist.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "core/ip_address.h"
#include "core/text.h"
#include "intel/ip_prefix_table.h"

namespace khien {

namespace {

enum Kind : unsigned { kIp = 1, kDomain = 2, kUrl = 4, kHash = 8, kEmail = 16 };

/// The kinds a STIX observable type or a MISP attribute type names (domain|ip names two).
unsigned kinds_of(std::string_view type) {
  if (type == "ipv4-addr" || type == "ipv6-addr" || type == "ip" || type == "ip-src" || type == "ip-dst" ||
      type == "ip-src|port" || type == "ip-dst|port")
    return kIp;
  if (type == "domain|ip") return kIp | kDomain;
  if (type == "domain-name" || type == "domain" || type == "hostname" || type == "hostname|port") return kDomain;
  if (type == "url" || type == "uri" || type == "link") return kUrl;
  if (type == "email-addr" || type == "email" || type == "email-src" || type == "email-dst" ||
      type == "target-email" || type == "whois-registrant-email" || type == "dns-soa-email" || type == "email-reply-to")
    return kEmail;
  if (type == "file-hash" || type == "hash" || type == "md5" || type == "sha1" || type == "sha224" ||
      type == "sha256" || type == "sha384" || type == "sha512" || type == "ssdeep" || type == "tlsh" ||
      type == "imphash" || type.rfind("filename|", 0) == 0 || type.rfind("x509-fingerprint-", 0) == 0)
    return kHash;
  return 0;
}

/// A host name as the lists write it: lower case, no leading or trailing dot.
std::string host_key(std::string_view s) {
  s = trim_whitespace(s);
  while (!s.empty() && s.front() == '.') s.remove_prefix(1);
  while (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return ascii_lower(s);
}

/// The host of a URL ("http://user@Host.example:8080/x" → "host.example"), or of a bare "host/path".
std::string url_host(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  if (!url.empty() && url.front() == '[') {
    auto close = url.find(']');
    return ascii_lower(url.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  if (auto colon = url.rfind(':'); colon != std::string_view::npos && url.find(':') == colon) url = url.substr(0, colon);
  return host_key(url);
}

std::uint32_t gram_of(const char* p) {
  std::uint32_t g;
  std::memcpy(&g, p, 4);
  return g;
}

}  // namespace

struct WarninglistSet::Impl {
  std::vector<WarninglistInfo> infos;
  std::vector<unsigned> kinds;                              // per list
  std::vector<std::unordered_set<std::string>> attributes;  // per list: matching_attributes
  std::unordered_map<std::string, std::vector<std::uint32_t>> strings;    // exact value → lists
  std::unordered_map<std::string, std::vector<std::uint32_t>> hostnames;  // host → lists (with sub-domains)
  std::vector<std::pair<IpPrefix, std::uint32_t>> prefixes;
  IpPrefixTable prefix_table;
  struct Substring {
    std::string text;
    std::uint32_t list;
  };
  std::vector<Substring> substrings;
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> grams;  // first 4 bytes → substrings
  std::vector<std::uint32_t> short_substrings;                          // under 4 bytes
  std::vector<std::pair<std::unique_ptr<RE2>, std::uint32_t>> regexes;

  bool applies(std::uint32_t list, unsigned kind, std::string_view type) const {
    return (kinds[list] & kind) != 0 || attributes[list].count(std::string(type)) != 0;
  }

  template <typename Table>
  const std::string* find_in(const Table& table, const std::string& key, unsigned kind, std::string_view type) const {
    auto it = table.find(key);
    if (it == table.end()) return nullptr;
    for (auto list : it->second)
      if (applies(list, kind, type)) return &infos[list].name;
    return nullptr;
  }

  const std::string* find_host(std::string host, unsigned kind, std::string_view type) const {
    for (std::string_view h = host; !h.empty();) {
      if (auto name = find_in(hostnames, std::string(h), kind, type)) return name;
      auto dot = h.find('.');
      if (dot == std::string_view::npos) break;
      h.remove_prefix(dot + 1);
    }
    return nullptr;
  }
};

WarninglistSet::WarninglistSet() : impl_(std::make_unique<Impl>()) {}
WarninglistSet::~WarninglistSet() = default;
WarninglistSet::WarninglistSet(WarninglistSet&&) noexcept = default;
WarninglistSet& WarninglistSet::operator=(WarninglistSet&&) noexcept = default;

Status WarninglistSet::add_list_json(std::string_view text, std::string_view origin) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return fail(fmt::format("{}: not a JSON object", origin));
  auto str = [&](const char* key) -> std::string {
    auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  WarninglistInfo info;
  info.name = str("name");
  info.description = str("description");
  if (info.name.empty()) return fail(fmt::format("{}: 'name' is missing", origin));
  std::string type = str("type");
  if (type == "string") info.match = WarninglistMatch::string;
  else if (type == "substring") info.match = WarninglistMatch::substring;
  else if (type == "hostname") info.match = WarninglistMatch::hostname;
  else if (type == "cidr") info.match = WarninglistMatch::cidr;
  else if (type == "regex") info.match = WarninglistMatch::regex;
  else return fail(fmt::format("{}: 'type' '{}' is not string, substring, hostname, cidr or regex", origin, type));
  auto list_it = doc.find("list");
  if (list_it == doc.end() || !list_it->is_array()) return fail(fmt::format("{}: 'list' must be a list", origin));

  unsigned kinds = 0;
  std::unordered_set<std::string> attributes;
  if (auto it = doc.find("matching_attributes"); it != doc.end() && it->is_array()) {
    for (const auto& a : *it) {
      if (!a.is_string()) continue;
      info.matching_attributes.push_back(a.get<std::string>());
      attributes.insert(a.get<std::string>());
      kinds |= kinds_of(a.get<std::string>());
    }
  }
  // A list that names no attribute types applies to every kind of value.
  if (info.matching_attributes.empty()) kinds = kIp | kDomain | kUrl | kHash | kEmail;

  auto& d = *impl_;
  auto id = static_cast<std::uint32_t>(d.infos.size());
  std::size_t entries = 0;
  for (const auto& e : *list_it) {
    if (!e.is_string()) {
      info.rejected.push_back("entry that is not a string");
      continue;
    }
    std::string_view entry = trim_whitespace(e.get_ref<const std::string&>());
    if (entry.empty()) continue;
    switch (info.match) {
      case WarninglistMatch::string:
        // Entries with a leading dot (".google.ad") mean the domain and what lies under it.
        if (entry.front() == '.') d.hostnames[host_key(entry)].push_back(id);
        else d.strings[ascii_lower(entry)].push_back(id);
        break;
      case WarninglistMatch::hostname:
        d.hostnames[host_key(entry)].push_back(id);
        break;
      case WarninglistMatch::cidr: {
        auto p = IpPrefix::parse(entry);
        if (!p) {
          info.rejected.push_back(fmt::format("'{}' is not an address or CIDR", entry.substr(0, 80)));
          continue;
        }
        d.prefixes.emplace_back(*p, id);
        break;
      }
      case WarninglistMatch::substring: {
        auto index = static_cast<std::uint32_t>(d.substrings.size());
        d.substrings.push_back({ascii_lower(entry), id});
        const auto& text = d.substrings.back().text;
        if (text.size() >= 4) d.grams[gram_of(text.data())].push_back(index);
        else d.short_substrings.push_back(index);
        break;
      }
      case WarninglistMatch::regex: {
        // MISP writes PCRE literals: "/expr/flags"; i is the only flag that changes a match here.
        std::string_view expr = entry;
        bool caseless = false;
        if (expr.size() >= 2 && expr.front() == '/') {
          auto close = expr.rfind('/');
          if (close > 0) {
            caseless = expr.substr(close + 1).find('i') != std::string_view::npos;
            expr = expr.substr(1, close - 1);
          }
        }
        RE2::Options opts;
        opts.set_log_errors(false);
        opts.set_case_sensitive(!caseless);
        auto re = std::make_unique<RE2>(re2::StringPiece(expr.data(), expr.size()), opts);
        if (!re->ok()) {
          info.rejected.push_back(fmt::format("regex '{}': {}", entry.substr(0, 80), re->error()));
          continue;
        }
        d.regexes.emplace_back(std::move(re), id);
        break;
      }
    }
    ++entries;
  }
  info.entries = entries;
  d.infos.push_back(std::move(info));
  d.kinds.push_back(kinds);
  d.attributes.push_back(std::move(attributes));
  if (d.infos.back().match == WarninglistMatch::cidr) {
    IpPrefixTable::Builder builder;
    for (const auto& [prefix, list] : d.prefixes) builder.add(prefix, list);
    d.prefix_table = builder.build();
  }
  return {};
}

Result<WarninglistSet> WarninglistSet::load_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return fail(fmt::format("{}: not a directory", dir.string()));
  std::vector<std::filesystem::path> files;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); !ec && it != std::filesystem::end(it);
       it.increment(ec))
    if (it->is_regular_file() && it->path().filename() == "list.json") files.push_back(it->path());
  if (ec) return fail(fmt::format("{}: {}", dir.string(), ec.message()));
  if (files.empty()) return fail(fmt::format("{}: no lists/<name>/list.json found", dir.string()));
  std::sort(files.begin(), files.end());
  WarninglistSet set;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return fail(fmt::format("{}: cannot be opened", f.string()));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (auto st = set.add_list_json(buffer.str(), f.string()); !st) return tl::unexpected(st.error());
  }
  return set;
}

std::string WarninglistSet::listed_by(std::string_view observable_type, std::string_view value) const {
  const auto& d = *impl_;
  unsigned kind = kinds_of(observable_type);
  value = trim_whitespace(value);
  if (value.empty()) return {};
  std::string v = ascii_lower(value);
  if (kind == kDomain && !v.empty() && v.back() == '.') v.pop_back();
  std::string host = kind == kUrl ? url_host(value) : kind & kDomain ? host_key(value) : std::string();

  if (auto name = d.find_in(d.strings, v, kind, observable_type)) return *name;
  if (!host.empty() && host != v)
    if (auto name = d.find_in(d.strings, host, kind, observable_type)) return *name;
  if (!host.empty())
    if (auto name = d.find_host(host, kind, observable_type)) return *name;

  // Addresses are looked up as addresses only: a "domain" written as 10.0.0.1 is not an address.
  if (!d.prefixes.empty() && (kind & (kIp | kUrl)) != 0) {
    std::string_view ip_text = kind == kUrl ? std::string_view(host) : value;
    std::optional<IpAddress> ip;
    if (auto p = IpPrefix::parse(ip_text)) ip = p->address;
    if (ip) {
      std::vector<std::uint32_t> lists;
      d.prefix_table.match(*ip, lists);
      for (auto list : lists)
        if (d.applies(list, kind, observable_type)) return d.infos[list].name;
    }
  }

  if (!d.substrings.empty()) {
    for (std::size_t i = 0; i + 4 <= v.size(); ++i) {
      auto it = d.grams.find(gram_of(v.data() + i));
      if (it == d.grams.end()) continue;
      for (auto index : it->second) {
        const auto& s = d.substrings[index];
        if (v.compare(i, s.text.size(), s.text) == 0 && d.applies(s.list, kind, observable_type))
          return d.infos[s.list].name;
      }
    }
    for (auto index : d.short_substrings) {
      const auto& s = d.substrings[index];
      if (v.find(s.text) != std::string::npos && d.applies(s.list, kind, observable_type)) return d.infos[s.list].name;
    }
  }

  for (const auto& [re, list] : d.regexes)
    if (d.applies(list, kind, observable_type) && RE2::PartialMatch(re2::StringPiece(value.data(), value.size()), *re))
      return d.infos[list].name;
  return {};
}

bool WarninglistSet::listed(std::string_view observable_type, std::string_view value) const {
  return !listed_by(observable_type, value).empty();
}

std::size_t WarninglistSet::size() const {
  return impl_->infos.size();
}

const std::vector<WarninglistInfo>& WarninglistSet::lists() const {
  return impl_->infos;
}

}  // namespace khien
