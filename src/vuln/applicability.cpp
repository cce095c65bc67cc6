// NVD applicability evaluation: cpeMatch version ranges and the AND/OR/negate node tree.
#include "vuln/applicability.h"

#include <algorithm>

#include <fmt/format.h>

namespace khien {

namespace {

// `version-update`, with the update left out when it is ANY or NA.
std::string effective_text(const Cpe& c) {
  std::string v = c.version().text();
  if (c.update().is_string()) v += "-" + c.update().text();
  return v;
}

bool superset_or_equal(CpeRelation r) { return r == CpeRelation::equal || r == CpeRelation::superset; }

bool in_range(const CpeMatch& m, const PackageVersion& v) {
  if (m.start_including && v < *m.start_including) return false;
  if (m.start_excluding && v <= *m.start_excluding) return false;
  if (m.end_including && v > *m.end_including) return false;
  if (m.end_excluding && v >= *m.end_excluding) return false;
  return true;
}

void append_unique(std::vector<std::size_t>& out, const std::vector<std::size_t>& in) {
  for (auto i : in)
    if (std::find(out.begin(), out.end(), i) == out.end()) out.push_back(i);
}

// `effective`: the inventory CPEs' effective versions, parsed once by the caller; null to parse here.
bool eval_node(const ConfigNode& node, const std::vector<Cpe>& inventory, const PackageVersion* effective, ApplicabilityResult& acc) {
  ApplicabilityResult local;
  bool any = false, all = true;
  for (const auto& m : node.matches) {
    bool hit = false;
    for (std::size_t i = 0; i < inventory.size(); ++i) {
      if (!m.matches(inventory[i], effective ? effective + i : nullptr)) continue;
      hit = true;
      auto& bucket = m.vulnerable ? local.vulnerable : local.platform;
      if (std::find(bucket.begin(), bucket.end(), i) == bucket.end()) bucket.push_back(i);
    }
    any = any || hit;
    all = all && hit;
  }
  for (const auto& child : node.children) {
    bool hit = eval_node(child, inventory, effective, local);
    any = any || hit;
    all = all && hit;
  }
  bool result = node.op == NodeOperator::op_and ? all : any;
  if (node.negate) return !result;  // matches under a negation are not evidence of exposure
  if (result) {
    append_unique(acc.vulnerable, local.vulnerable);
    append_unique(acc.platform, local.platform);
  }
  return result;
}

}  // namespace

PackageVersion effective_version(const Cpe& c) { return PackageVersion(effective_text(c)); }

bool CpeMatch::matches(const Cpe& target, const PackageVersion* target_effective) const {
  for (std::size_t a = 0; a < kCpeAttributeCount; ++a) {
    auto attr = static_cast<CpeAttribute>(a);
    if (attr == CpeAttribute::version || attr == CpeAttribute::update) continue;
    if (!superset_or_equal(compare_cpe_values(criteria.get(attr), target.get(attr)))) return false;
  }
  const auto& cv = criteria.version();
  const auto& tv = target.version();
  if (has_range()) {
    if (!tv.is_string() || tv.has_wildcards()) return false;
    return target_effective ? in_range(*this, *target_effective) : in_range(*this, PackageVersion(effective_text(target)));
  }
  if (cv.is_any() || cv.has_wildcards() || criteria.update().has_wildcards()) {
    return superset_or_equal(compare_cpe_values(cv, tv)) &&
           superset_or_equal(compare_cpe_values(criteria.update(), target.update()));
  }
  if (cv.is_na()) return tv.is_na();
  if (!tv.is_string() || tv.has_wildcards() || target.update().has_wildcards()) return false;
  PackageVersion parsed = target_effective ? PackageVersion("") : PackageVersion(effective_text(target));
  const PackageVersion& tv_effective = target_effective ? *target_effective : parsed;
  if (criteria.update().is_any()) {
    PackageVersion want(cv.text());
    return tv_effective == want || tv_effective.release() == want;
  }
  return tv_effective == PackageVersion(effective_text(criteria));
}

namespace {

ApplicabilityResult evaluate_config(const Configuration& config, const std::vector<Cpe>& inventory, const PackageVersion* effective) {
  ApplicabilityResult acc;
  bool any = false, all = true;
  for (const auto& node : config.nodes) {
    bool hit = eval_node(node, inventory, effective, acc);
    any = any || hit;
    all = all && hit;
  }
  bool result = config.op == NodeOperator::op_and ? (all && !config.nodes.empty()) : any;
  if (config.negate) result = !result;
  ApplicabilityResult out;
  if (result && !config.negate && !acc.vulnerable.empty()) {
    out = std::move(acc);
    out.applies = true;
  }
  return out;
}

ApplicabilityResult evaluate_configs(const std::vector<Configuration>& configs, const std::vector<Cpe>& inventory,
                                     const PackageVersion* effective) {
  ApplicabilityResult out;
  for (const auto& c : configs) {
    auto r = evaluate_config(c, inventory, effective);
    if (!r.applies) continue;
    out.applies = true;
    append_unique(out.vulnerable, r.vulnerable);
    append_unique(out.platform, r.platform);
  }
  return out;
}

}  // namespace

ApplicabilityResult evaluate(const Configuration& config, const std::vector<Cpe>& inventory) {
  return evaluate_config(config, inventory, nullptr);
}

bool applies(const Configuration& config, const std::vector<Cpe>& inventory) { return evaluate(config, inventory).applies; }

ApplicabilityResult evaluate(const std::vector<Configuration>& configs, const std::vector<Cpe>& inventory) {
  return evaluate_configs(configs, inventory, nullptr);
}

ApplicabilityResult evaluate(const std::vector<Configuration>& configs, const std::vector<Cpe>& inventory,
                             const std::vector<PackageVersion>& effective) {
  return evaluate_configs(configs, inventory, effective.size() == inventory.size() ? effective.data() : nullptr);
}

namespace {

Status validate_node(const ConfigNode& node, const std::string& path, bool& has_vulnerable, int depth) {
  if (depth > 16) return fail(fmt::format("{}: nodes nested deeper than 16 levels", path));
  if (node.matches.empty() && node.children.empty()) return fail(fmt::format("{}: node has neither cpeMatch entries nor child nodes", path));
  for (std::size_t i = 0; i < node.matches.size(); ++i) {
    const auto& m = node.matches[i];
    auto where = fmt::format("{}.cpeMatch[{}]", path, i);
    if (m.vulnerable && !node.negate) has_vulnerable = true;
    if (m.start_including && m.start_excluding) return fail(fmt::format("{}: both versionStartIncluding and versionStartExcluding", where));
    if (m.end_including && m.end_excluding) return fail(fmt::format("{}: both versionEndIncluding and versionEndExcluding", where));
    if (m.has_range() && !m.criteria.version().is_any())
      return fail(fmt::format("{}: version range on criteria '{}' whose version is not *", where, m.criteria_text));
    const PackageVersion* lo = m.start_including ? &*m.start_including : (m.start_excluding ? &*m.start_excluding : nullptr);
    const PackageVersion* hi = m.end_including ? &*m.end_including : (m.end_excluding ? &*m.end_excluding : nullptr);
    if (lo && hi && *lo > *hi)
      return fail(fmt::format("{}: range start '{}' is after its end '{}'", where, lo->text(), hi->text()));
  }
  for (std::size_t i = 0; i < node.children.size(); ++i) {
    if (auto st = validate_node(node.children[i], fmt::format("{}.children[{}]", path, i), has_vulnerable, depth + 1); !st) return st;
  }
  return {};
}

}  // namespace

Status validate_configuration(const Configuration& config, std::size_t index) {
  auto path = fmt::format("configurations[{}]", index);
  if (config.nodes.empty()) return fail(fmt::format("{}: configuration has no nodes", path));
  bool has_vulnerable = false;
  for (std::size_t i = 0; i < config.nodes.size(); ++i) {
    if (auto st = validate_node(config.nodes[i], fmt::format("{}.nodes[{}]", path, i), has_vulnerable, 0); !st) return st;
  }
  if (!has_vulnerable) return fail(fmt::format("{}: no cpeMatch is marked vulnerable, so the configuration can never apply", path));
  return {};
}

}  // namespace khien
