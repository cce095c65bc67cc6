// Loading and applying field-mapping pipelines.
#include "detect/field_pipeline.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "core/text.h"
#include "core/yaml_guard.h"

namespace khien {

namespace {

std::vector<std::string> strings_of(const YAML::Node& n) {
  std::vector<std::string> out;
  if (!n || n.IsNull()) return out;
  if (n.IsScalar()) { out.push_back(n.Scalar()); return out; }
  for (const auto& x : n) out.push_back(x.as<std::string>());
  return out;
}

std::vector<std::pair<std::string, std::vector<std::string>>> mapping_of(const YAML::Node& n) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  if (!n || n.IsNull()) return out;
  for (const auto& kv : n) out.emplace_back(kv.first.as<std::string>(), strings_of(kv.second));
  return out;
}

std::string where(std::string_view file, const YAML::Node& n) {
  return std::string(file) + ":" + std::to_string(n.Mark().is_null() ? 0 : n.Mark().line + 1);
}

}  // namespace

std::vector<std::string> LogsourceVariant::resolve(std::string_view sigma_field) const {
  std::vector<std::string> names{std::string(sigma_field)};
  for (const auto& [from, to] : renames)
    if (from == sigma_field) { names = to; break; }
  std::vector<std::string> out;
  auto add = [&](std::string s) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  };
  for (const auto& n : names) {
    bool mapped = false;
    for (const auto& [from, to] : fields) {
      if (from != n) continue;
      for (const auto& t : to) add(t);
      mapped = true;
      break;
    }
    if (mapped) continue;
    if (prefixes.empty()) add(n);
    for (const auto& p : prefixes) add(p + n);
  }
  return out;
}

Status FieldPipeline::load_text(std::string_view text, std::string_view file) {
  if (auto refused = yaml_refusal(text))
    return fail(std::string(file) + ":" + std::to_string(refused->line) + ": invalid YAML: " + refused->reason);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail(std::string(file) + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  try {
    if (!root.IsMap()) return fail(std::string(file) + ": a pipeline must be a map");
    const auto prefixes = strings_of(root["field_prefixes"]);
    const auto fields = mapping_of(root["fields"]);
    const YAML::Node ls = root["logsources"];
    if (!ls || !ls.IsSequence()) return fail(where(file, root) + ": 'logsources' must be a list");
    for (const auto& e : ls) {
      Entry entry;
      const YAML::Node match = e["match"];
      if (!match || !match.IsMap()) return fail(where(file, e) + ": each logsource needs a 'match' map");
      for (const auto& kv : match) {
        const std::string k = kv.first.as<std::string>();
        std::string v = ascii_lower(kv.second.as<std::string>());
        if (k == "product") entry.product = v;
        else if (k == "category") entry.category = v;
        else if (k == "service") entry.service = v;
        else return fail(where(file, kv.first) + ": match key '" + k + "': expected product, category or service");
      }
      LogsourceVariant& v = entry.variant;
      v.name = e["name"] ? e["name"].as<std::string>() : entry.product + "/" + entry.category + "/" + entry.service;
      if (const YAML::Node c = e["conditions"]) {
        for (const auto& kv : c) v.conditions.push_back({kv.first.as<std::string>(), strings_of(kv.second)});
      }
      v.renames = mapping_of(e["fields"]);
      v.fields = fields;
      v.prefixes = prefixes;
      std::ostringstream key;
      for (const auto& c : v.conditions) {
        key << c.field << '=';
        for (const auto& x : c.values) key << x << ',';
        key << ';';
      }
      key << '|';
      for (const auto& [a, b] : v.renames) {
        key << a << '>';
        for (const auto& x : b) key << x << ',';
        key << ';';
      }
      key << '|' << file;
      v.key = key.str();
      entries_.push_back(std::move(entry));
    }
  } catch (const YAML::Exception& e) {
    return fail(std::string(file) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return {};
}

Status FieldPipeline::load_dir(const std::string& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& de : std::filesystem::directory_iterator(dir, ec)) {
    const auto ext = de.path().extension();
    if (ext == ".yaml" || ext == ".yml") files.push_back(de.path());
  }
  if (ec) return fail("pipeline directory " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (auto st = load_text(ss.str(), f.string()); !st) return st;
  }
  return {};
}

Result<FieldPipeline> FieldPipeline::load_default(const std::string& source_dir) {
  FieldPipeline p;
  if (auto st = p.load_dir(source_dir + "/data/pipelines"); !st) return tl::unexpected(st.error());
  return p;
}

std::vector<const LogsourceVariant*> FieldPipeline::variants(const SigmaLogsource& ls) const {
  std::vector<const LogsourceVariant*> out;
  int best = 0;
  for (const auto& e : entries_) {
    int score = 0;
    bool ok = true;
    auto test = [&](const std::string& want, const std::string& have) {
      if (want.empty()) return;
      if (want == have) ++score;
      else ok = false;
    };
    test(e.product, ls.product);
    test(e.category, ls.category);
    test(e.service, ls.service);
    if (!ok || score == 0) continue;
    if (score > best) { best = score; out.clear(); }
    if (score == best) out.push_back(&e.variant);
  }
  return out;
}

}  // namespace khien
