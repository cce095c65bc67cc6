// MISP event JSON → STIX 2.1: report/grouping per event, identity per creator organisation,
// observed-data for every attribute and object, indicators for to_ids ones, TLP from tlp:* tags.
#include "intel/misp_event_converter.h"

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "core/json_guard.h"
#include "core/time.h"
#include "intel/misp_attribute_mapping.h"
#include "intel/stix_object.h"
#include "intel/stix_pattern_parser.h"
#include "intel/warninglist.h"

namespace khien {

using nlohmann::json;

namespace {

// Nesting is measured before parsing so a hostile event cannot exhaust the parser's stack.
constexpr int kMaxDepth = 64;

std::string text_of(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  return {};
}

/// MISP writes booleans as true, 1, "1" or "true" depending on version and export path.
bool flag_of(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number_integer()) return it->get<std::int64_t>() != 0;
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    return s == "1" || s == "true" || s == "True";
  }
  return false;
}

std::optional<std::int64_t> time_of(const json& o, const char* key) {
  return parse_misp_time_us(text_of(o, key));
}

/// Tag names of an event, attribute or object: "Tag": [{"name": ...}] or "EventTag"/"AttributeTag":
/// [{"Tag": {"name": ...}}].
std::vector<std::string> tag_names(const json& o) {
  std::vector<std::string> names;
  auto collect = [&](const json& list, bool nested) {
    if (!list.is_array()) return;
    for (const auto& t : list) {
      const json* tag = &t;
      if (nested) {
        auto it = t.find("Tag");
        if (!t.is_object() || it == t.end()) continue;
        tag = &*it;
      }
      if (tag->is_object()) {
        auto n = text_of(*tag, "name");
        if (!n.empty()) names.push_back(std::move(n));
      } else if (tag->is_string()) {
        names.push_back(tag->get<std::string>());
      }
    }
  };
  if (auto it = o.find("Tag"); it != o.end()) collect(*it, false);
  for (auto key : {"EventTag", "AttributeTag"})
    if (auto it = o.find(key); it != o.end()) collect(*it, true);
  return names;
}

/// The strictest tlp:* tag, nullopt when there is none (several levels on one item happen when
/// an event was re-tagged; the stricter one is the safe reading).
std::optional<Tlp> tlp_of(const std::vector<std::string>& tags) {
  std::optional<Tlp> tlp;
  for (const auto& t : tags) {
    if (t.size() < 4 || (t.compare(0, 4, "tlp:") != 0 && t.compare(0, 4, "TLP:") != 0)) continue;
    if (auto level = parse_tlp(t)) tlp = tlp ? stricter(*tlp, *level) : *level;
  }
  return tlp;
}

void mark(json& o, std::optional<Tlp> tlp) {
  if (tlp) o["object_marking_refs"] = json::array({std::string(tlp_marking_id(*tlp))});
}

std::string uuid_or_derived(const json& o, std::string_view parent, std::string_view kind, std::size_t index) {
  auto u = text_of(o, "uuid");
  if (is_uuid(u)) {
    std::transform(u.begin(), u.end(), u.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; });
    return u;
  }
  return uuid_v5(fmt::format("misp/{}/{}/{}", parent, kind, index));
}

/// SDO common properties for one attribute or object.
json sdo(std::string_view type, std::string_view uuid, std::int64_t time_us, const std::string& created_by) {
  json o{{"type", type}, {"spec_version", "2.1"}, {"id", fmt::format("{}--{}", type, uuid)}};
  if (!created_by.empty()) o["created_by_ref"] = created_by;
  o["created"] = stix_time(time_us, true);
  o["modified"] = stix_time(time_us, true);
  return o;
}

/// observed-data, indicator and their based-on relationship for one attribute or object.
struct Built {
  std::vector<json> objects;
};

void build(Built& b, std::string_view uuid, std::int64_t time_us, std::optional<std::int64_t> first_seen,
           std::optional<std::int64_t> last_seen, const std::string& created_by, std::optional<Tlp> tlp,
           const json& labels, const std::string& phase, const std::string& description, std::vector<json> observables,
           const std::string& pattern) {
  auto od = sdo("observed-data", uuid, time_us, created_by);
  std::int64_t first = first_seen.value_or(time_us);
  std::int64_t last = last_seen && *last_seen >= first ? *last_seen : first;
  od["first_observed"] = stix_time(first, false);
  od["last_observed"] = stix_time(last, false);
  od["number_observed"] = 1;
  json refs = json::array();
  for (const auto& s : observables) refs.push_back(s["id"]);
  od["object_refs"] = refs;
  od["labels"] = labels;
  mark(od, tlp);
  b.objects.push_back(std::move(od));
  for (auto& s : observables) {
    mark(s, tlp);
    b.objects.push_back(std::move(s));
  }
  if (pattern.empty()) return;
  auto ind = sdo("indicator", uuid, time_us, created_by);
  if (!description.empty()) ind["description"] = description;
  ind["pattern"] = pattern;
  ind["pattern_type"] = "stix";
  ind["pattern_version"] = "2.1";
  ind["valid_from"] = stix_time(first, false);
  if (last_seen && *last_seen > first) ind["valid_until"] = stix_time(*last_seen, false);
  if (!phase.empty()) ind["kill_chain_phases"] = json::array({json{{"kill_chain_name", "misp-category"}, {"phase_name", phase}}});
  ind["labels"] = labels;
  mark(ind, tlp);
  std::string ind_id = ind["id"], od_id = b.objects.front()["id"];
  b.objects.push_back(std::move(ind));
  json rel{{"type", "relationship"},
           {"spec_version", "2.1"},
           {"id", "relationship--" + uuid_v5("based-on/" + ind_id + "/" + od_id)},
           {"created", stix_time(time_us, true)},
           {"modified", stix_time(time_us, true)},
           {"relationship_type", "based-on"},
           {"source_ref", ind_id},
           {"target_ref", od_id}};
  mark(rel, tlp);
  b.objects.push_back(std::move(rel));
}

/// Groups comparisons by object type: one observation per type, joined with AND, because STIX
/// wants the comparisons of one observation expression to be about one object.
std::string pattern_of(const std::vector<std::string>& comparisons) {
  if (comparisons.empty()) return {};
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const auto& c : comparisons) {
    std::string type = c.substr(0, c.find(':'));
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == type; });
    if (it == groups.end()) {
      groups.push_back({type, {}});
      it = groups.end() - 1;
    }
    it->second.push_back(c);
  }
  std::string out;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (i) out += " AND ";
    out += stix_observation(groups[i].second);
  }
  return out;
}

}  // namespace

Status MispEventConverter::add_text(std::string_view text) {
  if (auto st = check_json_depth(text, kMaxDepth); !st) return fail("not valid JSON: " + st.error().message);
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return fail("not valid JSON");
  return add_document(doc);
}

Status MispEventConverter::add_document(const json& doc) {
  if (!doc.is_object() && !doc.is_array()) return fail("not a MISP event: expected {\"Event\": {...}}");
  if (doc.is_object()) {
    if (auto it = doc.find("Event"); it != doc.end()) {
      if (!it->is_object()) return fail("'Event' must be an object");
      convert_event(*it);
      return {};
    }
    if (auto it = doc.find("response"); it != doc.end()) return add_document(*it);
    if (auto it = doc.find("Attribute"); it != doc.end() && !doc.contains("uuid")) {
      if (!it->is_array()) return fail("'Attribute' must be a list");
      EventContext ctx;
      ctx.tlp = options_.default_tlp;
      for (std::size_t i = 0; i < it->size(); ++i) convert_attribute((*it)[i], ctx, i);
      return {};
    }
    if (auto it = doc.find("Object"); it != doc.end() && it->is_object()) {
      EventContext ctx;
      ctx.tlp = options_.default_tlp;
      convert_object(*it, ctx, 0);
      return {};
    }
    if (doc.contains("uuid") && (doc.contains("info") || doc.contains("Attribute"))) {
      convert_event(doc);
      return {};
    }
    return fail("not a MISP event: expected {\"Event\": {...}}, a bare event or a search response");
  }
  // A search response: [{"Event": ...}, ...] or [{"Object": ...}, ...].
  std::size_t index = 0;
  EventContext loose;
  loose.tlp = options_.default_tlp;
  for (const auto& item : doc) {
    if (item.is_object() && item.contains("Event") && item["Event"].is_object()) {
      convert_event(item["Event"]);
    } else if (item.is_object() && item.contains("Object") && item["Object"].is_object()) {
      convert_object(item["Object"], loose, index);
    } else if (item.is_object() && item.contains("type") && item.contains("value")) {
      convert_attribute(item, loose, index);
    } else {
      out_.errors.push_back(fmt::format("item {}: not an Event, Object or Attribute", index));
    }
    ++index;
  }
  return {};
}

bool MispEventConverter::warninglisted(const std::vector<std::pair<std::string, std::string>>& identifying) const {
  if (!options_.warninglists) return false;
  for (const auto& [type, value] : identifying)
    if (options_.warninglists->listed(type, value)) return true;
  return false;
}

bool MispEventConverter::emit(std::vector<json>& objects, const std::string& what, EventContext& ctx) {
  for (const auto& o : objects) {
    const std::string& id = o["id"].get_ref<const std::string&>();
    if (ids_.count(id)) {
      out_.errors.push_back(fmt::format("{}: {} appears twice (duplicate uuid)", what, id));
      return false;
    }
    if (auto it = o.find("pattern"); it != o.end()) {
      if (auto ast = parse_stix_pattern(it->get_ref<const std::string&>()); !ast) {
        out_.errors.push_back(fmt::format("{}: pattern: {}", what, ast.error().message));
        return false;
      }
    }
    if (auto info = validate_stix_object(o); !info) {
      out_.errors.push_back(fmt::format("{}: {}", what, info.error().message));
      return false;
    }
  }
  for (auto& o : objects) {
    ids_.insert(o["id"].get<std::string>());
    ctx.refs.push_back(o["id"].get<std::string>());
    out_.objects.push_back(std::move(o));
  }
  return true;
}

void MispEventConverter::convert_event(const json& event) {
  EventContext ctx;
  ctx.uuid = uuid_or_derived(event, "event", text_of(event, "info"), out_.objects.size());
  ctx.time_us = time_of(event, "timestamp");
  if (!ctx.time_us) ctx.time_us = time_of(event, "date");
  if (!ctx.time_us) ctx.time_us = time_of(event, "publish_timestamp");
  if (!ctx.time_us) ctx.time_us = now_ns() / 1000;
  auto tags = tag_names(event);
  ctx.tlp = tlp_of(tags);
  if (!ctx.tlp) ctx.tlp = options_.default_tlp;

  // The creator organisation (Orgc) signs everything the event holds; Org is only the local owner.
  std::optional<json> identity;
  for (auto key : {"Orgc", "Org"}) {
    auto it = event.find(key);
    if (it == event.end() || !it->is_object()) continue;
    auto name = text_of(*it, "name");
    auto u = text_of(*it, "uuid");
    if (name.empty()) continue;
    if (!is_uuid(u)) u = uuid_v5("misp-org/" + name);
    identity = json{{"type", "identity"}, {"spec_version", "2.1"}, {"id", "identity--" + u}};
    break;
  }
  if (!identity && !options_.source.empty())
    identity = json{{"type", "identity"}, {"spec_version", "2.1"}, {"id", "identity--" + uuid_v5("source/" + options_.source)}};
  if (identity) {
    std::string name;
    for (auto key : {"Orgc", "Org"})
      if (auto it = event.find(key); name.empty() && it != event.end() && it->is_object()) name = text_of(*it, "name");
    if (name.empty()) name = options_.source;
    (*identity)["created"] = stix_time(*ctx.time_us, true);
    (*identity)["modified"] = stix_time(*ctx.time_us, true);
    (*identity)["name"] = name;
    (*identity)["identity_class"] = "organization";
    ctx.created_by = (*identity)["id"].get<std::string>();
  }
  std::size_t first_object = out_.objects.size();

  std::string what_event = "event " + ctx.uuid;
  if (auto it = event.find("Attribute"); it != event.end()) {
    if (it->is_array())
      for (std::size_t i = 0; i < it->size(); ++i) convert_attribute((*it)[i], ctx, i);
    else
      out_.errors.push_back(what_event + ": 'Attribute' must be a list");
  }
  if (auto it = event.find("Object"); it != event.end()) {
    if (it->is_array())
      for (std::size_t i = 0; i < it->size(); ++i) convert_object((*it)[i], ctx, i);
    else
      out_.errors.push_back(what_event + ": 'Object' must be a list");
  }

  std::vector<json> head;
  if (identity && !ids_.count(ctx.created_by)) {
    if (validate_stix_object(*identity)) {
      ids_.insert(ctx.created_by);
      head.push_back(std::move(*identity));
    }
  }
  if (ctx.refs.empty()) {
    out_.errors.push_back(what_event + ": no attribute or object could be converted; no report written");
  } else {
    bool published = flag_of(event, "published");
    auto report = sdo(published ? "report" : "grouping", ctx.uuid, *ctx.time_us, ctx.created_by);
    auto info = text_of(event, "info");
    report["name"] = info.empty() ? "MISP event " + ctx.uuid : info;
    if (published) {
      auto pub = time_of(event, "publish_timestamp");
      report["published"] = stix_time(pub.value_or(*ctx.time_us), false);
    } else {
      report["context"] = "suspicious-activity";
    }
    report["object_refs"] = ctx.refs;
    json labels = json::array();
    for (const auto& t : tags)
      if (!(t.size() >= 4 && (t.compare(0, 4, "tlp:") == 0 || t.compare(0, 4, "TLP:") == 0))) labels.push_back(t);
    if (!labels.empty()) report["labels"] = labels;
    mark(report, ctx.tlp);
    std::string id = report["id"];
    if (ids_.count(id)) {
      out_.errors.push_back(what_event + ": appears twice (duplicate uuid)");
    } else if (auto v = validate_stix_object(report); !v) {
      out_.errors.push_back(what_event + ": " + v.error().message);
    } else {
      ids_.insert(id);
      head.push_back(std::move(report));
    }
  }
  out_.objects.insert(out_.objects.begin() + static_cast<std::ptrdiff_t>(first_object),
                      std::make_move_iterator(head.begin()), std::make_move_iterator(head.end()));
}

void MispEventConverter::convert_attribute(const json& attribute, EventContext& ctx, std::size_t index) {
  if (!attribute.is_object()) {
    out_.errors.push_back(fmt::format("attribute {}: not an object", index));
    return;
  }
  std::string uuid = uuid_or_derived(attribute, ctx.uuid, "attribute", index);
  std::string type = text_of(attribute, "type");
  std::string what = fmt::format("attribute {} type '{}'", uuid, type);
  if (flag_of(attribute, "deleted")) {
    ++out_.skipped;
    return;
  }
  auto value_it = attribute.find("value");
  if (value_it == attribute.end() || !value_it->is_string()) {
    out_.errors.push_back(what + ": 'value' must be a string");
    return;
  }
  auto mapped = map_misp_attribute(type, value_it->get_ref<const std::string&>(), uuid);
  if (!mapped) {
    out_.errors.push_back(what + ": " + mapped.error().message);
    return;
  }
  if (warninglisted(mapped->identifying)) {
    ++out_.skipped;
    return;
  }
  auto tlp = tlp_of(tag_names(attribute));
  if (!tlp) tlp = ctx.tlp;
  auto time_us = time_of(attribute, "timestamp");
  if (!time_us) time_us = ctx.time_us;
  if (!time_us) time_us = now_ns() / 1000;
  auto category = text_of(attribute, "category");
  json labels = json::array({fmt::format("misp:type=\"{}\"", type)});
  if (!category.empty()) labels.push_back(fmt::format("misp:category=\"{}\"", category));
  std::string pattern = flag_of(attribute, "to_ids") ? pattern_of(mapped->comparisons) : std::string();
  Built b;
  build(b, uuid, *time_us, time_of(attribute, "first_seen"), time_of(attribute, "last_seen"), ctx.created_by, tlp,
        labels, category, text_of(attribute, "comment"), std::move(mapped->observables), pattern);
  emit(b.objects, what, ctx);
}

void MispEventConverter::convert_object(const json& object, EventContext& ctx, std::size_t index) {
  if (!object.is_object()) {
    out_.errors.push_back(fmt::format("object {}: not an object", index));
    return;
  }
  std::string uuid = uuid_or_derived(object, ctx.uuid, "object", index);
  std::string name = text_of(object, "name");
  std::string what = fmt::format("object {} '{}'", uuid, name);
  if (flag_of(object, "deleted")) {
    ++out_.skipped;
    return;
  }
  auto attrs_it = object.find("Attribute");
  if (attrs_it == object.end() || !attrs_it->is_array()) {
    out_.errors.push_back(what + ": 'Attribute' must be a list");
    return;
  }

  struct Item {
    std::string uuid, type, relation, value;
    bool to_ids = false;
  };
  std::vector<Item> items;
  std::optional<Tlp> tlp;
  for (std::size_t i = 0; i < attrs_it->size(); ++i) {
    const auto& a = (*attrs_it)[i];
    if (!a.is_object()) {
      out_.errors.push_back(fmt::format("{}: attribute {}: not an object", what, i));
      continue;
    }
    if (flag_of(a, "deleted")) {
      ++out_.skipped;
      continue;
    }
    auto v = a.find("value");
    Item item{uuid_or_derived(a, uuid, "attribute", i), text_of(a, "type"), text_of(a, "object_relation"), {},
              flag_of(a, "to_ids")};
    if (v == a.end() || !v->is_string()) {
      out_.errors.push_back(fmt::format("attribute {} type '{}': 'value' must be a string", item.uuid, item.type));
      continue;
    }
    item.value = v->get<std::string>();
    if (auto t = tlp_of(tag_names(a))) tlp = tlp ? stricter(*tlp, *t) : *t;
    items.push_back(std::move(item));
  }
  if (!tlp) tlp = ctx.tlp;

  std::vector<json> observables;
  std::vector<std::string> comparisons;
  std::vector<std::pair<std::string, std::string>> identifying;
  auto sco = [](std::string_view type, std::string_view u) {
    return json{{"type", type}, {"spec_version", "2.1"}, {"id", fmt::format("{}--{}", type, u)}};
  };
  auto attribute_error = [&](const Item& it, const std::string& reason) {
    out_.errors.push_back(fmt::format("attribute {} type '{}' (object {} '{}'): {}", it.uuid, it.type, uuid, name, reason));
  };

  if (name == "file") {
    json file = sco("file", uuid);
    std::vector<std::string> hash_cmp, name_cmp;
    for (const auto& it : items) {
      if (it.relation == "filename") {
        file["name"] = it.value;
        if (it.to_ids) name_cmp.push_back("file:name = " + stix_quote(it.value));
      } else if (it.relation == "size-in-bytes") {
        std::uint64_t size = 0;
        auto [p, ec] = std::from_chars(it.value.data(), it.value.data() + it.value.size(), size);
        if (ec != std::errc() || p != it.value.data() + it.value.size() || it.value.empty())
          attribute_error(it, "'" + it.value.substr(0, 40) + "' is not a size in bytes");
        else
          file["size"] = size;
      } else if (it.relation == "path") {
        json dir = sco("directory", it.uuid);
        dir["path"] = it.value;
        file["parent_directory_ref"] = dir["id"];
        observables.push_back(std::move(dir));
      } else if (it.relation == "mimetype" || it.relation == "mime-type") {
        file["mime_type"] = it.value;
      } else if (misp_attribute_type_known(it.type) && it.type != "filename") {
        auto m = map_misp_attribute(it.type, it.value, uuid);
        if (!m || m->observables.empty() || !m->observables[0].contains("hashes")) {
          if (!m) attribute_error(it, m.error().message);
          continue;
        }
        for (const auto& [k, v] : m->observables[0]["hashes"].items()) file["hashes"][k] = v;
        if (it.to_ids) hash_cmp.insert(hash_cmp.end(), m->comparisons.begin(), m->comparisons.end());
        identifying.insert(identifying.end(), m->identifying.begin(), m->identifying.end());
      }
    }
    observables.insert(observables.begin(), std::move(file));
    comparisons = hash_cmp;
    comparisons.insert(comparisons.end(), name_cmp.begin(), name_cmp.end());
  } else if (name == "domain-ip") {
    std::vector<json> domains, addresses;
    std::vector<std::string> domain_cmp;
    std::vector<std::pair<std::string, std::string>> ip_cmp;  // (STIX type, address)
    for (const auto& it : items) {
      if (it.relation == "domain" || it.relation == "hostname") {
        auto m = map_misp_attribute("domain", it.value, it.uuid);
        if (!m) {
          attribute_error(it, m.error().message);
          continue;
        }
        domains.push_back(m->observables[0]);
        if (it.to_ids) domain_cmp.push_back(m->comparisons[0]);
        identifying.insert(identifying.end(), m->identifying.begin(), m->identifying.end());
      } else if (it.relation == "ip") {
        auto m = map_misp_attribute("ip", it.value, it.uuid);
        if (!m) {
          attribute_error(it, m.error().message);
          continue;
        }
        addresses.push_back(m->observables[0]);
        if (it.to_ids) ip_cmp.emplace_back(m->observables[0]["type"], m->observables[0]["value"]);
        identifying.insert(identifying.end(), m->identifying.begin(), m->identifying.end());
      }
    }
    json ip_refs = json::array();
    for (const auto& a : addresses) ip_refs.push_back(a["id"]);
    for (auto& d : domains)
      if (!ip_refs.empty()) d["resolves_to_refs"] = ip_refs;
    comparisons = domain_cmp;
    // Addresses without a domain have no domain-name to hang on: they are patterns of their own.
    for (const auto& [type, address] : ip_cmp)
      comparisons.push_back((domains.empty() ? type + ":value" : std::string("domain-name:resolves_to_refs[*].value")) +
                            " = " + stix_quote(address));
    observables = std::move(addresses);
    observables.insert(observables.end(), domains.begin(), domains.end());
  } else if (name == "email") {
    json msg = sco("email-message", uuid);
    msg["is_multipart"] = false;
    std::vector<json> addrs;
    for (const auto& it : items) {
      if (it.relation == "from" || it.relation == "to" || it.relation == "cc" || it.relation == "reply-to") {
        auto m = map_misp_attribute("email", it.value, it.uuid);
        if (!m) {
          attribute_error(it, m.error().message);
          continue;
        }
        std::string id = m->observables[0]["id"];
        std::string path;
        if (it.relation == "from") {
          msg["from_ref"] = id;
          path = "email-message:from_ref.value";
        } else if (it.relation == "to") {
          msg["to_refs"].push_back(id);
          path = "email-message:to_refs[*].value";
        } else if (it.relation == "cc") {
          msg["cc_refs"].push_back(id);
          path = "email-message:cc_refs[*].value";
        } else {
          msg["additional_header_fields"]["Reply-To"] = it.value;
          path = "email-message:additional_header_fields.'Reply-To'";
        }
        addrs.push_back(m->observables[0]);
        if (it.to_ids) comparisons.push_back(path + " = " + stix_quote(it.value));
        identifying.insert(identifying.end(), m->identifying.begin(), m->identifying.end());
      } else if (it.relation == "subject") {
        msg["subject"] = it.value;
        if (it.to_ids) comparisons.push_back("email-message:subject = " + stix_quote(it.value));
      } else if (it.relation == "message-id") {
        msg["message_id"] = it.value;
        if (it.to_ids) comparisons.push_back("email-message:message_id = " + stix_quote(it.value));
      }
    }
    observables.push_back(std::move(msg));
    observables.insert(observables.end(), addrs.begin(), addrs.end());
  } else if (name == "credential") {
    json account = sco("user-account", uuid);
    for (const auto& it : items) {
      if (it.relation == "username") {
        account["user_id"] = it.value;
        if (it.to_ids) comparisons.push_back("user-account:user_id = " + stix_quote(it.value));
      } else if (it.relation == "password") {
        account["credential"] = it.value;
        if (it.to_ids) comparisons.push_back("user-account:credential = " + stix_quote(it.value));
      } else if (!it.relation.empty()) {
        std::string key = "x_misp_";
        for (char c : it.relation) key += (c == '-' ? '_' : c);
        account[key] = it.value;
      }
    }
    observables.push_back(std::move(account));
  } else {
    // Any other template: each attribute on its own mapping, the object as the observation.
    for (const auto& it : items) {
      auto m = map_misp_attribute(it.type, it.value, it.uuid);
      if (!m) {
        attribute_error(it, m.error().message);
        continue;
      }
      for (auto& o : m->observables)
        if (std::none_of(observables.begin(), observables.end(), [&](const json& x) { return x["id"] == o["id"]; }))
          observables.push_back(std::move(o));
      if (it.to_ids) comparisons.insert(comparisons.end(), m->comparisons.begin(), m->comparisons.end());
      identifying.insert(identifying.end(), m->identifying.begin(), m->identifying.end());
    }
  }
  if (observables.empty()) {
    out_.errors.push_back(what + ": no attribute maps to a STIX observable");
    return;
  }
  if (warninglisted(identifying)) {
    ++out_.skipped;
    return;
  }
  auto time_us = time_of(object, "timestamp");
  if (!time_us) time_us = ctx.time_us;
  if (!time_us) time_us = now_ns() / 1000;
  auto category = text_of(object, "meta-category");
  json labels = json::array({fmt::format("misp:name=\"{}\"", name)});
  if (!category.empty()) labels.push_back(fmt::format("misp:meta-category=\"{}\"", category));
  Built b;
  build(b, uuid, *time_us, time_of(object, "first_seen"), time_of(object, "last_seen"), ctx.created_by, tlp, labels,
        category, text_of(object, "comment"), std::move(observables), pattern_of(comparisons));
  emit(b.objects, what, ctx);
}

Result<ConvertedIntel> misp_event_to_stix(std::string_view json_text, const IntelImportOptions& options) {
  ConvertedIntel out;
  MispEventConverter converter(options, out);
  if (auto st = converter.add_text(json_text); !st) return tl::unexpected(st.error());
  return out;
}

}  // namespace khien
