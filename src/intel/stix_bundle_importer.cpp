// STIX bundle import: whole-bundle validation, reference resolution, TLP, one transaction.
#include "intel/stix_bundle_importer.h"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "core/json_guard.h"

namespace khien {

namespace {

using json = nlohmann::json;

// Deeper nesting than this is refused before parsing: no STIX object needs it, and it keeps a
// hostile document from exhausting the stack.
constexpr int kMaxDepth = 128;

std::string version_text(const StixObjectInfo& info) {
  return !info.modified.empty() ? info.modified : info.created;
}

}  // namespace

Result<json> StixBundleImporter::parse_bundle(std::string_view text, const StixImportOptions& options) {
  if (text.size() > options.max_bytes)
    return fail(
        fmt::format("bundle is {} bytes, larger than the import limit of {} bytes", text.size(), options.max_bytes));
  if (auto st = check_json_depth(text, kMaxDepth); !st) return fail("bundle is not valid JSON: " + st.error().message);
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return fail("bundle is not valid JSON");
  if (!doc.is_object()) return fail("bundle: expected a JSON object with \"type\": \"bundle\"");
  auto type = doc.find("type");
  if (type == doc.end() || *type != "bundle") return fail("bundle: property 'type' must be \"bundle\"");
  auto id = doc.find("id");
  if (id == doc.end() || !id->is_string() || !is_stix_identifier(id->get_ref<const std::string&>()) ||
      id->get_ref<const std::string&>().rfind("bundle--", 0) != 0)
    return fail("bundle: property 'id' must be bundle--<UUID>");
  auto objects = doc.find("objects");
  if (objects == doc.end()) return json::array();
  if (!objects->is_array()) return fail(fmt::format("{}: property 'objects' must be a list", id->get<std::string>()));
  return std::move(*objects);
}

Result<StixImportResult> StixBundleImporter::import_bundle(std::string_view text, const StixImportOptions& options) {
  auto objects = parse_bundle(text, options);
  if (!objects) return tl::unexpected(objects.error());
  return run(*objects, options, true);
}

Result<StixImportResult> StixBundleImporter::check_bundle(std::string_view text, const StixImportOptions& options) {
  auto objects = parse_bundle(text, options);
  if (!objects) return tl::unexpected(objects.error());
  return run(*objects, options, false);
}

Result<StixImportResult> StixBundleImporter::import_objects(const json& objects, const StixImportOptions& options) {
  if (!objects.is_array()) return fail("objects: expected a list of STIX objects");
  return run(objects, options, true);
}

Result<StixImportResult> StixBundleImporter::run(const json& objects, const StixImportOptions& options, bool store) {
  StixValidationOptions vo;
  vo.allow_stix20 = options.allow_stix20;
  std::vector<StixObjectInfo> infos;
  infos.reserve(objects.size());
  std::unordered_set<std::string> ids;
  std::unordered_map<std::string, const json*> markings;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    auto info = validate_stix_object(objects[i], vo);
    if (!info) return fail(fmt::format("rejected, nothing imported: object {}: {}", i, info.error().message));
    ids.insert(info->id);
    if (info->kind == StixKind::marking_definition) markings[info->id] = &objects[i];
    infos.push_back(std::move(*info));
  }

  StixImportResult result;
  result.objects = infos.size();
  std::unordered_map<std::string, std::optional<Tlp>> store_markings;  // looked up once per id
  auto marking_tlp = [&](const std::string& id, bool& known) -> std::optional<Tlp> {
    known = true;
    if (auto t = tlp_from_marking_id(id)) return t;
    if (auto it = markings.find(id); it != markings.end()) return tlp_from_marking_definition(*it->second);
    if (store_) {
      if (auto it = store_markings.find(id); it != store_markings.end()) return it->second;
      if (auto rec = store_->latest(id)) {
        auto t = tlp_from_marking_definition(json::parse(rec->json, nullptr, false));
        store_markings[id] = t;
        return t;
      }
    }
    known = false;
    return std::nullopt;
  };

  std::vector<StixRecord> records;
  records.reserve(infos.size());
  for (std::size_t i = 0; i < infos.size(); ++i) {
    const auto& info = infos[i];
    std::optional<Tlp> tlp;
    for (const auto& ref : info.references) {
      if (ref.marking) {
        bool known = false;
        auto t = marking_tlp(ref.target, known);
        if (!known)
          return fail(
              fmt::format("rejected, nothing imported: object {}: {}: property '{}': unknown marking-definition {} "
                          "(not a TLP marking, not in the bundle or the store)",
                          i, info.id, ref.property, ref.target));
        if (t) tlp = tlp ? stricter(*tlp, *t) : *t;
        continue;
      }
      if (ref.target == info.id || ids.count(ref.target) || tlp_from_marking_id(ref.target)) continue;
      if (store_ && store_->contains(ref.target)) continue;
      std::string line = fmt::format("{}: {} → {} (not in the bundle or the store)", info.id, ref.property, ref.target);
      if (options.require_resolved_references && !ref.custom)
        return fail(fmt::format("rejected, nothing imported: object {}: unresolved reference {}", i, line));
      result.unresolved_references.push_back(std::move(line));
    }
    // A TLP marking-definition object is itself shareable: it carries its own level only as a label.
    if (!tlp && info.kind == StixKind::marking_definition) tlp = Tlp::clear;
    StixRecord r;
    r.collection = options.collection;
    r.id = info.id;
    r.type = info.type;
    r.spec_version = info.spec_version;
    r.created = info.created;
    r.modified = info.modified;
    r.version_us = info.modified_us ? *info.modified_us : info.created_us ? *info.created_us : 0;
    r.revoked = info.revoked;
    r.tlp = std::string(tlp_name(tlp ? *tlp : options.default_tlp));
    r.source = options.source;
    r.valid_from_us = info.valid_from;
    r.valid_until_us = info.valid_until;
    r.json = objects[i].dump();
    records.push_back(std::move(r));
  }

  std::vector<bool> added(records.size(), false);
  if (store && store_) {
    auto st = store_->add(records);
    if (!st) return fail("rejected, nothing imported: " + st.error().message);
    added = std::move(*st);
  }
  for (std::size_t i = 0; i < infos.size(); ++i) {
    result.versions.push_back({infos[i].id, version_text(infos[i]), added[i]});
    (added[i] ? result.added : result.unchanged)++;
  }
  return result;
}

Status load_medallion_data(const std::filesystem::path& path, StixStore& store, Tlp default_tlp) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(fmt::format("{}: cannot read", path.string()));
  std::stringstream buffer;
  buffer << in.rdbuf();
  json doc = json::parse(buffer.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return fail(fmt::format("{}: not a JSON object", path.string()));
  auto where = [&](const std::string& what) { return fmt::format("{}: {}", path.string(), what); };

  if (auto d = doc.find("/discovery"); d != doc.end()) {
    if (!d->is_object()) return fail(where("\"/discovery\" must be an object"));
    if (auto st = store.put_meta("discovery", d->dump()); !st) return st;
  }
  for (const auto& [name, root] : doc.items()) {
    if (name == "/discovery") continue;
    if (!root.is_object()) return fail(where(fmt::format("API root '{}' must be an object", name)));
    TaxiiApiRootRow row;
    row.name = name;
    const json info = root.value("information", json::object());
    row.title = info.value("title", name);
    row.description = info.value("description", "");
    if (info.contains("versions") && info["versions"].is_array())
      row.versions = info["versions"].get<std::vector<std::string>>();
    if (info.contains("max_content_length") && info["max_content_length"].is_number_integer())
      row.max_content_length = info["max_content_length"].get<std::int64_t>();
    if (auto st = store.put_api_root(row); !st) return st;

    for (const auto& s : root.value("status", json::array())) {
      if (!s.is_object() || !s.contains("id") || !s["id"].is_string())
        return fail(where(fmt::format("API root '{}': a status resource without an id", name)));
      if (auto st = store.put_status(name, s["id"].get<std::string>(), 0, s.dump()); !st) return st;
    }
    for (const auto& c : root.value("collections", json::array())) {
      if (!c.is_object() || !c.contains("id") || !c["id"].is_string())
        return fail(where(fmt::format("API root '{}': a collection without an id", name)));
      TaxiiCollectionRow col;
      col.id = c["id"].get<std::string>();
      col.api_root = name;
      col.title = c.value("title", col.id);
      col.description = c.value("description", "");
      col.alias = c.value("alias", "");
      col.can_read = c.value("can_read", false);
      col.can_write = c.value("can_write", false);
      if (c.contains("media_types") && c["media_types"].is_array())
        col.media_types = c["media_types"].get<std::vector<std::string>>();
      col.default_tlp = std::string(tlp_name(default_tlp));
      if (auto st = store.put_collection(col); !st) return st;

      // date_added and media type of each version, from the manifest.
      std::map<std::pair<std::string, std::string>, std::pair<StixTimeUs, std::string>> manifest;
      for (const auto& m : c.value("manifest", json::array())) {
        if (!m.is_object() || !m.contains("id") || !m.contains("version") || !m.contains("date_added")) continue;
        auto added = parse_stix_timestamp(m["date_added"].get<std::string>());
        auto version = parse_stix_timestamp(m["version"].get<std::string>());
        if (!added || !version)
          return fail(where(fmt::format("collection {}: manifest entry {} has a bad timestamp", col.id, m.dump())));
        manifest[{m["id"].get<std::string>(), format_stix_timestamp(*version)}] = {*added, m.value("media_type", "")};
      }
      StixBundleImporter importer(&store);
      StixImportOptions options;
      options.collection = col.id;
      options.source = "medallion:" + name;
      options.default_tlp = default_tlp;
      options.allow_stix20 = true;
      const json objects = c.value("objects", json::array());
      // Objects go in one by one so each keeps its manifest's date_added.
      std::vector<StixRecord> records;
      for (std::size_t i = 0; i < objects.size(); ++i) {
        auto checked = importer.check_bundle(json{{"type", "bundle"},
                                                  {"id", "bundle--00000000-0000-4000-8000-000000000000"},
                                                  {"objects", json::array({objects[i]})}}
                                                 .dump(),
                                             options);
        if (!checked) return fail(where(fmt::format("collection {}: {}", col.id, checked.error().message)));
        auto info = validate_stix_object(objects[i], StixValidationOptions{true});
        StixRecord r;
        r.collection = col.id;
        r.id = info->id;
        r.type = info->type;
        r.spec_version = info->spec_version;
        r.created = info->created;
        r.modified = info->modified;
        r.version_us = info->modified_us ? *info->modified_us : info->created_us ? *info->created_us : 0;
        r.revoked = info->revoked;
        std::optional<Tlp> tlp;
        for (const auto& ref : info->references)
          if (ref.marking)
            if (auto t = tlp_from_marking_id(ref.target)) tlp = tlp ? stricter(*tlp, *t) : *t;
        if (!tlp && info->kind == StixKind::marking_definition) tlp = Tlp::clear;
        r.tlp = std::string(tlp_name(tlp ? *tlp : default_tlp));
        r.source = options.source;
        r.valid_from_us = info->valid_from;
        r.valid_until_us = info->valid_until;
        r.json = objects[i].dump();
        auto m = manifest.find({r.id, format_stix_timestamp(r.version_us)});
        if (m != manifest.end()) {
          r.added_us = m->second.first;
          if (m->second.second == "application/stix+json;version=2.0") r.spec_version = "2.0";
        }
        records.push_back(std::move(r));
      }
      if (auto st = store.add(records); !st)
        return fail(where(fmt::format("collection {}: {}", col.id, st.error().message)));
    }
  }
  return {};
}

}  // namespace khien
