// Matching an event against a compiled Sigma rule set: Vectorscan scans per field, direct checks, conditions.
#include "detect/rule_set.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <unordered_map>
#include <hs/hs.h>
#include <re2/re2.h>
#include "core/field_dictionary.h"
#include "core/text.h"
#include "detect/required_literal.h"
#include "detect/value_match.h"
#include "detect/rule_set_data.h"

namespace khien {

using sigma_compiled::DirectAtom;
using sigma_compiled::Dispatch;
using sigma_compiled::FieldDb;
using sigma_compiled::Gated;
using sigma_compiled::Group;
using sigma_compiled::Instance;
using sigma_compiled::kGateBit;
using sigma_compiled::LazyProbe;
using sigma_compiled::Op;
using sigma_compiled::Step;

namespace {

struct MatchContext {
  const RuleSetData* d;
  RuleSet::Scratch::State* s;
  // match_batch(): atoms are recorded for this event and group, to be fired when the event is
  // evaluated, instead of fired at once.
  bool record = false;
  std::uint32_t event = 0, group = 0;
};

// Appends to `out` each of `items` not stamped with `stamp` yet, and stamps it.
void push_unstamped(const std::vector<std::uint32_t>& items, std::vector<std::uint32_t>& stamps, std::uint32_t stamp,
                    std::vector<std::uint32_t>& out) {
  for (std::uint32_t x : items)
    if (stamps[x] != stamp) {
      stamps[x] = stamp;
      out.push_back(x);
    }
}

// Queues the rule instances an atom triggers, the first time it fires for this event.
void fire_atom(const RuleSetData& d, RuleSet::Scratch::State& s, std::uint32_t atom) {
  // A local: the stores below are of the epoch's type, and the compiler would reload it after each.
  const std::uint32_t epoch = s.epoch;
  if (s.atom_epoch[atom] == epoch) return;
  s.atom_epoch[atom] = epoch;
  const sigma_compiled::AtomRefs& refs = d.atom_refs[atom];
  const std::uint32_t* list = d.atom_ref_list.data() + refs.first;
  for (const std::uint32_t* i = list, *end = list + refs.instances; i != end; ++i)
    if (s.inst_epoch[*i] != epoch) {
      s.inst_epoch[*i] = epoch;
      s.queue.push_back(*i);
    }
  std::uint32_t* any = s.any_epoch.data();
  for (const std::uint32_t* set = list + refs.instances, *end = set + refs.sets; set != end; ++set) any[*set] = epoch;
}

void take_atom(MatchContext& m, std::uint32_t atom) {
  if (m.record) m.s->fired.push_back({m.event, m.group, atom});
  else fire_atom(*m.d, *m.s, atom);
}

int on_hs_match(unsigned int id, unsigned long long, unsigned long long, unsigned int, void* ctx) {
  auto* m = static_cast<MatchContext*>(ctx);
  auto& s = *m->s;
  if (id & kGateBit) {
    const std::uint32_t gate = id & ~kGateBit;
    if (s.gate_stamp[gate] == s.scan_stamp) return 0;
    s.gate_stamp[gate] = s.scan_stamp;
    push_unstamped(m->d->gates[gate], s.gated_stamp, s.scan_stamp, s.pending);
    return 0;
  }
  take_atom(*m, id);
  return 0;
}

bool eval_direct(const RuleSetData& d, RuleSet::Scratch::State& s, const DirectAtom& a) {
  const SigmaValue& v = a.value;
  bool hit = false;
  switch (v.kind) {
    case SigmaMatchKind::Null: {
      bool empty = true;
      s.for_each_value(a.field_key, [&](const Value& x) {
        if (!(x.type == FieldType::String && x.s.empty())) empty = false;
      });
      return empty;
    }
    case SigmaMatchKind::Exists: {
      bool present = false;
      s.for_each_value(a.field_key, [&](const Value&) { present = true; });
      return present == v.exists;
    }
    case SigmaMatchKind::Pattern:
      s.for_each_value(a.field_key, [&](const Value& x) {
        if (hit) return;
        std::string_view t = text_of(x, s.buf, sizeof s.buf);
        for (const auto& p : v.patterns)
          if (glob_match(p.parts(), 0, t, v.cased)) { hit = true; break; }
      });
      return hit;
    case SigmaMatchKind::Regex:
      s.for_each_value(a.field_key, [&](const Value& x) {
        if (!hit && RE2::PartialMatch(text_of(x, s.buf, sizeof s.buf), *a.re)) hit = true;
      });
      return hit;
    case SigmaMatchKind::Cidr:
      s.for_each_value(a.field_key, [&](const Value& x) {
        if (hit) return;
        std::optional<IpAddress> ip;
        if (x.type == FieldType::Ip) ip = x.ip;
        else if (x.type == FieldType::String) ip = IpAddress::parse(x.s);
        if (!ip) return;
        for (const auto& p : v.prefixes)
          if (p.contains(*ip)) { hit = true; break; }
      });
      return hit;
    case SigmaMatchKind::Compare:
      s.for_each_value(a.field_key, [&](const Value& x) {
        if (hit) return;
        auto n = number_of(x);
        if (!n) return;
        switch (v.compare) {
          case SigmaCompare::Lt: hit = *n < v.number; break;
          case SigmaCompare::Lte: hit = *n <= v.number; break;
          case SigmaCompare::Gt: hit = *n > v.number; break;
          case SigmaCompare::Gte: hit = *n >= v.number; break;
        }
      });
      return hit;
    case SigmaMatchKind::FieldRef:
      s.for_each_value(a.field_key, [&](const Value& x) {
        if (hit) return;
        std::string_view t = text_of(x, s.buf, sizeof s.buf);
        s.for_each_value(a.ref_key, [&](const Value& y) {
          if (!hit && position_match(t, text_of(y, s.buf2, sizeof s.buf2), v.position, v.cased)) hit = true;
        });
      });
      return hit;
  }
  (void)d;
  return false;
}

// Calls found(id) for each of `literals` that occurs in `t`, skipping those `wanted` refuses
// before searching; `folded` is `t` lowered, once for all of them (caseless literals are lower case).
template <typename Wanted, typename Found>
void search_literals(const std::vector<sigma_compiled::SearchedLiteral>& literals, std::string_view t, std::string_view folded,
                     Wanted&& wanted, Found&& found) {
  for (const auto& l : literals)
    if (wanted(l.id) && (l.cased ? t : folded).find(l.text) != std::string_view::npos) found(l.id);
}

// Matches a value against a field's or a probe's unanchored patterns, reporting each id found to
// on_hs_match; searched literals that `wanted` refuses are skipped.
template <typename Wanted>
void match_patterns(const sigma_compiled::FieldPatterns& p, std::string_view t, MatchContext& mc, Wanted&& wanted) {
  auto& s = *mc.s;
  if (p.db && (p.sieve.empty() || t.size() > sigma_compiled::kSievedValueLimit)) {
    if (t.size() >= p.min_length) hs_scan(p.db, t.empty() ? "" : t.data(), static_cast<unsigned>(t.size()), 0, s.hs, on_hs_match, &mc);
    return;
  }
  const std::string_view folded = ascii_lower_into(t, s.lowered);
  auto found = [&](std::uint32_t id) { on_hs_match(id, 0, 0, 0, &mc); };
  if (!p.sieve.empty()) p.sieve.match(t, folded, found);
  else search_literals(p.literals, t, folded, wanted, found);
}

// Searches the values of a probe's field for its patterns (once per event) and fires the atoms found.
void run_probe(const RuleSetData& d, RuleSet::Scratch::State& s, std::uint32_t probe) {
  if (s.probe_epoch[probe] == s.epoch) return;
  s.probe_epoch[probe] = s.epoch;
  const LazyProbe& p = d.probes[probe];
  MatchContext mc{&d, &s};
  s.for_each_value(p.field_key, [&](const Value& v) {
    match_patterns(p.patterns, text_of(v, s.buf, sizeof s.buf), mc,
                   [&](std::uint32_t atom) { return s.atom_epoch[atom] != s.epoch; });
  });
}

bool eval(const RuleSetData& d, RuleSet::Scratch::State& s, std::uint32_t id);

// Step `id` when it is a leaf that needs no search (most steps a rule reaches: an atom or set that
// fired or cannot fire), tested where it is read; the rest through eval(). A call of the
// recursive eval() per leaf cost more than the test (its prologue and epilogue were a tenth of an
// event's instructions).
[[gnu::always_inline]] inline bool eval_step(const RuleSetData& d, RuleSet::Scratch::State& s, std::uint32_t id) {
  const Step& n = d.program[id];
  switch (n.op) {
    case Op::Scan:
      if (s.atom_epoch[n.arg] == s.epoch) return true;
      if (d.atom_probe[n.arg] < 0) return false;
      break;
    case Op::AnyScan:
      if (s.any_epoch[n.arg] == s.epoch) return true;
      if (d.set_probes[n.arg].empty()) return false;
      break;
    case Op::True: return true;
    case Op::False: return false;
    default: break;
  }
  return eval(d, s, id);
}

bool eval(const RuleSetData& d, RuleSet::Scratch::State& s, std::uint32_t id) {
  const Step& n = d.program[id];
  // Children of step `id`: from id + 1, each followed by the next at its own size.
  const std::uint32_t first = id + 1, end = id + n.size;
  switch (n.op) {
    case Op::Scan: {
      if (s.atom_epoch[n.arg] == s.epoch) return true;
      const std::int32_t probe = d.atom_probe[n.arg];
      if (probe < 0) return false;
      run_probe(d, s, static_cast<std::uint32_t>(probe));
      return s.atom_epoch[n.arg] == s.epoch;
    }
    case Op::AnyScan:
      if (s.any_epoch[n.arg] == s.epoch) return true;
      for (std::uint32_t probe : d.set_probes[n.arg]) {
        run_probe(d, s, probe);
        if (s.any_epoch[n.arg] == s.epoch) return true;
      }
      return false;
    case Op::Direct: return eval_direct(d, s, d.direct[n.arg]);
    case Op::True: return true;
    case Op::False: return false;
    case Op::Not: return !eval_step(d, s, first);
    case Op::And:
      for (std::uint32_t k = first; k < end; k += d.program[k].size)
        if (!eval_step(d, s, k)) return false;
      return true;
    case Op::Or:
      for (std::uint32_t k = first; k < end; k += d.program[k].size)
        if (eval_step(d, s, k)) return true;
      return false;
    case Op::AtLeast: {
      std::uint32_t count = 0;
      for (std::uint32_t k = first; k < end; k += d.program[k].size)
        if (eval_step(d, s, k) && ++count >= n.arg) return true;
      return false;
    }
  }
  return false;
}

bool conditions_hold(const Group& g, RuleSet::Scratch::State& s) {
  for (const auto& c : g.conditions) {
    bool ok = false;
    for (std::uint32_t dn : c.dense) {
      for (std::int32_t i = s.head[dn]; i >= 0 && !ok; i = s.next[static_cast<std::size_t>(i)]) {
        if (c.any) { ok = true; break; }
        const Value& v = s.event->begin()[i].value;
        if (v.type == FieldType::Int) {
          ok = std::find(c.integers.begin(), c.integers.end(), v.i) != c.integers.end();
          continue;
        }
        std::string_view t = text_of(v, s.buf, sizeof s.buf);
        for (const auto& want : c.values)
          if (ascii_iequals(t, want)) { ok = true; break; }
      }
      if (ok) break;
    }
    if (!ok) return false;
  }
  return true;
}

// Starts matching `event`: a new epoch (every per-event stamp is stale at once), and per dense
// field a chain of the event's slots that rules refer to.
void begin_event(const RuleSetData& d, RuleSet::Scratch::State& s, const Event& event) {
  if (++s.epoch == 0) {
    // Epoch wrapped: forget every old stamp.
    std::fill(s.atom_epoch.begin(), s.atom_epoch.end(), 0);
    std::fill(s.inst_epoch.begin(), s.inst_epoch.end(), 0);
    std::fill(s.rule_epoch.begin(), s.rule_epoch.end(), 0);
    std::fill(s.group_epoch.begin(), s.group_epoch.end(), 0);
    std::fill(s.any_epoch.begin(), s.any_epoch.end(), 0);
    std::fill(s.probe_epoch.begin(), s.probe_epoch.end(), 0);
    s.epoch = 1;
  }
  s.event = &event;
  s.queue.clear();
  if (s.next.size() < event.size()) s.next.resize(event.size());
  s.touched.clear();
  const auto* slots = event.begin();
  for (std::uint32_t i = event.size(); i-- > 0;) {
    const FieldId f = slots[i].field;
    if (f >= d.dense_of.size()) continue;
    const std::int32_t dn = d.dense_of[f];
    if (dn < 0) continue;
    if (s.head[static_cast<std::size_t>(dn)] < 0) s.touched.push_back(static_cast<std::uint32_t>(dn));
    s.next[i] = s.head[static_cast<std::size_t>(dn)];
    s.head[static_cast<std::size_t>(dn)] = static_cast<std::int32_t>(i);
  }
}

void end_event(RuleSet::Scratch::State& s) {
  for (std::uint32_t dn : s.touched) s.head[dn] = -1;
  s.event = nullptr;
}

// Leaves in s.candidates the groups the event belongs to, in group order (so rules report in a
// stable order): those its dispatch values name, and those without one, whose conditions hold.
void select_groups(const RuleSetData& d, RuleSet::Scratch::State& s) {
  char buf[64];
  const auto* slots = s.event->begin();
  s.candidates.assign(d.undispatched.begin(), d.undispatched.end());
  for (const Dispatch& x : d.dispatch)
    for (std::uint32_t dn : x.dense)
      for (std::int32_t i = s.head[dn]; i >= 0; i = s.next[static_cast<std::size_t>(i)]) {
        const Value& v = slots[i].value;
        if (v.type == FieldType::Int) {
          auto it = x.by_integer.find(v.i);
          if (it != x.by_integer.end()) push_unstamped(it->second, s.group_epoch, s.epoch, s.candidates);
          continue;
        }
        std::string_view t = text_of(v, buf, sizeof buf);
        if (t.size() > x.longest) continue;
        auto it = x.groups.find(ascii_lower_into(t, s.lowered));
        if (it == x.groups.end()) continue;
        push_unstamped(it->second, s.group_epoch, s.epoch, s.candidates);
      }
  std::sort(s.candidates.begin(), s.candidates.end());
  std::erase_if(s.candidates, [&](std::uint32_t gi) { return !conditions_hold(d.groups[gi], s); });
}

// Scans one value of a group's field: its anchored literals, its database, then the gated
// expressions whose gate literal occurred in it.
void scan_value(const FieldDb& db, std::string_view t, MatchContext& mc) {
  const RuleSetData& d = *mc.d;
  auto& s = *mc.s;
  db.anchored.match(t, [&](std::uint32_t atom) { take_atom(mc, atom); });
  if (db.patterns.empty()) return;
  const char* data = t.empty() ? "" : t.data();
  if (++s.scan_stamp == 0) {
    std::fill(s.gate_stamp.begin(), s.gate_stamp.end(), 0);
    std::fill(s.gated_stamp.begin(), s.gated_stamp.end(), 0);
    s.scan_stamp = 1;
  }
  match_patterns(db.patterns, t, mc, [](std::uint32_t) { return true; });
  for (std::uint32_t gi : s.pending) {
    const Gated& gx = d.gated[gi];
    // Fired already by another value (known only while matching one event at a time).
    if (!mc.record && s.atom_epoch[gx.atom] == s.epoch) continue;
    if (gx.glob) {
      if (gx.glob->matches(t)) take_atom(mc, gx.atom);
    } else {
      hs_scan(gx.db, data, static_cast<unsigned>(t.size()), 0, s.hs, on_hs_match, &mc);
    }
  }
  s.pending.clear();
}

// Copies `items` into `out` ordered by key(item) (below `keys`), keeping the order of equal keys:
// two passes, where a comparison sort of a batch's thousands of items cost more than its scans'
// set-up. Afterwards counts[k] is where the items of keys above k start.
template <typename T, typename Key>
void counting_sort(const std::vector<T>& items, std::size_t keys, Key&& key, std::vector<std::uint32_t>& counts,
                   std::vector<T>& out) {
  counts.assign(keys + 1, 0);
  for (const T& x : items) ++counts[key(x) + 1];
  for (std::size_t k = 1; k <= keys; ++k) counts[k] += counts[k - 1];
  out.resize(items.size());
  for (const T& x : items) out[counts[key(x)]++] = x;
}

// Evaluates the rules the fired atoms queued (and the groups' rules without triggers) and reports
// each rule that matches once.
template <typename F>
void evaluate_queue(const RuleSetData& d, RuleSet::Scratch::State& s, F&& report) {
  for (std::size_t qi = 0; qi < s.queue.size(); ++qi) {
    const Instance& inst = d.instances[s.queue[qi]];
    if (s.rule_epoch[inst.rule] == s.epoch) continue;
    if (eval(d, s, inst.root)) {
      s.rule_epoch[inst.rule] = s.epoch;
      report(inst.rule);
    }
  }
}

}  // namespace

void RuleSet::match_impl(const Event& event, Scratch& scratch, void (*cb)(std::size_t, void*), void* ctx) const {
  const RuleSetData& d = *data_;
  auto& s = *scratch.state_;
  if (s.owner != &d) s.prepare(d);
  begin_event(d, s, event);
  select_groups(d, s);
  MatchContext mc{&d, &s};
  char buf[64];
  for (std::uint32_t gi : s.candidates) {
    const Group& g = d.groups[gi];
    for (const FieldDb& db : g.dbs)
      s.for_each_value(db.field_key, [&](const Value& v) { scan_value(db, text_of(v, buf, sizeof buf), mc); });
    push_unstamped(g.always, s.inst_epoch, s.epoch, s.queue);
  }
  evaluate_queue(d, s, [&](std::uint32_t rule) { cb(rule, ctx); });
  end_event(s);
}

void RuleSet::match_batch_impl(std::span<const Event* const> events, Scratch& scratch,
                               void (*cb)(std::size_t, std::size_t, void*), void* ctx) const {
  const RuleSetData& d = *data_;
  auto& s = *scratch.state_;
  if (s.owner != &d) s.prepare(d);
  s.scans.clear();
  s.fired.clear();
  s.texts.clear();
  s.event_groups.clear();
  s.groups_from.clear();
  // 1. Event by event: the groups it belongs to, and the values their databases are to scan.
  char buf[64];
  for (std::uint32_t e = 0; e < events.size(); ++e) {
    begin_event(d, s, *events[e]);
    select_groups(d, s);
    s.groups_from.push_back(static_cast<std::uint32_t>(s.event_groups.size()));
    for (std::uint32_t gi : s.candidates) {
      s.event_groups.push_back(gi);
      const auto& dbs = d.groups[gi].dbs;
      for (std::uint32_t k = 0; k < dbs.size(); ++k)
        s.for_each_value(dbs[k].field_key, [&](const Value& v) {
          RuleSet::Scratch::State::ScanItem item{gi, k, e, 0, 0, nullptr};
          if (v.type == FieldType::String) {
            item.data = v.s.data();
            item.size = static_cast<std::uint32_t>(v.s.size());
          } else {  // a number or address, formatted into the batch's own text
            const std::string_view t = text_of(v, buf, sizeof buf);
            item.offset = static_cast<std::uint32_t>(s.texts.size());
            item.size = static_cast<std::uint32_t>(t.size());
            s.texts.append(t);
          }
          s.scans.push_back(item);
        });
    }
    end_event(s);
  }
  s.groups_from.push_back(static_cast<std::uint32_t>(s.event_groups.size()));
  // 2. Database by database, the values of every event (in event order, each event's in match()'s).
  counting_sort(s.scans, d.db_base.back(), [&](const auto& x) { return d.db_base[x.group] + x.db; }, s.counts, s.sorted_scans);
  MatchContext mc{&d, &s, true};
  for (const auto& item : s.sorted_scans) {
    mc.event = item.event;
    mc.group = item.group;
    const std::string_view t = item.data ? std::string_view(item.data, item.size)
                                         : std::string_view(s.texts).substr(item.offset, item.size);
    scan_value(d.groups[item.group].dbs[item.db], t, mc);
  }
  // 3. Event by event: its atoms fired group by group as match() fires them, then its rules.
  // After the sort, counts[e] is where the atoms of the events after e start.
  counting_sort(s.fired, events.size(), [](const auto& x) { return x.event; }, s.counts, s.sorted_fired);
  for (std::uint32_t e = 0; e < events.size(); ++e) {
    begin_event(d, s, *events[e]);
    std::size_t f = e == 0 ? 0 : s.counts[e - 1];
    const std::size_t end = s.counts[e];
    for (std::uint32_t k = s.groups_from[e]; k < s.groups_from[e + 1]; ++k) {
      const std::uint32_t gi = s.event_groups[k];
      for (; f < end && s.sorted_fired[f].group == gi; ++f) fire_atom(d, s, s.sorted_fired[f].atom);
      push_unstamped(d.groups[gi].always, s.inst_epoch, s.epoch, s.queue);
    }
    evaluate_queue(d, s, [&](std::uint32_t rule) { cb(e, rule, ctx); });
    end_event(s);
  }
}

}  // namespace khien
