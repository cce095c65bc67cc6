// STIX bundle export: the indicators and the identities and markings they reference, under TLP.
#include "intel/stix_bundle_exporter.h"

#include <fmt/format.h>

#include <deque>
#include <map>
#include <set>

#include "intel/tlp.h"
#include "store/state_store.h"

namespace khien {

namespace {

using json = nlohmann::json;

// The references a consumer needs to interpret an object: its creator and its markings.
std::vector<std::pair<std::string, std::string>> followed_references(const json& object) {
  std::vector<std::pair<std::string, std::string>> out;
  if (auto c = object.find("created_by_ref"); c != object.end() && c->is_string())
    out.emplace_back("created_by_ref", c->get<std::string>());
  if (auto m = object.find("object_marking_refs"); m != object.end() && m->is_array())
    for (std::size_t i = 0; i < m->size(); ++i)
      if ((*m)[i].is_string()) out.emplace_back(fmt::format("object_marking_refs[{}]", i), (*m)[i].get<std::string>());
  if (auto g = object.find("granular_markings"); g != object.end() && g->is_array())
    for (std::size_t i = 0; i < g->size(); ++i)
      if ((*g)[i].is_object() && (*g)[i].contains("marking_ref") && (*g)[i]["marking_ref"].is_string())
        out.emplace_back(fmt::format("granular_markings[{}].marking_ref", i), (*g)[i]["marking_ref"].get<std::string>());
  return out;
}

std::string new_bundle_id() {
  std::string h = random_hex(16);
  h[12] = '4';
  h[16] = "89ab"[static_cast<unsigned char>(h[16]) % 4];
  return "bundle--" + h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

}  // namespace

StixExport export_stix_bundle(StixStore& store, const ExportSelection& selection, const ExportFilter& filter) {
  StixExport out;
  json objects = json::array();
  std::set<std::string> included;
  std::deque<std::pair<std::string, const json*>> pending;  // (from id, object) whose references to follow
  for (const auto& ind : selection.indicators) {
    if (!included.insert(ind.record.id).second) continue;
    objects.push_back(ind.object);
    ++out.indicators;
  }
  for (const auto& o : objects) pending.emplace_back(o.value("id", ""), &o);
  std::map<std::string, json> referenced;  // ordered by id
  while (!pending.empty()) {
    auto [from, object] = pending.front();
    pending.pop_front();
    for (const auto& [property, target] : followed_references(*object)) {
      if (included.count(target)) continue;
      included.insert(target);
      auto rec = store.latest(target);
      if (!rec) {
        if (!tlp_from_marking_id(target))
          out.omitted.push_back(fmt::format("{}: {} → {} (not in the store)", from, property, target));
        continue;
      }
      Tlp tlp = parse_tlp(rec->tlp).value_or(Tlp::red);
      if (tlp > filter.max_tlp) {
        out.omitted.push_back(fmt::format("{}: {} → {} (TLP:{} above max_tlp)", from, property, target, tlp_name(tlp)));
        continue;
      }
      json j = json::parse(rec->json, nullptr, false);
      if (!j.is_object()) continue;
      auto [it, _] = referenced.emplace(target, std::move(j));
      pending.emplace_back(target, &it->second);
    }
  }
  for (auto& [id, j] : referenced) objects.push_back(std::move(j));
  out.referenced = referenced.size();
  out.bundle = json{{"type", "bundle"}, {"id", new_bundle_id()}, {"objects", std::move(objects)}};
  return out;
}

}  // namespace khien
