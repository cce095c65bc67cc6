// NVD API 2.0, CVE JSON 5 and KEV item parsers.
#include "vuln/feed_parsers.h"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace khien {

using nlohmann::json;

namespace {

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json* member(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

const json* array_member(const json& j, const char* key) {
  const json* m = member(j, key);
  return m && m->is_array() ? m : nullptr;
}

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string upper(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

// The English text of a [{lang, value}] array, else the first one.
std::string pick_description(const json* arr) {
  if (!arr) return {};
  std::string first;
  for (const auto& d : *arr) {
    std::string lang = str(d, "lang"), value = str(d, "value");
    if (lang == "en" || lang.rfind("en-", 0) == 0 || lang.rfind("en_", 0) == 0) return value;
    if (first.empty()) first = value;
  }
  return first;
}

void add_cwe(std::vector<std::string>& out, const std::string& cwe) {
  if (cwe.rfind("CWE-", 0) != 0) return;  // NVD-CWE-noinfo / NVD-CWE-Other carry no weakness id
  for (const auto& c : out)
    if (c == cwe) return;
  out.push_back(cwe);
}

Result<CvssScore> read_cvss(const json& data, std::string_view version, std::string_view where) {
  CvssScore s;
  s.version = str(data, "version");
  if (s.version.empty()) s.version = std::string(version);
  const json* score = member(data, "baseScore");
  if (!score || !score->is_number()) return fail(fmt::format("{}: baseScore is missing or not a number", where));
  s.base_score = score->get<double>();
  if (!(s.base_score >= 0 && s.base_score <= 10)) return fail(fmt::format("{}: baseScore {} is outside 0..10", where, s.base_score));
  s.vector = str(data, "vectorString");
  s.severity = upper(str(data, "baseSeverity"));
  return s;
}

Result<PackageVersion> read_bound(const json& m, const char* key, bool& present, std::string_view where) {
  present = false;
  const json* v = member(m, key);
  if (!v || v->is_null()) return PackageVersion("");
  if (!v->is_string() || v->get<std::string>().empty()) return fail(fmt::format("{}: {} must be a non-empty string", where, key));
  present = true;
  return PackageVersion(v->get<std::string>());
}

Result<ConfigNode> read_node(const json& n, const std::string& where, int depth) {
  if (depth > 16) return fail(fmt::format("{}: nodes nested deeper than 16 levels", where));
  if (!n.is_object()) return fail(fmt::format("{}: node is not an object", where));
  ConfigNode node;
  std::string op = str(n, "operator");
  if (op == "AND") node.op = NodeOperator::op_and;
  else if (op == "OR" || op.empty()) node.op = NodeOperator::op_or;
  else return fail(fmt::format("{}: operator '{}' is neither AND nor OR", where, op));
  if (const json* neg = member(n, "negate"); neg && !neg->is_null()) {
    if (!neg->is_boolean()) return fail(fmt::format("{}: negate is not a boolean", where));
    node.negate = neg->get<bool>();
  }
  const json* matches = member(n, "cpeMatch");
  if (matches && !matches->is_array()) return fail(fmt::format("{}: cpeMatch is not an array", where));
  if (matches) {
    for (std::size_t i = 0; i < matches->size(); ++i) {
      const json& m = (*matches)[i];
      auto mw = fmt::format("{}.cpeMatch[{}]", where, i);
      if (!m.is_object()) return fail(fmt::format("{}: not an object", mw));
      CpeMatch cm;
      const json* vul = member(m, "vulnerable");
      if (!vul || !vul->is_boolean()) return fail(fmt::format("{}: vulnerable is missing or not a boolean", mw));
      cm.vulnerable = vul->get<bool>();
      cm.criteria_text = str(m, "criteria");
      if (cm.criteria_text.empty()) return fail(fmt::format("{}: criteria is missing", mw));
      auto cpe = Cpe::parse(cm.criteria_text);
      if (!cpe) return fail(fmt::format("{}: criteria '{}': {}", mw, cm.criteria_text, cpe.error().message));
      cm.criteria = std::move(*cpe);
      cm.match_criteria_id = str(m, "matchCriteriaId");
      bool present = false;
      static constexpr const char* kBounds[] = {"versionStartIncluding", "versionStartExcluding", "versionEndIncluding", "versionEndExcluding"};
      std::optional<PackageVersion>* slots[] = {&cm.start_including, &cm.start_excluding, &cm.end_including, &cm.end_excluding};
      for (int b = 0; b < 4; ++b) {
        auto v = read_bound(m, kBounds[b], present, mw);
        if (!v) return tl::unexpected(v.error());
        if (present) *slots[b] = std::move(*v);
      }
      node.matches.push_back(std::move(cm));
    }
  }
  if (const json* children = member(n, "children"); children && !children->is_null()) {
    if (!children->is_array()) return fail(fmt::format("{}: children is not an array", where));
    for (std::size_t i = 0; i < children->size(); ++i) {
      auto child = read_node((*children)[i], fmt::format("{}.children[{}]", where, i), depth + 1);
      if (!child) return tl::unexpected(child.error());
      node.children.push_back(std::move(*child));
    }
  }
  return node;
}

// CVE JSON 5 metrics[] entries: cvssV4_0, cvssV3_1, cvssV3_0, cvssV2_0, and `other` (SSVC, KEV).
Status read_cve5_metrics(const json* metrics, const std::string& source, FeedRecord& rec, const std::string& where) {
  if (!metrics) return {};
  static constexpr std::pair<const char*, const char*> kKeys[] = {
      {"cvssV4_0", "4.0"}, {"cvssV3_1", "3.1"}, {"cvssV3_0", "3.0"}, {"cvssV2_0", "2.0"}};
  for (std::size_t i = 0; i < metrics->size(); ++i) {
    const json& m = (*metrics)[i];
    for (auto [key, version] : kKeys) {
      const json* data = member(m, key);
      if (!data) continue;
      auto s = read_cvss(*data, version, fmt::format("{}.metrics[{}].{}", where, i, key));
      if (!s) return tl::unexpected(s.error());
      s->source = source;
      rec.cvss.push_back(std::move(*s));
    }
    if (const json* other = member(m, "other"); other && other->is_object()) {
      std::string type = str(*other, "type");
      const json* content = member(*other, "content");
      if (type == "ssvc" && content) {
        Ssvc ssvc;
        if (const json* options = array_member(*content, "options")) {
          for (const auto& o : *options) {
            if (!o.is_object()) continue;
            if (auto e = str(o, "Exploitation"); !e.empty()) ssvc.exploitation = e;
            if (auto a = str(o, "Automatable"); !a.empty()) ssvc.automatable = a;
            if (auto t = str(o, "Technical Impact"); !t.empty()) ssvc.technical_impact = t;
          }
        }
        rec.ssvc = ssvc;
      } else if (type == "kev" && content) {
        rec.kev_date_added = str(*content, "dateAdded");
      }
    }
  }
  return {};
}

void read_cve5_problem_types(const json* types, FeedRecord& rec) {
  if (!types) return;
  for (const auto& t : *types) {
    if (const json* ds = array_member(t, "descriptions"))
      for (const auto& d : *ds) add_cwe(rec.cwes, str(d, "cweId"));
  }
}

// affected[] entries that name CPEs become configurations: each listed CPE with the entry's affected
// version ranges (version .. lessThan / lessThanOrEqual), or exact versions.
Status read_cve5_affected(const json* affected, FeedRecord& rec, const std::string& where) {
  if (!affected) return {};
  for (std::size_t a = 0; a < affected->size(); ++a) {
    const json& entry = (*affected)[a];
    const json* cpes = array_member(entry, "cpes");
    if (!cpes || cpes->empty()) continue;
    ConfigNode node;
    const json* versions = array_member(entry, "versions");
    for (std::size_t c = 0; c < cpes->size(); ++c) {
      const json& cj = (*cpes)[c];
      auto cw = fmt::format("{}.affected[{}].cpes[{}]", where, a, c);
      if (!cj.is_string()) return fail(fmt::format("{}: not a string", cw));
      auto cpe = Cpe::parse(cj.get<std::string>());
      if (!cpe) return fail(fmt::format("{}: '{}': {}", cw, cj.get<std::string>(), cpe.error().message));
      bool any_version = false;
      if (versions) {
        for (const auto& v : *versions) {
          if (str(v, "status") != "affected") continue;
          any_version = true;
          std::string version = trim(str(v, "version"));
          std::string less = trim(str(v, "lessThan")), less_eq = trim(str(v, "lessThanOrEqual"));
          CpeMatch m;
          m.vulnerable = true;
          m.criteria = *cpe;
          if (!less.empty() || !less_eq.empty()) {
            m.criteria.set(CpeAttribute::version, CpeValue::any());
            if (!version.empty() && version != "0" && version != "*") m.start_including = PackageVersion(version);
            if (!less.empty() && less != "*") m.end_excluding = PackageVersion(less);
            if (!less_eq.empty() && less_eq != "*") m.end_including = PackageVersion(less_eq);
          } else if (!version.empty() && version != "*" && cpe->version().is_any()) {
            m.criteria.set(CpeAttribute::version, CpeValue::literal(version));
          }
          m.criteria_text = m.criteria.to_formatted();
          node.matches.push_back(std::move(m));
        }
      }
      if (!any_version) {
        CpeMatch m;
        m.criteria = *cpe;
        m.criteria_text = cpe->to_formatted();
        node.matches.push_back(std::move(m));
      }
    }
    if (node.matches.empty()) continue;
    Configuration config;
    config.nodes.push_back(std::move(node));
    rec.configurations.push_back(std::move(config));
  }
  return {};
}

}  // namespace

std::string_view feed_kind_name(FeedKind k) {
  switch (k) {
    case FeedKind::nvd: return "NVD CVE API 2.0";
    case FeedKind::cve5: return "CVE JSON 5";
    case FeedKind::kev: return "CISA KEV catalogue";
    case FeedKind::epss: return "EPSS CSV";
    case FeedKind::unknown: return "unknown";
  }
  return "unknown";
}

FeedKind detect_feed_kind(std::string_view text) {
  std::size_t i = text.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos) return FeedKind::unknown;
  if (text.substr(i).rfind("#model_version", 0) == 0 || text.substr(i).rfind("cve,epss", 0) == 0) return FeedKind::epss;
  if (text[i] != '{' && text[i] != '[') return FeedKind::unknown;
  // Look at the top-level keys without a full parse: they name the kind in each of these formats.
  auto head = text.substr(0, 1 << 16);
  if (head.find("\"dataType\"") != std::string_view::npos && head.find("CVE_RECORD") != std::string_view::npos) return FeedKind::cve5;
  if (head.find("\"catalogVersion\"") != std::string_view::npos) return FeedKind::kev;
  if (head.find("\"NVD_CVE\"") != std::string_view::npos) return FeedKind::nvd;
  if (head.find("\"vulnerabilities\"") != std::string_view::npos && head.find("\"cve\"") != std::string_view::npos) return FeedKind::nvd;
  return FeedKind::unknown;
}

bool is_cve_id(std::string_view id) {
  if (id.size() < 13 || id.substr(0, 4) != "CVE-" || id[8] != '-') return false;
  for (std::size_t i = 4; i < 8; ++i)
    if (id[i] < '0' || id[i] > '9') return false;
  for (std::size_t i = 9; i < id.size(); ++i)
    if (id[i] < '0' || id[i] > '9') return false;
  return id.size() <= 24;
}

Result<std::vector<Configuration>> parse_nvd_configurations(const json& configurations) {
  std::vector<Configuration> out;
  if (configurations.is_null()) return out;
  if (!configurations.is_array()) return fail("configurations is not an array");
  for (std::size_t c = 0; c < configurations.size(); ++c) {
    const json& cj = configurations[c];
    auto where = fmt::format("configurations[{}]", c);
    if (!cj.is_object()) return fail(fmt::format("{}: not an object", where));
    Configuration config;
    std::string op = str(cj, "operator");
    if (op == "AND") config.op = NodeOperator::op_and;
    else if (op == "OR" || op.empty()) config.op = NodeOperator::op_or;
    else return fail(fmt::format("{}: operator '{}' is neither AND nor OR", where, op));
    if (const json* neg = member(cj, "negate"); neg && neg->is_boolean()) config.negate = neg->get<bool>();
    const json* nodes = array_member(cj, "nodes");
    if (!nodes) return fail(fmt::format("{}: nodes is missing or not an array", where));
    for (std::size_t n = 0; n < nodes->size(); ++n) {
      auto node = read_node((*nodes)[n], fmt::format("{}.nodes[{}]", where, n), 0);
      if (!node) return tl::unexpected(node.error());
      config.nodes.push_back(std::move(*node));
    }
    if (auto st = validate_configuration(config, c); !st) return tl::unexpected(st.error());
    out.push_back(std::move(config));
  }
  return out;
}

Result<FeedRecord> parse_nvd_cve(const json& cve) {
  FeedRecord rec;
  rec.published = str(cve, "published");
  rec.modified = str(cve, "lastModified");
  rec.state = str(cve, "vulnStatus");
  rec.description = pick_description(array_member(cve, "descriptions"));
  if (const json* metrics = member(cve, "metrics"); metrics && metrics->is_object()) {
    static constexpr std::pair<const char*, const char*> kKeys[] = {
        {"cvssMetricV40", "4.0"}, {"cvssMetricV31", "3.1"}, {"cvssMetricV30", "3.0"}, {"cvssMetricV2", "2.0"}};
    for (auto [key, version] : kKeys) {
      const json* list = array_member(*metrics, key);
      if (!list) continue;
      for (std::size_t i = 0; i < list->size(); ++i) {
        const json& m = (*list)[i];
        auto where = fmt::format("metrics.{}[{}]", key, i);
        const json* data = member(m, "cvssData");
        if (!data || !data->is_object()) return fail(fmt::format("{}: cvssData is missing", where));
        auto s = read_cvss(*data, version, where + ".cvssData");
        if (!s) return tl::unexpected(s.error());
        if (s->severity.empty()) s->severity = upper(str(m, "baseSeverity"));  // v2 keeps it outside cvssData
        s->source = str(m, "source");
        s->primary = str(m, "type") == "Primary";
        rec.cvss.push_back(std::move(*s));
      }
    }
  }
  if (const json* weaknesses = array_member(cve, "weaknesses")) {
    for (const auto& w : *weaknesses) {
      if (const json* ds = array_member(w, "description"))
        for (const auto& d : *ds) add_cwe(rec.cwes, str(d, "value"));
    }
  }
  if (const json* configs = member(cve, "configurations")) {
    auto parsed = parse_nvd_configurations(*configs);
    if (!parsed) return tl::unexpected(parsed.error());
    rec.configurations = std::move(*parsed);
  }
  rec.kev_date_added = str(cve, "cisaExploitAdd");
  rec.kev_due_date = str(cve, "cisaActionDue");
  return rec;
}

Result<FeedRecord> parse_cve5_record(const json& record, std::string& id) {
  if (!record.is_object()) return fail("record is not a JSON object");
  const json* meta = member(record, "cveMetadata");
  if (meta) id = str(*meta, "cveId");
  std::string data_type = str(record, "dataType");
  if (data_type != "CVE_RECORD") return fail(fmt::format("dataType is '{}', expected CVE_RECORD: not a CVE JSON 5 record", data_type));
  std::string data_version = str(record, "dataVersion");
  if (data_version.rfind("5.", 0) != 0) return fail(fmt::format("unknown CVE schema version '{}' (expected 5.x)", data_version));
  if (!meta || !meta->is_object()) return fail("cveMetadata is missing");
  if (!is_cve_id(id)) return fail(fmt::format("cveMetadata.cveId '{}' is not a CVE id", id));
  FeedRecord rec;
  rec.state = str(*meta, "state");
  rec.published = str(*meta, "datePublished");
  rec.modified = str(*meta, "dateUpdated");
  const json* containers = member(record, "containers");
  const json* cna = containers ? member(*containers, "cna") : nullptr;
  if (!cna || !cna->is_object()) return fail("containers.cna is missing");
  const json* cna_meta = member(*cna, "providerMetadata");
  std::string cna_name = cna_meta ? str(*cna_meta, "shortName") : std::string();
  rec.description = pick_description(array_member(*cna, "descriptions"));
  if (auto st = read_cve5_metrics(array_member(*cna, "metrics"), cna_name.empty() ? "cna" : cna_name, rec, "containers.cna"); !st)
    return tl::unexpected(st.error());
  read_cve5_problem_types(array_member(*cna, "problemTypes"), rec);
  if (auto st = read_cve5_affected(array_member(*cna, "affected"), rec, "containers.cna"); !st) return tl::unexpected(st.error());
  if (const json* adps = array_member(*containers, "adp")) {
    for (std::size_t i = 0; i < adps->size(); ++i) {
      const json& adp = (*adps)[i];
      auto where = fmt::format("containers.adp[{}]", i);
      std::string name = member(adp, "providerMetadata") ? str(*member(adp, "providerMetadata"), "shortName") : "";
      if (auto st = read_cve5_metrics(array_member(adp, "metrics"), name.empty() ? "adp" : name, rec, where); !st)
        return tl::unexpected(st.error());
      read_cve5_problem_types(array_member(adp, "problemTypes"), rec);
      if (auto st = read_cve5_affected(array_member(adp, "affected"), rec, where); !st) return tl::unexpected(st.error());
    }
  }
  return rec;
}

Result<KevEntry> parse_kev_entry(const json& e) {
  if (!e.is_object()) return fail("entry is not an object");
  KevEntry k;
  k.vendor_project = str(e, "vendorProject");
  k.product = str(e, "product");
  k.vulnerability_name = str(e, "vulnerabilityName");
  k.short_description = str(e, "shortDescription");
  k.required_action = str(e, "requiredAction");
  k.notes = str(e, "notes");
  k.date_added = str(e, "dateAdded");
  k.due_date = str(e, "dueDate");
  k.known_ransomware_campaign_use = str(e, "knownRansomwareCampaignUse");
  if (k.date_added.empty()) return fail("dateAdded is missing");
  if (const json* cwes = array_member(e, "cwes"))
    for (const auto& c : *cwes)
      if (c.is_string()) add_cwe(k.cwes, c.get<std::string>());
  return k;
}

}  // namespace khien
