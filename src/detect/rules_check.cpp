// Loading rule trees, the `rules check` report and `rules test` matching.
#include "detect/rules_check.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/json_writer.h"

namespace khien {

namespace {

bool is_rule_file(const std::filesystem::path& p) {
  const auto ext = p.extension();
  return ext == ".yml" || ext == ".yaml";
}

}  // namespace

LoadedRules load_rules(const std::vector<std::string>& paths, const SigmaPlaceholders& placeholders) {
  LoadedRules out;
  std::vector<std::filesystem::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      for (auto it = std::filesystem::recursive_directory_iterator(p, ec); !ec && it != std::filesystem::recursive_directory_iterator();
           it.increment(ec))
        if (it->is_regular_file(ec) && is_rule_file(it->path())) files.push_back(it->path());
      if (ec) out.errors.push_back({p, 0, "cannot read directory: " + ec.message()});
    } else if (std::filesystem::is_regular_file(p, ec)) {
      files.emplace_back(p);
    } else {
      out.errors.push_back({p, 0, "no such file or directory"});
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      out.errors.push_back({f.string(), 0, "cannot open file"});
      continue;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    ++out.files;
    parse_sigma_text(ss.str(), f.string(), out.rules, out.errors, placeholders);
  }
  return out;
}

RulesCheckReport check_rules(const std::vector<std::string>& paths, const FieldPipeline* pipeline,
                             const SigmaPlaceholders& placeholders) {
  RulesCheckReport r;
  LoadedRules loaded = load_rules(paths, placeholders);
  r.files = loaded.files;
  r.loaded = loaded.rules.size();
  r.documents = loaded.rules.size() + loaded.errors.size();
  r.failures = std::move(loaded.errors);
  for (const auto& rule : loaded.rules) {
    static const char* const kKinds[] = {"detection", "correlation", "filter"};
    ++r.by_kind[kKinds[static_cast<int>(rule.kind)]];
    if (rule.kind != SigmaKind::Detection) continue;
    ++r.by_status[rule.status.empty() ? "(none)" : rule.status];
    ++r.by_product[rule.logsource.product.empty() ? "(none)" : rule.logsource.product];
    for (const auto& m : rule.modifiers) ++r.by_modifier[m];
  }
  if (pipeline) {
    auto set = compile_rules(std::move(loaded.rules), *pipeline);
    if (!set) {
      r.compile_error = set.error().message;
    } else {
      r.compiled = set->size();
      r.unsupported = set->skipped();
    }
  }
  return r;
}

std::string RulesCheckReport::to_text() const {
  std::ostringstream o;
  o << "files: " << files << "\ndocuments: " << documents << " (" << loaded << " parsed, " << failures.size()
    << " failed)\n";
  auto section = [&](const char* title, const std::map<std::string, std::size_t>& m) {
    o << title << ":\n";
    for (const auto& [k, v] : m) o << "  " << k << ": " << v << '\n';
  };
  section("by kind", by_kind);
  section("by status", by_status);
  section("by product", by_product);
  section("by modifier", by_modifier);
  if (compiled || !unsupported.empty()) {
    o << "compiled: " << compiled << "\nnot runnable here: " << unsupported.size() << '\n';
    for (const auto& u : unsupported) o << "  " << u.file << ':' << u.line << ": " << u.reason << '\n';
  }
  if (!compile_error.empty()) o << "rule set error: " << compile_error << '\n';
  if (!failures.empty()) {
    o << "failures:\n";
    for (const auto& f : failures) o << f.file << ':' << f.line << ": " << f.reason << '\n';
  }
  return o.str();
}

std::vector<RuleTestMatch> rules_test(const RuleSet& rules, std::span<const Event> events) {
  std::vector<RuleTestMatch> out;
  auto scratch = rules.make_scratch();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::size_t before = out.size();
    rules.match(events[i], scratch, [&](std::size_t r) { out.push_back({r, i}); });
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(before), out.end(),
              [](const RuleTestMatch& a, const RuleTestMatch& b) { return a.rule < b.rule; });
  }
  return out;
}

std::string rules_test_ndjson(const RuleSet& rules, const std::vector<RuleTestMatch>& matches) {
  std::string out;
  for (const auto& m : matches) {
    const SigmaRule& r = rules.rule(m.rule);
    out += "{\"rule_id\":";
    append_json_string(out, r.id);
    out += ",\"rule\":";
    append_json_string(out, r.title);
    out += ",\"event\":";
    out += std::to_string(m.event);
    out += "}\n";
  }
  return out;
}

}  // namespace khien
