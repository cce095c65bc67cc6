// IntelDetector: matcher hits → "ioc" alerts and sighting counts; the catalog published with the matcher.
#include "app/intel_detector.h"

#include <algorithm>
#include <limits>

#include "core/field_dictionary.h"
#include "core/schema.h"
#include "core/text.h"
#include "intel/url_normalizer.h"

namespace khien {

namespace {

char kind_char(ObservableKind kind) {
  switch (kind) {
    case ObservableKind::Ip: return 'i';
    case ObservableKind::Domain: return 'd';
    case ObservableKind::Url: return 'u';
    case ObservableKind::Hash: return 'h';
    case ObservableKind::Email: return 'e';
  }
  return '?';
}

std::string_view clip(std::string_view s, std::size_t max) { return s.substr(0, std::min(s.size(), max)); }

// Holds the catalog for as long as the matcher it was published with lives.
struct CatalogKeeper {
  std::shared_ptr<const IndicatorMatcher> matcher;
  std::shared_ptr<const IndicatorCatalog> catalog;
  void operator()(const IndicatorMatcher*) {
    matcher.reset();
    catalog.reset();
  }
};

// How well observable `obs` (of the hit's kind) explains the event value; 0: not at all. Used to
// name the indicator value that matched when an indicator has several of that kind.
int coverage(ObservableKind kind, std::string_view obs, const Value& value) {
  if (kind == ObservableKind::Ip) {
    std::optional<IpAddress> ip;
    if (value.type == FieldType::Ip) ip = value.ip;
    else if (value.type == FieldType::String) ip = IpAddress::parse(value.s);
    if (!ip) return 0;
    if (obs.find('/') == std::string_view::npos) {
      auto host = IpAddress::parse(obs);
      return host && *host == *ip ? 200 : 0;
    }
    auto prefix = IpPrefix::parse(obs);
    return prefix && prefix->contains(*ip) ? 1 + prefix->bits : 0;
  }
  if (value.type != FieldType::String) return 0;
  if (kind == ObservableKind::Url) {
    std::string normalized;
    if (normalize_url(value.s, normalized) && normalized == obs) return 2;
  }
  std::string text = ascii_lower(value.s);
  return text.find(obs) != std::string::npos ? 1 + static_cast<int>(std::min<std::size_t>(obs.size(), 1000)) : 0;
}

// The indicator's observable that the hit went through: the only one of that kind, else the one
// that best covers the event's value in that field.
std::string matched_value(const IndicatorView& v, const EventMatch& m, const Event& event) {
  char want = kind_char(m.kind);
  std::string_view best, first;
  int best_score = 0;
  std::size_t candidates = 0;
  std::string_view rest = v.observables;
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.size() < 2 || line[0] != want) continue;
    std::string_view obs = line.substr(1);
    if (candidates++ == 0) first = obs;
    for (const auto& slot : event) {
      if (slot.field != m.field) continue;
      int score = coverage(m.kind, obs, slot.value);
      if (score > best_score) {
        best_score = score;
        best = obs;
      }
    }
  }
  if (candidates == 1 || best.empty()) return std::string(first);
  return std::string(best);
}

}  // namespace

IndicatorId IndicatorCatalog::add(std::string_view stix_id, std::string_view name, std::string_view source, Tlp tlp,
                                  int confidence, std::string_view tags) {
  constexpr std::size_t kMax = std::numeric_limits<std::uint16_t>::max();
  // Names and tag lists longer than 64 KiB are cut: an alert title needs no more.
  stix_id = clip(stix_id, kMax);
  name = clip(name, kMax);
  tags = clip(tags, kMax);
  std::uint16_t source_ix = 0;
  if (auto it = source_index_.find(source); it != source_index_.end()) {
    source_ix = it->second;
  } else if (sources_.size() < kMax) {
    source_ix = static_cast<std::uint16_t>(sources_.size());
    sources_.emplace_back(source);
    source_index_.emplace(std::string(source), source_ix);
  } else {
    source_ix = static_cast<std::uint16_t>(kMax - 1);  // 65 535 distinct sources: the last one absorbs the rest
  }
  Entry e{};
  e.offset = pool_.size();
  e.id_len = static_cast<std::uint16_t>(stix_id.size());
  e.name_len = static_cast<std::uint16_t>(name.size());
  e.tags_len = static_cast<std::uint16_t>(tags.size());
  e.source = source_ix;
  e.observables_len = 0;
  e.tlp = tlp;
  e.confidence = static_cast<std::int8_t>(confidence < 0 || confidence > 100 ? -1 : confidence);
  pool_.append(stix_id).append(name).append(tags);
  entries_.push_back(e);
  return static_cast<IndicatorId>(entries_.size() - 1);
}

void IndicatorCatalog::add_observable(ObservableKind kind, std::string_view value) {
  if (entries_.empty()) return;
  Entry& e = entries_.back();
  std::size_t add = value.size() + 2;
  if (std::uint64_t{e.observables_len} + add > std::numeric_limits<std::uint32_t>::max()) return;
  pool_.push_back(kind_char(kind));
  pool_.append(value);
  pool_.push_back('\n');
  e.observables_len += static_cast<std::uint32_t>(add);
}

IndicatorView IndicatorCatalog::at(IndicatorId id) const {
  const Entry& e = entries_.at(id);
  std::string_view pool = pool_;
  IndicatorView v;
  std::size_t at = e.offset;
  v.stix_id = pool.substr(at, e.id_len);
  at += e.id_len;
  v.name = pool.substr(at, e.name_len);
  at += e.name_len;
  v.tags = pool.substr(at, e.tags_len);
  at += e.tags_len;
  v.observables = pool.substr(at, e.observables_len);
  v.source = sources_[e.source];
  v.tlp = e.tlp;
  v.confidence = e.confidence;
  return v;
}

std::size_t IndicatorCatalog::memory_bytes() const {
  std::size_t n = entries_.capacity() * sizeof(Entry) + pool_.capacity();
  for (const auto& s : sources_) n += sizeof(std::string) + s.capacity() + 64;
  return n;
}

std::uint64_t publish_intel(MatcherHolder& holder, std::shared_ptr<const IndicatorMatcher> matcher,
                            std::shared_ptr<const IndicatorCatalog> catalog) {
  if (!matcher) return holder.version();
  const IndicatorMatcher* raw = matcher.get();
  std::shared_ptr<const IndicatorMatcher> published(raw, CatalogKeeper{std::move(matcher), std::move(catalog)});
  return holder.publish(std::move(published));
}

const IndicatorCatalog* catalog_of(const std::shared_ptr<const IndicatorMatcher>& matcher) {
  auto* keeper = std::get_deleter<CatalogKeeper>(matcher);
  return keeper ? keeper->catalog.get() : nullptr;
}

int severity_for_confidence(int confidence) {
  if (confidence < 0) return 3;
  if (confidence < 30) return 2;
  if (confidence < 70) return 3;
  if (confidence < 90) return 4;
  return 5;
}

std::string_view level_for_severity(int severity_id) {
  switch (severity_id) {
    case 1: return "informational";
    case 2: return "low";
    case 3: return "medium";
    case 4: return "high";
    default: return "critical";
  }
}

void SightingCounter::hit(std::string_view indicator_id, std::string_view org, TimeNs when) {
  std::lock_guard lock(mutex_);
  auto key = std::make_pair(std::string(indicator_id), std::string(org));
  auto [it, added] = pending_.try_emplace(key);
  SightingRow& row = it->second;
  if (added) {
    row.indicator_id = key.first;
    row.org = key.second;
    row.first_seen = row.last_seen = when;
  }
  row.first_seen = std::min(row.first_seen, when);
  row.last_seen = std::max(row.last_seen, when);
  ++row.count;
}

std::vector<SightingRow> SightingCounter::drain() {
  std::map<std::pair<std::string, std::string>, SightingRow, std::less<>> taken;
  {
    std::lock_guard lock(mutex_);
    taken.swap(pending_);
  }
  std::vector<SightingRow> rows;
  rows.reserve(taken.size());
  for (auto& [key, row] : taken) rows.push_back(std::move(row));
  return rows;
}

void SightingCounter::restore(std::vector<SightingRow> rows) {
  std::lock_guard lock(mutex_);
  for (auto& r : rows) {
    auto key = std::make_pair(r.indicator_id, r.org);
    auto [it, added] = pending_.try_emplace(key, r);
    if (added) continue;
    SightingRow& row = it->second;
    row.first_seen = std::min(row.first_seen, r.first_seen);
    row.last_seen = std::max(row.last_seen, r.last_seen);
    row.count += r.count;
  }
}

void IntelDetector::begin_batch(std::span<const Event* const> events) {
  batch_matcher_ = holder_.get();
  batch_.begin(events);
  const IndicatorCatalog* catalog = catalog_of(batch_matcher_);
  if (!catalog || catalog->size() == 0) return;
  batch_matcher_->match_events(events, [&](std::size_t index, const EventMatch& m) { batch_.add(index, m); });
}

void IntelDetector::detect(const Event& event, std::vector<Alert>& out) {
  seen_.clear();
  const Value* t = event.get(field::time);
  TimeNs when = t && t->type == FieldType::Timestamp ? t->t : now_ns();
  if (batch_.active()) {
    const IndicatorCatalog* catalog = catalog_of(batch_matcher_);
    if (batch_.take(event, [&](const EventMatch& m) { raise(*catalog, m, event, when, out); })) {
      if (!batch_.active()) batch_matcher_.reset();  // the batch is done: let a replaced matcher go
      return;
    }
  }
  // One lock and reference-count increment per event; the matcher seen here stays alive (with
  // its catalog) until this call returns, whatever a reload publishes meanwhile.
  auto matcher = holder_.get();
  const IndicatorCatalog* catalog = catalog_of(matcher);
  if (!catalog || catalog->size() == 0) return;
  matcher->match_event(event, [&](const EventMatch& m) { raise(*catalog, m, event, when, out); });
}

void IntelDetector::raise(const IndicatorCatalog& catalog, const EventMatch& m, const Event& event, TimeNs when,
                          std::vector<Alert>& out) {
  if (m.indicator >= catalog.size()) return;
  if (std::find(seen_.begin(), seen_.end(), m.indicator) != seen_.end()) return;
  seen_.push_back(m.indicator);
  IndicatorView v = catalog.at(m.indicator);
  Alert a;
  a.kind = "ioc";
  a.rule_id = std::string(v.stix_id);
  a.title = std::string(v.name);
  a.severity_id = severity_for_confidence(v.confidence);
  a.level = std::string(level_for_severity(a.severity_id));
  a.tlp = std::string(tlp_name(v.tlp));
  a.source = std::string(v.source);
  a.matched = matched_value(v, m, event);
  a.matched_field = std::string(field_name(m.field));
  std::string_view tags = v.tags;
  while (!tags.empty()) {
    auto nl = tags.find('\n');
    if (nl != 0) a.tags.emplace_back(tags.substr(0, nl));
    tags = nl == std::string_view::npos ? std::string_view() : tags.substr(nl + 1);
  }
  out.push_back(std::move(a));
  if (sightings_) sightings_->hit(v.stix_id, event.get_string(field::khien_org), when);
}

}  // namespace khien
