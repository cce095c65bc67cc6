// Scenario YAML loader: strict keys and types, indicator syntax checks, every problem reported at once.
#include "app/scenario.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/ip_address.h"
#include "core/yaml_guard.h"

namespace khien {

namespace {

// Kept here rather than taken from store/ so the fuzz target can build this file with core and yaml-cpp alone.
constexpr std::string_view kOrgTypes[] = {"national-centre", "ministry", "province", "sector-cert", "isp",
                                          "enterprise",      "agency"};

enum class Type { Text, Number, Count, TextList, PortList };

enum class Check { None, Id, Kind, OrgType, Domain, Url, Sha256, Md5, FileName, Address, Cve, Path, Printable };

struct Key {
  std::string_view name;
  Type type;
  Check check;
};

constexpr Key kKeys[] = {
    {"id", Type::Text, Check::Id},
    {"title", Type::Text, Check::Printable},
    {"description", Type::Text, Check::None},
    {"kind", Type::Text, Check::Kind},
    {"start_after_s", Type::Number, Check::None},
    {"duration_s", Type::Number, Check::None},
    {"events_per_second", Type::Number, Check::None},
    {"target_sectors", Type::TextList, Check::Id},
    {"target_provinces", Type::TextList, Check::Id},
    {"target_org_types", Type::TextList, Check::OrgType},
    {"target_orgs", Type::TextList, Check::Id},
    {"max_targets", Type::Count, Check::None},
    {"domains", Type::TextList, Check::Domain},
    {"urls", Type::TextList, Check::Url},
    {"sha256", Type::TextList, Check::Sha256},
    {"md5", Type::TextList, Check::Md5},
    {"file_names", Type::TextList, Check::FileName},
    {"attacker_ips", Type::TextList, Check::Address},
    {"cves", Type::TextList, Check::Cve},
    {"paths", Type::TextList, Check::Path},
    {"user_agents", Type::TextList, Check::Printable},
    {"ports", Type::PortList, Check::None},
};

// Indicator keys each kind reads; giving another one is a mistake worth reporting.
struct KindUse {
  std::string_view kind;
  std::vector<std::string_view> keys;
};

const std::vector<KindUse>& kind_uses() {
  static const std::vector<KindUse> uses = {
      {"phishing-domains", {"domains", "urls", "attacker_ips"}},
      {"malware-hash", {"sha256", "md5", "file_names", "urls"}},
      {"scanning", {"attacker_ips", "ports"}},
      {"cve-exploitation", {"cves", "attacker_ips", "paths", "user_agents", "ports"}},
  };
  return uses;
}

constexpr std::string_view kIndicatorKeys[] = {"domains",      "urls", "sha256", "md5",         "file_names",
                                               "attacker_ips", "cves", "paths",  "user_agents", "ports"};

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_id(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '-') {
      if (s[i - 1] == '-') return false;
    } else if (!is_lower_alnum(s[i])) {
      return false;
    }
  }
  return true;
}

bool is_domain(std::string_view s) {
  if (s.size() < 3 || s.size() > 253) return false;
  int labels = 0;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!is_lower_alnum(c) && c != '-') return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 2;
}

// Visible ASCII and UTF-8, no control characters: the value lands in JSON, CEF and LEEF lines.
bool is_printable(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

// No spaces either: paths and URLs appear unquoted in access-log and CEF lines.
bool is_url_text(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
  }
  return !s.empty();
}

bool is_hex(std::string_view s, std::size_t length) {
  if (s.size() != length) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); });
}

bool is_cve(std::string_view s) {
  if (s.size() < 13 || s.substr(0, 4) != "CVE-" || s[8] != '-') return false;
  for (std::size_t i = 4; i < s.size(); ++i)
    if (i != 8 && (s[i] < '0' || s[i] > '9')) return false;
  return s.size() - 9 >= 4;
}

std::string url_host(std::string_view url) {
  std::size_t p = url.find("://");
  if (p == std::string_view::npos) return {};
  url.remove_prefix(p + 3);
  std::size_t end = url.find_first_of("/?#:");
  return std::string(url.substr(0, end));
}

// Returns the reason a value fails its check, empty when it passes.
std::string check_value(Check check, std::string_view v) {
  switch (check) {
    case Check::None:
      return {};
    case Check::Id:
      return is_id(v) ? "" : fmt::format("'{}' is not an id (lower-case letters, digits and single hyphens)", v);
    case Check::Kind:
      for (auto k : kScenarioKinds)
        if (k == v) return {};
      return fmt::format("'{}' is not a kind; use phishing-domains, malware-hash, scanning or cve-exploitation", v);
    case Check::OrgType:
      for (auto k : kOrgTypes)
        if (k == v) return {};
      return fmt::format(
          "'{}' is not an organisation type; use national-centre, ministry, province, sector-cert, "
          "isp, enterprise or agency",
          v);
    case Check::Domain:
      return is_domain(v) ? "" : fmt::format("'{}' is not a lower-case domain name", v);
    case Check::Url: {
      bool scheme = v.starts_with("http://") || v.starts_with("https://");
      if (!scheme || !is_url_text(v)) return fmt::format("'{}' is not an http(s) URL without spaces", v);
      return is_domain(url_host(v)) ? "" : fmt::format("'{}' has no lower-case host name", v);
    }
    case Check::Sha256:
      return is_hex(v, 64) ? "" : fmt::format("'{}' is not 64 hex digits", v);
    case Check::Md5:
      return is_hex(v, 32) ? "" : fmt::format("'{}' is not 32 hex digits", v);
    case Check::FileName:
      if (!is_printable(v) || v.find_first_of("/\\") != std::string_view::npos)
        return fmt::format("'{}' is not a file name (no slashes or control characters)", v);
      return {};
    case Check::Address:
      return IpPrefix::parse(v) ? "" : fmt::format("'{}' is not an IP address or CIDR prefix", v);
    case Check::Cve:
      return is_cve(v) ? "" : fmt::format("'{}' is not a CVE id like CVE-2021-44228", v);
    case Check::Path:
      return v.starts_with('/') && is_url_text(v)
                 ? ""
                 : fmt::format("'{}' is not a URL path (starts with '/', no spaces)", v);
    case Check::Printable:
      return is_printable(v) ? "" : "must be non-empty text without control characters";
  }
  return {};
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c + 32);
  return s;
}

class Parser {
 public:
  explicit Parser(std::vector<std::string>& problems) : problems_(problems) {}

  void file(const std::string& name, std::string_view text, std::vector<Scenario>& out) {
    file_ = name;
    if (auto refused = yaml_refusal(text)) {
      problems_.push_back(fmt::format("{}:{}: invalid YAML: {}", file_, refused->line, refused->reason));
      return;
    }
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      add(e.mark, "", "invalid YAML: " + e.msg);
      return;
    }
    if (root.IsNull()) {
      add(root.Mark(), "", "the file is empty; expected a scenario mapping");
      return;
    }
    if (!root.IsMap()) {
      add(root.Mark(), "", "expected a scenario mapping (or `scenarios:` with a list)");
      return;
    }
    if (root.size() == 1 && root.begin()->first.IsScalar() && root.begin()->first.Scalar() == "scenarios") {
      const YAML::Node list = root.begin()->second;
      if (!list.IsSequence()) {
        add(list.Mark(), "scenarios", "expected a list of scenario mappings");
        return;
      }
      for (std::size_t i = 0; i < list.size(); ++i) scenario(list[i], fmt::format("scenarios[{}].", i), out);
      return;
    }
    scenario(root, "", out);
  }

 private:
  void add(const YAML::Mark& mark, std::string_view field, std::string_view reason) {
    const int line = mark.line < 0 ? 1 : mark.line + 1;
    if (field.empty())
      problems_.push_back(fmt::format("{}:{}: {}", file_, line, reason));
    else
      problems_.push_back(fmt::format("{}:{}: {}: {}", file_, line, field, reason));
  }

  std::optional<std::string> text(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar()) {
      add(n.Mark(), path, n.IsNull() ? "must not be empty" : "expected text, not a list or mapping");
      return std::nullopt;
    }
    return n.Scalar();
  }

  std::optional<double> number(const YAML::Node& n, const std::string& path) {
    auto t = text(n, path);
    if (!t) return std::nullopt;
    double v = 0;
    auto [end, ec] = std::from_chars(t->data(), t->data() + t->size(), v);
    if (ec != std::errc() || end != t->data() + t->size() || !std::isfinite(v)) {
      add(n.Mark(), path, fmt::format("expected a number, got '{}'", *t));
      return std::nullopt;
    }
    return v;
  }

  std::optional<long long> integer(const YAML::Node& n, const std::string& path) {
    auto t = text(n, path);
    if (!t) return std::nullopt;
    long long v = 0;
    auto [end, ec] = std::from_chars(t->data(), t->data() + t->size(), v);
    if (ec != std::errc() || end != t->data() + t->size()) {
      add(n.Mark(), path, fmt::format("expected a whole number, got '{}'", *t));
      return std::nullopt;
    }
    return v;
  }

  // A list field also accepts a single value (one-element list).
  std::vector<std::pair<YAML::Node, std::string>> items(const YAML::Node& n, const std::string& path) {
    std::vector<std::pair<YAML::Node, std::string>> out;
    if (n.IsNull()) return out;
    if (n.IsScalar()) {
      out.emplace_back(n, path);
    } else if (n.IsSequence()) {
      for (std::size_t i = 0; i < n.size(); ++i) out.emplace_back(n[i], fmt::format("{}[{}]", path, i));
    } else {
      add(n.Mark(), path, "expected a list, not a mapping");
    }
    return out;
  }

  void scenario(const YAML::Node& node, const std::string& prefix, std::vector<Scenario>& out) {
    if (!node.IsMap()) {
      add(node.Mark(), prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1), "expected a scenario mapping");
      return;
    }
    const std::size_t problems_before = problems_.size();
    Scenario s;
    std::set<std::string> seen;
    std::map<std::string, YAML::Mark> where;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key_node = it->first;
      const YAML::Node value = it->second;
      if (!key_node.IsScalar()) {
        add(key_node.Mark(), prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1), "keys must be plain names");
        continue;
      }
      const std::string& key = key_node.Scalar();
      const std::string path = prefix + key;
      const Key* spec = nullptr;
      for (const auto& k : kKeys)
        if (k.name == key) spec = &k;
      if (spec == nullptr) {
        add(key_node.Mark(), path,
            "unknown key; known keys: id, title, description, kind, start_after_s, duration_s, "
            "events_per_second, target_sectors, target_provinces, target_org_types, "
            "target_orgs, max_targets, domains, urls, sha256, md5, file_names, attacker_ips, "
            "cves, paths, user_agents, ports");
        continue;
      }
      if (!seen.insert(key).second) {
        add(key_node.Mark(), path, "given twice");
        continue;
      }
      where[key] = value.IsNull() ? key_node.Mark() : value.Mark();
      switch (spec->type) {
        case Type::Text: {
          auto t = text(value, path);
          if (!t) break;
          if (auto why = check_value(spec->check, *t); !why.empty()) {
            add(value.Mark(), path, why);
            break;
          }
          if (key == "id")
            s.id = *t;
          else if (key == "title")
            s.title = *t;
          else if (key == "description")
            s.description = *t;
          else if (key == "kind")
            s.kind = *t;
          break;
        }
        case Type::Number: {
          auto v = number(value, path);
          if (!v) break;
          if (key == "start_after_s") {
            if (*v < 0 || *v > 1e7)
              add(value.Mark(), path, "must be between 0 and 10000000 seconds");
            else
              s.start_after_s = *v;
          } else if (key == "duration_s") {
            if (*v <= 0 || *v > 1e7)
              add(value.Mark(), path, "must be more than 0 and at most 10000000 seconds");
            else
              s.duration_s = *v;
          } else {
            if (*v <= 0 || *v > 100000)
              add(value.Mark(), path, "must be more than 0 and at most 100000");
            else
              s.events_per_second = *v;
          }
          break;
        }
        case Type::Count: {
          auto v = integer(value, path);
          if (!v) break;
          if (*v < 1 || *v > 100000)
            add(value.Mark(), path, "must be between 1 and 100000");
          else
            s.max_targets = static_cast<std::size_t>(*v);
          break;
        }
        case Type::TextList: {
          std::vector<std::string>* dest = list_field(s, key);
          for (const auto& [item, item_path] : items(value, path)) {
            auto t = text(item, item_path);
            if (!t) continue;
            if (auto why = check_value(spec->check, *t); !why.empty()) {
              add(item.Mark(), item_path, why);
              continue;
            }
            dest->push_back(spec->check == Check::Sha256 || spec->check == Check::Md5 ? lower(*t) : *t);
          }
          break;
        }
        case Type::PortList:
          for (const auto& [item, item_path] : items(value, path)) {
            auto v = integer(item, item_path);
            if (!v) continue;
            if (*v < 1 || *v > 65535)
              add(item.Mark(), item_path, "a port is between 1 and 65535");
            else
              s.ports.push_back(static_cast<int>(*v));
          }
          break;
      }
    }
    const YAML::Mark at = node.Mark();
    for (std::string_view required : {"id", "title", "kind"})
      if (!seen.count(std::string(required))) add(at, prefix + std::string(required), "missing (required)");
    if (problems_.size() != problems_before) return;  // the checks below need every field well-formed

    const KindUse* use = nullptr;
    for (const auto& u : kind_uses())
      if (u.kind == s.kind) use = &u;
    for (std::string_view key : kIndicatorKeys) {
      if (!seen.count(std::string(key))) continue;
      if (std::find(use->keys.begin(), use->keys.end(), key) == use->keys.end())
        add(where[std::string(key)], prefix + std::string(key), fmt::format("not used by kind '{}'", s.kind));
    }
    auto need = [&](bool ok, std::string_view field, std::string_view reason) {
      if (!ok) add(at, prefix + std::string(field), reason);
    };
    if (s.kind == "phishing-domains") {
      need(!s.domains.empty() || !s.urls.empty(), "domains", "a phishing-domains scenario needs domains or urls");
    } else if (s.kind == "malware-hash") {
      need(!s.sha256.empty(), "sha256", "a malware-hash scenario needs at least one sha256");
      need(s.md5.empty() || s.md5.size() == s.sha256.size(), "md5",
           "lists the same files as sha256, so it needs as many entries (or none)");
      need(s.file_names.empty() || s.file_names.size() == s.sha256.size(), "file_names",
           "lists the same files as sha256, so it needs as many entries (or none)");
    } else if (s.kind == "scanning") {
      need(!s.attacker_ips.empty(), "attacker_ips", "a scanning scenario needs attacker addresses");
      need(!s.ports.empty(), "ports", "a scanning scenario needs the scanned ports");
    } else if (s.kind == "cve-exploitation") {
      need(!s.cves.empty(), "cves", "a cve-exploitation scenario needs the CVE id");
      need(!s.attacker_ips.empty(), "attacker_ips", "a cve-exploitation scenario needs attacker addresses");
      need(!s.paths.empty() || !s.user_agents.empty(), "paths",
           "a cve-exploitation scenario needs exploit paths or user agents");
    }
    if (problems_.size() != problems_before) return;
    if (auto it = id_files_.find(s.id); it != id_files_.end()) {
      add(where["id"], prefix + "id", fmt::format("'{}' is already used by a scenario in {}", s.id, it->second));
      return;
    }
    id_files_[s.id] = file_;
    out.push_back(std::move(s));
  }

  static std::vector<std::string>* list_field(Scenario& s, std::string_view key) {
    if (key == "target_sectors") return &s.target_sectors;
    if (key == "target_provinces") return &s.target_provinces;
    if (key == "target_org_types") return &s.target_org_types;
    if (key == "target_orgs") return &s.target_orgs;
    if (key == "domains") return &s.domains;
    if (key == "urls") return &s.urls;
    if (key == "sha256") return &s.sha256;
    if (key == "md5") return &s.md5;
    if (key == "file_names") return &s.file_names;
    if (key == "attacker_ips") return &s.attacker_ips;
    if (key == "cves") return &s.cves;
    if (key == "paths") return &s.paths;
    return &s.user_agents;
  }

  std::vector<std::string>& problems_;
  std::string file_;
  std::map<std::string, std::string> id_files_;  // accepted scenario id → the file that defined it
};

}  // namespace

Result<std::vector<Scenario>> parse_scenarios(const std::map<std::string, std::string_view>& files) {
  std::vector<std::string> problems;
  std::vector<Scenario> out;
  Parser parser(problems);
  for (const auto& [name, text] : files) parser.file(name, text, out);
  if (problems.empty()) return out;
  std::string message;
  for (const auto& p : problems) {
    if (!message.empty()) message += '\n';
    message += p;
  }
  return fail(std::move(message));
}

}  // namespace khien
