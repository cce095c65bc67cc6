// Imports into the in-memory vulnerability database, with per-part content hashes for incremental updates.
#include "vuln/vuln_database.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "store/state_store.h"

namespace khien {

using nlohmann::json;

namespace {

Result<json> parse_json(std::string_view text, std::string_view what) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    return fail(fmt::format("{}: not valid JSON: {}", what, e.what()));
  }
}

std::string label(std::string_view origin, std::string_view kind) { return origin.empty() ? std::string(kind) : std::string(origin); }

std::optional<FeedRecord>& feed_slot(VulnRecord& r, VulnSource s) { return s == VulnSource::nvd ? r.nvd : r.cve5; }

bool parse_unit_interval(std::string_view s, double& out) {
  s = trim_whitespace(s);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0 && out <= 1;
}

Result<EpssScore> epss_from_body(const json& j) {
  if (!j.is_object() || !j.contains("epss") || !j["epss"].is_number() || !j.contains("percentile") || !j["percentile"].is_number())
    return fail("EPSS part: epss and percentile numbers are required");
  EpssScore s;
  s.epss = j["epss"].get<double>();
  s.percentile = j["percentile"].get<double>();
  if (j.contains("model_version") && j["model_version"].is_string()) s.model_version = j["model_version"].get<std::string>();
  if (j.contains("score_date") && j["score_date"].is_string()) s.score_date = j["score_date"].get<std::string>();
  return s;
}

}  // namespace

void ImportReport::merge(const ImportReport& o) {
  records += o.records;
  added += o.added;
  changed += o.changed;
  unchanged += o.unchanged;
  removed += o.removed;
  rejected += o.rejected;
  added_ids.insert(added_ids.end(), o.added_ids.begin(), o.added_ids.end());
  changed_ids.insert(changed_ids.end(), o.changed_ids.begin(), o.changed_ids.end());
  removed_ids.insert(removed_ids.end(), o.removed_ids.begin(), o.removed_ids.end());
  rejections.insert(rejections.end(), o.rejections.begin(), o.rejections.end());
  notes.insert(notes.end(), o.notes.begin(), o.notes.end());
  changes.insert(changes.end(), o.changes.begin(), o.changes.end());
  if (!o.catalog_version.empty()) catalog_version = o.catalog_version;
  if (kind == FeedKind::unknown) kind = o.kind;
}

void VulnDatabase::count_part(const std::string& id, VulnSource source, const std::string& hash, const std::string& body,
                              ImportReport& report) {
  auto& rec = records_[id];
  rec.id = id;
  auto& slot = rec.hashes[static_cast<std::size_t>(source)];
  if (slot.empty()) {
    ++report.added;
    report.added_ids.push_back(id);
  } else {
    ++report.changed;
    report.changed_ids.push_back(id);
  }
  slot = hash;
  if (keep_changes_) report.changes.push_back({id, source, hash, body});
}

template <typename Part>
void VulnDatabase::store_part(const std::string& id, VulnSource source, Part&& part, const std::string& hash,
                              const std::string& body, ImportReport& report) {
  count_part(id, source, hash, body, report);
  auto& rec = records_[id];
  using P = std::decay_t<Part>;
  if constexpr (std::is_same_v<P, FeedRecord>) feed_slot(rec, source) = std::forward<Part>(part);
  else if constexpr (std::is_same_v<P, KevEntry>) rec.kev = std::forward<Part>(part);
  else rec.epss = std::forward<Part>(part);
}

const VulnRecord* VulnDatabase::find(std::string_view id) const {
  auto it = records_.find(std::string(id));
  return it == records_.end() ? nullptr : &it->second;
}

std::vector<std::string> VulnDatabase::ids() const {
  std::vector<std::string> out;
  out.reserve(records_.size());
  for (const auto& [id, rec] : records_) out.push_back(id);
  std::sort(out.begin(), out.end());
  return out;
}

Result<ImportReport> VulnDatabase::import_nvd(std::string_view text, std::string_view origin) {
  auto what = label(origin, "NVD response");
  auto doc = parse_json(text, what);
  if (!doc) return tl::unexpected(doc.error());
  const json& j = *doc;
  if (!j.is_object()) return fail(fmt::format("{}: not an NVD CVE API 2.0 response (top level is not an object)", what));
  if (j.contains("catalogVersion")) return fail(fmt::format("{}: this is a CISA KEV catalogue, not an NVD CVE API 2.0 response", what));
  if (j.contains("dataType")) return fail(fmt::format("{}: this is a CVE JSON 5 record, not an NVD CVE API 2.0 response", what));
  auto fmt_it = j.find("format");
  if (fmt_it != j.end() && (!fmt_it->is_string() || *fmt_it != "NVD_CVE"))
    return fail(fmt::format("{}: format is {}, expected \"NVD_CVE\"", what, fmt_it->dump()));
  auto ver_it = j.find("version");
  if (ver_it != j.end() && (!ver_it->is_string() || ver_it->get<std::string>().rfind("2.", 0) != 0))
    return fail(fmt::format("{}: unknown NVD schema version {} (expected 2.x)", what, ver_it->dump()));
  auto vulns = j.find("vulnerabilities");
  if (vulns == j.end() || !vulns->is_array()) return fail(fmt::format("{}: vulnerabilities array is missing", what));
  ImportReport report;
  report.kind = FeedKind::nvd;
  report.origin = std::string(origin);
  for (std::size_t i = 0; i < vulns->size(); ++i) {
    ++report.records;
    const json& item = (*vulns)[i];
    const json* cve = item.is_object() && item.contains("cve") ? &item["cve"] : nullptr;
    std::string id = cve && cve->is_object() && cve->contains("id") && (*cve)["id"].is_string() ? (*cve)["id"].get<std::string>() : "";
    auto reject = [&](std::string why) {
      ++report.rejected;
      report.rejections.push_back({id.empty() ? fmt::format("vulnerabilities[{}]", i) : id, std::move(why)});
    };
    if (!cve || !cve->is_object()) { reject("no cve object"); continue; }
    if (!is_cve_id(id)) { reject(fmt::format("cve.id '{}' is not a CVE id", id)); continue; }
    std::string body = cve->dump();
    auto existing = records_.find(id);
    auto hash = sha256_hex(body);
    if (existing != records_.end() && existing->second.hashes[0] == hash) { ++report.unchanged; continue; }
    auto parsed = parse_nvd_cve(*cve);
    if (!parsed) { reject(parsed.error().message); continue; }
    store_part(id, VulnSource::nvd, std::move(*parsed), hash, body, report);
  }
  return report;
}

Result<ImportReport> VulnDatabase::import_cve5(std::string_view text, std::string_view origin) {
  auto what = label(origin, "CVE record");
  auto doc = parse_json(text, what);
  if (!doc) return tl::unexpected(doc.error());
  const json& j = *doc;
  if (j.is_object() && j.contains("catalogVersion")) return fail(fmt::format("{}: this is a CISA KEV catalogue, not a CVE JSON 5 record", what));
  if (j.is_object() && j.contains("vulnerabilities")) return fail(fmt::format("{}: this is an NVD API response, not a CVE JSON 5 record", what));
  if (!j.is_object() && !j.is_array()) return fail(fmt::format("{}: not a CVE JSON 5 record or array of records", what));
  ImportReport report;
  report.kind = FeedKind::cve5;
  report.origin = std::string(origin);
  auto one = [&](const json& rec, std::size_t index) {
    ++report.records;
    std::string id;
    auto parsed = parse_cve5_record(rec, id);
    if (!parsed) {
      ++report.rejected;
      report.rejections.push_back({id.empty() ? fmt::format("{}[{}]", what, index) : id, parsed.error().message});
      return;
    }
    std::string body = rec.dump();
    auto existing = records_.find(id);
    auto hash = sha256_hex(body);
    if (existing != records_.end() && existing->second.hashes[1] == hash) { ++report.unchanged; return; }
    store_part(id, VulnSource::cve5, std::move(*parsed), hash, body, report);
  };
  if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) one(j[i], i);
  } else {
    one(j, 0);
  }
  return report;
}

Result<ImportReport> VulnDatabase::import_kev(std::string_view text, std::string_view origin) {
  auto what = label(origin, "KEV catalogue");
  auto doc = parse_json(text, what);
  if (!doc) return tl::unexpected(doc.error());
  const json& j = *doc;
  if (!j.is_object() || !j.contains("catalogVersion"))
    return fail(fmt::format("{}: not a CISA KEV catalogue (no catalogVersion)", what));
  auto vulns = j.find("vulnerabilities");
  if (vulns == j.end() || !vulns->is_array()) return fail(fmt::format("{}: vulnerabilities array is missing", what));
  ImportReport report;
  report.kind = FeedKind::kev;
  report.origin = std::string(origin);
  if (j["catalogVersion"].is_string()) report.catalog_version = j["catalogVersion"].get<std::string>();
  if (auto c = j.find("count"); c != j.end() && c->is_number_integer() && c->get<std::int64_t>() != static_cast<std::int64_t>(vulns->size()))
    report.notes.push_back(fmt::format("count says {} but the catalogue lists {} entries", c->get<std::int64_t>(), vulns->size()));
  std::unordered_set<std::string> present;
  for (std::size_t i = 0; i < vulns->size(); ++i) {
    ++report.records;
    const json& e = (*vulns)[i];
    std::string id = e.is_object() && e.contains("cveID") && e["cveID"].is_string() ? e["cveID"].get<std::string>() : "";
    auto reject = [&](std::string why) {
      ++report.rejected;
      report.rejections.push_back({id.empty() ? fmt::format("vulnerabilities[{}]", i) : id, std::move(why)});
    };
    if (!is_cve_id(id)) { reject(fmt::format("cveID '{}' is not a CVE id", id)); continue; }
    present.insert(id);
    std::string body = e.dump();
    auto existing = records_.find(id);
    auto hash = sha256_hex(body);
    if (existing != records_.end() && existing->second.hashes[2] == hash) { ++report.unchanged; continue; }
    auto parsed = parse_kev_entry(e);
    if (!parsed) { reject(parsed.error().message); continue; }
    store_part(id, VulnSource::kev, std::move(*parsed), hash, body, report);
  }
  // The catalogue is published whole: an entry missing from it has been withdrawn. When some entries
  // were rejected their ids are uncertain, so nothing is withdrawn on that import.
  if (report.rejected == 0) {
    for (auto& [id, rec] : records_) {
      if (!rec.kev || present.count(id)) continue;
      rec.kev.reset();
      rec.hashes[2].clear();
      ++report.removed;
      report.removed_ids.push_back(id);
      if (keep_changes_) report.changes.push_back({id, VulnSource::kev, {}, {}});
    }
  }
  return report;
}

Result<ImportReport> VulnDatabase::import_epss(std::string_view text, std::string_view origin) {
  auto what = label(origin, "EPSS CSV");
  ImportReport report;
  report.kind = FeedKind::epss;
  report.origin = std::string(origin);
  std::string model_version, score_date;
  std::size_t line_no = 0, pos = 0;
  bool header_seen = false;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = trim_whitespace(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (line.empty()) continue;
    if (!header_seen && line[0] == '#') {
      // "#model_version:v2023.03.01,score_date:2024-01-01T00:00:00+0000"
      std::string_view rest = line.substr(1);
      while (!rest.empty()) {
        auto comma = rest.find(',');
        auto field = rest.substr(0, comma);
        auto colon = field.find(':');
        if (colon != std::string_view::npos) {
          auto key = field.substr(0, colon), value = field.substr(colon + 1);
          if (key == "model_version") model_version = std::string(value);
          else if (key == "score_date") score_date = std::string(value);
        }
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      continue;
    }
    if (!header_seen) {
      if (line != "cve,epss,percentile")
        return fail(fmt::format("{}: not an EPSS CSV: line {} should be the header 'cve,epss,percentile'", what, line_no));
      header_seen = true;
      continue;
    }
    ++report.records;
    auto c1 = line.find(',');
    auto c2 = c1 == std::string_view::npos ? c1 : line.find(',', c1 + 1);
    std::string id(trim_whitespace(line.substr(0, c1)));
    auto reject = [&](std::string why) {
      ++report.rejected;
      report.rejections.push_back({is_cve_id(id) ? id : fmt::format("line {}", line_no), std::move(why)});
    };
    if (c2 == std::string_view::npos || line.find(',', c2 + 1) != std::string_view::npos) {
      reject(fmt::format("line {}: expected 3 fields cve,epss,percentile", line_no));
      continue;
    }
    if (!is_cve_id(id)) { reject(fmt::format("line {}: '{}' is not a CVE id", line_no, id)); continue; }
    EpssScore s;
    if (!parse_unit_interval(line.substr(c1 + 1, c2 - c1 - 1), s.epss)) { reject(fmt::format("line {}: epss is not a number in 0..1", line_no)); continue; }
    if (!parse_unit_interval(line.substr(c2 + 1), s.percentile)) { reject(fmt::format("line {}: percentile is not a number in 0..1", line_no)); continue; }
    s.model_version = model_version;
    s.score_date = score_date;
    // The hash covers the scores only, so a new score date with the same scores is unchanged.
    std::string scores = std::string(trim_whitespace(line.substr(c1 + 1)));
    json body = {{"epss", s.epss}, {"percentile", s.percentile}, {"model_version", s.model_version}, {"score_date", s.score_date}};
    auto existing = records_.find(id);
    auto hash = sha256_hex(scores);
    if (existing != records_.end() && existing->second.hashes[3] == hash) { ++report.unchanged; continue; }
    // The CSV is raw bytes: invalid UTF-8 in the model line is replaced rather than thrown on.
    count_part(id, VulnSource::epss, hash, body.dump(-1, ' ', false, json::error_handler_t::replace), report);
    records_[id].epss = std::move(s);
  }
  if (!header_seen) return fail(fmt::format("{}: not an EPSS CSV: no 'cve,epss,percentile' header", what));
  report.catalog_version = model_version;
  return report;
}

Result<ImportReport> VulnDatabase::import_any(std::string_view text, std::string_view origin) {
  switch (detect_feed_kind(text)) {
    case FeedKind::nvd: return import_nvd(text, origin);
    case FeedKind::cve5: return import_cve5(text, origin);
    case FeedKind::kev: return import_kev(text, origin);
    case FeedKind::epss: return import_epss(text, origin);
    case FeedKind::unknown: break;
  }
  return fail(fmt::format("{}: not a known vulnerability feed (NVD CVE API 2.0 JSON, CVE JSON 5, CISA KEV JSON or EPSS CSV)",
                          label(origin, "input")));
}

Result<ImportReport> VulnDatabase::import_path(const std::filesystem::path& path) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(path, ec)) {
    for (auto it = std::filesystem::recursive_directory_iterator(path, ec); !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      auto ext = it->path().extension();
      if (it->is_regular_file() && (ext == ".json" || ext == ".csv")) files.push_back(it->path());
    }
    if (ec) return fail(fmt::format("{}: cannot list: {}", path.string(), ec.message()));
    std::sort(files.begin(), files.end());
  } else if (std::filesystem::exists(path, ec)) {
    files.push_back(path);
  } else {
    return fail(fmt::format("{}: no such file or directory", path.string()));
  }
  ImportReport total;
  total.origin = path.string();
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in) {
      ++total.rejected;
      total.rejections.push_back({f.string(), "cannot read the file"});
      continue;
    }
    auto r = import_any(ss.str(), f.string());
    if (!r) {
      ++total.rejected;
      total.rejections.push_back({f.string(), r.error().message});
      continue;
    }
    total.merge(*r);
  }
  return total;
}

Status VulnDatabase::apply_change(const SourceChange& change) {
  if (!is_cve_id(change.id)) return fail(fmt::format("stored part '{}': not a CVE id", change.id));
  if (change.body.empty()) {
    auto it = records_.find(change.id);
    if (it == records_.end()) return {};
    auto& r = it->second;
    switch (change.source) {
      case VulnSource::nvd: r.nvd.reset(); break;
      case VulnSource::cve5: r.cve5.reset(); break;
      case VulnSource::kev: r.kev.reset(); break;
      case VulnSource::epss: r.epss.reset(); break;
    }
    r.hashes[static_cast<std::size_t>(change.source)].clear();
    if (!r.nvd && !r.cve5 && !r.kev && !r.epss) records_.erase(it);
    return {};
  }
  auto doc = parse_json(change.body, change.id);
  if (!doc) return tl::unexpected(doc.error());
  // Parse first so a part that no longer parses leaves the database untouched.
  VulnRecord* rec = nullptr;
  auto slot = [&]() -> VulnRecord& {
    rec = &records_[change.id];
    rec->id = change.id;
    return *rec;
  };
  switch (change.source) {
    case VulnSource::nvd: {
      auto p = parse_nvd_cve(*doc);
      if (!p) return fail(fmt::format("{}: {}", change.id, p.error().message));
      slot().nvd = std::move(*p);
      break;
    }
    case VulnSource::cve5: {
      std::string id;
      auto p = parse_cve5_record(*doc, id);
      if (!p) return fail(fmt::format("{}: {}", change.id, p.error().message));
      slot().cve5 = std::move(*p);
      break;
    }
    case VulnSource::kev: {
      auto p = parse_kev_entry(*doc);
      if (!p) return fail(fmt::format("{}: {}", change.id, p.error().message));
      slot().kev = std::move(*p);
      break;
    }
    case VulnSource::epss: {
      auto p = epss_from_body(*doc);
      if (!p) return fail(fmt::format("{}: {}", change.id, p.error().message));
      slot().epss = std::move(*p);
      break;
    }
  }
  rec->hashes[static_cast<std::size_t>(change.source)] = change.hash;
  return {};
}

}  // namespace khien
