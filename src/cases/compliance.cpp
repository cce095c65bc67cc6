// Compliance score computation, fact gathering, ranking and the JSON form of a breakdown.
#include "cases/compliance.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/yaml_guard.h"
#include "store/registry_data.h"

namespace khien {

namespace {

constexpr std::int64_t kSecond = 1000000000LL;

double clamp01(double v) {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
double round1(double v) {
  return std::round(v * 10.0) / 10.0;
}
std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Result<ComplianceWeights> ComplianceWeights::from_yaml(std::string_view text) {
  ComplianceWeights w;
  if (auto refused = yaml_refusal(text)) return fail(fmt::format("compliance weights:{}: {}", refused->line, refused->reason));
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail(fmt::format("compliance weights:{}:{}: {}", e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (root.IsNull()) return w;
  if (!root.IsMap()) return fail("compliance weights: expected a mapping with 'weights' and 'thresholds'");
  auto number = [](const YAML::Node& n, const std::string& path, double min, double max) -> Result<double> {
    double v = 0;
    try {
      v = n.as<double>();
    } catch (const YAML::Exception&) {
      return fail(
          fmt::format("compliance weights:{}:{}: {}: expected a number", n.Mark().line + 1, n.Mark().column + 1, path));
    }
    if (!(v >= min && v <= max))
      return fail(fmt::format("compliance weights:{}:{}: {}: {} is not from {} to {}", n.Mark().line + 1,
                              n.Mark().column + 1, path, v, min, max));
    return v;
  };
  for (const auto& kv : root) {
    std::string section = kv.first.as<std::string>("");
    if (section != "weights" && section != "thresholds")
      return fail(fmt::format("compliance weights:{}:{}: unknown section '{}' (weights, thresholds)",
                              kv.first.Mark().line + 1, kv.first.Mark().column + 1, section));
    if (!kv.second.IsMap()) return fail(fmt::format("compliance weights: {}: expected a mapping", section));
    for (const auto& item : kv.second) {
      std::string key = item.first.as<std::string>("");
      std::string path = section + "." + key;
      if (section == "weights") {
        std::map<std::string, double*> slots{{"soc", &w.soc},
                                             {"four_layer", &w.four_layer},
                                             {"security_level", &w.security_level},
                                             {"drill", &w.drill},
                                             {"directives", &w.directives},
                                             {"incident_sla", &w.incident_sla},
                                             {"vulnerabilities", &w.vulnerabilities}};
        auto it = slots.find(key);
        if (it == slots.end()) return fail(fmt::format("compliance weights: unknown weight '{}'", key));
        auto v = number(item.second, path, 0, 100);
        if (!v) return tl::unexpected(v.error());
        *it->second = *v;
      } else {
        std::map<std::string, std::pair<std::int64_t*, std::int64_t>> durations{
            {"soc_fresh_minutes", {&w.soc_fresh_ns, 60 * kSecond}},
            {"soc_stale_hours", {&w.soc_stale_ns, 3600 * kSecond}},
            {"drill_within_days", {&w.drill_within_ns, 86400 * kSecond}},
            {"vuln_grace_days", {&w.vuln_grace_ns, 86400 * kSecond}},
            {"vuln_full_days", {&w.vuln_full_ns, 86400 * kSecond}}};
        if (key == "vuln_cap") {
          auto v = number(item.second, path, 0.1, 1000);
          if (!v) return tl::unexpected(v.error());
          w.vuln_cap = *v;
          continue;
        }
        auto it = durations.find(key);
        if (it == durations.end()) return fail(fmt::format("compliance weights: unknown threshold '{}'", key));
        auto v = number(item.second, path, 0, 100000);
        if (!v) return tl::unexpected(v.error());
        *it->second.first = static_cast<std::int64_t>(*v * static_cast<double>(it->second.second));
      }
    }
  }
  double total = w.soc + w.four_layer + w.security_level + w.drill + w.directives + w.incident_sla + w.vulnerabilities;
  if (total <= 0) return fail("compliance weights: at least one weight must be above zero");
  if (w.vuln_full_ns < w.vuln_grace_ns)
    return fail("compliance weights: vuln_full_days must not be below vuln_grace_days");
  return w;
}

ComplianceModel::ComplianceModel(ComplianceWeights weights) : weights_(weights) {}

ComplianceScore ComplianceModel::score(const ComplianceFacts& f, TimeNs now) const {
  const auto& w = weights_;
  ComplianceScore out;
  out.org = f.org;
  out.sector = f.sector;
  out.province = f.province;
  double total_weight =
      w.soc + w.four_layer + w.security_level + w.drill + w.directives + w.incident_sla + w.vulnerabilities;
  double scale = total_weight > 0 ? 100.0 / total_weight : 0;
  auto add = [&](std::string name, double weight, double value, nlohmann::json facts) {
    value = clamp01(value);
    out.components.push_back({std::move(name), weight * scale, value, weight * scale * value, dump(facts)});
  };

  // SOC connected and sending: the best of the organisation's SOCs.
  {
    double best = 0;
    auto socs = nlohmann::json::array();
    for (const auto& [id, seen] : f.soc_last_seen) {
      double v = 0;
      std::string status = "never seen";
      if (seen > 0) {
        std::int64_t age = now - seen;
        if (age <= w.soc_fresh_ns)
          v = 1, status = "sending";
        else if (age <= w.soc_stale_ns)
          v = 0.5, status = "connected, quiet";
        else
          status = "silent";
      }
      best = std::max(best, v);
      socs.push_back({{"soc", id}, {"last_seen", seen ? format_rfc3339(seen, 0) : ""}, {"status", status}});
    }
    add("soc", w.soc, best, {{"socs", socs}});
  }
  // Four-layer coverage and approved levels, over the organisation's systems.
  {
    double coverage = 0, approved = 0;
    auto systems = nlohmann::json::array();
    for (const auto& s : f.systems) {
      coverage += s.protection.coverage();
      if (s.level_approved) approved += 1;
      systems.push_back({{"id", s.id},
                         {"level", s.security_level},
                         {"level_approved", s.level_approved},
                         {"four_layer_coverage", s.protection.coverage()}});
    }
    double n = static_cast<double>(f.systems.size());
    add("four_layer", w.four_layer, n ? coverage / n : 0, {{"systems", systems}, {"registered", f.systems.size()}});
    add("security_level", w.security_level, n ? approved / n : 0,
        {{"approved", static_cast<int>(approved)}, {"registered", f.systems.size()}});
  }
  // A drill within the window on any of its systems.
  {
    TimeNs last = 0;
    for (const auto& s : f.systems)
      if (s.last_drill) last = std::max(last, *s.last_drill);
    bool recent = last > 0 && now - last <= w.drill_within_ns;
    add("drill", w.drill, recent ? 1 : 0,
        {{"last_drill", last ? format_civil_date(last) : ""}, {"within_days", w.drill_within_ns / (86400 * kSecond)}});
  }
  // Directive timeliness: acknowledgement and completion count equally; nothing due means full marks.
  {
    const auto& d = f.directives;
    double ack = d.acknowledgements_due ? static_cast<double>(d.acknowledged_on_time) / d.acknowledgements_due : 1;
    double done = d.completions_due ? static_cast<double>(d.completed_on_time) / d.completions_due : 1;
    add("directives", w.directives, (ack + done) / 2,
        {{"acknowledgements_due", d.acknowledgements_due},
         {"acknowledged_on_time", d.acknowledged_on_time},
         {"completions_due", d.completions_due},
         {"completed_on_time", d.completed_on_time},
         {"late", d.late}});
  }
  {
    const auto& r = f.incidents;
    double v = r.milestones_due ? static_cast<double>(r.met_on_time) / r.milestones_due : 1;
    add("incident_sla", w.incident_sla, v,
        {{"milestones_due", r.milestones_due}, {"met_on_time", r.met_on_time}, {"late", r.late}});
  }
  {
    double penalty = 0;
    auto vulns = nlohmann::json::array();
    for (const auto& v : f.critical_vulnerabilities) {
      std::int64_t age = now - v.since;
      double p = 0;
      if (age >= w.vuln_full_ns)
        p = 1;
      else if (age > w.vuln_grace_ns)
        p = static_cast<double>(age - w.vuln_grace_ns) / static_cast<double>(w.vuln_full_ns - w.vuln_grace_ns);
      penalty += p;
      vulns.push_back({{"cve", v.cve}, {"system", v.system}, {"age_days", age / (86400 * kSecond)}, {"penalty", p}});
    }
    add("vulnerabilities", w.vulnerabilities, 1 - penalty / w.vuln_cap, {{"open_critical", vulns}});
  }
  double sum = 0;
  for (auto& c : out.components) {
    sum += c.weight * c.value;
  }
  out.score = round1(sum);
  return out;
}

ComplianceFacts gather_compliance_facts(const std::string& org, const ResponseNetwork& network, SystemRegistry& systems,
                                        DirectiveManager& directives, IncidentManager& incidents,
                                        const std::map<std::string, TimeNs>& soc_last_seen,
                                        const std::map<std::string, std::vector<OpenVulnerability>>& critical_vulns,
                                        TimeNs now) {
  ComplianceFacts f;
  f.org = org;
  const auto& reg = network.registry();
  const Organisation* o = reg.find_organisation(org);
  if (o) {
    f.sector = o->sector;
    f.province = o->province;
  }
  auto socs_of = [&](const std::string& id) {
    for (const auto& s : reg.socs) {
      if (s.org != id) continue;
      auto it = soc_last_seen.find(s.id);
      f.soc_last_seen.emplace_back(s.id, it == soc_last_seen.end() ? 0 : it->second);
    }
  };
  socs_of(org);
  // Bodies without their own SOC report through their parent's (see data/registry/README.md).
  if (f.soc_last_seen.empty() && o && !o->parent.empty()) socs_of(o->parent);
  f.systems = systems.list(org);
  f.directives = directives.record(org, now);
  f.incidents = incidents.sla_record(org, now);
  if (auto it = critical_vulns.find(org); it != critical_vulns.end()) f.critical_vulnerabilities = it->second;
  return f;
}

Result<std::vector<RankedScore>> rank_scores(const std::vector<ComplianceScore>& scores, std::string_view scope) {
  std::string_view kind = scope, value;
  if (auto colon = scope.find(':'); colon != std::string_view::npos) {
    kind = scope.substr(0, colon);
    value = scope.substr(colon + 1);
  }
  if (!(kind == "national" && value.empty()) && !((kind == "sector" || kind == "province") && !value.empty()))
    return fail(fmt::format("ranking scope '{}': expected national, sector:<id> or province:<id>", scope));
  std::vector<ComplianceScore> in;
  for (const auto& s : scores) {
    if (kind == "sector" && s.sector != value) continue;
    if (kind == "province" && s.province != value) continue;
    in.push_back(s);
  }
  std::sort(in.begin(), in.end(), [](const ComplianceScore& a, const ComplianceScore& b) {
    return a.score != b.score ? a.score > b.score : a.org < b.org;
  });
  std::vector<RankedScore> out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    int rank = (i > 0 && in[i].score == in[i - 1].score) ? out.back().rank : static_cast<int>(i) + 1;
    out.push_back({rank, std::move(in[i])});
  }
  return out;
}

std::string compliance_score_to_json(const ComplianceScore& s) {
  nlohmann::json j{{"org", s.org}, {"sector", s.sector}, {"province", s.province}, {"score", s.score}};
  auto comps = nlohmann::json::array();
  for (const auto& c : s.components) {
    comps.push_back({{"name", c.name},
                     {"weight", c.weight},
                     {"value", c.value},
                     {"points", c.points},
                     {"facts", nlohmann::json::parse(c.facts, nullptr, false)}});
  }
  j["components"] = comps;
  return dump(j);
}

Result<ComplianceScore> compliance_score_from_json(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return fail("compliance score: not a JSON object");
  ComplianceScore s;
  try {
    s.org = j.value("org", "");
    s.sector = j.value("sector", "");
    s.province = j.value("province", "");
    s.score = j.value("score", 0.0);
    if (j.contains("components"))
      for (const auto& c : j["components"])
        s.components.push_back({c.value("name", ""), c.value("weight", 0.0), c.value("value", 0.0),
                                c.value("points", 0.0), c.contains("facts") ? dump(c["facts"]) : "{}"});
  } catch (const nlohmann::json::exception& e) {
    return fail(fmt::format("compliance score: {}", e.what()));
  }
  return s;
}

}  // namespace khien
