// Campaign detector: key extraction from alerts, the keyed-state table, warnings and their severity.
#include "correlate/campaign_detector.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "correlate/hashing.h"

namespace khien {

namespace {

constexpr std::string_view kKindNames[kCampaignKinds] = {"indicator", "cve", "hash", "domain", "ip", "asn", "sigma"};
constexpr TimeNs kSecond = 1'000'000'000;

// Addresses that never name an attacker: private, loopback, link-local, shared, multicast, reserved.
bool is_public(const IpAddress& ip) {
  if (ip.v4) {
    std::uint32_t a = ip.v4_host_order();
    auto in = [&](std::uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
    return !(in(0x00000000, 8) || in(0x0a000000, 8) || in(0x7f000000, 8) || in(0xa9fe0000, 16) || in(0xac100000, 12) ||
             in(0xc0a80000, 16) || in(0x64400000, 10) || in(0xc0000200, 24) || in(0xc6336400, 24) || in(0xcb007100, 24) ||
             a >= 0xe0000000);
  }
  const auto& b = ip.bytes;
  bool zero = std::all_of(b.begin(), b.end() - 1, [](std::uint8_t x) { return x == 0; });
  if (zero) return false;                                   // :: and ::1
  if ((b[0] & 0xfe) == 0xfc) return false;                  // unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;  // link-local
  if (b[0] == 0xff) return false;                           // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false;  // documentation
  return true;
}

std::string network_of(const IpAddress& ip) {
  if (ip.v4) return IpAddress::from_v4(ip.v4_host_order() & 0xffffff00u).to_string() + "/24";
  IpAddress n = ip;
  std::fill(n.bytes.begin() + 6, n.bytes.end(), 0);
  return n.to_string() + "/48";
}

bool is_member_domain(const std::string& d, const CampaignContext& ctx) {
  for (const auto& m : ctx.member_domains) {
    if (d == m) return true;
    if (d.size() > m.size() && d.compare(d.size() - m.size(), m.size(), m) == 0 && d[d.size() - m.size() - 1] == '.')
      return true;
  }
  return false;
}

bool is_member_address(const IpAddress& ip, const CampaignContext& ctx) {
  return std::any_of(ctx.member_ranges.begin(), ctx.member_ranges.end(), [&](const IpPrefix& p) { return p.contains(ip); });
}

// CVE-YYYY-NNNN..., case-insensitive, also Sigma's tag spelling cve.YYYY-NNNN.
void find_cves(std::string_view text, std::vector<Sighting>& out) {
  for (std::size_t i = 0; i + 13 <= text.size(); ++i) {
    char c0 = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
    if (c0 != 'c') continue;
    if (std::tolower(static_cast<unsigned char>(text[i + 1])) != 'v' || std::tolower(static_cast<unsigned char>(text[i + 2])) != 'e') continue;
    if (text[i + 3] != '-' && text[i + 3] != '.' && text[i + 3] != '_') continue;
    std::size_t j = i + 4;
    std::size_t year_start = j;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
    if (j - year_start != 4 || j >= text.size() || (text[j] != '-' && text[j] != '_')) continue;
    std::size_t num_start = ++j;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
    if (j - num_start < 4 || j - num_start > 7) continue;
    std::string id = fmt::format("CVE-{}-{}", text.substr(year_start, 4), text.substr(num_start, j - num_start));
    if (std::find(out.begin(), out.end(), Sighting{CampaignKind::cve, id}) == out.end()) out.push_back({CampaignKind::cve, id});
    i = j - 1;
  }
}

bool plausible_domain(const std::string& d) {
  if (d.size() < 4 || d.size() > 253 || d.find('.') == std::string::npos) return false;
  if (IpAddress::parse(d)) return false;
  return std::all_of(d.begin(), d.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_'; });
}

bool is_hex(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

std::string_view campaign_kind_name(CampaignKind kind) { return kKindNames[static_cast<std::size_t>(kind)]; }

std::optional<CampaignKind> parse_campaign_kind(std::string_view name) {
  for (std::size_t i = 0; i < kCampaignKinds; ++i)
    if (kKindNames[i] == name) return static_cast<CampaignKind>(i);
  return std::nullopt;
}

CampaignOptions::CampaignOptions() {
  // A Sigma rule is less specific than an indicator: it takes more organisations.
  (*this)[CampaignKind::sigma].min_orgs = 5;
}

Status parse_duration(std::string_view text, TimeNs& out) {
  if (text.empty()) return fail("duration: empty (expected e.g. 90s, 30m, 1h, 2d)");
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n <= 0) return fail(fmt::format("duration '{}': expected a positive number with s, m, h or d", text));
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::int64_t mult = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
  if (mult == 0) return fail(fmt::format("duration '{}': unknown unit '{}' (s, m, h or d)", text, unit));
  out = n * mult * kSecond;
  return {};
}

std::string format_duration(TimeNs d) {
  std::int64_t s = d / kSecond;
  if (s % 86400 == 0) return fmt::format("{}d", s / 86400);
  if (s % 3600 == 0) return fmt::format("{}h", s / 3600);
  if (s % 60 == 0) return fmt::format("{}m", s / 60);
  return fmt::format("{}s", s);
}

std::uint64_t campaign_key_hash(CampaignKind kind, std::string_view value) {
  std::uint64_t h = hash64(value, 0x9e3779b97f4a7c15ULL + static_cast<std::uint64_t>(kind) * 0x100000001b3ULL);
  return h ? h : 1;  // 0 marks an empty slot
}

namespace {

// Whether an alert's detection rule may link warnings: a Sigma rule above informational.
bool links_by_rule(const Alert& a) { return a.kind == "sigma" && a.severity_id >= 2 && !a.rule_id.empty(); }

// The host of an absolute URL (`http://host:port/path` → `host`); empty when it is not one.
std::string url_host(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  url.remove_prefix(scheme + 3);
  if (auto at = url.find_first_of("/?#"); at != std::string_view::npos) url = url.substr(0, at);
  if (auto user = url.rfind('@'); user != std::string_view::npos) url.remove_prefix(user + 1);
  if (auto port = url.find(':'); port != std::string_view::npos) url = url.substr(0, port);
  return std::string(url);
}

}  // namespace

std::vector<Sighting> extract_sightings(const Alert& a, const CampaignContext& ctx, int min_sigma_severity) {
  std::vector<Sighting> out;
  auto add = [&](CampaignKind k, std::string v) {
    if (v.empty()) return;
    Sighting s{k, std::move(v)};
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  };
  if (a.kind == "ioc") add(CampaignKind::indicator, a.rule_id);
  if (a.kind == "sigma" && a.severity_id >= min_sigma_severity) add(CampaignKind::sigma, a.rule_id);
  find_cves(a.title, out);
  for (const auto& t : a.tags) find_cves(t, out);
  find_cves(a.event_json, out);
  if (!a.event_json.empty()) {
    auto doc = nlohmann::json::parse(a.event_json, nullptr, false);
    if (doc.is_object()) {
      auto str = [&](const char* name) -> std::string {
        auto it = doc.find(name);
        return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
      };
      for (const char* f : {"file.hashes.sha256", "file.hashes.sha1", "file.hashes.md5", "file.hashes.sha512"}) {
        std::string h = ascii_lower(str(f));
        if (h.size() >= 32 && is_hex(h)) add(CampaignKind::hash, h);
      }
      // Every field a domain is reported in (the fields the shipped look-alike rule reads, and the
      // host of a full URL, which proxies and IDS alerts often give alone): a campaign domain in any
      // of them is the same sighting.
      auto add_domain = [&](std::string d) {
        d = ascii_lower(d);
        while (!d.empty() && d.back() == '.') d.pop_back();
        if (plausible_domain(d) && !is_member_domain(d, ctx)) add(CampaignKind::domain, d);
      };
      for (const char* f : {"query.hostname", "url.hostname", "tls.sni", "dst_endpoint.hostname"}) add_domain(str(f));
      add_domain(url_host(str("url.url_string")));
      for (const char* side : {"src_endpoint", "dst_endpoint"}) {
        auto ip = IpAddress::parse(str(fmt::format("{}.ip", side).c_str()));
        if (!ip || !is_public(*ip) || is_member_address(*ip, ctx)) continue;
        add(CampaignKind::ip, network_of(*ip));
        for (const auto& name : {fmt::format("{}.autonomous_system.number", side), fmt::format("{}.asn", side)}) {
          auto it = doc.find(name);
          if (it == doc.end()) continue;
          if (it->is_number_integer()) add(CampaignKind::asn, fmt::format("AS{}", it->get<std::int64_t>()));
          else if (it->is_string() && !it->get<std::string>().empty()) {
            std::string v = it->get<std::string>();
            add(CampaignKind::asn, v.rfind("AS", 0) == 0 ? v : "AS" + v);
          }
        }
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Sighting& x, const Sighting& y) { return x.kind < y.kind; });
  return out;
}

void score_warning(Warning& w) {
  int p = 0;
  auto n = w.orgs.size();
  p += n >= 20 ? 3 : n >= 10 ? 2 : n >= 5 ? 1 : 0;
  p += w.sectors.size() >= 5 ? 2 : w.sectors.size() >= 3 ? 1 : 0;
  p += w.max_criticality >= 5 ? 2 : w.max_criticality == 4 ? 1 : 0;
  p += w.max_security_level >= 5 ? 2 : w.max_security_level == 4 ? 1 : 0;
  w.score = p;
  w.severity_id = p <= 1 ? 2 : p <= 3 ? 3 : p <= 5 ? 4 : 5;
  static constexpr const char* kNames[] = {"", "", "low", "medium", "high", "critical"};
  w.severity = kNames[w.severity_id];
  w.title = fmt::format("{} {} seen at {} organisations in {} sectors and {} provinces", campaign_kind_name(w.kind), w.key,
                        w.orgs.size(), w.sectors.size(), w.provinces.size());
}

// ---------------------------------------------------------------------------------------------
// Keyed state

struct CampaignDetector::Hit {
  std::uint32_t org;
  std::uint32_t last_s;
  std::uint64_t seq;
};

struct CampaignDetector::Slot {
  std::uint64_t hash = 0;  // 0: empty
  std::uint32_t first_s = 0, last_s = 0;
  std::uint32_t count = 0;
  std::uint8_t n = 0;      // hits used inline
  std::uint8_t kind = 0;
  std::uint8_t overflow = 0;
  std::uint8_t pad = 0;
  Hit hits[2];
};
static_assert(sizeof(CampaignDetector::Stats) > 0);

CampaignDetector::CampaignDetector(CampaignOptions options, CampaignContext context)
    : options_(std::move(options)), context_(std::move(context)), table_(1024) {
  orgs_.push_back(OrgInfo{});  // id 0 unused
}

CampaignDetector::~CampaignDetector() = default;

std::uint32_t CampaignDetector::intern_org(const Alert& a) {
  auto it = org_ids_.find(a.org);
  if (it != org_ids_.end()) {
    OrgInfo& o = orgs_[it->second];
    // The registry can move an organisation; the newest alert says where it is now.
    if (!a.sector.empty() && o.sector != a.sector) {
      o.sector = a.sector;
      o.sector_id = sector_ids_.try_emplace(a.sector, static_cast<std::uint32_t>(sector_ids_.size() + 1)).first->second;
    }
    if (!a.province.empty()) o.province = a.province;
    return it->second;
  }
  OrgInfo o{a.org, a.sector, a.province, 0};
  if (!a.sector.empty()) o.sector_id = sector_ids_.try_emplace(a.sector, static_cast<std::uint32_t>(sector_ids_.size() + 1)).first->second;
  orgs_.push_back(std::move(o));
  auto id = static_cast<std::uint32_t>(orgs_.size() - 1);
  org_ids_.emplace(a.org, id);
  return id;
}

void CampaignDetector::grow() {
  std::vector<Slot> old(table_.size() * 2);
  old.swap(table_);
  const std::size_t mask = table_.size() - 1;
  for (const auto& s : old) {
    if (!s.hash) continue;
    std::size_t i = s.hash & mask;
    while (table_[i].hash) i = (i + 1) & mask;
    table_[i] = s;
  }
  sweep_cursor_ = 0;
}

CampaignDetector::Slot* CampaignDetector::find_or_insert(std::uint64_t hash, CampaignKind kind, std::uint32_t now_s) {
  std::size_t mask = table_.size() - 1;
  std::size_t i = hash & mask;
  while (table_[i].hash) {
    if (table_[i].hash == hash) return &table_[i];
    i = (i + 1) & mask;
  }
  if (live_ >= options_.max_keys) {
    sweep(table_.size(), now_s);
    if (live_ >= options_.max_keys) {
      ++stats_.dropped_keys;
      return nullptr;
    }
  }
  if ((live_ + 1) * 4 > table_.size() * 3) {
    grow();
    mask = table_.size() - 1;
  }
  i = hash & mask;
  while (table_[i].hash) i = (i + 1) & mask;
  Slot& s = table_[i];
  s = Slot{};
  s.hash = hash;
  s.kind = static_cast<std::uint8_t>(kind);
  s.first_s = s.last_s = now_s;
  ++live_;
  return &s;
}

void CampaignDetector::erase_at(std::size_t i) {
  const std::size_t mask = table_.size() - 1;
  if (table_[i].overflow) overflow_.erase(table_[i].hash);
  --live_;
  // Backward-shift deletion keeps every probe chain unbroken without tombstones.
  std::size_t j = i;
  for (;;) {
    table_[j].hash = 0;
    std::size_t k = j;
    for (;;) {
      k = (k + 1) & mask;
      if (!table_[k].hash) return;
      std::size_t home = table_[k].hash & mask;
      bool stays = j <= k ? (j < home && home <= k) : (j < home || home <= k);
      if (!stays) break;
    }
    table_[j] = table_[k];
    j = k;
  }
}

void CampaignDetector::sweep(std::size_t slots, std::uint32_t now_s) {
  const std::size_t mask = table_.size() - 1;
  for (std::size_t step = 0; step < slots && live_ > 0; ++step) {
    Slot& s = table_[sweep_cursor_];
    auto window_s = static_cast<std::uint32_t>(options_.kinds[s.kind].window / kSecond);
    if (s.hash && s.last_s + window_s < now_s) {
      erase_at(sweep_cursor_);  // the slot now holds a shifted neighbour: look at it again
      continue;
    }
    sweep_cursor_ = (sweep_cursor_ + 1) & mask;
  }
}

bool CampaignDetector::crossed(Slot& s, std::uint32_t org, std::uint32_t now_s, std::uint64_t seq,
                               std::vector<std::pair<std::uint32_t, std::uint64_t>>& live) {
  const KindThreshold& th = options_.kinds[s.kind];
  const auto window_s = static_cast<std::uint32_t>(th.window / kSecond);
  s.last_s = std::max(s.last_s, now_s);
  ++s.count;
  std::vector<Hit>* extra = s.overflow ? &overflow_[s.hash] : nullptr;
  auto all = [&](auto&& f) {
    for (std::uint8_t i = 0; i < s.n; ++i) f(s.hits[i]);
    if (extra) for (auto& h : *extra) f(h);
  };
  bool found = false;
  Hit* stale = nullptr;
  all([&](Hit& h) {
    if (h.org == org) {
      h.last_s = std::max(h.last_s, now_s);
      h.seq = seq;
      found = true;
    } else if (!stale && h.last_s + window_s < now_s) {
      stale = &h;
    }
  });
  live.clear();
  std::vector<std::uint32_t> sectors;
  auto count_live = [&](const Hit& h) {
    if (h.last_s + window_s < now_s) return;
    live.emplace_back(h.org, h.seq);
    auto sec = orgs_[h.org].sector_id;
    if (sec && std::find(sectors.begin(), sectors.end(), sec) == sectors.end()) sectors.push_back(sec);
  };
  if (!found) {
    // The new organisation counts now; it is stored only if the key stays below threshold.
    Hit h{org, now_s, seq};
    all([&](Hit& x) { count_live(x); });
    count_live(h);
    if (live.size() >= th.min_orgs || sectors.size() >= th.min_sectors) return true;
    if (stale) *stale = h;
    else if (s.n < 2) s.hits[s.n++] = h;
    else {
      if (!extra) {
        s.overflow = 1;
        extra = &overflow_[s.hash];
      }
      extra->push_back(h);
    }
    return false;
  }
  all([&](Hit& x) { count_live(x); });
  return live.size() >= th.min_orgs || sectors.size() >= th.min_sectors;
}

// ---------------------------------------------------------------------------------------------
// Warnings

Warning& CampaignDetector::new_warning(CampaignKind kind, const std::string& value, TimeNs first_seen, TimeNs raised) {
  Warning w;
  w.id = next_id_++;
  w.kind = kind;
  w.key = value;
  w.first_seen = w.last_seen = first_seen;
  w.window = options_[kind].window;
  w.keys.push_back(WarningKey{kind, value, true});
  w.settles_at = raised + options_.settle;
  ++settling_;
  ++stats_.warnings_raised;
  return warnings_.emplace(w.id, std::move(w)).first->second;
}

Warning* CampaignDetector::overlapping(const std::vector<const std::string*>& orgs, TimeNs now, std::int64_t exclude,
                                       bool settling_only) {
  Warning* best = nullptr;
  std::size_t best_shared = 0;
  for (auto& [id, w] : warnings_) {
    if (id == exclude || (settling_only && w.settled)) continue;
    if (!w.active || w.last_seen + w.window < now) continue;  // the warning's window must still cover the crossing
    std::size_t shared = 0;
    for (const std::string* o : orgs)
      if (w.orgs.count(*o)) ++shared;
    const std::size_t united = orgs.size() + w.orgs.size() - shared;
    // Compared with a small tolerance: two shared of six is exactly the default third.
    if (shared < options_.overlap_min_orgs ||
        static_cast<double>(shared) + 1e-9 < options_.overlap_min_similarity * static_cast<double>(united))
      continue;
    if (shared > best_shared) {  // the strongest overlap; on a tie the oldest warning (map order)
      best = &w;
      best_shared = shared;
    }
  }
  return best;
}

// The first active warning other than `exclude` that a key of these sightings, or of the other
// alerts on the same event, is claimed by or was seen beside.
Warning* CampaignDetector::linked_warning(const std::vector<Sighting>& sightings, std::int64_t exclude) {
  for (const std::vector<Sighting>* list : {&sightings, static_cast<const std::vector<Sighting>*>(&beside_)}) {
    for (const Sighting& s : *list) {
      const std::uint64_t h = campaign_key_hash(s.kind, s.value);
      // A Sigma rule that joined a warning without routing links just like a key seen beside it.
      std::int64_t id = 0;
      if (auto c = claims_.find(h); c != claims_.end()) id = c->second.warning;
      else if (auto l = soft_links_.find(h); l != soft_links_.end()) id = l->second;
      if (id == 0 || id == exclude) continue;
      auto w = warnings_.find(id);
      if (w != warnings_.end() && w->second.active) return &w->second;
    }
  }
  return nullptr;
}

// The first active warning other than `exclude` whose alerts came from one of these rules.
Warning* CampaignDetector::rule_linked(const std::vector<const std::string*>& rules, std::int64_t exclude) {
  for (const std::string* rule : rules) {
    auto r = rule_links_.find(*rule);
    if (r == rule_links_.end() || r->second == exclude) continue;
    auto w = warnings_.find(r->second);
    if (w != warnings_.end() && w->second.active) return &w->second;
  }
  return nullptr;
}

// While either of two linked warnings settles, the settling one (of two, the younger) joins the other.
// `other` is the warning the alert's keys or rules linked to (found before the alert's own links
// were recorded), or null to look for overlapping organisations.
void CampaignDetector::merge_if_linked(Warning& w, Warning* other, TimeNs now) {
  if (settling_ == 0) return;
  if (!other) {
    std::vector<const std::string*> orgs;
    for (const auto& [o, n] : w.orgs) orgs.push_back(&o);
    other = overlapping(orgs, now, w.id, w.settled);
  }
  if (!other || (w.settled && other->settled)) return;
  const bool w_joins = !w.settled && (other->settled || other->id < w.id);
  merge(w_joins ? w : *other, w_joins ? *other : w);
}

void CampaignDetector::merge(Warning& from, Warning& into) {
  for (const auto& k : from.keys) {
    // As when a key crosses into a warning raised by another: a Sigma rule only documents it.
    const bool routing = k.routing && k.kind != CampaignKind::sigma;
    into.keys.push_back(WarningKey{k.kind, k.value, routing});
    claims_[campaign_key_hash(k.kind, k.value)] = Claim{into.id, routing};
  }
  for (auto& [key, id] : soft_links_)
    if (id == from.id) id = into.id;
  for (auto& [rule, id] : rule_links_)
    if (id == from.id) id = into.id;
  for (const auto& [org, n] : from.orgs) into.orgs[org] += n;
  into.sectors.insert(from.sectors.begin(), from.sectors.end());
  into.provinces.insert(from.provinces.begin(), from.provinces.end());
  into.max_criticality = std::max(into.max_criticality, from.max_criticality);
  into.max_security_level = std::max(into.max_security_level, from.max_security_level);
  // Evidence already handed out moves to `into` in the store when the merged record is written
  // (it names merged_into); what is still pending moves here.
  std::set<std::uint64_t> pending;
  for (const auto& e : from.pending_evidence) pending.insert(e.event_seq);
  for (std::uint64_t seq : from.evidence_seqs)
    if (!pending.count(seq) && into.evidence_seqs.insert(seq).second) ++into.evidence_count;
  for (const auto& e : from.pending_evidence) {
    if (into.evidence_count >= options_.max_evidence || !into.evidence_seqs.insert(e.event_seq).second) continue;
    into.pending_evidence.push_back(e);
    ++into.evidence_count;
  }
  into.alert_count += from.alert_count;
  into.first_seen = std::min(into.first_seen, from.first_seen);
  into.last_seen = std::max(into.last_seen, from.last_seen);
  ++into.version;
  into.updated = now_ns();
  score_warning(into);
  mark_changed(into.id);
  // The merged warning was shown: it is handed out once more, inactive, naming `into`, and then
  // forgotten. Its keys, links and rules already point at `into`.
  --settling_;
  ++stats_.warnings_merged;
  from.settled = true;
  from.active = false;
  from.merged_into = into.id;
  from.pending_evidence.clear();
  ++from.version;
  from.updated = into.updated;
  mark_changed(from.id);
}

void CampaignDetector::link(const std::vector<Sighting>& sightings, std::int64_t warning, bool keep_live_links) {
  if (soft_links_.size() >= options_.max_keys / 8) soft_links_.clear();  // bounded; links rebuild from new evidence
  for (const auto& s : sightings) {
    const std::uint64_t h = campaign_key_hash(s.kind, s.value);
    if (claims_.count(h)) continue;
    auto [it, inserted] = soft_links_.try_emplace(h, warning);
    if (inserted || it->second == warning) continue;
    // A link learnt second-hand does not move a key away from another warning still running.
    auto w = warnings_.find(it->second);
    if (!keep_live_links || w == warnings_.end() || !w->second.active) it->second = warning;
  }
}

void CampaignDetector::add_org(Warning& w, std::uint32_t org, std::uint64_t seq, TimeNs t, std::uint64_t alerts) {
  const OrgInfo& o = orgs_[org];
  auto& n = w.orgs[o.id];
  n = std::max<std::uint64_t>(n + alerts, 1);
  if (!o.sector.empty() && w.sectors.insert(o.sector).second) {
    if (auto it = context_.sector_criticality.find(o.sector); it != context_.sector_criticality.end())
      w.max_criticality = std::max(w.max_criticality, it->second);
  }
  if (!o.province.empty()) w.provinces.insert(o.province);
  if (auto it = context_.org_security_level.find(o.id); it != context_.org_security_level.end())
    w.max_security_level = std::max(w.max_security_level, it->second);
  if (w.evidence_count < options_.max_evidence && w.evidence_seqs.insert(seq).second) {
    w.pending_evidence.push_back(WarningEvidence{seq, t, o.id});
    ++w.evidence_count;
  }
  w.first_seen = std::min(w.first_seen, t);
  w.last_seen = std::max(w.last_seen, t);
}

void CampaignDetector::mark_changed(std::int64_t id) {
  if (changed_.empty() || changed_.back() != id) changed_.push_back(id);
}

void CampaignDetector::restore(std::vector<Warning> active, std::int64_t next_id) {
  next_id_ = std::max(next_id_, next_id);
  for (auto& w : active) {
    if (!w.active) continue;
    next_id_ = std::max(next_id_, w.id + 1);
    // One stored while it settled settles at the next expire() and is then notified.
    if (!w.settled) {
      w.settles_at = 0;
      ++settling_;
    }
    for (const auto& k : w.keys) claims_[campaign_key_hash(k.kind, k.value)] = Claim{w.id, k.routing};
    for (const auto& [org, n] : w.orgs) {
      // Severity inputs are recomputed from the context the next time the warning changes.
      Alert a;
      a.org = org;
      intern_org(a);
    }
    clock_ = std::max(clock_, w.last_seen);
    auto id = w.id;
    warnings_[id] = std::move(w);
  }
}

std::vector<std::int64_t> CampaignDetector::observe(const std::vector<Alert>& alerts) {
  std::size_t before = changed_.size();
  std::vector<std::vector<Sighting>> all;
  all.reserve(alerts.size());
  std::unordered_map<std::uint64_t, std::vector<std::size_t>> by_event;
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    all.push_back(extract_sightings(alerts[i], context_, options_.min_sigma_severity));
    if (alerts[i].event_seq) by_event[alerts[i].event_seq].push_back(i);
  }
  static const std::vector<std::size_t> kNone;
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    beside_.clear();
    beside_rules_.clear();
    auto e = alerts[i].event_seq ? by_event.find(alerts[i].event_seq) : by_event.end();
    for (std::size_t j : e == by_event.end() ? kNone : e->second) {
      if (j == i) continue;
      beside_.insert(beside_.end(), all[j].begin(), all[j].end());
      if (links_by_rule(alerts[j])) beside_rules_.push_back(alerts[j].rule_id);
    }
    observe(alerts[i], all[i]);
  }
  beside_.clear();
  beside_rules_.clear();
  settle_due(clock_);
  std::vector<std::int64_t> out(changed_.begin() + static_cast<std::ptrdiff_t>(before), changed_.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void CampaignDetector::observe(const Alert& a, const std::vector<Sighting>& sightings) {
  ++stats_.alerts;
  if (a.org.empty() || sightings.empty()) return;  // breadth is counted in organisations
  clock_ = std::max(clock_, a.time);
  const auto now_s = static_cast<std::uint32_t>(std::max<TimeNs>(a.time, 0) / kSecond);
  const auto clock_s = static_cast<std::uint32_t>(std::max<TimeNs>(clock_, 0) / kSecond);
  const std::uint32_t org = intern_org(a);
  sweep(8, clock_s);
  Warning* target = nullptr;
  for (const auto& s : sightings) {
    auto c = claims_.find(campaign_key_hash(s.kind, s.value));
    if (c != claims_.end() && c->second.routing) {
      auto w = warnings_.find(c->second.warning);
      if (w != warnings_.end() && w->second.active) {
        target = &w->second;
        break;
      }
    }
  }
  // A key of this alert seen beside a warning's evidence before links a new key of the same alert
  // to that warning: one campaign rotating domains or networks under one rule stays one warning.
  Warning* linked = target ? nullptr : linked_warning(sightings, 0);
  // The detection rule of this alert, when a warning's alerts came from it: the weakest link, used
  // only when nothing else ties a crossing key to a warning (a botnet's next /24 crossing on the
  // same probe rule). Informational rules fire on routine activity and link nothing.
  const bool rule_links = links_by_rule(a);
  std::vector<const std::string*> rules;
  if (rule_links) rules.push_back(&a.rule_id);
  for (const auto& r : beside_rules_) rules.push_back(&r);
  Warning* by_rule = rule_linked(rules, 0);
  std::vector<std::pair<std::uint32_t, std::uint64_t>> live;
  for (const auto& s : sightings) {
    ++stats_.sightings;
    if (!options_[s.kind].enabled) continue;
    const std::uint64_t h = campaign_key_hash(s.kind, s.value);
    if (claims_.count(h)) continue;
    Slot* slot = find_or_insert(h, s.kind, now_s);
    if (!slot) continue;
    if (!crossed(*slot, org, now_s, a.event_seq, live)) continue;
    const TimeNs first = static_cast<TimeNs>(slot->first_s) * kSecond;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> hit_times;
    for (std::uint8_t i = 0; i < slot->n; ++i) hit_times.emplace_back(slot->hits[i].org, slot->hits[i].last_s);
    if (slot->overflow)
      for (const auto& x : overflow_[h]) hit_times.emplace_back(x.org, x.last_s);
    erase_at(static_cast<std::size_t>(slot - table_.data()));
    if (!target) target = linked;
    if (!target) {
      std::vector<const std::string*> live_orgs;
      for (const auto& [o, seq] : live) live_orgs.push_back(&orgs_[o].id);
      target = overlapping(live_orgs, a.time, 0, false);
    }
    if (!target) target = by_rule;
    const bool routing = !target || s.kind != CampaignKind::sigma;
    if (!target) target = &new_warning(s.kind, s.value, std::min(first, a.time), a.time);
    else target->keys.push_back(WarningKey{s.kind, s.value, routing});
    claims_[h] = Claim{target->id, routing};
    for (const auto& [o, seq] : live) {
      if (o == org) continue;
      TimeNs t = a.time;
      for (const auto& [ho, hs] : hit_times)
        if (ho == o) t = static_cast<TimeNs>(hs) * kSecond;
      add_org(*target, o, seq, t, 0);
    }
  }
  if (!target) {
    // An alert that carries a linked key but updates nothing still tells that its other keys belong
    // with that warning: an attacker network seen beside the campaign's rule is linked before it
    // crosses its threshold on an alert of its own.
    if (linked) link(sightings, linked->id, true);
    return;
  }
  // While a warning settles, what links this alert to another warning is read before this alert's
  // own links point at its target: a key seen in the other warning's alerts, or a shared rule.
  Warning* settle_link = nullptr;
  if (settling_ > 0) {
    settle_link = linked_warning(sightings, target->id);
    if (!settle_link) settle_link = rule_linked(rules, target->id);
  }
  link(sightings, target->id, false);
  if (rule_links) {
    if (rule_links_.size() >= options_.max_keys / 8) rule_links_.clear();  // bounded like the key links
    rule_links_[a.rule_id] = target->id;
  }
  add_org(*target, org, a.event_seq, a.time, 1);
  ++target->alert_count;
  ++target->version;  // 1: raised
  target->updated = now_ns();
  score_warning(*target);
  mark_changed(target->id);
  merge_if_linked(*target, settle_link, a.time);  // last: it may erase `target`
}

void CampaignDetector::settle_due(TimeNs now) {
  if (settling_ == 0) return;
  for (auto& [id, w] : warnings_) {
    if (w.settled || !w.active || w.settles_at > now) continue;
    w.settled = true;
    ++w.version;
    --settling_;
    mark_changed(id);
  }
}

void CampaignDetector::expire(TimeNs now) {
  settle_due(now);
  for (auto& [id, w] : warnings_) {
    if (!w.active || w.last_seen + w.window >= now) continue;
    if (!w.settled) {  // a window shorter than the settle time: settled as it closes
      w.settled = true;
      --settling_;
    }
    w.active = false;
    ++w.version;
    w.updated = now_ns();
    for (const auto& k : w.keys) {
      auto c = claims_.find(campaign_key_hash(k.kind, k.value));
      if (c != claims_.end() && c->second.warning == id) claims_.erase(c);
    }
    mark_changed(id);
  }
}

std::vector<Warning> CampaignDetector::take_changes() {
  std::vector<std::int64_t> ids = std::move(changed_);
  changed_.clear();
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<Warning> out;
  for (auto id : ids) {
    auto it = warnings_.find(id);
    if (it == warnings_.end()) continue;
    out.push_back(it->second);
    it->second.pending_evidence.clear();
    if (!it->second.active) warnings_.erase(it);
  }
  return out;
}

std::vector<const Warning*> CampaignDetector::active() const {
  std::vector<const Warning*> out;
  for (const auto& [id, w] : warnings_)
    if (w.active) out.push_back(&w);
  return out;
}

const Warning* CampaignDetector::find(std::int64_t id) const {
  auto it = warnings_.find(id);
  return it == warnings_.end() ? nullptr : &it->second;
}

CampaignDetector::Stats CampaignDetector::stats() const {
  Stats s = stats_;
  s.keys = live_;
  s.table_slots = table_.size();
  s.state_bytes = table_.capacity() * sizeof(Slot) + overflow_.size() * (sizeof(Hit) * 4 + 64) + claims_.size() * 48 + soft_links_.size() * 48 +
                  orgs_.size() * 128;
  return s;
}

}  // namespace khien
