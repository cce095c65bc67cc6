// exporters.yaml parsing and validation, and the exporter lookup by source address.
#include "store/exporter_registry.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/yaml_guard.h"
#include "store/registry_data.h"

namespace khien {

namespace {

class Problems {
 public:
  explicit Problems(std::string_view label) : label_(label) {}
  void add(const YAML::Mark& mark, std::string_view path, std::string_view reason) {
    int line = mark.line < 0 ? 1 : mark.line + 1;
    int column = mark.column < 0 ? 1 : mark.column + 1;
    if (path.empty())
      lines_.push_back(fmt::format("{}:{}:{}: {}", label_, line, column, reason));
    else
      lines_.push_back(fmt::format("{}:{}:{}: {}: {}", label_, line, column, path, reason));
  }
  bool empty() const { return lines_.empty(); }
  std::string joined() const {
    std::string out;
    for (const auto& l : lines_) out += (out.empty() ? "" : "\n") + l;
    return out;
  }

 private:
  std::string label_;
  std::vector<std::string> lines_;
};

std::optional<std::string> scalar(const YAML::Node& node) {
  if (!node || !node.IsScalar()) return std::nullopt;
  return node.Scalar();
}

}  // namespace

Result<ExporterRegistry> ExporterRegistry::parse(std::string_view yaml, const ExporterReferences& refs,
                                                 std::string_view label) {
  Problems problems(label);
  ExporterRegistry registry;
  if (auto refused = yaml_refusal(yaml)) return fail(fmt::format("{}:{}: not valid YAML: {}", label, refused->line, refused->reason));
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    problems.add(e.mark, "", fmt::format("not valid YAML: {}", e.msg));
    return fail(problems.joined());
  }
  if (!root || root.IsNull()) return registry;  // an empty file registers no exporter
  if (!root.IsMap() || !root["exporters"]) {
    problems.add(root.Mark(), "", "expected a mapping with one key, 'exporters' (a list)");
    return fail(problems.joined());
  }
  for (const auto& kv : root) {
    auto key = scalar(kv.first).value_or("");
    if (key != "exporters") problems.add(kv.first.Mark(), key, "unknown key; the file holds only 'exporters'");
  }
  YAML::Node list = root["exporters"];
  if (list.IsNull()) return registry;
  if (!list.IsSequence()) {
    problems.add(list.Mark(), "exporters", "expected a list");
    return fail(problems.joined());
  }
  std::set<std::string, std::less<>> orgs(refs.organisations.begin(), refs.organisations.end());
  std::set<std::string> ids;
  struct Owned {
    IpPrefix prefix;
    std::string exporter;
  };
  std::vector<Owned> owned;
  static const std::set<std::string> kKeys{"id", "name", "org", "soc", "addresses"};
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node item = list[i];
    const std::string base = fmt::format("exporters[{}]", i);
    if (!item.IsMap()) {
      problems.add(item.Mark(), base, "expected a mapping (id, name, org, soc, addresses)");
      continue;
    }
    for (const auto& kv : item) {
      auto key = scalar(kv.first).value_or("");
      if (!kKeys.contains(key))
        problems.add(kv.first.Mark(), base + "." + key, "unknown field; known: id, name, org, soc, addresses");
    }
    FlowExporter e;
    auto id = scalar(item["id"]);
    if (!id || !is_registry_id(*id)) {
      problems.add(item["id"] ? item["id"].Mark() : item.Mark(), base + ".id",
                   id ? fmt::format("'{}' is not a registry id (lower-case letters, digits, single dashes)", *id)
                      : "missing; every exporter needs an id");
    } else if (!ids.insert(*id).second) {
      problems.add(item["id"].Mark(), base + ".id", fmt::format("duplicate id '{}'", *id));
    } else {
      e.id = *id;
    }
    e.name = scalar(item["name"]).value_or(e.id);
    auto org = scalar(item["org"]);
    if (!org) {
      problems.add(item.Mark(), base + ".org", "missing; every exporter belongs to an organisation");
    } else if (!orgs.contains(*org)) {
      problems.add(item["org"].Mark(), base + ".org", fmt::format("unknown organisation '{}'", *org));
    } else {
      e.org = *org;
    }
    if (auto soc = scalar(item["soc"])) {
      auto it = refs.soc_orgs.find(*soc);
      if (it == refs.soc_orgs.end())
        problems.add(item["soc"].Mark(), base + ".soc", fmt::format("unknown SOC '{}'", *soc));
      else
        e.soc = *soc;
    } else if (!e.org.empty()) {
      for (const auto& [soc_id, soc_org] : refs.soc_orgs) {
        if (soc_org == e.org) {
          e.soc = soc_id;
          break;
        }
      }
      if (e.soc.empty())
        problems.add(item.Mark(), base + ".soc",
                     fmt::format("organisation '{}' has no SOC; name the SOC its flows are filed under", e.org));
    }
    const YAML::Node addrs = item["addresses"];
    if (!addrs || !addrs.IsSequence() || addrs.size() == 0) {
      problems.add(addrs ? addrs.Mark() : item.Mark(), base + ".addresses",
                   "expected a non-empty list of addresses or CIDRs the exporter sends from");
    } else {
      for (std::size_t j = 0; j < addrs.size(); ++j) {
        const std::string path = fmt::format("{}.addresses[{}]", base, j);
        auto text = scalar(addrs[j]);
        auto prefix = text ? IpPrefix::parse(*text) : std::nullopt;
        if (!prefix) {
          problems.add(addrs[j].Mark(), path, fmt::format("'{}' is not an address or CIDR", text.value_or("")));
          continue;
        }
        // IpPrefix::parse masks host bits away; compare with the address as written.
        auto slash = text->find('/');
        auto written = IpAddress::parse(std::string_view(*text).substr(0, slash));
        if (slash != std::string::npos && written && !(*written == prefix->address)) {
          problems.add(addrs[j].Mark(), path, fmt::format("'{}' has host bits set", *text));
          continue;
        }
        // Two exporters may not claim the same block: a packet must name one exporter.
        for (const auto& o : owned) {
          if (o.prefix.bits == prefix->bits && o.prefix.address == prefix->address && o.exporter != e.id)
            problems.add(addrs[j].Mark(), path, fmt::format("{} is already registered to exporter '{}'", *text, o.exporter));
        }
        owned.push_back(Owned{*prefix, e.id});
        e.addresses.push_back(*prefix);
      }
    }
    registry.exporters_.push_back(std::move(e));
  }
  if (!problems.empty()) return fail(problems.joined());
  return registry;
}

const FlowExporter* ExporterRegistry::find(const IpAddress& ip) const {
  // Exporters number in the hundreds and the collector caches the answer per address.
  const FlowExporter* best = nullptr;
  int best_bits = -1;
  for (const auto& e : exporters_) {
    for (const auto& p : e.addresses) {
      if (p.address.v4 == ip.v4 && p.bits > best_bits && p.contains(ip)) {
        best = &e;
        best_bits = p.bits;
      }
    }
  }
  return best;
}

const FlowExporter* ExporterRegistry::find_id(std::string_view id) const {
  for (const auto& e : exporters_)
    if (e.id == id) return &e;
  return nullptr;
}

}  // namespace khien
