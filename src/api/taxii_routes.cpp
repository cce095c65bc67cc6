// TAXII 2.1 routes (OASIS TAXII 2.1, sections 3-5): content negotiation, authentication,
// collection access rules, filtering and pagination over the StixStore.
#include "api/taxii_routes.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>

#include "intel/stix_bundle_importer.h"
#include "intel/stix_object.h"
#include "store/state_store.h"

namespace khien {

namespace {

using json = nlohmann::json;

constexpr const char* kTaxiiMediaType = "application/taxii+json;version=2.1";

HttpResponse taxii_json(const json& body, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.content_type = kTaxiiMediaType;
  r.body = body.dump();
  return r;
}

/// A TAXII error message (section 3.6.1).
HttpResponse taxii_error(int status, std::string title, std::string description) {
  return taxii_json(json{{"title", std::move(title)},
                         {"description", std::move(description)},
                         {"http_status", std::to_string(status)}},
                    status);
}

std::string lower_trim(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '\t') out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  return out;
}

// Splits "type/sub;a=b;version=2.1" into the type and its version parameter ("" when none).
std::pair<std::string, std::string> media_type(std::string_view text) {
  std::string s = lower_trim(text);
  auto semi = s.find(';');
  std::string type = s.substr(0, semi), version;
  while (semi != std::string::npos) {
    auto next = s.find(';', semi + 1);
    std::string param = s.substr(semi + 1, next == std::string::npos ? std::string::npos : next - semi - 1);
    if (param.rfind("version=", 0) == 0) version = param.substr(8);
    semi = next;
  }
  return {type, version};
}

bool accept_ok(const HttpRequest& req) {
  std::string accept = req.header("accept");
  if (accept.empty()) return true;
  std::size_t start = 0;
  while (start <= accept.size()) {
    auto comma = accept.find(',', start);
    if (comma == std::string::npos) comma = accept.size();
    auto [type, version] = media_type(std::string_view(accept).substr(start, comma - start));
    if (type == "*/*" || type == "application/*") return true;
    if (type == "application/taxii+json" && (version.empty() || version == "2.1")) return true;
    start = comma + 1;
  }
  return false;
}

bool content_type_ok(const HttpRequest& req) {
  auto [type, version] = media_type(req.header("content-type"));
  return type == "application/taxii+json" && (version.empty() || version == "2.1");
}

std::string base64_decode(std::string_view in) {
  std::string out((in.size() / 4 + 1) * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0 || in.size() % 4 != 0) return {};
  std::size_t pad = 0;
  if (!in.empty() && in.back() == '=') ++pad;
  if (in.size() > 1 && in[in.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

bool collection_visible(const TaxiiPrincipal& p, const TaxiiCollectionRow& c) {
  return p.is_admin || c.readers.empty() || contains(c.readers, p.org);
}
bool collection_readable(const TaxiiPrincipal& p, const TaxiiCollectionRow& c) {
  return c.can_read && collection_visible(p, c);
}
bool collection_writable(const TaxiiPrincipal& p, const TaxiiCollectionRow& c) {
  if (!c.can_write) return false;
  if (p.is_admin) return true;
  return p.can_write && collection_visible(p, c) && (c.writers.empty() || contains(c.writers, p.org));
}
bool object_visible(const TaxiiPrincipal& p, const TaxiiCollectionRow& c, const StixRecord& r) {
  if (p.is_admin) return true;
  Tlp tlp = parse_tlp(r.tlp).value_or(Tlp::red);
  if (tlp > p.max_tlp) return false;
  if (tlp == Tlp::red || tlp == Tlp::amber_strict) return !p.org.empty() && contains(c.recipients, p.org);
  return true;
}

std::string version_of(const StixRecord& r) {
  if (!r.modified.empty()) return r.modified;
  if (!r.created.empty()) return r.created;
  return format_stix_timestamp(r.added_us);
}

std::string new_uuid() {
  std::string h = random_hex(16);
  h[12] = '4';
  h[16] = "89ab"[h[16] % 4];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// All values of a filter parameter, comma lists split.
std::vector<std::string> list_param(const HttpRequest& req, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& v : req.params(name)) {
    std::size_t start = 0;
    while (start <= v.size()) {
      auto comma = v.find(',', start);
      if (comma == std::string::npos) comma = v.size();
      std::string item = v.substr(start, comma - start);
      item.erase(0, item.find_first_not_of(' '));
      item.erase(item.find_last_not_of(' ') + 1);
      if (!item.empty()) out.push_back(item);
      start = comma + 1;
    }
  }
  return out;
}

struct Request {
  TaxiiPrincipal principal;
  TaxiiApiRootRow root;
  TaxiiCollectionRow collection;
};

class Taxii {
 public:
  explicit Taxii(TaxiiContext& ctx) : ctx_(ctx) {}

  // Authentication and Accept checks shared by every route.
  std::optional<HttpResponse> gate(const HttpRequest& req, TaxiiPrincipal& principal) const {
    std::optional<TaxiiPrincipal> p = ctx_.authenticate ? ctx_.authenticate(req) : std::nullopt;
    if (!p) {
      auto r = taxii_error(401, "Unauthorized", "valid credentials are required (HTTP Basic or Bearer)");
      r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"khien TAXII\", Bearer realm=\"khien TAXII\"");
      return r;
    }
    if (!accept_ok(req))
      return taxii_error(
          406, "Not Acceptable",
          fmt::format("the Accept header '{}' does not allow {}", req.header("accept"), kTaxiiMediaType));
    principal = std::move(*p);
    return std::nullopt;
  }

  // Resolves the API root and, when `with_collection`, the collection (404 when the caller may not see it).
  std::optional<HttpResponse> resolve(const HttpRequest& req, Request& out, bool with_collection) const {
    if (auto r = gate(req, out.principal)) return r;
    std::string root = req.path_params.at("root");
    auto api = ctx_.store->api_root(root);
    if (!api) return taxii_error(404, "Not Found", fmt::format("no API root '{}'", root));
    out.root = std::move(*api);
    if (with_collection) {
      std::string id = req.path_params.at("collection");
      auto col = ctx_.store->collection(root, id);
      if (!col || !collection_visible(out.principal, *col))
        return taxii_error(404, "Not Found", fmt::format("no collection '{}' in API root '{}'", id, root));
      out.collection = std::move(*col);
    }
    return std::nullopt;
  }

  std::string base(const HttpRequest& req) const {
    if (!ctx_.base_url.empty()) {
      std::string b = ctx_.base_url;
      while (!b.empty() && b.back() == '/') b.pop_back();
      return b;
    }
    std::string host = req.header("host");
    return host.empty() ? std::string() : "http://" + host;
  }

  HttpResponse discovery(HttpRequest& req) const {
    TaxiiPrincipal p;
    if (auto r = gate(req, p)) return *r;
    json stored = json::parse(ctx_.store->meta("discovery").value_or("{}"), nullptr, false);
    if (!stored.is_object()) stored = json::object();
    json out{{"title", stored.value("title", "khien TAXII 2.1 server")}};
    for (const char* k : {"description", "contact"})
      if (stored.contains(k) && stored[k].is_string()) out[k] = stored[k];
    std::string prefix = base(req) + "/taxii2/";
    json roots = json::array();
    auto all = ctx_.store->api_roots();
    for (const auto& r : all) roots.push_back(prefix + r.name + "/");
    if (stored.contains("default") && stored["default"].is_string()) {
      std::string d = stored["default"].get<std::string>();
      while (!d.empty() && d.back() == '/') d.pop_back();
      std::string name = d.substr(d.rfind('/') + 1);
      for (const auto& r : all)
        if (r.name == name) out["default"] = prefix + name + "/";
    }
    if (!roots.empty()) out["api_roots"] = roots;
    return taxii_json(out);
  }

  HttpResponse api_root(HttpRequest& req) const {
    Request r;
    if (auto e = resolve(req, r, false)) return *e;
    json out{{"title", r.root.title}, {"versions", r.root.versions}, {"max_content_length", r.root.max_content_length}};
    if (!r.root.description.empty()) out["description"] = r.root.description;
    return taxii_json(out);
  }

  json collection_json(const Request& r, const TaxiiCollectionRow& c) const {
    json out{{"id", c.id},
             {"title", c.title},
             {"can_read", collection_readable(r.principal, c)},
             {"can_write", collection_writable(r.principal, c)},
             {"media_types", c.media_types}};
    if (!c.description.empty()) out["description"] = c.description;
    if (!c.alias.empty()) out["alias"] = c.alias;
    return out;
  }

  HttpResponse collections(HttpRequest& req) const {
    Request r;
    if (auto e = resolve(req, r, false)) return *e;
    json list = json::array();
    for (const auto& c : ctx_.store->collections(r.root.name))
      if (collection_visible(r.principal, c)) list.push_back(collection_json(r, c));
    return taxii_json(list.empty() ? json::object() : json{{"collections", list}});
  }

  HttpResponse collection(HttpRequest& req) const {
    Request r;
    if (auto e = resolve(req, r, true)) return *e;
    return taxii_json(collection_json(r, r.collection));
  }

  // Builds the query from the filter parameters; `endpoint` names the resource for the cursor.
  std::optional<HttpResponse> build_query(const HttpRequest& req, const Request& r, const std::string& endpoint,
                                          bool paged, StixQuery& q) const {
    q.collection = r.collection.id;
    if (std::string aa = req.param("added_after"); !aa.empty()) {
      auto t = parse_stix_timestamp(aa);
      if (!t)
        return taxii_error(400, "Bad Request",
                           fmt::format("added_after '{}' is not a timestamp (e.g. 2016-11-03T12:30:59Z)", aa));
      q.added_after_us = *t;
    }
    q.ids = list_param(req, "match[id]");
    q.types = list_param(req, "match[type]");
    q.spec_versions = list_param(req, "match[spec_version]");
    for (const auto& v : list_param(req, "match[version]")) {
      if (v == "first")
        q.versions.first = true;
      else if (v == "last")
        q.versions.last = true;
      else if (v == "all")
        q.versions.all = true;
      else if (auto t = parse_stix_timestamp(v))
        q.versions.exact.push_back(*t);
      else
        return taxii_error(400, "Bad Request",
                           fmt::format("match[version] '{}' is not first, last, all or a timestamp", v));
    }
    q.visible = [p = r.principal, c = r.collection](const StixRecord& rec) { return object_visible(p, c, rec); };
    if (!paged) return std::nullopt;
    q.limit = ctx_.max_page_size;
    if (std::string l = req.param("limit"); !l.empty()) {
      long long n = 0;
      auto [end, ec] = std::from_chars(l.data(), l.data() + l.size(), n);
      if (ec != std::errc() || end != l.data() + l.size() || n <= 0)
        return taxii_error(400, "Bad Request", fmt::format("limit '{}' must be a positive integer", l));
      q.limit = std::min<std::size_t>(static_cast<std::size_t>(n), ctx_.max_page_size);
    }
    if (std::string next = req.param("next"); !next.empty()) {
      auto parts = split_next(next);
      if (!parts || parts->fingerprint != fingerprint(req, endpoint))
        return taxii_error(400, "ProcessingError",
                           "the next token does not belong to this request (the filters changed, or it is not a token "
                           "this server issued)");
      q.after = std::make_pair(parts->added, parts->seq);
    }
    return std::nullopt;
  }

  struct NextToken {
    std::int64_t added = 0, seq = 0;
    std::string fingerprint;
  };

  static std::optional<NextToken> split_next(const std::string& s) {
    auto a = s.find('.'), b = s.find('.', a == std::string::npos ? a : a + 1);
    if (a == std::string::npos || b == std::string::npos) return std::nullopt;
    NextToken t;
    auto r1 = std::from_chars(s.data(), s.data() + a, t.added);
    auto r2 = std::from_chars(s.data() + a + 1, s.data() + b, t.seq);
    if (r1.ec != std::errc() || r1.ptr != s.data() + a || r2.ec != std::errc() || r2.ptr != s.data() + b)
      return std::nullopt;
    t.fingerprint = s.substr(b + 1);
    return t;
  }

  // Ties a `next` token to the filters it was issued for: a token reused with other filters is refused.
  static std::string fingerprint(const HttpRequest& req, const std::string& endpoint) {
    std::string key = endpoint;
    for (const char* name : {"added_after", "match[id]", "match[type]", "match[version]", "match[spec_version]"})
      for (const auto& v : list_param(req, name)) key += fmt::format("|{}={}", name, v);
    return sha256_hex(key).substr(0, 16);
  }

  static void date_headers(HttpResponse& res, const StixPage& page) {
    if (page.records.empty()) return;
    res.headers.emplace_back("X-TAXII-Date-Added-First", format_stix_timestamp(page.records.front().added_us));
    res.headers.emplace_back("X-TAXII-Date-Added-Last", format_stix_timestamp(page.records.back().added_us));
  }

  static void paging(json& out, const HttpRequest& req, const std::string& endpoint, const StixPage& page) {
    out["more"] = page.more;
    if (page.more && !page.records.empty())
      out["next"] =
          fmt::format("{}.{}.{}", page.records.back().added_us, page.records.back().seq, fingerprint(req, endpoint));
  }

  HttpResponse get_objects(HttpRequest& req) const {
    Request r;
    if (auto e = resolve(req, r, true)) return *e;
    if (!collection_readable(r.principal, r.collection))
      return taxii_error(403, "Forbidden", fmt::format("collection '{}' is not readable for you", r.collection.id));
    StixQuery q;
    std::string endpoint = "objects";
    bool single = req.path_params.count("object") > 0;
    if (single) {
      q.ids = {req.path_params.at("object")};
      endpoint += "/" + q.ids[0];
    }
    if (auto e = build_query(req, r, endpoint, true, q)) return *e;
    if (single) q.ids = {req.path_params.at("object")};
    auto page = ctx_.store->query(q);
    if (!page) return taxii_error(500, "Internal Error", page.error().message);
    if (single && page->records.empty() && !exists(r, q.ids[0]))
      return taxii_error(404, "Not Found", fmt::format("no object '{}' in collection '{}'", q.ids[0], r.collection.id));
    json out = json::object();
    if (!page->records.empty()) {
      paging(out, req, endpoint, *page);
      json objects = json::array();
      for (const auto& rec : page->records) objects.push_back(json::parse(rec.json));
      out["objects"] = std::move(objects);
    }
    auto res = taxii_json(out);
    date_headers(res, *page);
    return res;
  }

  bool exists(const Request& r, const std::string& id) const {
    StixQuery any;
    any.collection = r.collection.id;
    any.ids = {id};
    any.versions.all = true;
    any.with_json = false;
    any.visible = [p = r.principal, c = r.collection](const StixRecord& rec) { return object_visible(p, c, rec); };
    auto page = ctx_.store->query(any);
    return page && !page->records.empty();
  }

  HttpResponse manifest(HttpRequest& req) const {
    Request r;
    if (auto e = resolve(req, r, true)) return *e;
    if (!collection_readable(r.principal, r.collection))
      return taxii_error(403, "Forbidden", fmt::format("collection '{}' is not readable for you", r.collection.id));
    StixQuery q;
    if (auto e = build_query(req, r, "manifest", true, q)) return *e;
    q.with_json = false;
    auto page = ctx_.store->query(q);
    if (!page) return taxii_error(500, "Internal Error", page.error().message);
    json out = json::object();
    if (!page->records.empty()) {
      paging(out, req, "manifest", *page);
      json objects = json::array();
      for (const auto& rec : page->records)
        objects.push_back(json{{"id", rec.id},
                               {"date_added", format_stix_timestamp(rec.added_us)},
                               {"version", version_of(rec)},
                               {"media_type", "application/stix+json;version=" + rec.spec_version}});
      out["objects"] = std::move(objects);
    }
    auto res = taxii_json(out);
    date_headers(res, *page);
    return res;
  }

  HttpResponse versions(HttpRequest& req) const {
    Request r;
    if (auto e = resolve(req, r, true)) return *e;
    if (!collection_readable(r.principal, r.collection))
      return taxii_error(403, "Forbidden", fmt::format("collection '{}' is not readable for you", r.collection.id));
    std::string id = req.path_params.at("object");
    std::string endpoint = "versions/" + id;
    StixQuery q;
    if (auto e = build_query(req, r, endpoint, true, q)) return *e;
    q.ids = {id};
    q.types.clear();
    q.versions = StixVersionFilter{};
    q.versions.all = true;
    q.with_json = false;
    auto page = ctx_.store->query(q);
    if (!page) return taxii_error(500, "Internal Error", page.error().message);
    if (page->records.empty() && !exists(r, id))
      return taxii_error(404, "Not Found", fmt::format("no object '{}' in collection '{}'", id, r.collection.id));
    json out = json::object();
    if (!page->records.empty()) {
      paging(out, req, endpoint, *page);
      json list = json::array();
      for (const auto& rec : page->records) list.push_back(version_of(rec));
      out["versions"] = std::move(list);
    }
    auto res = taxii_json(out);
    date_headers(res, *page);
    return res;
  }

  HttpResponse delete_object(HttpRequest& req) const {
    Request r;
    if (auto e = resolve(req, r, true)) return *e;
    if (!collection_writable(r.principal, r.collection) || !collection_readable(r.principal, r.collection))
      return taxii_error(403, "Forbidden",
                         fmt::format("collection '{}' does not allow you to delete objects", r.collection.id));
    std::string id = req.path_params.at("object");
    StixQuery q;
    if (auto e = build_query(req, r, "delete", false, q)) return *e;
    q.ids = {id};
    q.types.clear();
    bool no_version = q.versions.exact.empty() && !q.versions.first && !q.versions.last && !q.versions.all;
    if (no_version) q.versions.all = true;  // no match[version]: every version goes
    if (q.spec_versions.empty()) q.spec_versions = {"2.0", "2.1"};
    auto n = ctx_.store->remove(q);
    if (!n) return taxii_error(500, "Internal Error", n.error().message);
    if (*n == 0)
      return taxii_error(404, "Not Found",
                         fmt::format("no matching version of '{}' in collection '{}'", id, r.collection.id));
    HttpResponse res;
    res.status = 200;
    res.content_type = kTaxiiMediaType;
    return res;
  }

  HttpResponse post_objects(HttpRequest& req) const {
    Request r;
    if (auto e = resolve(req, r, true)) return *e;
    if (!collection_writable(r.principal, r.collection))
      return taxii_error(403, "Forbidden", fmt::format("collection '{}' is not writable for you", r.collection.id));
    if (!content_type_ok(req))
      return taxii_error(415, "Unsupported Media Type",
                         fmt::format("Content-Type '{}' is not {}", req.header("content-type"), kTaxiiMediaType));
    std::size_t limit = std::min<std::size_t>(
        ctx_.max_bundle_bytes, static_cast<std::size_t>(std::max<std::int64_t>(0, r.root.max_content_length)));
    if (req.body.size() > limit)
      return taxii_error(
          413, "Payload Too Large",
          fmt::format("the envelope is {} bytes; this API root accepts at most {}", req.body.size(), limit));
    auto processing = [](const std::string& why) {
      return taxii_error(422, "ProcessingError", "While processing supplied content, an error occurred: " + why);
    };
    json envelope = json::parse(req.body, nullptr, false);
    if (envelope.is_discarded() || !envelope.is_object())
      return processing("the body is not a JSON object (a TAXII envelope)");
    auto objects = envelope.find("objects");
    if (objects == envelope.end() || !objects->is_array())
      return processing("the envelope has no 'objects' list (post {\"objects\": [...]}, not a bare STIX object)");
    StixImportOptions options;
    options.collection = r.collection.id;
    options.source = r.principal.org.empty() ? r.principal.name : r.principal.org;
    options.default_tlp = parse_tlp(r.collection.default_tlp).value_or(Tlp::amber);
    options.max_bytes = limit;
    StixBundleImporter importer(ctx_.store);
    std::int64_t requested = now_us();
    auto result = importer.import_objects(*objects, options);
    if (!result) return processing(result.error().message);
    if (result->added > 0 && ctx_.on_objects_added) ctx_.on_objects_added();
    json successes = json::array();
    for (const auto& v : result->versions)
      successes.push_back(json{{"id", v.id},
                               {"version", v.version},
                               {"message", v.added ? fmt::format("added to collection '{}'", r.collection.id)
                                                   : std::string("already present; unchanged")}});
    std::string id = new_uuid();
    json status{{"id", id},
                {"status", "complete"},
                {"request_timestamp", format_stix_timestamp(requested)},
                {"total_count", result->objects},
                {"success_count", result->objects},
                {"failure_count", 0},
                {"pending_count", 0}};
    if (!successes.empty()) status["successes"] = std::move(successes);
    if (auto st = ctx_.store->put_status(r.root.name, id, requested, status.dump()); !st)
      return taxii_error(500, "Internal Error", st.error().message);
    return taxii_json(status, 202);
  }

  HttpResponse status(HttpRequest& req) const {
    Request r;
    if (auto e = resolve(req, r, false)) return *e;
    std::string id = req.path_params.at("status");
    auto s = ctx_.store->status(r.root.name, id);
    if (!s) return taxii_error(404, "Not Found", fmt::format("no status '{}' in API root '{}'", id, r.root.name));
    HttpResponse res = taxii_json(json::object());
    res.body = *s;
    return res;
  }

 private:
  TaxiiContext& ctx_;
};

}  // namespace

std::optional<std::pair<std::string, std::string>> basic_credentials(const HttpRequest& request) {
  std::string auth = request.header("authorization");
  if (auth.size() < 7 || lower_trim(auth.substr(0, 6)) != "basic") return std::nullopt;
  std::string decoded = base64_decode(auth.substr(6).erase(0, auth.substr(6).find_first_not_of(' ')));
  auto colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::make_pair(decoded.substr(0, colon), decoded.substr(colon + 1));
}

std::optional<std::string> bearer_token(const HttpRequest& request) {
  std::string auth = request.header("authorization");
  if (auth.size() < 8 || lower_trim(auth.substr(0, 7)) != "bearer") return std::nullopt;
  std::string token = auth.substr(7);
  token.erase(0, token.find_first_not_of(' '));
  if (token.empty()) return std::nullopt;
  return token;
}

std::optional<TaxiiPrincipal> taxii_principal(const Principal& p) {
  switch (p.role) {
    case Role::national_admin:
    case Role::national_analyst: return TaxiiPrincipal{p.user, "", Tlp::red, true, true};
    case Role::auditor: return TaxiiPrincipal{p.user, "", Tlp::amber_strict, false, false};
    case Role::sector_cert: return TaxiiPrincipal{p.user, "", Tlp::amber, false, false};
    case Role::org_soc: return TaxiiPrincipal{p.user, p.scope_id, Tlp::amber, false, false};
    case Role::isp_consumer: return TaxiiPrincipal{p.user, "", Tlp::green, false, false};
    case Role::reporter: return std::nullopt;
  }
  return std::nullopt;
}

void register_taxii_routes(Router& router, TaxiiContext& context) {
  auto taxii = std::make_shared<Taxii>(context);
  auto add = [&](const char* method, const std::string& pattern, HttpResponse (Taxii::*handler)(HttpRequest&) const) {
    HttpHandler h = [taxii, handler](HttpRequest& req) {
      try {
        return ((*taxii).*handler)(req);
      } catch (const std::exception& e) {
        return taxii_error(500, "Internal Error", e.what());
      }
    };
    router.add(method, pattern, h);
    router.add(method, pattern.substr(0, pattern.size() - 1), h);  // also without the trailing slash
  };
  const std::string objects = "/taxii2/{root}/collections/{collection}/objects/";
  add("GET", "/taxii2/", &Taxii::discovery);
  add("GET", "/taxii2/{root}/", &Taxii::api_root);
  add("GET", "/taxii2/{root}/collections/", &Taxii::collections);
  add("GET", "/taxii2/{root}/collections/{collection}/", &Taxii::collection);
  add("GET", objects, &Taxii::get_objects);
  add("POST", objects, &Taxii::post_objects);
  add("GET", objects + "{object}/", &Taxii::get_objects);
  add("DELETE", objects + "{object}/", &Taxii::delete_object);
  add("GET", objects + "{object}/versions/", &Taxii::versions);
  add("GET", "/taxii2/{root}/collections/{collection}/manifest/", &Taxii::manifest);
  add("GET", "/taxii2/{root}/status/{status}/", &Taxii::status);
}

Status ensure_default_taxii_layout(StixStore& store) {
  if (!store.api_roots().empty()) return {};
  TaxiiApiRootRow root;
  root.name = "khien";
  root.title = "National threat intelligence";
  root.description = "Indicators and threat intelligence shared by the national centre, under TLP";
  if (auto st = store.put_api_root(root); !st) return st;
  TaxiiCollectionRow c;
  c.id = std::string(kDefaultStixCollection);
  c.api_root = root.name;
  c.title = "National indicators";
  c.description = "Imported STIX, MISP and list intelligence";
  c.can_read = true;
  c.can_write = true;
  return store.put_collection(c);
}

}  // namespace khien
