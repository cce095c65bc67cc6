// Building the per-kind tables of the indicator matcher and looking event values up in them.
#include "intel/indicator_matcher.h"

#include <cstring>
#include <deque>

#include "intel/observable_normalizer.h"
#include "intel/url_normalizer.h"

namespace khien {
namespace {

// IPv4 hosts are keyed by their 4 bytes, IPv6 hosts by 16 (IPv4-mapped IPv6 counts as IPv4).
std::string_view host_key(const IpAddress& ip) {
  std::uint32_t v4 = 0;
  if (IpPrefixTable::as_v4(ip, v4)) return {reinterpret_cast<const char*>(ip.bytes.data()) + 12, 4};
  return {reinterpret_cast<const char*>(ip.bytes.data()), ip.bytes.size()};
}

std::size_t append(std::span<const std::uint32_t> ids, std::vector<IndicatorId>& out) {
  out.insert(out.end(), ids.begin(), ids.end());
  return ids.size();
}

std::size_t lower_email_into(std::string_view text, char* out, std::size_t cap) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty() || text.size() > cap) return 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    out[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  }
  return text.size();
}

thread_local std::string t_url_scratch;

// Room for any normalised key but the longest URLs (which go through t_url_scratch).
constexpr std::size_t kKeyBuffer = 4096;

// Labels of a normalised domain name, as the bit the matcher's label mask uses (63: 63 or more).
std::uint64_t label_bit(std::size_t labels) {
  return std::uint64_t{1} << (labels < 63 ? labels : 63);
}

// Calls `probe(offset)` for the name itself and each parent domain ("a.b.vn", "b.vn", "vn") whose
// label count some stored domain has: a parent no stored name is as long as cannot match, and its
// probe would cost a cache miss for nothing (most often the bare TLD).
template <typename Probe>
void for_each_domain_suffix(std::string_view name, std::uint64_t label_mask, Probe&& probe) {
  std::size_t labels = 1;
  for (char c : name) labels += c == '.';
  std::size_t at = 0;
  while (true) {
    if (label_mask & label_bit(labels)) probe(at);
    auto dot = name.find('.', at);
    if (dot == std::string_view::npos) break;
    at = dot + 1;
    --labels;
  }
}

}  // namespace

// ---- builder ----

Status IndicatorMatcher::Builder::add(const Observable& o, IndicatorId id) {
  switch (o.kind) {
    case ObservableKind::Ip:
      return add_ip(o.value, id);
    case ObservableKind::Domain:
      return add_domain(o.value, id);
    case ObservableKind::Url:
      return add_url(o.value, id);
    case ObservableKind::Hash:
      return add_hash(o.value, id);
    case ObservableKind::Email:
      return add_email(o.value, id);
  }
  return fail("unknown observable kind");
}

Status IndicatorMatcher::Builder::add_ip(std::string_view text, IndicatorId id) {
  auto prefix = IpPrefix::parse(text);
  if (!prefix) return fail("'" + std::string(text.substr(0, 80)) + "' is not an IP address or CIDR");
  add_prefix(*prefix, id);
  return {};
}

void IndicatorMatcher::Builder::add_prefix(const IpPrefix& prefix, IndicatorId id) {
  ++observables_;
  if (prefix.bits == (prefix.address.v4 ? 32 : 128)) {
    hosts_.add(host_key(prefix.address), id);
  } else {
    prefixes_.add(prefix, id);
  }
}

Status IndicatorMatcher::Builder::add_domain(std::string_view domain, IndicatorId id) {
  char buf[256];
  std::size_t n = normalize_domain_into(domain, buf);
  if (n == 0) return fail("'" + std::string(domain.substr(0, 80)) + "' is not a domain name");
  domains_.add({buf, n}, id);
  std::size_t labels = 1;
  for (std::size_t i = 0; i < n; ++i) labels += buf[i] == '.';
  domain_labels_ |= label_bit(labels);
  ++observables_;
  return {};
}

Status IndicatorMatcher::Builder::add_url(std::string_view url, IndicatorId id) {
  if (!normalize_url(url, scratch_)) return fail("'" + std::string(url.substr(0, 80)) + "' is not a URL with a host");
  urls_.add(scratch_, id);
  ++observables_;
  return {};
}

Status IndicatorMatcher::Builder::add_hash(std::string_view digest, IndicatorId id) {
  char buf[128];
  std::size_t n = normalize_hash_into(digest, buf);
  if (n == 0)
    return fail("'" + std::string(digest.substr(0, 80)) + "' is not a hex digest of 32, 40, 64 or 128 digits");
  hashes_.add({buf, n}, id);
  ++observables_;
  return {};
}

Status IndicatorMatcher::Builder::add_email(std::string_view address, IndicatorId id) {
  auto m = normalize_email(address);
  if (!m) return fail("'" + std::string(address.substr(0, 80)) + "' is not an e-mail address");
  emails_.add(*m, id);
  ++observables_;
  return {};
}

std::shared_ptr<const IndicatorMatcher> IndicatorMatcher::Builder::build() {
  auto m = std::make_shared<IndicatorMatcher>();
  m->stats_.observables = observables_;
  m->hosts_ = hosts_.build();
  m->domains_ = domains_.build();
  m->urls_ = urls_.build();
  m->hashes_ = hashes_.build();
  m->emails_ = emails_.build();
  m->prefixes_ = prefixes_.build();
  m->domain_labels_ = domain_labels_;
  domain_labels_ = 0;
  const StringHashTable* tables[] = {&m->hosts_, &m->domains_, &m->urls_, &m->hashes_, &m->emails_};
  for (const auto* t : tables) {
    m->stats_.distinct_values += t->key_count();
    m->stats_.value_bytes += t->key_bytes();
    m->stats_.memory_bytes += t->memory_bytes();
  }
  m->stats_.distinct_values += m->prefixes_.prefix_count();
  m->stats_.memory_bytes += m->prefixes_.memory_bytes();
  // A stored prefix is its address and length: 5 bytes for IPv4, 17 for IPv6.
  m->stats_.value_bytes += m->prefixes_.v4_prefix_count() * 5 + m->prefixes_.v6_prefix_count() * 17;
  observables_ = 0;
  std::string().swap(scratch_);
  return m;
}

// ---- lookups ----

std::size_t IndicatorMatcher::match_ip(const IpAddress& ip, std::vector<IndicatorId>& out) const {
  std::string_view key = host_key(ip);
  std::uint64_t hash = hash_bytes(key);
  // Both structures' first reads are independent: start both cache misses before waiting on either.
  hosts_.prefetch(hash);
  prefixes_.prefetch(ip);
  std::size_t n = append(hosts_.find(key, hash), out);
  return n + prefixes_.match(ip, out);
}

const StringHashTable& IndicatorMatcher::table(ObservableKind kind) const {
  switch (kind) {
    case ObservableKind::Ip: return hosts_;
    case ObservableKind::Domain: return domains_;
    case ObservableKind::Url: return urls_;
    case ObservableKind::Hash: return hashes_;
    case ObservableKind::Email: return emails_;
  }
  return hosts_;
}

std::string_view IndicatorMatcher::normalized_key(ObservableKind kind, std::string_view text, char* buf) {
  std::size_t n = 0;
  switch (kind) {
    case ObservableKind::Ip:
      return {};
    case ObservableKind::Domain:
      n = normalize_domain_into(text, buf);
      break;
    case ObservableKind::Url:
      if (normalized_url_bound(text.size()) > kKeyBuffer)
        return normalize_url(text, t_url_scratch) ? std::string_view(t_url_scratch) : std::string_view();
      n = normalize_url_into(text, buf, kKeyBuffer);
      break;
    case ObservableKind::Hash:
      n = normalize_hash_into(text, buf);
      break;
    case ObservableKind::Email:
      n = lower_email_into(text, buf, kKeyBuffer);
      break;
  }
  return {buf, n};
}

std::size_t IndicatorMatcher::match_text(ObservableKind kind, std::string_view text,
                                         std::vector<IndicatorId>& out) const {
  const StringHashTable& t = table(kind);
  if (t.key_count() == 0) return 0;
  char buf[kKeyBuffer];
  std::string_view key = normalized_key(kind, text, buf);
  if (key.empty()) return 0;
  if (kind != ObservableKind::Domain) return append(t.find(key), out);
  // Hash every suffix first and prefetch their slots, so the probes' cache misses overlap.
  constexpr std::size_t kMaxLabels = 128;  // a 253-byte name has at most 127
  std::uint32_t starts[kMaxLabels];
  std::uint64_t hashes[kMaxLabels];
  std::size_t count = 0;
  for_each_domain_suffix(key, domain_labels_, [&](std::size_t at) {
    if (count == kMaxLabels) return;
    starts[count] = static_cast<std::uint32_t>(at);
    hashes[count] = hash_bytes(key.substr(at));
    t.prefetch(hashes[count++]);
  });
  std::size_t added = 0;
  for (std::size_t k = 0; k < count; ++k) added += append(t.find(key.substr(starts[k]), hashes[k]), out);
  return added;
}

std::size_t IndicatorMatcher::match_domain(std::string_view domain, std::vector<IndicatorId>& out) const {
  return match_text(ObservableKind::Domain, domain, out);
}
std::size_t IndicatorMatcher::match_url(std::string_view url, std::vector<IndicatorId>& out) const {
  return match_text(ObservableKind::Url, url, out);
}
std::size_t IndicatorMatcher::match_hash(std::string_view digest, std::vector<IndicatorId>& out) const {
  return match_text(ObservableKind::Hash, digest, out);
}
std::size_t IndicatorMatcher::match_email(std::string_view address, std::vector<IndicatorId>& out) const {
  return match_text(ObservableKind::Email, address, out);
}

std::vector<IndicatorId> IndicatorMatcher::match_ip(const IpAddress& ip) const {
  std::vector<IndicatorId> out;
  match_ip(ip, out);
  return out;
}
std::vector<IndicatorId> IndicatorMatcher::match_domain(std::string_view domain) const {
  std::vector<IndicatorId> out;
  match_domain(domain, out);
  return out;
}
std::vector<IndicatorId> IndicatorMatcher::match_url(std::string_view url) const {
  std::vector<IndicatorId> out;
  match_url(url, out);
  return out;
}
std::vector<IndicatorId> IndicatorMatcher::match_hash(std::string_view digest) const {
  std::vector<IndicatorId> out;
  match_hash(digest, out);
  return out;
}
std::vector<IndicatorId> IndicatorMatcher::match_email(std::string_view address) const {
  std::vector<IndicatorId> out;
  match_email(address, out);
  return out;
}

namespace {

struct Probe {
  std::uint32_t request;
  std::uint32_t offset;  // of the key in t_keys
  std::uint32_t length;
  ObservableKind kind;  // which table: hosts for Ip
  std::uint64_t hash;
};

// Per-thread scratch of match_batch / match_events (grown once, then reused).
thread_local std::vector<char> t_keys;
thread_local std::vector<Probe> t_probes;
thread_local std::vector<IndicatorId> t_prefix_ids;
thread_local std::vector<LookupRequest> t_requests;
struct RequestOrigin {
  std::uint32_t event;
  FieldId field;
};
thread_local std::vector<RequestOrigin> t_origins;
thread_local std::vector<BatchHit> t_batch_hits;
thread_local std::deque<std::string> t_joined_urls;

// The host of a URL as written ("HTTP://u@Evil.VN:8080/x" -> "Evil.VN", "evil.vn/x" -> "evil.vn").
std::string_view raw_url_host(std::string_view url) {
  auto scheme = url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  if (scheme == std::string_view::npos && url.substr(0, 2) == "//") rest = url.substr(2);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  auto at = rest.rfind('@');
  if (at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    return close == std::string_view::npos ? std::string_view{} : rest.substr(1, close - 1);
  }
  return rest.substr(0, rest.find(':'));
}

}  // namespace

void IndicatorMatcher::match_batch(std::span<const LookupRequest> requests, std::vector<BatchHit>& out) const {
  // Keys are normalised straight into one per-thread buffer (grown, never shrunk nor cleared).
  auto& keys = t_keys;
  auto& probes = t_probes;
  std::size_t used = 0;
  probes.clear();
  auto room = [&](std::size_t n) {
    if (keys.size() < used + n) keys.resize(std::max(2 * keys.size(), used + n));
    return keys.data() + used;
  };
  auto add_probe = [&](std::uint32_t request, std::size_t offset, std::size_t length, ObservableKind kind) {
    std::uint64_t h = hash_bytes({keys.data() + offset, length});
    probes.push_back({request, static_cast<std::uint32_t>(offset), static_cast<std::uint32_t>(length), kind, h});
    table(kind).prefetch(h);
  };
  // Wave 1: normalize, hash, and request every slot (and every LPM index entry).
  for (std::uint32_t r = 0; r < requests.size(); ++r) {
    const LookupRequest& q = requests[r];
    std::size_t offset = used;
    if (q.kind == ObservableKind::Ip) {
      std::string_view key = host_key(q.ip);
      std::memcpy(room(key.size()), key.data(), key.size());
      used += key.size();
      if (hosts_.key_count() != 0) add_probe(r, offset, key.size(), ObservableKind::Ip);
      prefixes_.prefetch(q.ip);
      continue;
    }
    if (table(q.kind).key_count() == 0) continue;
    char* at = room(kKeyBuffer);
    std::string_view key = normalized_key(q.kind, q.text, at);
    if (key.empty()) continue;
    if (key.data() != at) {  // a URL too long for the buffer, normalised aside
      std::memcpy(room(key.size()), key.data(), key.size());
      key = {keys.data() + used, key.size()};
    }
    used += key.size();
    if (q.kind == ObservableKind::Domain)
      for_each_domain_suffix(key, domain_labels_, [&](std::size_t suffix) {
        add_probe(r, offset + suffix, key.size() - suffix, ObservableKind::Domain);
      });
    else
      add_probe(r, offset, key.size(), q.kind);
  }
  // Wave 2: the slots and index entries are arriving; request what each probe reads next.
  for (const Probe& p : probes) table(p.kind).prefetch_entry(p.hash);
  for (const LookupRequest& q : requests)
    if (q.kind == ObservableKind::Ip) prefixes_.prefetch_interval(q.ip);
  // Wave 3: resolve, in request order.
  std::size_t pi = 0;
  for (std::uint32_t r = 0; r < requests.size(); ++r) {
    for (; pi < probes.size() && probes[pi].request == r; ++pi) {
      const Probe& p = probes[pi];
      for (IndicatorId id : table(p.kind).find({keys.data() + p.offset, p.length}, p.hash)) out.push_back({r, id});
    }
    if (requests[r].kind == ObservableKind::Ip) {
      t_prefix_ids.clear();
      prefixes_.match(requests[r].ip, t_prefix_ids);
      for (IndicatorId id : t_prefix_ids) out.push_back({r, id});
    }
  }
}

void IndicatorMatcher::match_events(std::span<const Event* const> events,
                                    const std::function<void(std::size_t, const EventMatch&)>& on_match) const {
  auto& requests = t_requests;
  auto& origins = t_origins;
  requests.clear();
  origins.clear();
  t_joined_urls.clear();
  auto add = [&](std::uint32_t event, FieldId field, ObservableKind kind, std::string_view text,
                 const IpAddress* ip = nullptr) {
    LookupRequest q;
    q.kind = kind;
    q.text = text;
    if (ip) q.ip = *ip;
    requests.push_back(q);
    origins.push_back({event, field});
  };
  for (std::uint32_t ei = 0; ei < events.size(); ++ei) {
    const Event& event = *events[ei];
    for (const auto& slot : event) {
      const Value& v = slot.value;
      switch (slot.field) {
        case field::src_endpoint_ip:
        case field::dst_endpoint_ip:
        case field::device_ip:
          if (v.type == FieldType::Ip) {
            add(ei, slot.field, ObservableKind::Ip, {}, &v.ip);
          } else if (v.type == FieldType::String) {
            if (auto ip = IpAddress::parse(v.s)) add(ei, slot.field, ObservableKind::Ip, {}, &*ip);
          }
          break;
        case field::query_hostname:
        case field::url_hostname:
        case field::tls_sni:
        case field::dst_endpoint_hostname:
          if (v.type == FieldType::String) add(ei, slot.field, ObservableKind::Domain, v.s);
          break;
        case field::url_url_string: {
          if (v.type != FieldType::String || v.s.empty()) break;
          std::string_view url = v.s;
          std::string_view event_host = event.get_string(field::url_hostname);
          if (url.front() == '/' && (url.size() < 2 || url[1] != '/')) {
            if (event_host.empty()) break;
            std::string_view scheme = event.get_string(field::url_scheme);
            std::string& joined = t_joined_urls.emplace_back(scheme.empty() ? std::string_view("http") : scheme);
            joined += "://";
            joined += event_host;
            joined += url;
            url = joined;
          }
          add(ei, slot.field, ObservableKind::Url, url);
          if (event_host.empty()) {
            std::string_view host = raw_url_host(url);
            if (host.empty()) break;
            if (auto ip = IpAddress::parse(host))
              add(ei, slot.field, ObservableKind::Ip, {}, &*ip);
            else
              add(ei, slot.field, ObservableKind::Domain, host);
          }
          break;
        }
        case field::file_hashes_md5:
        case field::file_hashes_sha1:
        case field::file_hashes_sha256:
        case field::file_hashes_sha512:
          if (v.type == FieldType::String) add(ei, slot.field, ObservableKind::Hash, v.s);
          break;
        case field::process_file_hashes:
          if (v.type == FieldType::String)
            for_each_hex_digest(v.s, [&](std::string_view d) { add(ei, slot.field, ObservableKind::Hash, d); });
          break;
        case field::email_from:
        case field::email_to:
          if (v.type == FieldType::String && emails_.key_count() != 0)
            for_each_email_address(v.s, [&](std::string_view a) { add(ei, slot.field, ObservableKind::Email, a); });
          break;
        default:
          break;
      }
    }
  }
  auto& hits = t_batch_hits;
  hits.clear();
  match_batch(requests, hits);
  for (const BatchHit& h : hits) {
    const RequestOrigin& o = origins[h.request];
    on_match(o.event, EventMatch{h.indicator, o.field, requests[h.request].kind});
  }
}

void IndicatorMatcher::match_event(const Event& event, const std::function<void(const EventMatch&)>& on_match) const {
  const Event* one[] = {&event};
  match_events(one, [&](std::size_t, const EventMatch& m) { on_match(m); });
}

}  // namespace khien
