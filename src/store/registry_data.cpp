// Registry model lookups and the YAML loader that validates every file and reports all problems at once.
#include "store/registry_data.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <charconv>
#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "core/time.h"
#include "core/yaml_documents.h"
#include "core/yaml_guard.h"

namespace khien {

namespace {

template <typename E, std::size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

constexpr NameTable<ProvinceKind, 2> kProvinceKinds{{{ProvinceKind::city, "city"}, {ProvinceKind::province, "province"}}};
constexpr NameTable<Region, 3> kRegions{{{Region::north, "north"}, {Region::central, "central"}, {Region::south, "south"}}};
constexpr NameTable<OrganisationType, 7> kOrganisationTypes{{
    {OrganisationType::national_centre, "national-centre"}, {OrganisationType::ministry, "ministry"},
    {OrganisationType::province, "province"},   {OrganisationType::sector_cert, "sector-cert"},
    {OrganisationType::isp, "isp"},             {OrganisationType::enterprise, "enterprise"},
    {OrganisationType::agency, "agency"}}};
constexpr NameTable<SocFormat, 8> kSocFormats{{{SocFormat::ocsf, "ocsf"},   {SocFormat::ecs, "ecs"},
                                           {SocFormat::eve, "eve"},     {SocFormat::zeek, "zeek"},
                                           {SocFormat::wazuh, "wazuh"}, {SocFormat::winlog, "winlog"},
                                           {SocFormat::cef, "cef"},     {SocFormat::leef, "leef"}}};
constexpr NameTable<SocTransport, 3> kSocTransports{{
    {SocTransport::http, "http"}, {SocTransport::syslog_udp, "syslog-udp"}, {SocTransport::syslog_tcp, "syslog-tcp"}}};

template <typename E, std::size_t N>
std::string_view name_of(const NameTable<E, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "?";
}

template <typename E, std::size_t N>
std::optional<E> value_of(const NameTable<E, N>& table, std::string_view text) {
  for (const auto& [v, name] : table) {
    if (name == text) return v;
  }
  return std::nullopt;
}

template <typename E, std::size_t N>
std::string choices(const NameTable<E, N>& table) {
  std::string out;
  for (const auto& [v, name] : table) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

bool is_domain_name(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  int labels = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t dot = text.find('.', start);
    std::string_view label = text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 2;
}

bool prefix_inside(const IpPrefix& inner, const IpPrefix& outer) {
  return inner.address.v4 == outer.address.v4 && outer.bits <= inner.bits && outer.contains(inner.address);
}

bool prefixes_overlap(const IpPrefix& a, const IpPrefix& b) { return prefix_inside(a, b) || prefix_inside(b, a); }

// Collects every problem found, in the order found.
class Diagnostics {
 public:
  void add(const std::string& file, const YAML::Mark& mark, std::string_view path, std::string_view reason) {
    int line = mark.line < 0 ? 1 : mark.line + 1;
    int column = mark.column < 0 ? 1 : mark.column + 1;
    if (path.empty()) {
      lines_.push_back(fmt::format("{}:{}:{}: {}", file, line, column, reason));
    } else {
      lines_.push_back(fmt::format("{}:{}:{}: {}: {}", file, line, column, path, reason));
    }
  }
  void add_plain(std::string message) { lines_.push_back(std::move(message)); }
  bool empty() const { return lines_.empty(); }
  std::string joined() const {
    std::string out;
    for (const auto& line : lines_) {
      if (!out.empty()) out += '\n';
      out += line;
    }
    return out;
  }

 private:
  std::vector<std::string> lines_;
};

// One registry file: its name for messages and the reporting helpers that read typed values out of nodes.
class YamlFile {
 public:
  YamlFile(std::string label, Diagnostics& diag) : label_(std::move(label)), diag_(diag) {}

  const std::string& label() const { return label_; }
  void error(const YAML::Mark& mark, std::string_view path, std::string_view reason) {
    diag_.add(label_, mark, path, reason);
  }
  void error(const YAML::Node& at, std::string_view path, std::string_view reason) { error(at.Mark(), path, reason); }

  // Parses `text`, which must be a mapping holding only `top_key`, a list; returns that list.
  std::optional<YAML::Node> load_list(const std::string& text, std::string_view top_key);

  std::optional<std::string> read_string(const YAML::Node& node, const std::string& path, bool allow_empty) {
    if (node.IsNull()) {
      if (allow_empty) return std::string();
      error(node, path, "must not be empty");
      return std::nullopt;
    }
    if (!node.IsScalar()) {
      error(node, path, "expected a single value, not a list or mapping");
      return std::nullopt;
    }
    const std::string& text = node.Scalar();
    if (text.empty() && !allow_empty) {
      error(node, path, "must not be empty");
      return std::nullopt;
    }
    return text;
  }

  std::optional<std::string> read_id(const YAML::Node& node, const std::string& path, bool allow_empty) {
    auto text = read_string(node, path, allow_empty);
    if (!text || text->empty()) return text;
    if (!is_registry_id(*text)) {
      error(node, path,
            fmt::format("'{}' is not a valid id (lowercase ASCII letters and digits, words joined by single hyphens)",
                        *text));
      return std::nullopt;
    }
    return text;
  }

  std::optional<std::int64_t> read_int(const YAML::Node& node, const std::string& path, std::int64_t min,
                                       std::int64_t max) {
    auto text = read_string(node, path, false);
    if (!text) return std::nullopt;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
      error(node, path, fmt::format("'{}' is not a whole number from {} to {}", *text, min, max));
      return std::nullopt;
    }
    return value;
  }

  std::optional<double> read_double(const YAML::Node& node, const std::string& path, double min, double max) {
    auto text = read_string(node, path, false);
    if (!text) return std::nullopt;
    double value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || !(value >= min && value <= max)) {
      error(node, path, fmt::format("'{}' is not a number from {} to {}", *text, min, max));
      return std::nullopt;
    }
    return value;
  }

  std::optional<IpPrefix> read_prefix(const YAML::Node& node, const std::string& path) {
    auto text = read_string(node, path, false);
    if (!text) return std::nullopt;
    auto slash = text->find('/');
    auto prefix = IpPrefix::parse(*text);
    if (!prefix || slash == std::string::npos) {
      error(node, path, fmt::format("'{}' is not a CIDR prefix (expected address/length, e.g. 203.0.113.0/24)", *text));
      return std::nullopt;
    }
    // IpPrefix::parse clears host bits silently; in a registry that is almost always a typo.
    auto written = IpAddress::parse(std::string_view(*text).substr(0, slash));
    if (!written || !(*written == prefix->address)) {
      error(node, path, fmt::format("'{}' has host bits set; did you mean {}?", *text, prefix->to_string()));
      return std::nullopt;
    }
    return prefix;
  }

  // The elements of a list, or nullopt (reported) when the node is not a list.
  std::optional<std::vector<YAML::Node>> read_list(const YAML::Node& node, const std::string& path, bool allow_empty) {
    if (node.IsNull()) {
      if (allow_empty) return std::vector<YAML::Node>{};
      error(node, path, "must list at least one value");
      return std::nullopt;
    }
    if (!node.IsSequence()) {
      error(node, path, "expected a list");
      return std::nullopt;
    }
    std::vector<YAML::Node> items;
    for (const auto& item : node) items.push_back(item);
    if (items.empty() && !allow_empty) {
      error(node, path, "must list at least one value");
      return std::nullopt;
    }
    return items;
  }

 private:
  std::string label_;
  Diagnostics& diag_;
};

// The keys of one mapping, checked for unknown, duplicate and non-scalar keys on construction.
class Fields {
 public:
  Fields(YamlFile& file, const YAML::Node& node, std::string path, std::initializer_list<std::string_view> allowed)
      : file_(file), node_(node), path_(std::move(path)) {
    if (!node.IsMap()) {
      file.error(node, path_, "expected a mapping of fields");
      return;
    }
    is_mapping_ = true;
    for (const auto& entry : node) {
      const YAML::Node& key = entry.first;
      if (!key.IsScalar()) {
        file.error(key, path_, "field names must be plain words");
        continue;
      }
      const std::string& name = key.Scalar();
      bool known = false;
      for (auto a : allowed) known = known || a == name;
      if (!known) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        file.error(key, path_, fmt::format("unknown field '{}' (expected one of: {})", name, list));
        continue;
      }
      if (find(name) != nullptr) {
        file.error(key, path_, fmt::format("field '{}' is given twice", name));
        continue;
      }
      entries_.emplace_back(name, entry.second);
    }
  }

  bool is_mapping() const { return is_mapping_; }
  const std::string& base_path() const { return path_; }
  std::string path(std::string_view key) const { return path_.empty() ? std::string(key) : path_ + "." + std::string(key); }

  const YAML::Node* find(std::string_view key) const {
    for (const auto& [name, value] : entries_) {
      if (name == key) return &value;
    }
    return nullptr;
  }

  const YAML::Node* require(std::string_view key) const {
    const YAML::Node* value = find(key);
    if (value == nullptr) file_.error(node_, path_, fmt::format("missing required field '{}'", key));
    return value;
  }

 private:
  YamlFile& file_;
  YAML::Node node_;
  std::string path_;
  bool is_mapping_ = false;
  std::vector<std::pair<std::string, YAML::Node>> entries_;
};

std::optional<YAML::Node> YamlFile::load_list(const std::string& text, std::string_view top_key) {
  std::vector<YAML::Node> documents;
  if (auto refused = yaml_refusal(text)) {
    YAML::Mark at;
    at.line = refused->line - 1;  // marks count lines from 0
    error(at, "", fmt::format("not valid YAML: {}", refused->reason));
    return std::nullopt;
  }
  try {
    documents = load_yaml_documents(text);
  } catch (const YAML::Exception& e) {
    error(e.mark, "", fmt::format("not valid YAML: {}", e.msg));
    return std::nullopt;
  }
  if (documents.size() > 1) {
    error(documents[1].Mark(), "", "holds more than one YAML document; keep the registry in one");
  }
  if (documents.empty() || documents[0].IsNull()) {
    error(YAML::Mark(), "", fmt::format("the file is empty; expected a top-level '{}' list", top_key));
    return std::nullopt;
  }
  Fields top(*this, documents[0], "", {top_key});
  if (!top.is_mapping()) return std::nullopt;
  const YAML::Node* list = top.require(top_key);
  if (list == nullptr) return std::nullopt;
  if (list->IsNull()) return YAML::Node(YAML::NodeType::Sequence);
  if (!list->IsSequence()) {
    error(*list, std::string(top_key), "expected a list");
    return std::nullopt;
  }
  return *list;
}

enum class RefKind { sector, province, organisation };

// A reference to check once every file has been read.
struct PendingRef {
  const YamlFile* file;
  YAML::Mark mark;
  std::string path;
  RefKind kind;
  std::string id;
};

// Where a value came from, for messages raised by the cross-file checks.
struct Origin {
  const YamlFile* file;
  YAML::Mark mark;
  std::string path;
};

struct OrgOrigins {
  Origin item;
  std::vector<Origin> ranges;  // parallel to Organisation::ip_ranges
};

struct SocOrigins {
  Origin item;
  std::vector<Origin> senders;  // parallel to SocConnector::sender_ranges
};

// Registers `id` under `kind` and reports it when it was seen before in the same file.
class IdRegistry {
 public:
  void add(YamlFile& file, const YAML::Node& at, const std::string& path, const std::string& id) {
    if (id.empty()) return;
    auto [it, inserted] = first_line_.emplace(id, at.Mark().line + 1);
    if (!inserted) {
      file.error(at, path, fmt::format("duplicate id '{}' (first defined at line {})", id, it->second));
    }
  }

 private:
  std::map<std::string, int, std::less<>> first_line_;
};

class Loader {
 public:
  Loader(const RegistryTexts& texts, const std::filesystem::path& dir)
      : sectors_file_(label(dir, "sectors.yaml"), diag_),
        provinces_file_(label(dir, "provinces.yaml"), diag_),
        organisations_file_(label(dir, "organisations.yaml"), diag_),
        socs_file_(label(dir, "socs.yaml"), diag_),
        texts_(texts) {}

  Result<RegistryData> run() {
    guarded(sectors_file_, [&] { read_sectors(); });
    guarded(provinces_file_, [&] { read_provinces(); });
    guarded(organisations_file_, [&] { read_organisations(); });
    guarded(socs_file_, [&] { read_socs(); });
    check_references();
    check_parents();
    check_organisation_ranges();
    check_soc_senders();
    if (!diag_.empty()) return fail(diag_.joined());
    return std::move(data_);
  }

 private:
  static std::string label(const std::filesystem::path& dir, const char* name) {
    return dir.empty() ? std::string(name) : (dir / name).string();
  }

  // yaml-cpp reports problems by throwing; any that escape the typed readers become one message.
  template <typename F>
  void guarded(YamlFile& file, F&& body) {
    try {
      body();
    } catch (const YAML::Exception& e) {
      file.error(e.mark, "", fmt::format("cannot read: {}", e.msg));
    }
  }

  void ref(YamlFile& file, const YAML::Node& at, const std::string& path, RefKind kind, const std::string& id) {
    if (!id.empty()) refs_.push_back(PendingRef{&file, at.Mark(), path, kind, id});
  }

  std::optional<std::string> read_name(YamlFile& file, const Fields& f, std::string_view key) {
    const YAML::Node* n = f.require(key);
    return n ? file.read_string(*n, f.path(key), false) : std::nullopt;
  }

  std::string read_item_id(YamlFile& file, const Fields& f, IdRegistry& ids) {
    const YAML::Node* n = f.require("id");
    if (n == nullptr) return {};
    auto id = file.read_id(*n, f.path("id"), false);
    if (!id) return {};
    ids.add(file, *n, f.path("id"), *id);
    return *id;
  }

  template <typename E, std::size_t N>
  std::optional<E> read_enum(YamlFile& file, const YAML::Node& node, const std::string& path,
                             const NameTable<E, N>& table) {
    auto text = file.read_string(node, path, false);
    if (!text) return std::nullopt;
    auto value = value_of(table, *text);
    if (!value) file.error(node, path, fmt::format("unknown value '{}' (expected one of: {})", *text, choices(table)));
    return value;
  }

  void read_sectors() {
    YamlFile& file = sectors_file_;
    auto list = file.load_list(texts_.sectors, "sectors");
    if (!list) return;
    IdRegistry ids;
    std::size_t index = 0;
    for (const auto& item : *list) {
      Fields f(file, item, fmt::format("sectors[{}]", index++), {"id", "name", "name_en", "lead_agencies", "criticality", "scope"});
      if (!f.is_mapping()) continue;
      Sector s;
      s.id = read_item_id(file, f, ids);
      s.name = read_name(file, f, "name").value_or("");
      s.name_en = read_name(file, f, "name_en").value_or("");
      if (const YAML::Node* n = f.require("lead_agencies")) {
        if (auto leads = file.read_list(*n, f.path("lead_agencies"), false)) {
          for (std::size_t i = 0; i < leads->size(); ++i) {
            std::string path = fmt::format("{}[{}]", f.path("lead_agencies"), i);
            if (auto id = file.read_id((*leads)[i], path, false)) {
              ref(file, (*leads)[i], path, RefKind::organisation, *id);
              s.lead_agencies.push_back(*id);
            }
          }
        }
      }
      if (const YAML::Node* n = f.require("criticality")) {
        s.criticality = static_cast<int>(file.read_int(*n, f.path("criticality"), 1, 5).value_or(0));
      }
      if (const YAML::Node* n = f.find("scope")) s.scope = file.read_string(*n, f.path("scope"), true).value_or("");
      data_.sectors.push_back(std::move(s));
    }
  }

  void read_provinces() {
    YamlFile& file = provinces_file_;
    auto list = file.load_list(texts_.provinces, "provinces");
    if (!list) return;
    IdRegistry ids;
    std::size_t index = 0;
    for (const auto& item : *list) {
      Fields f(file, item, fmt::format("provinces[{}]", index++), {"id", "name", "name_en", "kind", "region", "lat", "lon"});
      if (!f.is_mapping()) continue;
      Province p;
      p.id = read_item_id(file, f, ids);
      p.name = read_name(file, f, "name").value_or("");
      p.name_en = read_name(file, f, "name_en").value_or("");
      if (const YAML::Node* n = f.require("kind")) {
        p.kind = read_enum(file, *n, f.path("kind"), kProvinceKinds).value_or(ProvinceKind::province);
      }
      if (const YAML::Node* n = f.require("region")) {
        p.region = read_enum(file, *n, f.path("region"), kRegions).value_or(Region::north);
      }
      if (const YAML::Node* n = f.require("lat")) p.lat = file.read_double(*n, f.path("lat"), -90, 90).value_or(0);
      if (const YAML::Node* n = f.require("lon")) p.lon = file.read_double(*n, f.path("lon"), -180, 180).value_or(0);
      data_.provinces.push_back(std::move(p));
    }
  }

  void read_organisations() {
    YamlFile& file = organisations_file_;
    auto list = file.load_list(texts_.organisations, "organisations");
    if (!list) return;
    IdRegistry ids;
    std::size_t index = 0;
    for (const auto& item : *list) {
      Fields f(file, item, fmt::format("organisations[{}]", index++),
               {"id", "name", "name_en", "type", "sector", "province", "ip_ranges", "asns", "domains", "parent"});
      if (!f.is_mapping()) continue;
      Organisation o;
      OrgOrigins origins{Origin{&file, item.Mark(), f.base_path()}, {}};
      o.id = read_item_id(file, f, ids);
      o.name = read_name(file, f, "name").value_or("");
      o.name_en = read_name(file, f, "name_en").value_or("");
      if (const YAML::Node* n = f.require("type")) {
        o.type = read_enum(file, *n, f.path("type"), kOrganisationTypes).value_or(OrganisationType::agency);
      }
      if (const YAML::Node* n = f.find("sector")) {
        o.sector = file.read_id(*n, f.path("sector"), true).value_or("");
        ref(file, *n, f.path("sector"), RefKind::sector, o.sector);
      }
      if (const YAML::Node* n = f.require("province")) {
        o.province = file.read_id(*n, f.path("province"), false).value_or("");
        ref(file, *n, f.path("province"), RefKind::province, o.province);
      }
      if (const YAML::Node* n = f.require("ip_ranges")) {
        if (auto ranges = file.read_list(*n, f.path("ip_ranges"), false)) {
          for (std::size_t i = 0; i < ranges->size(); ++i) {
            std::string path = fmt::format("{}[{}]", f.path("ip_ranges"), i);
            if (auto prefix = file.read_prefix((*ranges)[i], path)) {
              o.ip_ranges.push_back(*prefix);
              origins.ranges.push_back(Origin{&file, (*ranges)[i].Mark(), path});
            }
          }
        }
      }
      if (const YAML::Node* n = f.find("asns")) {
        if (auto asns = file.read_list(*n, f.path("asns"), true)) {
          for (std::size_t i = 0; i < asns->size(); ++i) {
            std::string path = fmt::format("{}[{}]", f.path("asns"), i);
            if (auto asn = file.read_int((*asns)[i], path, 1, 4294967295LL)) {
              o.asns.push_back(static_cast<std::uint32_t>(*asn));
            }
          }
        }
      }
      if (const YAML::Node* n = f.find("domains")) {
        if (auto domains = file.read_list(*n, f.path("domains"), true)) {
          for (std::size_t i = 0; i < domains->size(); ++i) {
            std::string path = fmt::format("{}[{}]", f.path("domains"), i);
            auto domain = file.read_string((*domains)[i], path, false);
            if (!domain) continue;
            if (!is_domain_name(*domain)) {
              file.error((*domains)[i], path,
                         fmt::format("'{}' is not a lowercase domain name such as example.gov.vn", *domain));
              continue;
            }
            o.domains.push_back(*domain);
          }
        }
      }
      if (const YAML::Node* n = f.find("parent")) {
        o.parent = file.read_id(*n, f.path("parent"), true).value_or("");
        if (!o.parent.empty() && o.parent == o.id) {
          file.error(*n, f.path("parent"), "an organisation cannot be its own parent");
        } else {
          ref(file, *n, f.path("parent"), RefKind::organisation, o.parent);
        }
      }
      data_.organisations.push_back(std::move(o));
      org_origins_.push_back(std::move(origins));
    }
  }

  void read_socs() {
    YamlFile& file = socs_file_;
    auto list = file.load_list(texts_.socs, "socs");
    if (!list) return;
    IdRegistry ids;
    std::size_t index = 0;
    for (const auto& item : *list) {
      Fields f(file, item, fmt::format("socs[{}]", index++),
               {"id", "name", "org", "formats", "transport", "sender_ranges", "syslog_local_time"});
      if (!f.is_mapping()) continue;
      SocConnector s;
      SocOrigins origins{Origin{&file, item.Mark(), f.base_path()}, {}};
      s.id = read_item_id(file, f, ids);
      s.name = read_name(file, f, "name").value_or("");
      if (const YAML::Node* n = f.require("org")) {
        s.org = file.read_id(*n, f.path("org"), false).value_or("");
        ref(file, *n, f.path("org"), RefKind::organisation, s.org);
      }
      if (const YAML::Node* n = f.require("formats")) {
        if (auto formats = file.read_list(*n, f.path("formats"), false)) {
          for (std::size_t i = 0; i < formats->size(); ++i) {
            std::string path = fmt::format("{}[{}]", f.path("formats"), i);
            auto format = read_enum(file, (*formats)[i], path, kSocFormats);
            if (!format) continue;
            bool repeated = false;
            for (auto seen : s.formats) repeated = repeated || seen == *format;
            if (repeated) {
              file.error((*formats)[i], path, fmt::format("format '{}' is listed twice", to_string(*format)));
              continue;
            }
            s.formats.push_back(*format);
          }
        }
      }
      bool transport_known = false;
      if (const YAML::Node* n = f.require("transport")) {
        auto transport = read_enum(file, *n, f.path("transport"), kSocTransports);
        transport_known = transport.has_value();
        s.transport = transport.value_or(SocTransport::http);
      }
      const YAML::Node* senders = f.find("sender_ranges");
      if (senders != nullptr) {
        if (auto ranges = file.read_list(*senders, f.path("sender_ranges"), true)) {
          for (std::size_t i = 0; i < ranges->size(); ++i) {
            std::string path = fmt::format("{}[{}]", f.path("sender_ranges"), i);
            if (auto prefix = file.read_prefix((*ranges)[i], path)) {
              s.sender_ranges.push_back(*prefix);
              origins.senders.push_back(Origin{&file, (*ranges)[i].Mark(), path});
            }
          }
        }
      }
      if (const YAML::Node* n = f.find("syslog_local_time")) {
        if (auto text = file.read_string(*n, f.path("syslog_local_time"), false)) {
          if (parse_utc_offset(*text))
            s.syslog_local_time = *text;
          else
            file.error(*n, f.path("syslog_local_time"), fmt::format("'{}' is not a UTC offset such as \"+07:00\"", *text));
        }
      }
      // A syslog message carries no credential: the sender address is the only way to tell SOCs apart.
      if (transport_known && s.transport != SocTransport::http && (senders == nullptr || senders->IsNull() ||
                                                                   (senders->IsSequence() && senders->size() == 0))) {
        file.error(item, f.path("sender_ranges"),
                   fmt::format("a {} connector needs sender_ranges: syslog senders are identified by address",
                               to_string(s.transport)));
      }
      data_.socs.push_back(std::move(s));
      soc_origins_.push_back(std::move(origins));
    }
  }

  void check_references() {
    for (const auto& r : refs_) {
      const char* what = "organisation";
      bool found = false;
      switch (r.kind) {
        case RefKind::sector:
          what = "sector";
          found = data_.find_sector(r.id) != nullptr;
          break;
        case RefKind::province:
          what = "province";
          found = data_.find_province(r.id) != nullptr;
          break;
        case RefKind::organisation:
          found = data_.find_organisation(r.id) != nullptr;
          break;
      }
      if (!found) {
        diag_.add(r.file->label(), r.mark, r.path, fmt::format("unknown {} '{}'", what, r.id));
      }
    }
  }

  void check_parents() {
    const auto& orgs = data_.organisations;
    for (std::size_t i = 0; i < orgs.size(); ++i) {
      const Organisation* at = &orgs[i];
      // Bounded walk: a chain longer than the registry must loop.
      for (std::size_t steps = 0; steps <= orgs.size() && at != nullptr && !at->parent.empty(); ++steps) {
        at = data_.find_organisation(at->parent);
        if (at == &orgs[i]) {
          const Origin& o = org_origins_[i].item;
          diag_.add(o.file->label(), o.mark, o.path,
                    fmt::format("the parent chain of '{}' loops back to itself", orgs[i].id));
          break;
        }
      }
    }
  }

  // Ranges of different organisations may only nest inside an ISP's aggregate (the customer block wins by
  // longest match); any other overlap would attribute one address to two organisations.
  void check_organisation_ranges() {
    const auto& orgs = data_.organisations;
    for (std::size_t a = 0; a < orgs.size(); ++a) {
      for (std::size_t b = a + 1; b < orgs.size(); ++b) {
        for (std::size_t i = 0; i < orgs[a].ip_ranges.size(); ++i) {
          for (std::size_t j = 0; j < orgs[b].ip_ranges.size(); ++j) {
            const IpPrefix& pa = orgs[a].ip_ranges[i];
            const IpPrefix& pb = orgs[b].ip_ranges[j];
            if (!prefixes_overlap(pa, pb)) continue;
            bool a_holds_b = pa.bits < pb.bits && orgs[a].type == OrganisationType::isp;
            bool b_holds_a = pb.bits < pa.bits && orgs[b].type == OrganisationType::isp;
            if (a_holds_b || b_holds_a) continue;
            const Origin& o = org_origins_[b].ranges[j];
            diag_.add(o.file->label(), o.mark, o.path,
                      fmt::format("{} overlaps {} of organisation '{}'; only an ISP's aggregate may contain another "
                                  "organisation's range",
                                  pb.to_string(), pa.to_string(), orgs[a].id));
          }
        }
      }
    }
  }

  void check_soc_senders() {
    const auto& socs = data_.socs;
    for (std::size_t s = 0; s < socs.size(); ++s) {
      const Organisation* org = data_.find_organisation(socs[s].org);
      for (std::size_t i = 0; i < socs[s].sender_ranges.size(); ++i) {
        const IpPrefix& sender = socs[s].sender_ranges[i];
        const Origin& o = soc_origins_[s].senders[i];
        if (org != nullptr) {
          bool inside = false;
          for (const auto& range : org->ip_ranges) inside = inside || prefix_inside(sender, range);
          if (!inside) {
            diag_.add(o.file->label(), o.mark, o.path,
                      fmt::format("{} is outside the ip_ranges of organisation '{}'", sender.to_string(), org->id));
          }
        }
        for (std::size_t t = 0; t < s; ++t) {
          for (const auto& other : socs[t].sender_ranges) {
            if (prefixes_overlap(sender, other)) {
              diag_.add(o.file->label(), o.mark, o.path,
                        fmt::format("{} overlaps {} of SOC '{}'; a sender address must identify one SOC",
                                    sender.to_string(), other.to_string(), socs[t].id));
            }
          }
        }
      }
    }
  }

  Diagnostics diag_;
  YamlFile sectors_file_;
  YamlFile provinces_file_;
  YamlFile organisations_file_;
  YamlFile socs_file_;
  const RegistryTexts& texts_;
  RegistryData data_;
  std::vector<PendingRef> refs_;
  std::vector<OrgOrigins> org_origins_;
  std::vector<SocOrigins> soc_origins_;
};

template <typename T>
const T* find_by_id(const std::vector<T>& items, std::string_view id) {
  for (const auto& item : items) {
    if (item.id == id) return &item;
  }
  return nullptr;
}

}  // namespace

const Sector* RegistryData::find_sector(std::string_view id) const { return find_by_id(sectors, id); }
const Province* RegistryData::find_province(std::string_view id) const { return find_by_id(provinces, id); }
const Organisation* RegistryData::find_organisation(std::string_view id) const {
  return find_by_id(organisations, id);
}
const SocConnector* RegistryData::find_soc(std::string_view id) const { return find_by_id(socs, id); }

std::optional<std::string> RegistryData::org_for_address(const IpAddress& ip) const {
  const Organisation* best = nullptr;
  int best_bits = -1;
  for (const auto& org : organisations) {
    for (const auto& range : org.ip_ranges) {
      if (range.bits > best_bits && range.contains(ip)) {
        best = &org;
        best_bits = range.bits;
      }
    }
  }
  if (best == nullptr) return std::nullopt;
  return best->id;
}

std::optional<std::string> RegistryData::soc_for_sender(const IpAddress& ip) const {
  const SocConnector* best = nullptr;
  int best_bits = -1;
  for (const auto& soc : socs) {
    for (const auto& range : soc.sender_ranges) {
      if (range.bits > best_bits && range.contains(ip)) {
        best = &soc;
        best_bits = range.bits;
      }
    }
  }
  if (best == nullptr) return std::nullopt;
  return best->id;
}

Result<RegistryData> parse_registry_yaml(const RegistryTexts& texts, const std::filesystem::path& label_dir) {
  return Loader(texts, label_dir).run();
}

Result<RegistryData> load_registry_yaml(const std::filesystem::path& dir) {
  RegistryTexts texts;
  std::vector<std::string> problems;
  auto read = [&](const char* name, std::string& out) {
    std::filesystem::path path = dir / name;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::error_code ec;
      bool exists = std::filesystem::exists(path, ec);
      problems.push_back(fmt::format("{}: cannot read: {}", path.string(), exists ? "permission denied or not a file"
                                                                                    : "no such file"));
      return;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    out = buffer.str();
  };
  read("sectors.yaml", texts.sectors);
  read("provinces.yaml", texts.provinces);
  read("organisations.yaml", texts.organisations);
  read("socs.yaml", texts.socs);
  if (!problems.empty()) {
    std::string joined;
    for (const auto& p : problems) joined += (joined.empty() ? "" : "\n") + p;
    return fail(joined);
  }
  return parse_registry_yaml(texts, dir);
}

std::string_view to_string(ProvinceKind kind) { return name_of(kProvinceKinds, kind); }
std::string_view to_string(Region region) { return name_of(kRegions, region); }
std::string_view to_string(OrganisationType type) { return name_of(kOrganisationTypes, type); }
std::string_view to_string(SocFormat format) { return name_of(kSocFormats, format); }
std::string_view to_string(SocTransport transport) { return name_of(kSocTransports, transport); }

std::optional<ProvinceKind> parse_province_kind(std::string_view text) { return value_of(kProvinceKinds, text); }
std::optional<Region> parse_region(std::string_view text) { return value_of(kRegions, text); }
std::optional<OrganisationType> parse_organisation_type(std::string_view text) {
  return value_of(kOrganisationTypes, text);
}
std::optional<SocFormat> parse_soc_format(std::string_view text) { return value_of(kSocFormats, text); }
std::optional<SocTransport> parse_soc_transport(std::string_view text) { return value_of(kSocTransports, text); }

bool is_registry_id(std::string_view id) {
  if (id.empty() || id.front() == '-' || id.back() == '-') return false;
  char previous = 0;
  for (char c : id) {
    bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!word && c != '-') return false;
    if (c == '-' && previous == '-') return false;
    previous = c;
  }
  return true;
}

}  // namespace khien
