// Exposure of CVEs over an inventory indexed by vendor:product.
#include "vuln/exposure_index.h"

#include <algorithm>

namespace khien {

namespace {

bool indexable(const Cpe& c) {
  return c.vendor().is_string() && !c.vendor().has_wildcards() && c.product().is_string() && !c.product().has_wildcards();
}

std::string product_key(const Cpe& c) { return c.vendor().wfn + ":" + c.product().wfn; }

// Collects the vulnerable criteria; false when one cannot be looked up by vendor:product.
bool collect_vulnerable(const ConfigNode& node, std::vector<const CpeMatch*>& out) {
  for (const auto& m : node.matches) {
    if (!m.vulnerable) continue;  // a platform alone never exposes a system
    if (!indexable(m.criteria)) return false;
    out.push_back(&m);
  }
  for (const auto& child : node.children)
    if (!collect_vulnerable(child, out)) return false;
  return true;
}

}  // namespace

ExposureIndex::ExposureIndex(std::vector<InventoryEntry> inventory) : entries_(std::move(inventory)) {
  for (std::uint32_t i = 0; i < entries_.size(); ++i) {
    bool unindexed = false;
    for (const auto& c : entries_[i].cpes) {
      if (!indexable(c)) { unindexed = true; continue; }
      by_product_[product_key(c)].push_back({c, effective_version(c), i});
    }
    if (unindexed) unindexed_.push_back(i);
  }
}

std::vector<std::uint32_t> ExposureIndex::candidates(const std::vector<Configuration>& configs) const {
  std::vector<const CpeMatch*> vulnerable;
  bool indexed = true;
  for (const auto& config : configs)
    for (const auto& node : config.nodes) indexed = indexed && collect_vulnerable(node, vulnerable);
  std::vector<std::uint32_t> out;
  if (!indexed) {
    out.resize(entries_.size());
    for (std::uint32_t i = 0; i < entries_.size(); ++i) out[i] = i;
    return out;
  }
  std::string key;
  for (const CpeMatch* m : vulnerable) {
    key.assign(m->criteria.vendor().wfn).append(":").append(m->criteria.product().wfn);
    auto it = by_product_.find(key);
    if (it == by_product_.end()) continue;
    for (const Slot& s : it->second)
      if ((out.empty() || out.back() != s.entry) && m->matches(s.cpe, &s.version)) out.push_back(s.entry);
  }
  out.insert(out.end(), unindexed_.begin(), unindexed_.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<ExposedSystem> ExposureIndex::exposure(const std::vector<Configuration>& configs) const {
  std::vector<ExposedSystem> out;
  if (configs.empty()) return out;
  for (auto i : candidates(configs)) {
    const auto& entry = entries_[i];
    auto r = evaluate(configs, entry.cpes);
    if (!r.applies) continue;
    ExposedSystem sys{entry.system_id, entry.org, {}, {}};
    for (auto k : r.vulnerable) sys.vulnerable_cpes.push_back(entry.cpes[k].to_formatted());
    for (auto k : r.platform) sys.platform_cpes.push_back(entry.cpes[k].to_formatted());
    out.push_back(std::move(sys));
  }
  return out;
}

std::vector<std::pair<std::string, std::vector<ExposedSystem>>> ExposureIndex::exposure_all(const VulnDatabase& db) const {
  std::vector<std::pair<std::string, std::vector<ExposedSystem>>> out;
  db.for_each([&](const VulnRecord& rec) {
    auto systems = exposure(rec);
    if (!systems.empty()) out.emplace_back(rec.id, std::move(systems));
  });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

std::vector<ExposedSystem> exposure(const VulnRecord& record, const std::vector<InventoryEntry>& inventory) {
  return ExposureIndex(inventory).exposure(record);
}

}  // namespace khien
