// Directive model names and JSON form.
#include "cases/directive.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <utility>

namespace khien {

namespace {
constexpr std::array<std::pair<DirectiveTlp, std::string_view>, 5> kTlp{{{DirectiveTlp::clear, "clear"},
                                                                {DirectiveTlp::green, "green"},
                                                                {DirectiveTlp::amber, "amber"},
                                                                {DirectiveTlp::amber_strict, "amber+strict"},
                                                                {DirectiveTlp::red, "red"}}};

nlohmann::json evidence_list(const std::vector<EvidenceRef>& v) {
  auto out = nlohmann::json::array();
  for (const auto& r : v)
    out.push_back({{"sha256", r.sha256}, {"name", r.name}, {"media_type", r.media_type}, {"size", r.size}});
  return out;
}
std::vector<EvidenceRef> evidence_from(const nlohmann::json& j) {
  std::vector<EvidenceRef> out;
  if (!j.is_array()) return out;
  for (const auto& r : j)
    out.push_back(
        {r.value("sha256", ""), r.value("name", ""), r.value("media_type", ""), r.value("size", std::uint64_t{0})});
  return out;
}
std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
using Strings = std::vector<std::string>;
}  // namespace

std::string_view to_string(DirectiveKind k) {
  return k == DirectiveKind::warning ? "warning" : "directive";
}

std::string_view to_string(DirectiveTlp t) {
  for (const auto& [v, n] : kTlp)
    if (v == t) return n;
  return "amber";
}

std::optional<DirectiveKind> parse_directive_kind(std::string_view text) {
  if (text == "directive") return DirectiveKind::directive;
  if (text == "warning") return DirectiveKind::warning;
  return std::nullopt;
}

std::optional<DirectiveTlp> parse_directive_tlp(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.rfind("tlp:", 0) == 0) lower = lower.substr(4);
  if (lower == "white") lower = "clear";  // TLP 1.0 spelling
  for (const auto& [v, n] : kTlp)
    if (n == lower) return v;
  return std::nullopt;
}

std::string directive_to_json(const Directive& d) {
  nlohmann::json j;
  j["id"] = d.id;
  j["kind"] = to_string(d.kind);
  j["issuer"] = d.issuer;
  j["title"] = d.title;
  j["required_actions"] = d.required_actions;
  j["issued"] = d.issued;
  j["deadline"] = d.deadline;
  j["tlp"] = to_string(d.tlp);
  j["attachments"] = evidence_list(d.attachments);
  j["selector"] = {{"sectors", d.selector.sectors},     {"provinces", d.selector.provinces},
                   {"org_types", d.selector.org_types}, {"min_security_level", d.selector.min_security_level},
                   {"cves", d.selector.cves},           {"orgs", d.selector.orgs}};
  j["targets"] = d.targets;
  j["issued_by"] = d.issued_by;
  return dump(j);
}

Result<Directive> directive_from_json(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return fail("directive: stored document is not a JSON object");
  Directive d;
  try {
    d.id = j.value("id", "");
    d.kind = parse_directive_kind(j.value("kind", "directive")).value_or(DirectiveKind::directive);
    d.issuer = j.value("issuer", "");
    d.title = j.value("title", "");
    d.required_actions = j.value("required_actions", Strings{});
    d.issued = j.value("issued", TimeNs{0});
    d.deadline = j.value("deadline", TimeNs{0});
    d.tlp = parse_directive_tlp(j.value("tlp", "amber")).value_or(DirectiveTlp::amber);
    if (j.contains("attachments")) d.attachments = evidence_from(j["attachments"]);
    if (j.contains("selector")) {
      const auto& s = j["selector"];
      d.selector.sectors = s.value("sectors", Strings{});
      d.selector.provinces = s.value("provinces", Strings{});
      d.selector.org_types = s.value("org_types", Strings{});
      d.selector.min_security_level = s.value("min_security_level", 0);
      d.selector.cves = s.value("cves", Strings{});
      d.selector.orgs = s.value("orgs", Strings{});
    }
    d.targets = j.value("targets", Strings{});
    d.issued_by = j.value("issued_by", "");
  } catch (const nlohmann::json::exception& e) {
    return fail(fmt::format("directive: {}", e.what()));
  }
  return d;
}

std::string directive_target_to_json(const DirectiveTarget& t) {
  nlohmann::json j{{"directive_id", t.directive_id},         {"org", t.org},
                   {"acknowledged_at", t.acknowledged_at},   {"acknowledged_by", t.acknowledged_by},
                   {"completed_at", t.completed_at},         {"completed_by", t.completed_by},
                   {"completion_text", t.completion_text},   {"evidence", evidence_list(t.evidence)},
                   {"escalation_level", t.escalation_level}, {"escalated_to", t.escalated_to}};
  return dump(j);
}

Result<DirectiveTarget> directive_target_from_json(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return fail("directive target: stored document is not a JSON object");
  DirectiveTarget t;
  try {
    t.directive_id = j.value("directive_id", "");
    t.org = j.value("org", "");
    t.acknowledged_at = j.value("acknowledged_at", TimeNs{0});
    t.acknowledged_by = j.value("acknowledged_by", "");
    t.completed_at = j.value("completed_at", TimeNs{0});
    t.completed_by = j.value("completed_by", "");
    t.completion_text = j.value("completion_text", "");
    if (j.contains("evidence")) t.evidence = evidence_from(j["evidence"]);
    t.escalation_level = j.value("escalation_level", 0);
    t.escalated_to = j.value("escalated_to", "");
  } catch (const nlohmann::json::exception& e) {
    return fail(fmt::format("directive target: {}", e.what()));
  }
  return t;
}

}  // namespace khien
