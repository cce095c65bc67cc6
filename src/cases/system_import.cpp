// YAML and CSV readers for information systems; both collect every problem before failing.
#include "cases/system_import.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <map>
#include <set>

#include "core/yaml_guard.h"
#include "store/registry_data.h"

namespace khien {

namespace {

constexpr std::size_t kMaxImportBytes = 16u << 20;

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

std::optional<bool> parse_bool(std::string_view t) {
  if (t == "true" || t == "yes" || t == "1") return true;
  if (t == "false" || t == "no" || t == "0" || t.empty()) return false;
  return std::nullopt;
}

std::optional<int> parse_level(std::string_view t) {
  int v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size() || v < 1 || v > 5) return std::nullopt;
  return v;
}

// Reads one YAML file's systems, remembering where each field was so validation problems point at it.
class YamlReader {
 public:
  YamlReader(std::string label, std::vector<std::string>& errors) : label_(std::move(label)), errors_(errors) {}

  void error(const YAML::Mark& m, const std::string& path, std::string_view reason) {
    errors_.push_back(fmt::format("{}:{}:{}: {}: {}", label_, m.line < 0 ? 1 : m.line + 1,
                                  m.column < 0 ? 1 : m.column + 1, path, reason));
  }

  std::optional<std::string> scalar(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar()) {
      error(n.Mark(), path, "expected a single value, not a list or mapping");
      return std::nullopt;
    }
    return n.Scalar();
  }

  std::vector<std::string> list(const YAML::Node& n, const std::string& path,
                                std::map<std::string, YAML::Mark>& marks) {
    std::vector<std::string> out;
    if (n.IsNull()) return out;
    if (!n.IsSequence()) {
      error(n.Mark(), path, "expected a list");
      return out;
    }
    for (std::size_t i = 0; i < n.size(); ++i) {
      std::string item_path = fmt::format("{}[{}]", path, i);
      if (auto v = scalar(n[i], item_path)) {
        marks[item_path.substr(item_path.find('.') + 1)] = n[i].Mark();
        out.push_back(*v);
      }
    }
    return out;
  }

  // Reads what it can; `clean` is false when a field could not be read (the rest is still validated).
  std::optional<InformationSystem> read(const YAML::Node& n, std::size_t index,
                                        std::map<std::string, YAML::Mark>& marks, bool& clean) {
    std::string base = fmt::format("systems[{}]", index);
    if (!n.IsMap()) {
      error(n.Mark(), base, "expected a mapping with id, name, owner, security_level, ...");
      return std::nullopt;
    }
    InformationSystem s;
    std::size_t before = errors_.size();
    static const std::set<std::string> kKeys{
        "id",         "name",       "owner",     "security_level", "level_approved", "national_critical",
        "protection", "last_drill", "addresses", "domains",        "software"};
    for (const auto& kv : n) {
      if (!kv.first.IsScalar()) {
        error(kv.first.Mark(), base, "keys must be plain words");
        continue;
      }
      const std::string key = kv.first.Scalar();
      const YAML::Node& v = kv.second;
      std::string path = base + "." + key;
      marks[key] = v.Mark();
      if (!kKeys.count(key)) {
        error(kv.first.Mark(), path,
              "unknown field (expected one of id, name, owner, security_level, level_approved, "
              "national_critical, protection, last_drill, addresses, domains, software)");
      } else if (key == "id") {
        if (auto t = scalar(v, path)) s.id = *t;
      } else if (key == "name") {
        if (auto t = scalar(v, path)) s.name = *t;
      } else if (key == "owner") {
        if (auto t = scalar(v, path)) s.owner = *t;
      } else if (key == "security_level") {
        if (auto t = scalar(v, path)) {
          if (auto l = parse_level(*t))
            s.security_level = *l;
          else
            error(v.Mark(), path, fmt::format("'{}' is not a level from 1 to 5 (Decree 85/2016)", *t));
        }
      } else if (key == "level_approved" || key == "national_critical") {
        if (auto t = scalar(v, path)) {
          auto b = parse_bool(*t);
          if (!b)
            error(v.Mark(), path, fmt::format("'{}' is not true or false", *t));
          else
            (key == "level_approved" ? s.level_approved : s.national_critical) = *b;
        }
      } else if (key == "protection") {
        read_protection(v, path, s.protection);
      } else if (key == "last_drill") {
        if (v.IsNull()) continue;
        if (auto t = scalar(v, path)) {
          if (auto d = parse_civil_date(*t))
            s.last_drill = d;
          else
            error(v.Mark(), path, fmt::format("'{}' is not a date YYYY-MM-DD", *t));
        }
      } else if (key == "addresses") {
        s.addresses = list(v, path, marks);
      } else if (key == "domains") {
        s.domains = list(v, path, marks);
      } else if (key == "software") {
        s.software = list(v, path, marks);
      }
    }
    for (const char* required : {"id", "name", "owner", "security_level"}) {
      if (!n[required]) error(n.Mark(), base + "." + required, "is required");
    }
    clean = errors_.size() == before;
    return s;
  }

  void read_protection(const YAML::Node& v, const std::string& path, FourLayerProtection& p) {
    if (!v.IsMap()) {
      error(v.Mark(), path, "expected a mapping of on_site, monitoring, assessment, national_connection");
      return;
    }
    for (const auto& kv : v) {
      if (!kv.first.IsScalar()) {
        error(kv.first.Mark(), path, "keys must be plain words");
        continue;
      }
      const std::string key = kv.first.Scalar();
      std::string sub = path + "." + key;
      LayerStatus* target = key == "on_site"               ? &p.on_site
                            : key == "monitoring"          ? &p.monitoring
                            : key == "assessment"          ? &p.assessment
                            : key == "national_connection" ? &p.national_connection
                                                           : nullptr;
      if (!target) {
        error(kv.first.Mark(), sub, "unknown layer (expected on_site, monitoring, assessment, national_connection)");
        continue;
      }
      if (auto t = scalar(kv.second, sub)) {
        if (auto st = parse_layer_status(*t))
          *target = *st;
        else
          error(kv.second.Mark(), sub, fmt::format("'{}' is not none, partial or full", *t));
      }
    }
  }

 private:
  std::string label_;
  std::vector<std::string>& errors_;
};

}  // namespace

Result<std::vector<InformationSystem>> parse_systems_yaml(std::string_view text, const std::string& label,
                                                          const RegistryData* registry) {
  if (text.size() > kMaxImportBytes) return fail(fmt::format("{}: larger than {} bytes", label, kMaxImportBytes));
  std::vector<std::string> errors;
  YamlReader reader(label, errors);
  if (auto refused = yaml_refusal(text)) return fail(fmt::format("{}:{}: {}", label, refused->line, refused->reason));
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail(fmt::format("{}:{}:{}: {}", label, e.mark.line < 0 ? 1 : e.mark.line + 1,
                            e.mark.column < 0 ? 1 : e.mark.column + 1, e.msg));
  }
  std::vector<InformationSystem> out;
  try {
    if (!root.IsMap() || !root["systems"])
      return fail(fmt::format("{}:1:1: expected a mapping with a 'systems' list", label));
    for (const auto& kv : root) {
      if (!kv.first.IsScalar() || kv.first.Scalar() != "systems")
        reader.error(kv.first.Mark(), "", "unknown top-level key (only 'systems' is allowed)");
    }
    YAML::Node list = root["systems"];
    if (!list.IsSequence())
      return fail(
          fmt::format("{}:{}:{}: systems: expected a list", label, list.Mark().line + 1, list.Mark().column + 1));
    std::map<std::string, YAML::Mark> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::map<std::string, YAML::Mark> marks;
      bool ok = true;
      auto s = reader.read(list[i], i, marks, ok);
      if (!s) continue;
      std::string base = fmt::format("systems[{}]", i);
      for (const auto& p : validate_system(*s, registry)) {
        // A field that could not be read was reported already; do not report its default value.
        if ((p.field == "security_level" || p.field == "id" || p.field == "name" || p.field == "owner") && !ok &&
            !marks.count(p.field))
          continue;
        auto key = p.field.substr(0, p.field.find('['));
        auto it = marks.find(p.field);
        if (it == marks.end()) it = marks.find(key);
        reader.error(it != marks.end() ? it->second : list[i].Mark(), base + "." + p.field, p.reason);
        ok = false;
      }
      if (s->id.empty()) continue;
      if (auto [it, fresh] = seen.emplace(s->id, marks["id"]); !fresh) {
        reader.error(marks["id"], base + ".id",
                     fmt::format("duplicate id '{}' (first defined at line {})", s->id, it->second.line + 1));
        ok = false;
      }
      if (ok) out.push_back(std::move(*s));
    }
  } catch (const YAML::Exception& e) {
    errors.push_back(fmt::format("{}:{}:{}: {}", label, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (!errors.empty()) return fail(join_lines(errors));
  return out;
}

namespace {

// Splits CSV into records of fields, remembering each record's first line number.
struct CsvRecord {
  std::size_t line = 0;
  std::vector<std::string> fields;
};

Result<std::vector<CsvRecord>> split_csv(std::string_view text, const std::string& label) {
  std::vector<CsvRecord> out;
  CsvRecord rec;
  std::string field;
  std::size_t line = 1;
  rec.line = 1;
  bool quoted = false, field_started = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
      any = true;
    } else if (c == ',') {
      rec.fields.push_back(std::move(field));
      field.clear();
      field_started = false;
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        rec.fields.push_back(std::move(field));
        out.push_back(std::move(rec));
      }
      field.clear();
      rec = CsvRecord{};
      rec.line = ++line;
      field_started = false;
      any = false;
    } else {
      field += c;
      field_started = true;
      any = true;
    }
  }
  if (quoted) return fail(fmt::format("{}:{}: a quoted field is not closed", label, rec.line));
  if (any || !field.empty()) {
    rec.fields.push_back(std::move(field));
    out.push_back(std::move(rec));
  }
  return out;
}

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ';' || c == ' ' || c == '\t') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace

Result<std::vector<InformationSystem>> parse_systems_csv(std::string_view text, const std::string& label,
                                                         const RegistryData* registry) {
  if (text.size() > kMaxImportBytes) return fail(fmt::format("{}: larger than {} bytes", label, kMaxImportBytes));
  auto records = split_csv(text, label);
  if (!records) return tl::unexpected(records.error());
  if (records->empty()) return fail(fmt::format("{}:1: empty file: expected a header row", label));
  static const std::set<std::string> kColumns{
      "id",      "name",       "owner",      "security_level",      "level_approved", "national_critical",
      "on_site", "monitoring", "assessment", "national_connection", "last_drill",     "addresses",
      "domains", "software"};
  std::vector<std::string> errors;
  const auto& header = records->front();
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    std::string name = trim(header.fields[i]);
    if (!kColumns.count(name))
      errors.push_back(fmt::format("{}:{}: column {}: unknown column '{}'", label, header.line, i + 1, name));
    else if (!col.emplace(name, i).second)
      errors.push_back(fmt::format("{}:{}: column '{}' appears twice", label, header.line, name));
  }
  for (const char* required : {"id", "name", "owner", "security_level"})
    if (!col.count(required))
      errors.push_back(fmt::format("{}:{}: missing required column '{}'", label, header.line, required));
  if (!errors.empty()) return fail(join_lines(errors));

  std::vector<InformationSystem> out;
  std::map<std::string, std::size_t> seen;
  for (std::size_t r = 1; r < records->size(); ++r) {
    const auto& rec = (*records)[r];
    auto err = [&](const std::string& column, std::string_view reason) {
      errors.push_back(fmt::format("{}:{}: {}: {}", label, rec.line, column, reason));
    };
    if (rec.fields.size() != header.fields.size()) {
      err("row", fmt::format("has {} fields, the header has {}", rec.fields.size(), header.fields.size()));
      continue;
    }
    auto get = [&](const char* name) -> std::string {
      auto it = col.find(name);
      return it == col.end() ? std::string() : trim(rec.fields[it->second]);
    };
    std::size_t before = errors.size();
    InformationSystem s;
    s.id = get("id");
    s.name = get("name");
    s.owner = get("owner");
    if (auto l = parse_level(get("security_level")))
      s.security_level = *l;
    else
      err("security_level", fmt::format("'{}' is not a level from 1 to 5 (Decree 85/2016)", get("security_level")));
    for (const char* b : {"level_approved", "national_critical"}) {
      auto v = parse_bool(get(b));
      if (!v)
        err(b, fmt::format("'{}' is not true or false", get(b)));
      else
        (std::string_view(b) == "level_approved" ? s.level_approved : s.national_critical) = *v;
    }
    std::pair<const char*, LayerStatus*> layers[] = {{"on_site", &s.protection.on_site},
                                                     {"monitoring", &s.protection.monitoring},
                                                     {"assessment", &s.protection.assessment},
                                                     {"national_connection", &s.protection.national_connection}};
    for (auto& [name, target] : layers) {
      std::string v = get(name);
      if (v.empty()) continue;
      if (auto st = parse_layer_status(v))
        *target = *st;
      else
        err(name, fmt::format("'{}' is not none, partial or full", v));
    }
    if (std::string d = get("last_drill"); !d.empty()) {
      if (auto t = parse_civil_date(d))
        s.last_drill = t;
      else
        err("last_drill", fmt::format("'{}' is not a date YYYY-MM-DD", d));
    }
    s.addresses = split_list(get("addresses"));
    s.domains = split_list(get("domains"));
    s.software = split_list(get("software"));
    if (errors.size() != before) continue;
    bool ok = true;
    for (const auto& p : validate_system(s, registry)) {
      err(p.field, p.reason);
      ok = false;
    }
    if (auto [it, fresh] = seen.emplace(s.id, rec.line); !fresh) {
      err("id", fmt::format("duplicate id '{}' (first on line {})", s.id, it->second));
      ok = false;
    }
    if (ok) out.push_back(std::move(s));
  }
  if (!errors.empty()) return fail(join_lines(errors));
  return out;
}

}  // namespace khien
