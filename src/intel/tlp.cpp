// TLP levels and their STIX marking-definition ids.
#include "intel/tlp.h"

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/text.h"

namespace khien {

namespace {

// TLP 2.0 ids (FIRST / OASIS TLP 2.0 marking-definitions) and the STIX 2.1 TLP 1.0 ids.
constexpr std::array<std::pair<std::string_view, Tlp>, 9> kMarkingIds{{
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", Tlp::clear},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", Tlp::green},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", Tlp::amber},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", Tlp::amber_strict},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", Tlp::red},
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", Tlp::clear},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", Tlp::green},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", Tlp::amber},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", Tlp::red},
}};

}  // namespace

std::string_view tlp_name(Tlp tlp) {
  switch (tlp) {
    case Tlp::clear:
      return "clear";
    case Tlp::green:
      return "green";
    case Tlp::amber:
      return "amber";
    case Tlp::amber_strict:
      return "amber+strict";
    case Tlp::red:
      return "red";
  }
  return "red";
}

std::optional<Tlp> parse_tlp(std::string_view text) {
  std::string s = ascii_lower(text);
  if (s.rfind("tlp:", 0) == 0) s = s.substr(4);
  if (s == "clear" || s == "white") return Tlp::clear;
  if (s == "green") return Tlp::green;
  if (s == "amber") return Tlp::amber;
  if (s == "amber+strict" || s == "amber-strict" || s == "amber_strict") return Tlp::amber_strict;
  if (s == "red") return Tlp::red;
  return std::nullopt;
}

std::optional<Tlp> tlp_from_marking_id(std::string_view marking_id) {
  for (const auto& [id, tlp] : kMarkingIds)
    if (id == marking_id) return tlp;
  return std::nullopt;
}

std::string_view tlp_marking_id(Tlp tlp) {
  return kMarkingIds[static_cast<std::size_t>(tlp)].first;
}

std::optional<Tlp> tlp_from_marking_definition(const nlohmann::json& marking) {
  if (!marking.is_object()) return std::nullopt;
  if (auto it = marking.find("id"); it != marking.end() && it->is_string())
    if (auto t = tlp_from_marking_id(it->get_ref<const std::string&>())) return t;
  auto type = marking.find("definition_type");
  auto def = marking.find("definition");
  if (type != marking.end() && *type == "tlp" && def != marking.end() && def->is_object()) {
    auto level = def->find("tlp");
    if (level != def->end() && level->is_string()) return parse_tlp(level->get_ref<const std::string&>());
  }
  if (auto ext = marking.find("extensions"); ext != marking.end() && ext->is_object()) {
    for (const auto& [name, body] : ext->items()) {
      if (!body.is_object()) continue;
      auto level = body.find("tlp_2_0");
      if (level != body.end() && level->is_string()) return parse_tlp(level->get_ref<const std::string&>());
    }
  }
  if (auto name = marking.find("name"); name != marking.end() && name->is_string()) {
    const auto& n = name->get_ref<const std::string&>();
    if (n.size() > 4 && ascii_lower(n.substr(0, 4)) == "tlp:") return parse_tlp(n);
  }
  return std::nullopt;
}

}  // namespace khien
