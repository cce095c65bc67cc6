// Exposure of CVEs over an inventory indexed by vendor:product.
#include "vuln/exposure_index.h"

#include <algorithm>
#include <iterator>

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

std::string cpe_product_key(const Cpe& c) {
  std::string key;
  assign_product_key(c, key);
  return key;
}

void assign_product_key(const Cpe& c, std::string& key) { key.assign(c.vendor().wfn).append(":").append(c.product().wfn); }

bool vulnerable_product_keys(const std::vector<Configuration>& configs, std::vector<std::string>& keys) {
  std::vector<const CpeMatch*> vulnerable;
  if (!collect_vulnerable(configs, vulnerable)) return false;
  for (const CpeMatch* m : vulnerable) keys.push_back(cpe_product_key(m->criteria));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return true;
}

namespace {

// A version and update a criteria can be compared with by version order: a string without
// wildcards, and an update without wildcards.
bool plain_version(const Cpe& c) {
  return c.version().is_string() && !c.version().has_wildcards() && !c.update().has_wildcards();
}

// True when every attribute of the criteria other than part, vendor, product, version and update is
// ANY, and its part is ANY or a literal: it then matches a variant of its vendor:product exactly when
// the part agrees and the version rules of CpeMatch::matches hold.
bool version_only(const CpeMatch& m) {
  const Cpe& c = m.criteria;
  for (auto a : {CpeAttribute::edition, CpeAttribute::language, CpeAttribute::sw_edition, CpeAttribute::target_sw,
                 CpeAttribute::target_hw, CpeAttribute::other})
    if (!c.get(a).is_any()) return false;
  return c.part().is_any() || (c.part().is_string() && !c.part().has_wildcards());
}

}  // namespace

const ExposureIndex::Bucket* ExposureIndex::find_bucket(const Cpe& c, std::string& key) const {
  assign_product_key(c, key);
  auto it = by_product_.find(key);
  return it == by_product_.end() ? nullptr : &it->second;
}

void ExposureIndex::add_variant(Bucket& bucket, const Cpe& c) const {
  auto id = static_cast<std::uint32_t>(bucket.variants.size());
  PackageVersion version = effective_version(c);
  const bool prerelease = plain_version(c) && version.is_prerelease();
  // The release is only ever compared for pre-releases; others keep an empty one (no token copies).
  PackageVersion release = prerelease ? version.release() : PackageVersion("");
  bucket.variants.push_back({c, std::move(version), std::move(release), {}});
  if (!plain_version(c)) {
    bucket.irregular.push_back(id);
    return;
  }
  // A whole inventory is put in order once by the constructor; a single change is inserted in place.
  auto place = [&](std::vector<std::uint32_t>& list, PackageVersion Variant::*key) {
    if (bulk_) {
      list.push_back(id);
      return;
    }
    const PackageVersion& value = bucket.variants[id].*key;
    auto before = [&](std::uint32_t a, const PackageVersion& x) { return bucket.variants[a].*key < x; };
    list.insert(std::lower_bound(list.begin(), list.end(), value, before), id);
  };
  place(bucket.ordered, &Variant::version);
  if (prerelease) place(bucket.prereleases, &Variant::release);
}

void ExposureIndex::sort_bucket(Bucket& bucket) {
  auto by = [&](PackageVersion Variant::*key) {
    return [&bucket, key](std::uint32_t a, std::uint32_t b) { return bucket.variants[a].*key < bucket.variants[b].*key; };
  };
  std::stable_sort(bucket.ordered.begin(), bucket.ordered.end(), by(&Variant::version));
  std::stable_sort(bucket.prereleases.begin(), bucket.prereleases.end(), by(&Variant::release));
}

void ExposureIndex::add_matching(const CpeMatch& m, const Bucket& bucket, std::vector<std::uint32_t>& out) {
  auto take = [&](std::uint32_t id) {
    const Variant& v = bucket.variants[id];
    if (v.entries.empty()) return;
    if (!m.criteria.part().is_any() && !(v.cpe.part() == m.criteria.part())) return;
    out.insert(out.end(), v.entries.begin(), v.entries.end());
  };
  auto check = [&](std::uint32_t id) {
    const Variant& v = bucket.variants[id];
    if (!v.entries.empty() && m.matches(v.cpe, &v.version)) out.insert(out.end(), v.entries.begin(), v.entries.end());
  };
  const auto& ordered = bucket.ordered;
  auto below = [&](std::uint32_t id, const PackageVersion& x) { return bucket.variants[id].version < x; };
  auto above = [&](const PackageVersion& x, std::uint32_t id) { return x < bucket.variants[id].version; };
  const CpeValue& cv = m.criteria.version();
  const CpeValue& cu = m.criteria.update();
  // Compared with every variant: other attributes that are not ANY; and, without a range, an NA
  // version, a version or update with wildcards, or an ANY version with a specific update.
  const bool exact_terms = cv.is_any() ? cu.is_any() : !cv.is_na() && !cv.has_wildcards() && !cu.has_wildcards();
  if (!version_only(m) || (!m.has_range() && !exact_terms)) {
    for (std::uint32_t id = 0; id < bucket.variants.size(); ++id) check(id);
    return;
  }
  if (m.has_range()) {
    // Only a plain version can lie in a range; an irregular variant is compared in full.
    auto lo = ordered.begin(), hi = ordered.end();
    if (m.start_including) lo = std::lower_bound(lo, hi, *m.start_including, below);
    if (m.start_excluding) lo = std::upper_bound(lo, hi, *m.start_excluding, above);
    if (m.end_including) hi = std::upper_bound(lo, hi, *m.end_including, above);
    if (m.end_excluding) hi = std::lower_bound(lo, hi, *m.end_excluding, below);
    for (auto it = lo; it < hi; ++it) take(*it);
    for (auto id : bucket.irregular) check(id);
    return;
  }
  if (cv.is_any()) {
    // ANY version and update: every plain variant; a target holding wildcards compares UNDEFINED, so
    // the irregular ones are compared in full.
    for (auto id : ordered) take(id);
    for (auto id : bucket.irregular) check(id);
    return;
  }
  // A specific version: only plain variants can be equal to it (to it or, update ANY, their release).
  auto take_equal = [&](const std::vector<std::uint32_t>& list, PackageVersion Variant::*key, const PackageVersion& want) {
    auto first = std::lower_bound(list.begin(), list.end(), want,
                                  [&](std::uint32_t id, const PackageVersion& x) { return bucket.variants[id].*key < x; });
    for (auto it = first; it < list.end() && !(want < bucket.variants[*it].*key); ++it) take(*it);
  };
  if (cu.is_any()) {
    PackageVersion want(cv.text());
    take_equal(ordered, &Variant::version, want);
    take_equal(bucket.prereleases, &Variant::release, want);
    return;
  }
  take_equal(ordered, &Variant::version, effective_version(m.criteria));
}

void ExposureIndex::ascending_unique(std::vector<std::uint32_t>& out) const {
  // Many matches (a common product's CVE exposes a large part of the inventory): mark them in a
  // bitmap and read it back in order, which costs less than sorting them.
  if (out.size() > entries_.size() / 256 + 32) {
    thread_local std::vector<std::uint64_t> bits;
    bits.assign(entries_.size() / 64 + 1, 0);
    for (auto p : out) bits[p >> 6] |= std::uint64_t{1} << (p & 63);
    out.clear();
    for (std::size_t w = 0; w < bits.size(); ++w)
      for (std::uint64_t b = bits[w]; b; b &= b - 1)
        out.push_back(static_cast<std::uint32_t>(w * 64 + static_cast<unsigned>(__builtin_ctzll(b))));
    return;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

ExposureIndex::ExposureIndex(std::vector<InventoryEntry> inventory) : entries_(std::move(inventory)) {
  // A whole inventory: variants are appended as they come and each bucket is put in version order
  // once at the end (inserting each in place costs a move of the bucket per variant).
  bulk_ = true;
  by_id_.reserve(entries_.size());
  effective_.reserve(entries_.size());
  for (std::uint32_t i = 0; i < entries_.size(); ++i) {
    by_id_[entries_[i].system_id] = i;
    add_slots(i);
  }
  bulk_ = false;
  for (auto& product : by_product_) sort_bucket(product.second);
}

void ExposureIndex::add_slots(std::uint32_t position) {
  if (effective_.size() <= position) effective_.resize(position + 1);
  auto& versions = effective_[position];
  versions.clear();
  bool unindexed = false;
  std::string key;
  for (const auto& c : entries_[position].cpes) {
    if (!indexable_cpe(c)) {
      unindexed = true;
      versions.push_back(effective_version(c));
      continue;
    }
    assign_product_key(c, key);
    auto found = by_product_.find(key);
    Bucket& bucket = found != by_product_.end() ? found->second : by_product_[key];
    auto [at, added] = bucket.by_name.try_emplace(c.to_formatted(), static_cast<std::uint32_t>(bucket.variants.size()));
    if (added) add_variant(bucket, c);
    versions.push_back(bucket.variants[at->second].version);
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
  effective_[position].clear();
}

ApplicabilityResult ExposureIndex::evaluate(const std::vector<Configuration>& configs, std::uint32_t position) const {
  return khien::evaluate(configs, entries_[position].cpes, effective_[position]);
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
    if (const Bucket* bucket = find_bucket(m->criteria, key)) add_matching(*m, *bucket, out);
  }
  ascending_unique(out);
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

// a = a ∩ b, both ascending.
void intersect(std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  auto end = std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), a.begin());
  a.erase(end, a.end());
}

}  // namespace

bool ExposureIndex::node_sets(const ConfigNode& node, std::vector<std::uint32_t>& truth, std::vector<std::uint32_t>& evidence) const {
  truth.clear();
  evidence.clear();
  if (node.negate || (node.matches.empty() && node.children.empty())) return false;
  const bool all = node.op == NodeOperator::op_and;
  bool first = true;
  // An OR collects every operand's systems and sorts them once; an AND intersects operand by operand.
  auto combine = [&](const std::vector<std::uint32_t>& set) {
    if (!all) truth.insert(truth.end(), set.begin(), set.end());
    else if (first) truth = set;
    else intersect(truth, set);
    first = false;
  };
  std::vector<std::uint32_t> operand, child_evidence;
  std::string key;
  // An OR of vulnerable criteria only (most NVD nodes): its evidence is its truth.
  const bool only_vulnerable = !all && node.children.empty() &&
                               std::all_of(node.matches.begin(), node.matches.end(), [](const CpeMatch& m) { return m.vulnerable; });
  for (const auto& m : node.matches) {
    if (!indexable_cpe(m.criteria)) return false;
    operand.clear();
    if (const Bucket* bucket = find_bucket(m.criteria, key)) add_matching(m, *bucket, operand);
    if (all) ascending_unique(operand);
    if (m.vulnerable && !only_vulnerable) evidence.insert(evidence.end(), operand.begin(), operand.end());
    combine(operand);
  }
  for (const auto& child : node.children) {
    if (!node_sets(child, operand, child_evidence)) return false;
    evidence.insert(evidence.end(), child_evidence.begin(), child_evidence.end());
    combine(operand);
  }
  if (!all) ascending_unique(truth);
  if (only_vulnerable) {
    evidence = truth;
    return true;
  }
  ascending_unique(evidence);
  // In an OR every system with evidence makes the node true; in an AND it must satisfy every operand.
  if (all) intersect(evidence, truth);
  return true;
}

bool ExposureIndex::exposed_by_sets(const std::vector<Configuration>& configs, std::vector<std::uint32_t>& out) const {
  std::vector<std::uint32_t> truth, evidence, node_truth, node_evidence;
  for (const auto& config : configs) {
    if (config.negate || config.nodes.empty()) continue;  // evaluate() never lets these apply
    if (config.nodes.size() == 1 || config.op == NodeOperator::op_or) {
      // A node's evidence lies within its truth, so with one node or an OR of nodes the systems the
      // configuration applies to are exactly those with evidence from a node.
      for (const auto& node : config.nodes) {
        if (!node_sets(node, node_truth, node_evidence)) return false;
        if (configs.size() == 1 && config.nodes.size() == 1) {
          out = std::move(node_evidence);
          return true;
        }
        out.insert(out.end(), node_evidence.begin(), node_evidence.end());
      }
      continue;
    }
    // An AND of nodes (running on / with a platform): true where every node is true.
    truth.clear();
    evidence.clear();
    for (std::size_t n = 0; n < config.nodes.size(); ++n) {
      if (!node_sets(config.nodes[n], node_truth, node_evidence)) return false;
      evidence.insert(evidence.end(), node_evidence.begin(), node_evidence.end());
      if (n == 0) truth = node_truth;
      else intersect(truth, node_truth);
    }
    ascending_unique(evidence);
    intersect(evidence, truth);  // true, with vulnerable evidence from a node that was true
    out.insert(out.end(), evidence.begin(), evidence.end());
  }
  ascending_unique(out);
  return true;
}

std::vector<std::uint32_t> ExposureIndex::exposed_entries(const std::vector<Configuration>& configs) const {
  std::vector<std::uint32_t> out;
  if (configs.empty()) return out;
  if (!exposed_by_sets(configs, out)) {
    out.clear();
    for (auto i : candidates(configs))
      if (evaluate(configs, i).applies) out.push_back(i);
    return out;
  }
  if (unindexed_.empty()) return out;
  // A system with a wildcard vendor or product may meet criteria of any product, which the buckets do
  // not show: its answer is the full evaluation.
  std::vector<std::uint32_t> indexed, evaluated;
  std::set_difference(out.begin(), out.end(), unindexed_.begin(), unindexed_.end(), std::back_inserter(indexed));
  for (auto u : unindexed_)
    if (evaluate(configs, u).applies) evaluated.push_back(u);
  out.clear();
  std::set_union(indexed.begin(), indexed.end(), evaluated.begin(), evaluated.end(), std::back_inserter(out));
  return out;
}

ExposedSystem ExposureIndex::describe(const std::vector<Configuration>& configs, std::uint32_t position) const {
  const auto& entry = entries_[position];
  auto r = evaluate(configs, position);
  if (!r.applies) return ExposedSystem{entry.system_id, entry.org, {}, {}};
  return exposed_system(entry, r);
}

std::vector<ExposedSystem> ExposureIndex::exposure(const std::vector<Configuration>& configs) const {
  std::vector<ExposedSystem> out;
  if (configs.empty()) return out;
  for (auto i : candidates(configs)) {
    const auto& entry = entries_[i];
    auto r = evaluate(configs, i);
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
