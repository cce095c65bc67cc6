// Exposure of CVEs over an inventory indexed by vendor:product.
#include "vuln/exposure_index.h"

#include <algorithm>

namespace khien {

namespace {

// Collects the vulnerable criteria; false when one cannot be looked up by vendor:product.
bool collect_vulnerable(const ConfigNode& node, std::vector<const CpeMatch*>& out) {
  for (const auto& m : node.matches) {
    if (!m.vulnerable) continue;  // a platform alone never exposes a system
    if (!indexable_cpe(m.criteria)) return false;
    out.push_back(&m);
  }
  for (const auto& child : node.children)
    if (!collect_vulnerable(child, out)) return false;
  return true;
}

bool collect_vulnerable(const std::vector<Configuration>& configs, std::vector<const CpeMatch*>& out) {
  for (const auto& config : configs)
    for (const auto& node : config.nodes)
      if (!collect_vulnerable(node, out)) return false;
  return true;
}

ExposedSystem exposed_system(const InventoryEntry& entry, const ApplicabilityResult& r) {
  ExposedSystem sys{entry.system_id, entry.org, {}, {}};
  for (auto k : r.vulnerable) sys.vulnerable_cpes.push_back(entry.cpes[k].to_formatted());
  for (auto k : r.platform) sys.platform_cpes.push_back(entry.cpes[k].to_formatted());
  return sys;
}

}  // namespace

bool indexable_cpe(const Cpe& c) {
  return c.vendor().is_string() && !c.vendor().has_wildcards() && c.product().is_string() && !c.product().has_wildcards();
}

std::string cpe_product_key(const Cpe& c) { return c.vendor().wfn + ":" + c.product().wfn; }

bool vulnerable_product_keys(const std::vector<Configuration>& configs, std::vector<std::string>& keys) {
  std::vector<const CpeMatch*> vulnerable;
  if (!collect_vulnerable(configs, vulnerable)) return false;
  for (const CpeMatch* m : vulnerable) keys.push_back(cpe_product_key(m->criteria));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return true;
}

ExposureIndex::ExposureIndex(std::vector<InventoryEntry> inventory) : entries_(std::move(inventory)) {
  for (std::uint32_t i = 0; i < entries_.size(); ++i) {
    by_id_[entries_[i].system_id] = i;
    add_slots(i);
  }
}

void ExposureIndex::add_slots(std::uint32_t position) {
  bool unindexed = false;
  for (const auto& c : entries_[position].cpes) {
    if (!indexable_cpe(c)) {
      unindexed = true;
      continue;
    }
    Bucket& bucket = by_product_[cpe_product_key(c)];
    auto [at, added] = bucket.by_name.try_emplace(c.to_formatted(), static_cast<std::uint32_t>(bucket.variants.size()));
    if (added) bucket.variants.push_back({c, effective_version(c), {}});
    auto& list = bucket.variants[at->second].entries;
    if (list.empty() || list.back() != position) list.push_back(position);
  }
  if (unindexed) unindexed_.insert(std::upper_bound(unindexed_.begin(), unindexed_.end(), position), position);
}

void ExposureIndex::drop_slots(std::uint32_t position) {
  for (const auto& c : entries_[position].cpes) {
    if (!indexable_cpe(c)) continue;
    auto it = by_product_.find(cpe_product_key(c));
    if (it == by_product_.end()) continue;
    auto v = it->second.by_name.find(c.to_formatted());
    if (v == it->second.by_name.end()) continue;
    std::erase(it->second.variants[v->second].entries, position);  // an emptied variant stays, matching nothing
  }
  auto u = std::lower_bound(unindexed_.begin(), unindexed_.end(), position);
  if (u != unindexed_.end() && *u == position) unindexed_.erase(u);
}

std::uint32_t ExposureIndex::upsert(InventoryEntry entry) {
  auto it = by_id_.find(entry.system_id);
  if (it != by_id_.end()) {
    drop_slots(it->second);
    entries_[it->second] = std::move(entry);
    add_slots(it->second);
    return it->second;
  }
  auto position = static_cast<std::uint32_t>(entries_.size());
  by_id_[entry.system_id] = position;
  entries_.push_back(std::move(entry));
  add_slots(position);
  return position;
}

bool ExposureIndex::remove(const std::string& system_id) {
  auto it = by_id_.find(system_id);
  if (it == by_id_.end()) return false;
  drop_slots(it->second);
  entries_[it->second] = InventoryEntry{};
  by_id_.erase(it);
  return true;
}

std::optional<std::uint32_t> ExposureIndex::position(const std::string& system_id) const {
  auto it = by_id_.find(system_id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

bool ExposureIndex::matched(const std::vector<Configuration>& configs, std::vector<std::uint32_t>& out) const {
  std::vector<const CpeMatch*> vulnerable;
  if (!collect_vulnerable(configs, vulnerable)) return false;
  std::string key;
  for (const CpeMatch* m : vulnerable) {
    key.assign(m->criteria.vendor().wfn).append(":").append(m->criteria.product().wfn);
    auto it = by_product_.find(key);
    if (it == by_product_.end()) continue;
    for (const Variant& v : it->second.variants)
      if (!v.entries.empty() && m->matches(v.cpe, &v.version)) out.insert(out.end(), v.entries.begin(), v.entries.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return true;
}

std::vector<std::uint32_t> ExposureIndex::candidates(const std::vector<Configuration>& configs) const {
  std::vector<std::uint32_t> out;
  if (!matched(configs, out)) {
    out.reserve(by_id_.size());
    for (std::uint32_t i = 0; i < entries_.size(); ++i)
      if (!entries_[i].system_id.empty()) out.push_back(i);
    return out;
  }
  out.insert(out.end(), unindexed_.begin(), unindexed_.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

// Every configuration is one plain OR node of vulnerable criteria (most NVD statements): a system
// with a CPE that matches one of the criteria is exposed, with no further evaluation.
bool plain_or(const std::vector<Configuration>& configs) {
  for (const auto& c : configs) {
    if (c.negate || c.nodes.size() != 1) return false;
    const auto& n = c.nodes[0];
    if (n.negate || n.op != NodeOperator::op_or || !n.children.empty() || n.matches.empty()) return false;
    for (const auto& m : n.matches)
      if (!m.vulnerable) return false;
  }
  return true;
}

}  // namespace

std::vector<std::uint32_t> ExposureIndex::exposed_entries(const std::vector<Configuration>& configs) const {
  std::vector<std::uint32_t> out;
  if (configs.empty()) return out;
  if (plain_or(configs) && matched(configs, out)) {
    std::size_t indexed = out.size();
    for (auto u : unindexed_)
      if (!std::binary_search(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(indexed), u) &&
          evaluate(configs, entries_[u].cpes).applies)
        out.push_back(u);
    std::sort(out.begin(), out.end());
    return out;
  }
  out.clear();
  for (auto i : candidates(configs))
    if (evaluate(configs, entries_[i].cpes).applies) out.push_back(i);
  return out;
}

ExposedSystem ExposureIndex::describe(const std::vector<Configuration>& configs, std::uint32_t position) const {
  const auto& entry = entries_[position];
  auto r = evaluate(configs, entry.cpes);
  if (!r.applies) return ExposedSystem{entry.system_id, entry.org, {}, {}};
  return exposed_system(entry, r);
}

std::vector<ExposedSystem> ExposureIndex::exposure(const std::vector<Configuration>& configs) const {
  std::vector<ExposedSystem> out;
  if (configs.empty()) return out;
  for (auto i : candidates(configs)) {
    const auto& entry = entries_[i];
    auto r = evaluate(configs, entry.cpes);
    if (!r.applies) continue;
    out.push_back(exposed_system(entry, r));
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
