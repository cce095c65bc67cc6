// Correlation state machines per group, with LRU eviction and event-time expiry.
#include "detect/correlation_engine.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <list>
#include <unordered_map>

#include "core/field_dictionary.h"

namespace khien {

namespace {

constexpr TimeNs kNever = std::numeric_limits<TimeNs>::min();

struct Ref {
  bool is_correlation = false;
  std::size_t index = 0;
  std::string name;  // as written in the correlation (for aliases)
};

struct GroupState {
  TimeNs last = kNever;
  std::deque<TimeNs> times;
  std::unordered_map<std::string, TimeNs> values;
  std::vector<TimeNs> seen;
  std::vector<TimeNs> chain;
  std::list<std::string>::iterator lru;
};

struct Compiled {
  const SigmaRule* rule = nullptr;
  std::vector<Ref> refs;
  // Per reference position: event fields of each group-by entry, and of the value_count field.
  std::vector<std::vector<std::vector<FieldId>>> group_fields;
  std::vector<std::vector<FieldId>> value_fields;
  std::unordered_map<std::string, GroupState> groups;
  std::list<std::string> lru;  // front: most recently updated
  bool ok = true;
};

void value_text(const Event& event, const std::vector<FieldId>& fields, std::string& out) {
  for (FieldId f : fields) {
    const Value* v = event.get(f);
    if (!v) continue;
    char buf[64];
    switch (v->type) {
      case FieldType::String: out.append(v->s); return;
      case FieldType::Int: out += std::to_string(v->i); return;
      case FieldType::Float: out += std::to_string(v->f); return;
      case FieldType::Bool: out += v->b ? "true" : "false"; return;
      case FieldType::Ip: out.append(buf, v->ip.format(buf)); return;
      case FieldType::Timestamp: out += std::to_string(v->t); return;
    }
  }
}

}  // namespace

struct CorrelationEngine::Impl {
  const RuleSet& rules;
  CorrelationOptions options;
  std::vector<Compiled> corr;
  std::vector<std::string> errors;
  std::vector<SigmaLoadError> reference_errors;
  // Detection rule -> (correlation, position); correlation -> (correlation, position).
  std::unordered_map<std::size_t, std::vector<std::pair<std::size_t, std::size_t>>> by_rule, by_corr;
  TimeNs watermark = kNever;

  Impl(const RuleSet& r, CorrelationOptions o) : rules(r), options(o) {}

  // A detection rule standing for `ref` when resolving field names (chains go to their first rule).
  std::size_t base_rule(const Ref& ref, int depth = 0) const {
    if (!ref.is_correlation) return ref.index;
    if (depth > 16 || corr[ref.index].refs.empty()) return static_cast<std::size_t>(-1);
    return base_rule(corr[ref.index].refs[0], depth + 1);
  }

  std::vector<FieldId> fields_for(const Compiled& c, const Ref& ref, const std::string& name) const {
    std::string field = name;
    auto a = c.rule->correlation.aliases.find(name);
    if (a != c.rule->correlation.aliases.end()) {
      auto f = a->second.find(ref.name);
      if (f != a->second.end()) field = f->second;
    }
    const std::size_t base = base_rule(ref);
    return rules.resolve_field(base, field);
  }

  void build() {
    const auto& cs = rules.correlations();
    std::unordered_map<std::string, std::size_t> corr_by_name;
    for (std::size_t i = 0; i < cs.size(); ++i) {
      if (!cs[i].id.empty()) corr_by_name.emplace(cs[i].id, i);
      if (!cs[i].name.empty()) corr_by_name.emplace(cs[i].name, i);
    }
    corr.resize(cs.size());
    for (std::size_t i = 0; i < cs.size(); ++i) {
      Compiled& c = corr[i];
      c.rule = &cs[i];
      for (const auto& name : cs[i].correlation.rules) {
        Ref ref;
        ref.name = name;
        const std::size_t r = rules.find_rule(name);
        if (r != static_cast<std::size_t>(-1)) {
          ref.index = r;
        } else if (auto it = corr_by_name.find(name); it != corr_by_name.end() && it->second != i) {
          ref.is_correlation = true;
          ref.index = it->second;
        } else {
          std::string reason = "correlation '" + cs[i].title + "' refers to '" + name + "', which is not a loaded rule";
          errors.push_back(cs[i].file + ":" + std::to_string(cs[i].line) + ": " + reason);
          reference_errors.push_back({cs[i].file, cs[i].line, std::move(reason)});
          c.ok = false;
          continue;
        }
        c.refs.push_back(std::move(ref));
      }
    }
    for (std::size_t i = 0; i < corr.size(); ++i) {
      Compiled& c = corr[i];
      if (!c.ok) continue;
      for (std::size_t p = 0; p < c.refs.size(); ++p) {
        std::vector<std::vector<FieldId>> gf;
        for (const auto& g : c.rule->correlation.group_by) gf.push_back(fields_for(c, c.refs[p], g));
        c.group_fields.push_back(std::move(gf));
        c.value_fields.push_back(c.rule->correlation.field.empty() ? std::vector<FieldId>()
                                                                    : fields_for(c, c.refs[p], c.rule->correlation.field));
        (c.refs[p].is_correlation ? by_corr : by_rule)[c.refs[p].index].emplace_back(i, p);
      }
    }
  }

  void expire(Compiled& c) {
    const TimeNs span = c.rule->correlation.timespan;
    while (!c.lru.empty()) {
      auto it = c.groups.find(c.lru.back());
      if (it == c.groups.end()) { c.lru.pop_back(); continue; }
      if (c.groups.size() <= options.max_groups && (watermark == kNever || it->second.last >= watermark - span)) break;
      c.groups.erase(it);
      c.lru.pop_back();
    }
  }

  void update(std::size_t ci, std::size_t pos, const Event& event, TimeNs time, std::vector<CorrelationHit>& hits, int depth) {
    Compiled& c = corr[ci];
    const SigmaCorrelation& sc = c.rule->correlation;
    std::string key;
    for (std::size_t g = 0; g < c.group_fields[pos].size(); ++g) {
      if (g) key += '|';
      value_text(event, c.group_fields[pos][g], key);
    }
    auto [it, fresh] = c.groups.try_emplace(key);
    GroupState& st = it->second;
    if (fresh) {
      c.lru.push_front(key);
      st.lru = c.lru.begin();
      st.seen.assign(c.refs.size(), kNever);
      st.chain.assign(c.refs.size(), kNever);
    } else {
      c.lru.splice(c.lru.begin(), c.lru, st.lru);
    }
    st.last = std::max(st.last, time);
    const TimeNs from = time - sc.timespan;
    std::int64_t count = 0;
    bool hit = false;
    switch (sc.type) {
      case SigmaCorrelation::Type::EventCount: {
        st.times.insert(std::upper_bound(st.times.begin(), st.times.end(), time), time);
        while (!st.times.empty() && st.times.front() < from) st.times.pop_front();
        while (st.times.size() > options.max_entries) st.times.pop_front();
        // Only events up to `time` count for a hit at `time`.
        count = std::upper_bound(st.times.begin(), st.times.end(), time) - st.times.begin();
        hit = sc.holds(count, 0);
        if (hit) st.times.clear();
        break;
      }
      case SigmaCorrelation::Type::ValueCount: {
        std::string v;
        value_text(event, c.value_fields[pos], v);
        if (v.empty()) break;
        auto& seen = st.values[v];
        seen = std::max(seen, time);
        for (auto vi = st.values.begin(); vi != st.values.end();) {
          if (vi->second < from) vi = st.values.erase(vi);
          else ++vi;
        }
        while (st.values.size() > options.max_entries) st.values.erase(st.values.begin());
        count = static_cast<std::int64_t>(st.values.size());
        hit = sc.holds(count, 0);
        if (hit) st.values.clear();
        break;
      }
      case SigmaCorrelation::Type::Temporal: {
        st.seen[pos] = std::max(st.seen[pos], time);
        for (TimeNs t : st.seen)
          if (t != kNever && t >= from && t <= time) ++count;
        hit = sc.holds(count, static_cast<std::int64_t>(c.refs.size()));
        if (hit) std::fill(st.seen.begin(), st.seen.end(), kNever);
        break;
      }
      case SigmaCorrelation::Type::TemporalOrdered: {
        // chain[p]: the latest start time of a chain that has seen refs 0..p in order.
        if (pos == 0) st.chain[0] = std::max(st.chain[0], time);
        else if (st.chain[pos - 1] != kNever && st.chain[pos - 1] <= time && time - st.chain[pos - 1] <= sc.timespan)
          st.chain[pos] = std::max(st.chain[pos], st.chain[pos - 1]);
        if (pos + 1 == c.refs.size() && st.chain[pos] != kNever && time - st.chain[pos] <= sc.timespan) {
          count = static_cast<std::int64_t>(c.refs.size());
          hit = true;
          std::fill(st.chain.begin(), st.chain.end(), kNever);
        }
        break;
      }
    }
    if (!hit) return;
    hits.push_back({ci, key, time, count});
    if (depth >= 8) return;
    if (auto chained = by_corr.find(ci); chained != by_corr.end())
      for (auto [c2, p2] : chained->second) update(c2, p2, event, time, hits, depth + 1);
  }
};

CorrelationEngine::CorrelationEngine(const RuleSet& rules, CorrelationOptions options)
    : impl_(std::make_unique<Impl>(rules, options)) {
  impl_->build();
}

CorrelationEngine::~CorrelationEngine() = default;

const std::vector<std::string>& CorrelationEngine::errors() const { return impl_->errors; }

const std::vector<SigmaLoadError>& CorrelationEngine::reference_errors() const { return impl_->reference_errors; }

void CorrelationEngine::feed(std::size_t rule, const Event& event, TimeNs time, std::vector<CorrelationHit>& hits) {
  auto it = impl_->by_rule.find(rule);
  if (impl_->watermark == kNever || time > impl_->watermark) impl_->watermark = time;
  if (it == impl_->by_rule.end()) return;
  for (auto [ci, pos] : it->second) {
    impl_->update(ci, pos, event, time, hits, 0);
    impl_->expire(impl_->corr[ci]);
  }
}

std::size_t CorrelationEngine::group_count() const {
  std::size_t n = 0;
  for (const auto& c : impl_->corr) n += c.groups.size();
  return n;
}

}  // namespace khien
