// The compiled form of a Sigma rule set (condition nodes, Vectorscan databases, dispatch tables) and the
// per-worker scratch state, shared by the compiler (rule_set.cpp) and the matcher (rule_set_match.cpp).
#pragma once

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
#include "core/wanted_originals.h"
#include "detect/anchored_literals.h"
#include "detect/literal_sieve.h"
#include "detect/required_literal.h"
#include "detect/value_match.h"
#include "detect/rule_set.h"

namespace khien {

namespace sigma_compiled {

inline constexpr std::uint32_t kAllFields = 0xFFFFFFFFu;
// Vectorscan ids with this bit are gate literals (index into RuleSetData::gates), not atoms.
inline constexpr std::uint32_t kGateBit = 0x80000000u;

// AnyScan: whether any atom of a set fired (arg indexes RuleSetData::any_of_atom's sets), standing
// for the scan children of an Or so that a list of hundreds of values costs one test.
enum class Op : std::uint8_t { And, Or, Not, AtLeast, Scan, AnyScan, Direct, True, False };

struct Node {
  Op op = Op::False;
  std::uint32_t arg = 0;  // Scan: atom; Direct: direct index; AtLeast: count
  std::vector<std::uint32_t> kids;
};

// A condition tree laid out for matching: each instance's nodes in one run, depth first, a
// node's children right after it (`size` counts the node and all below it). Evaluating a rule
// then reads a few adjacent cache lines instead of chasing a vector per node.
struct Step {
  Op op = Op::False;
  std::uint32_t arg = 0;  // as Node::arg
  std::uint32_t size = 1;
};

// What an atom's firing touches, in RuleSetData::atom_ref_list from `first`: the instances it
// triggers, then the AnyScan sets holding it.
struct AtomRefs {
  std::uint32_t first = 0, instances = 0, sets = 0;
};

struct DirectAtom {
  std::uint32_t field_key = kAllFields;
  std::uint32_t ref_key = kAllFields;
  SigmaValue value;
  std::shared_ptr<RE2> re;
};

struct Expr {
  std::string regex;
  unsigned flags;
  std::uint32_t atom;
  // Literals of which every match contains one: when set, the expression runs only on values
  // where one of them occurred (caseless unless `gate_cased`).
  std::vector<std::string> gate = {};
  bool gate_cased = false;
  std::optional<StarGlob> glob = std::nullopt;  // a gated pattern of literals and stars
  // A caseless literal tied to the value's start, end or both: matched by AnchoredLiterals, not scanned.
  std::optional<AnchoredLiterals::Anchor> anchor = std::nullopt;
  std::string literal = {};
  // A plain literal open at both ends (`contains`), held in `literal`: it may be left out of the
  // scan and searched for only when a rule needs it (LazyProbe).
  bool contains = false;
  // Needs more than a literal matcher (a regex, or a pattern with inner wildcards): scanned, it
  // runs an automaton of its own over every value; left to a LazyProbe when no rule triggers on it.
  bool costly = false;
};

// A literal searched for in a value directly (memchr and memcmp), where there are too few of them
// to be worth a Vectorscan scan's set-up: `id` is an atom, or a gate literal (kGateBit).
struct SearchedLiteral {
  std::string text;  // lower case unless cased
  std::uint32_t id;
  bool cased;
};

// Values up to this length are sieved when their field's literals have a LiteralSieve, longer
// ones scanned: on a value of a few dozen bytes a Vectorscan scan's set-up costs more than the
// sieve's pass, while over a long one Vectorscan's vector literal matchers win (measured: always
// sieving made a 100-rule set 20 % slower on command lines; 64 and 128 bytes were alike).
inline constexpr std::size_t kSievedValueLimit = 64;

// The unanchored patterns of a field (or a probe), matched the cheapest way measured: a few
// `contains` literals are searched for one by one (no database); otherwise they are in a
// Vectorscan database, and when they are only `contains` literals, up to a few hundred, a
// sieve also holds them for values of up to kSievedValueLimit bytes.
struct FieldPatterns {
  hs_database_t* db = nullptr;
  // No pattern in `db` matches fewer bytes: a shorter value ("-", an empty Description) is not
  // scanned, which saves a scan's set-up.
  std::uint32_t min_length = 0;
  std::vector<SearchedLiteral> literals = {};
  LiteralSieve sieve = {};  // set only beside `db`
  bool empty() const { return db == nullptr && literals.empty(); }
};

// The patterns on one field: those tied to the value's ends in tries, the rest in `patterns`
// (empty when every pattern is anchored).
struct FieldDb {
  std::uint32_t field_key;
  AnchoredLiterals anchored = {};
  FieldPatterns patterns = {};
};

// An expression behind gate literals: its own database, scanned only when a gate fired; a
// pattern of literals and stars is matched directly instead (cheaper than a scan's set-up).
struct Gated {
  hs_database_t* db = nullptr;
  std::uint32_t atom = 0;
  std::optional<StarGlob> glob = std::nullopt;
};

// Short contains-literals and costly expressions (regexes, inner wildcards) that trigger no rule
// are not scanned: a rule evaluation that reaches them searches the field's values then, once per
// event. A few literals are searched one by one; a longer list (a selection's values), or any
// costly expression, gets a small Vectorscan database of its own.
struct LazyProbe {
  std::uint32_t field_key;
  FieldPatterns patterns;
};

struct Condition {
  std::vector<std::uint32_t> dense;  // the event fields the condition's Sigma field resolves to
  std::vector<std::string> values;  // lower case
  // Those of `values` written as integers are in canonical form (see canonical_integer()): an
  // integer value (EventID) is compared with them as a number instead of being formatted as text.
  std::vector<std::int64_t> integers;
  bool any = false;
};

struct Group {
  std::vector<Condition> conditions;
  std::vector<FieldDb> dbs;
  std::vector<std::uint32_t> always;  // instances without triggers
  // Compile-time only.
  std::map<std::uint32_t, std::vector<Expr>> exprs;
  std::unordered_map<std::string, std::uint32_t> atom_of;
};

struct Instance {
  std::uint32_t rule;
  std::uint32_t root;  // a node while compiling, then the instance's first step in the program
};

// Groups reached through one of their conditions: the (lower-case) values of these event fields
// name the groups whose other conditions are then checked, so an event meets only the groups of
// its own logsource (a Sysmon process creation never looks at the other 60-odd variants).
struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view v) const { return std::hash<std::string_view>{}(v); }
};
struct Dispatch {
  std::vector<std::uint32_t> dense;
  std::unordered_map<std::string, std::vector<std::uint32_t>, TransparentHash, std::equal_to<>> groups;
  // The lists of the keys that are canonical integers, by number: an integer value is looked up
  // here without being formatted, lowered and hashed as text.
  std::unordered_map<std::int64_t, std::vector<std::uint32_t>> by_integer;
  std::size_t longest = 0;
};

// The number `text` spells when it is an integer written as text_of() writes an integer value
// (decimal, no sign but '-', no leading zero): only then can a value of type Int equal it as text.
inline std::optional<std::int64_t> canonical_integer(std::string_view text) {
  std::int64_t n = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  char buf[32];
  if (text_of(Value::of_int(n), buf, sizeof buf) != text) return std::nullopt;
  return n;
}

inline bool has_inner_wildcard(const SigmaPattern& p) {
  const auto& parts = p.parts();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const bool edge_star = parts[i].kind == PatternPart::Kind::Star && (i == 0 || i + 1 == parts.size());
    if (!edge_star && (parts[i].kind == PatternPart::Kind::Star || parts[i].kind == PatternPart::Kind::One)) return true;
  }
  return false;
}

}  // namespace sigma_compiled

struct RuleSetData {
  std::vector<SigmaRule> rules;
  std::vector<bool> alerts;
  std::vector<std::vector<LogsourceVariant>> rule_variants;
  std::vector<SkippedRule> skipped;
  std::vector<SigmaRule> correlations;
  std::unordered_map<std::string, std::size_t> by_name;

  std::vector<FieldId> dense_fields;
  std::vector<std::int32_t> dense_of;  // FieldId -> dense index or -1
  std::vector<std::vector<std::uint32_t>> field_keys;
  std::map<std::vector<std::uint32_t>, std::uint32_t> field_key_of;

  std::vector<sigma_compiled::Node> nodes;  // compile time; matching runs `program`
  std::vector<sigma_compiled::Step> program;
  std::vector<sigma_compiled::AtomRefs> atom_refs;  // scan atom -> its triggers and sets
  std::vector<std::uint32_t> atom_ref_list;
  std::vector<sigma_compiled::DirectAtom> direct;
  // Compile time (atom_refs at matching): scan atom -> instances, and -> the AnyScan sets holding it.
  std::vector<std::vector<std::uint32_t>> triggers;
  std::vector<std::vector<std::uint32_t>> any_of_atom;
  std::uint32_t any_sets = 0;
  std::vector<sigma_compiled::Instance> instances;
  std::vector<sigma_compiled::Group> groups;
  // Group -> how many field databases the groups before it hold (then the total): a database's
  // number across groups, by which match_batch() orders its scans.
  std::vector<std::uint32_t> db_base;
  std::unordered_map<std::string, std::uint32_t> group_of;
  std::vector<sigma_compiled::Dispatch> dispatch;
  std::vector<std::uint32_t> undispatched;  // groups without a condition on values
  std::vector<sigma_compiled::Gated> gated;
  std::vector<std::vector<std::uint32_t>> gates;  // gate literal -> gated expressions
  std::vector<sigma_compiled::LazyProbe> probes;
  std::vector<std::int32_t> atom_probe;  // scan atom -> its probe when the atom is not scanned, else -1
  std::vector<std::vector<std::uint32_t>> set_probes;  // AnyScan set -> probes of its unscanned atoms
  std::size_t patterns = 0;
  hs_scratch_t* proto = nullptr;

  ~RuleSetData() {
    for (auto& g : groups)
      for (auto& d : g.dbs)
        if (d.patterns.db) hs_free_database(d.patterns.db);
    for (auto& g : gated)
      if (g.db) hs_free_database(g.db);
    for (auto& p : probes)
      if (p.patterns.db) hs_free_database(p.patterns.db);
    if (proto) hs_free_scratch(proto);
  }

  std::uint32_t dense(FieldId id) {
    // Rules read this field from event slots: decoders must not leave it in the raw record.
    WantedOriginals::instance().want(id);
    if (id >= dense_of.size()) dense_of.resize(id + 1, -1);
    if (dense_of[id] < 0) {
      dense_of[id] = static_cast<std::int32_t>(dense_fields.size());
      dense_fields.push_back(id);
    }
    return static_cast<std::uint32_t>(dense_of[id]);
  }

  std::uint32_t field_key(const LogsourceVariant& variant, const std::string& sigma_field) {
    if (sigma_field.empty()) {
      WantedOriginals::instance().want_all();  // a keyword search reads every slot
      return sigma_compiled::kAllFields;
    }
    std::vector<std::uint32_t> ds;
    for (const auto& name : variant.resolve(sigma_field)) ds.push_back(dense(intern_field(name)));
    auto [it, fresh] = field_key_of.emplace(ds, static_cast<std::uint32_t>(field_keys.size()));
    if (fresh) field_keys.push_back(ds);
    return it->second;
  }

  std::uint32_t add_node(sigma_compiled::Node n) {
    nodes.push_back(std::move(n));
    return static_cast<std::uint32_t>(nodes.size() - 1);
  }
};

struct RuleSet::Scratch::State {
  const RuleSetData* owner = nullptr;
  hs_scratch_t* hs = nullptr;
  std::vector<std::int32_t> head;
  std::vector<std::int32_t> next;
  std::vector<std::uint32_t> touched;
  std::vector<std::uint32_t> atom_epoch, inst_epoch, rule_epoch, any_epoch;
  std::vector<std::uint32_t> queue;
  std::uint32_t epoch = 0;
  // Gated expressions to run on the value just scanned, deduplicated by a per-scan stamp.
  std::vector<std::uint32_t> pending;
  std::vector<std::uint32_t> group_epoch, candidates;
  std::string lowered;  // scratch: a dispatch value or a probed value, lower-cased
  std::vector<std::uint32_t> gate_stamp, gated_stamp;
  std::vector<std::uint32_t> probe_epoch;  // probes already run for this event
  std::uint32_t scan_stamp = 0;
  // match_batch(): the values each group's databases scan (text in an event's arena, or formatted
  // into `texts` at `offset` when `data` is null), the atoms they fired, and each event's groups
  // (event e's from groups_from[e] in event_groups).
  struct ScanItem {
    std::uint32_t group, db, event, offset, size;
    const char* data;
  };
  struct FiredAtom {
    std::uint32_t event, group, atom;
  };
  std::vector<ScanItem> scans, sorted_scans;
  std::vector<FiredAtom> fired, sorted_fired;
  std::string texts;
  std::vector<std::uint32_t> event_groups, groups_from;
  std::vector<std::uint32_t> counts;  // counting sorts
  const Event* event = nullptr;
  char buf[64];
  char buf2[64];

  ~State() {
    if (hs) hs_free_scratch(hs);
  }

  void prepare(const RuleSetData& d) {
    if (hs) hs_free_scratch(hs);
    hs = nullptr;
    if (d.proto) hs_clone_scratch(d.proto, &hs);
    owner = &d;
    head.assign(d.dense_fields.size(), -1);
    atom_epoch.assign(d.atom_refs.size(), 0);
    inst_epoch.assign(d.instances.size(), 0);
    rule_epoch.assign(d.rules.size(), 0);
    any_epoch.assign(d.any_sets, 0);
    epoch = 0;
    gate_stamp.assign(d.gates.size(), 0);
    group_epoch.assign(d.groups.size(), 0);
    gated_stamp.assign(d.gated.size(), 0);
    probe_epoch.assign(d.probes.size(), 0);
    scan_stamp = 0;
  }

  template <typename F>
  void for_each_value(std::uint32_t key, F&& f) const {
    if (key == sigma_compiled::kAllFields) {
      for (const auto& slot : *event)
        if (slot.value.type == FieldType::String) f(slot.value);
      return;
    }
    for (std::uint32_t d : owner->field_keys[key])
      for (std::int32_t i = head[d]; i >= 0; i = next[static_cast<std::size_t>(i)]) f(event->begin()[i].value);
  }
};

}  // namespace khien
