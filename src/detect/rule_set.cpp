// Compilation of Sigma rules into Vectorscan databases and condition trees, and the rule set's accessors.
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
#include "core/wanted_originals.h"
#include "detect/required_literal.h"
#include "detect/value_match.h"
#include "detect/rule_set_data.h"

namespace khien {

using sigma_compiled::Condition;
using sigma_compiled::DirectAtom;
using sigma_compiled::Dispatch;
using sigma_compiled::Expr;
using sigma_compiled::FieldDb;
using sigma_compiled::Gated;
using sigma_compiled::Group;
using sigma_compiled::has_inner_wildcard;
using sigma_compiled::Instance;
using sigma_compiled::kGateBit;
using sigma_compiled::Node;
using sigma_compiled::Op;

RuleSet::Scratch::Scratch() : state_(std::make_unique<State>()) {}
RuleSet::Scratch::~Scratch() = default;
RuleSet::Scratch::Scratch(Scratch&&) noexcept = default;
RuleSet::Scratch& RuleSet::Scratch::operator=(Scratch&&) noexcept = default;

RuleSet::RuleSet() : data_(std::make_unique<RuleSetData>()) {}
RuleSet::~RuleSet() = default;
RuleSet::RuleSet(RuleSet&&) noexcept = default;
RuleSet& RuleSet::operator=(RuleSet&&) noexcept = default;

std::size_t RuleSet::size() const { return data_->rules.size(); }
const SigmaRule& RuleSet::rule(std::size_t index) const { return data_->rules[index]; }
bool RuleSet::generates_alerts(std::size_t index) const { return data_->alerts[index]; }
const std::vector<SkippedRule>& RuleSet::skipped() const { return data_->skipped; }
const std::vector<SigmaRule>& RuleSet::correlations() const { return data_->correlations; }
std::size_t RuleSet::pattern_count() const { return data_->patterns; }

std::size_t RuleSet::database_count() const {
  std::size_t n = 0;
  for (const auto& g : data_->groups)
    for (const auto& f : g.dbs) n += f.patterns.db != nullptr;
  return n;
}

std::size_t RuleSet::find_rule(std::string_view id_or_name) const {
  auto it = data_->by_name.find(std::string(id_or_name));
  return it == data_->by_name.end() ? static_cast<std::size_t>(-1) : it->second;
}

std::vector<FieldId> RuleSet::resolve_field(std::size_t index, std::string_view name) const {
  std::vector<FieldId> out;
  if (index < data_->rule_variants.size())
    for (const auto& v : data_->rule_variants[index])
      for (const auto& n : v.resolve(name)) {
        FieldId id = intern_field(n);
        if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
      }
  if (out.empty()) out.push_back(intern_field(name));
  // Correlations read these fields from event slots: decoders must keep them there.
  for (FieldId id : out) WantedOriginals::instance().want(id);
  return out;
}

RuleSet::Scratch RuleSet::make_scratch() const {
  Scratch s;
  s.state_->prepare(*data_);
  return s;
}

namespace {

struct Compiler {
  RuleSetData& d;
  std::map<std::string, bool> hs_regex_ok;  // regex+flags -> Vectorscan takes it alone
  std::vector<std::vector<std::uint32_t>> set_atoms;  // AnyScan set -> its atoms
  // Atoms of contains-literals, one shorter than kShortLiteral: they occur in many values,
  // and in a literal scan they cost more than all the long ones together (false-positive
  // confirmations, callbacks), so no rule triggers on them when it has a rarer choice, and those
  // no rule triggers on are searched for only when a rule needs them.
  static constexpr std::size_t kShortLiteral = 5;
  std::vector<bool> short_atom;
  // Atoms with a regex or a pattern with inner wildcards: scanned, each runs an automaton over every
  // value of its field (about 40 ns over a command line, as much as a thousand literals), so rules
  // trigger on them only when nothing else can, and those no rule triggers on are not scanned.
  std::vector<bool> costly_atom;
  std::vector<std::uint8_t> atom_weight;
  // Unscanned atoms (see LazyProbe): field key and expressions of each.
  std::map<std::uint32_t, std::pair<std::uint32_t, std::vector<Expr>>> lazy_atoms;

  bool vectorscan_takes(const std::string& re, unsigned flags) {
    const std::string key = std::to_string(flags) + "/" + re;
    auto it = hs_regex_ok.find(key);
    if (it != hs_regex_ok.end()) return it->second;
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    bool ok = hs_compile(re.c_str(), flags, HS_MODE_BLOCK, nullptr, &db, &err) == HS_SUCCESS;
    if (db) hs_free_database(db);
    if (err) hs_free_compile_error(err);
    hs_regex_ok.emplace(key, ok);
    return ok;
  }

  std::uint32_t scan_atom(Group& g, std::uint32_t key, std::vector<Expr> exprs) {
    std::string id = std::to_string(key);
    for (const auto& e : exprs) id += "\x1f" + std::to_string(e.flags) + ":" + e.regex;  // gates follow from these
    auto it = g.atom_of.find(id);
    if (it != g.atom_of.end()) return it->second;
    const auto atom = static_cast<std::uint32_t>(d.triggers.size());
    d.triggers.emplace_back();
    // Windash spells a short flag with Unicode dashes too: one short spelling makes the atom short.
    bool contains_only = true, any_short = false, costly = false;
    for (const auto& e : exprs) {
      contains_only = contains_only && e.contains;
      any_short = any_short || e.literal.size() < kShortLiteral;
      costly = costly || e.costly;
    }
    short_atom.push_back(contains_only && any_short);
    costly_atom.push_back(costly);
    // Expected frequency as a trigger: a long contains-literal is rare; a value's end or whole
    // (a process name) is common.
    std::size_t shortest = SIZE_MAX;
    bool anchored = false;
    for (const auto& e : exprs) {
      anchored = anchored || e.anchor.has_value();
      shortest = std::min(shortest, e.literal.size());
    }
    atom_weight.push_back(anchored ? 3 : contains_only && shortest >= 8 ? 1 : 2);
    for (auto& e : exprs) {
      e.atom = atom;
      g.exprs[key].push_back(std::move(e));
    }
    g.atom_of.emplace(id, atom);
    return atom;
  }

  // A plain literal tied to one or both ends of the value goes to AnchoredLiterals: a trie walk
  // from that end is cheaper than scanning the whole value, and on fields such as Image most
  // patterns are endswith or equals, so their Vectorscan databases disappear.
  static void anchor_literal(const SigmaPattern& p, Expr& e) {
    const auto& parts = p.parts();
    const bool open_start = parts.front().kind == PatternPart::Kind::Star;
    const bool open_end = parts.back().kind == PatternPart::Kind::Star;
    if (open_start && open_end) return;
    e.literal = p.literal_text();
    e.anchor = open_start ? AnchoredLiterals::Anchor::End
               : open_end ? AnchoredLiterals::Anchor::Start
                          : AnchoredLiterals::Anchor::Whole;
  }

  Result<std::uint32_t> value_node(Group& g, const LogsourceVariant& v, const SigmaItem& item, const SigmaValue& val) {
    const std::uint32_t key = d.field_key(v, item.field);
    Node n;
    if (val.kind == SigmaMatchKind::Pattern) {
      bool trivial = false;
      for (const auto& p : val.patterns) trivial = trivial || p.empty() || p.matches_anything();
      if (!trivial) {
        std::vector<Expr> exprs;
        for (const auto& original : val.patterns)
          for (const auto& p : expand_choices(original)) {
            const unsigned caseless = val.cased ? 0u : HS_FLAG_CASELESS;
            // Single-match bookkeeping costs more than the repeated callbacks of a literal (which
            // on_hs_match drops). Anything else runs behind its longest literal when it has one.
            if (is_plain_literal(p)) {
              Expr e{p.to_regex(), HS_FLAG_DOTALL | caseless, 0};
              if (!val.cased) anchor_literal(p, e);
              const auto& parts = p.parts();
              if (parts.front().kind == PatternPart::Kind::Star && parts.back().kind == PatternPart::Kind::Star) {
                e.contains = true;
                e.literal = p.literal_text();
              }
              exprs.push_back(std::move(e));
              continue;
            }
            const unsigned once = has_inner_wildcard(p) ? HS_FLAG_SINGLEMATCH : 0u;
            Expr e{p.to_regex(), HS_FLAG_DOTALL | once | caseless, 0};
            e.costly = true;
            if (std::string lit = required_literal(p); !lit.empty()) {
              e.gate.push_back(std::move(lit));
              e.gate_cased = val.cased;
              e.glob = StarGlob::of(p.parts(), val.cased);
            }
            exprs.push_back(std::move(e));
          }
        n.op = Op::Scan;
        n.arg = scan_atom(g, key, std::move(exprs));
        return d.add_node(std::move(n));
      }
    }
    if (val.kind == SigmaMatchKind::Regex) {
      const unsigned flags = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY | (val.re_i ? HS_FLAG_CASELESS : 0u) |
                             (val.re_m ? HS_FLAG_MULTILINE : 0u) | (val.re_s ? HS_FLAG_DOTALL : 0u);
      if (vectorscan_takes(val.regex, flags)) {
        n.op = Op::Scan;
        Expr e{val.regex, flags, 0, regex_required_literals(val.regex, val.re_i, val.re_m, val.re_s)};
        e.costly = true;
        n.arg = scan_atom(g, key, {std::move(e)});
        return d.add_node(std::move(n));
      }
    }
    DirectAtom a;
    a.field_key = key;
    a.value = val;
    if (val.kind == SigmaMatchKind::Regex) {
      RE2::Options opt;
      opt.set_log_errors(false);
      opt.set_case_sensitive(!val.re_i);
      opt.set_dot_nl(val.re_s);
      a.re = std::make_shared<RE2>(val.re_m ? "(?m)" + val.regex : val.regex, opt);
      if (!a.re->ok()) return fail("regex '" + val.regex + "' is accepted by neither Vectorscan nor RE2: " + a.re->error());
    }
    if (val.kind == SigmaMatchKind::FieldRef) a.ref_key = d.field_key(v, val.ref_field);
    n.op = Op::Direct;
    n.arg = static_cast<std::uint32_t>(d.direct.size());
    d.direct.push_back(std::move(a));
    return d.add_node(std::move(n));
  }

  Result<std::uint32_t> item_node(Group& g, const LogsourceVariant& v, const SigmaItem& item) {
    Node n;
    n.op = item.all ? Op::And : Op::Or;
    for (const auto& val : item.values) {
      if (!val.missing_placeholder.empty())
        return fail("placeholder %" + val.missing_placeholder + "% has no values configured");
      auto k = value_node(g, v, item, val);
      if (!k) return k;
      n.kids.push_back(*k);
    }
    if (n.kids.size() == 1) return n.kids[0];
    return d.add_node(std::move(n));
  }

  Result<std::uint32_t> selection_node(Group& g, const LogsourceVariant& v, const SigmaSelection& sel) {
    Node any;
    any.op = Op::Or;
    for (const auto& alt : sel.alternatives) {
      Node all;
      all.op = alt.empty() ? Op::True : Op::And;
      for (const auto& item : alt) {
        auto k = item_node(g, v, item);
        if (!k) return k;
        all.kids.push_back(*k);
      }
      if (all.kids.size() == 1) any.kids.push_back(all.kids[0]);
      else any.kids.push_back(d.add_node(std::move(all)));
    }
    if (any.kids.size() == 1) return any.kids[0];
    return d.add_node(std::move(any));
  }

  Result<std::uint32_t> condition_node(Group& g, const LogsourceVariant& v, const SigmaDetection& det, const ConditionNode& c,
                                       std::vector<std::optional<std::uint32_t>>& built) {
    Node n;
    switch (c.kind) {
      case ConditionNode::Kind::Selection: {
        if (c.selection >= det.selections.size()) return fail("condition names a missing selection");
        auto& slot = built[c.selection];
        if (!slot) {
          auto k = selection_node(g, v, det.selections[c.selection]);
          if (!k) return k;
          slot = *k;
        }
        return *slot;
      }
      case ConditionNode::Kind::True: n.op = Op::True; return d.add_node(std::move(n));
      case ConditionNode::Kind::False: n.op = Op::False; return d.add_node(std::move(n));
      case ConditionNode::Kind::And: n.op = Op::And; break;
      case ConditionNode::Kind::Or: n.op = Op::Or; break;
      case ConditionNode::Kind::Not: n.op = Op::Not; break;
      case ConditionNode::Kind::AtLeast: n.op = Op::AtLeast; n.arg = static_cast<std::uint32_t>(c.count); break;
    }
    for (const auto& child : c.children) {
      auto k = condition_node(g, v, det, child, built);
      if (!k) return k;
      n.kids.push_back(*k);
    }
    return d.add_node(std::move(n));
  }

  // A probe searches a value for literals: dearer than a test of a scanned atom, cheaper than
  // a direct glob; one that scans a regex costs about as much as that glob.
  static constexpr int kProbeCost = 4;
  static constexpr int kCostlyProbeCost = 10;
  std::vector<int> probe_cost;  // per probe

  int cost(std::uint32_t id) {
    const Node& n = d.nodes[id];
    switch (n.op) {
      case Op::Scan:
        return n.arg < d.atom_probe.size() && d.atom_probe[n.arg] >= 0
                   ? probe_cost[static_cast<std::size_t>(d.atom_probe[n.arg])]
                   : 1;
      case Op::AnyScan: {
        int c = 1;
        if (n.arg < d.set_probes.size())
          for (std::uint32_t probe : d.set_probes[n.arg]) c += probe_cost[probe];
        return c;
      }
      case Op::True: case Op::False: return 1;
      case Op::Direct: return d.direct[n.arg].value.kind == SigmaMatchKind::Regex ? 50 : 10;
      default: {
        int c = 1;
        for (auto k : n.kids) c += cost(k);
        return c;
      }
    }
  }

  // Cheapest children first, so short-circuiting skips the expensive ones.
  void order(std::uint32_t id, int depth = 0) {
    if (depth > 200) return;
    auto kids = d.nodes[id].kids;
    for (auto k : kids) order(k, depth + 1);
    std::stable_sort(kids.begin(), kids.end(), [&](std::uint32_t a, std::uint32_t b) { return cost(a) < cost(b); });
    d.nodes[id].kids = std::move(kids);
  }

  // Scan atoms of which at least one must fire for the node to hold; nullopt when no such set.
  std::optional<std::vector<std::uint32_t>> triggers(std::uint32_t id, int depth = 0) {
    const Node& n = d.nodes[id];
    if (depth > 200) return std::nullopt;
    switch (n.op) {
      case Op::Scan: return std::vector<std::uint32_t>{n.arg};
      case Op::And: {
        // Of the children's trigger sets, the one with fewest costly atoms, then fewest short
        // atoms, then least expected to fire.
        std::optional<std::vector<std::uint32_t>> best;
        auto weight = [&](const std::vector<std::uint32_t>& t) {
          std::size_t costly = 0, shorts = 0, expected = 0;
          for (auto a : t) {
            costly += costly_atom[a];
            shorts += short_atom[a];
            expected += atom_weight[a];
          }
          return std::make_tuple(costly, shorts, expected);
        };
        for (auto k : n.kids) {
          auto t = triggers(k, depth + 1);
          if (t && (!best || weight(*t) < weight(*best))) best = std::move(t);
        }
        return best;
      }
      case Op::Or: case Op::AtLeast: {
        std::vector<std::uint32_t> all;
        for (auto k : n.kids) {
          auto t = triggers(k, depth + 1);
          if (!t) return std::nullopt;
          all.insert(all.end(), t->begin(), t->end());
        }
        std::sort(all.begin(), all.end());
        all.erase(std::unique(all.begin(), all.end()), all.end());
        return all;
      }
      default: return std::nullopt;
    }
  }

  // Replaces the scan children of each Or node (two or more) by one AnyScan set, which matching
  // marks as atoms fire: evaluating a rule then costs one test per list of values instead of one
  // per value. Runs after triggers() has read the trees.
  void merge_scan_lists() {
    d.any_of_atom.assign(d.triggers.size(), {});
    for (std::size_t id = 0; id < d.nodes.size(); ++id) {
      if (d.nodes[id].op != Op::Or) continue;
      std::vector<std::uint32_t> atoms, others;
      for (std::uint32_t k : d.nodes[id].kids) {
        if (d.nodes[k].op == Op::Scan) atoms.push_back(d.nodes[k].arg);
        else others.push_back(k);
      }
      if (atoms.size() < 2) continue;
      const std::uint32_t set = d.any_sets++;
      std::sort(atoms.begin(), atoms.end());
      atoms.erase(std::unique(atoms.begin(), atoms.end()), atoms.end());
      for (std::uint32_t a : atoms) d.any_of_atom[a].push_back(set);
      set_atoms.push_back(atoms);
      Node any;
      any.op = Op::AnyScan;
      any.arg = set;
      if (others.empty()) {
        d.nodes[id] = std::move(any);
        continue;
      }
      others.insert(others.begin(), d.add_node(std::move(any)));
      d.nodes[id].kids = std::move(others);
    }
  }

  Group& group_for(const LogsourceVariant& v) {
    auto [it, fresh] = d.group_of.emplace(v.key, static_cast<std::uint32_t>(d.groups.size()));
    if (fresh) {
      Group g;
      for (const auto& c : v.conditions) {
        Condition cond;
        for (const auto& name : v.resolve(c.field)) cond.dense.push_back(d.dense(intern_field(name)));
        for (const auto& x : c.values) {
          if (x == "*") cond.any = true;
          cond.values.push_back(ascii_lower(x));
          if (auto n = sigma_compiled::canonical_integer(x)) cond.integers.push_back(*n);
        }
        g.conditions.push_back(std::move(cond));
      }
      d.groups.push_back(std::move(g));
    }
    return d.groups[it->second];
  }

  // `counted`: whether the patterns add to pattern_count() (not for probes, counted once each).
  Result<hs_database_t*> compile_db(const std::vector<Expr>& exprs, bool counted = true) {
    std::vector<const char*> pats;
    std::vector<unsigned> flags, ids;
    for (const auto& e : exprs) {
      pats.push_back(e.regex.c_str());
      flags.push_back(e.flags);
      ids.push_back(e.atom);
    }
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(pats.data(), flags.data(), ids.data(), static_cast<unsigned>(pats.size()), HS_MODE_BLOCK,
                         nullptr, &db, &err) != HS_SUCCESS) {
      std::string msg = err ? err->message : "unknown error";
      if (err && err->expression >= 0) msg += " (pattern " + exprs[static_cast<std::size_t>(err->expression)].regex + ")";
      if (err) hs_free_compile_error(err);
      return fail("Vectorscan could not compile a pattern database: " + msg);
    }
    if (hs_alloc_scratch(db, &d.proto) != HS_SUCCESS) {
      hs_free_database(db);
      return fail("Vectorscan: cannot allocate scratch");
    }
    if (counted) d.patterns += exprs.size();
    return db;
  }

  // Per field: anchored literals in tries, and one database of the other plain literals and the
  // gate literals of the other expressions; each gated expression gets a database of its own,
  // run only on values where a gate fired.
  Status build_databases() {
    // A short or costly atom that triggers no rule need not be scanned (short_atom, costly_atom).
    std::vector<bool> lazy(d.triggers.size());
    for (std::size_t a = 0; a < lazy.size(); ++a) lazy[a] = (short_atom[a] || costly_atom[a]) && d.triggers[a].empty();
    for (auto& g : d.groups) {
      for (auto& [key, exprs] : g.exprs) {
        std::vector<Expr> direct;
        FieldDb field{key};
        std::map<std::pair<bool, std::string>, std::uint32_t> gate_of;
        for (auto& e : exprs) {
          if (lazy[e.atom]) {
            auto& [field_key, lazy_exprs] = lazy_atoms[e.atom];
            field_key = key;
            lazy_exprs.push_back(std::move(e));
            continue;
          }
          if (e.anchor) {
            field.anchored.add(e.literal, *e.anchor, e.atom);
            continue;
          }
          if (e.gate.empty()) {
            direct.push_back(std::move(e));
            continue;
          }
          const auto gi = static_cast<std::uint32_t>(d.gated.size());
          if (e.glob) {
            d.gated.push_back({nullptr, e.atom, std::move(e.glob)});
            ++d.patterns;
          } else {
            auto db = compile_db({Expr{e.regex, e.flags | HS_FLAG_SINGLEMATCH, e.atom}});
            if (!db) return tl::unexpected(db.error());
            d.gated.push_back({*db, e.atom});
          }
          for (const auto& lit : e.gate) {
            auto [it, fresh] = gate_of.emplace(std::make_pair(e.gate_cased, lit), static_cast<std::uint32_t>(d.gates.size()));
            if (fresh) d.gates.emplace_back();
            auto& list = d.gates[it->second];
            if (std::find(list.begin(), list.end(), gi) == list.end()) list.push_back(gi);
          }
        }
        for (const auto& [lit, gate] : gate_of) direct.push_back(contains_expr(lit.second, lit.first, kGateBit | gate));
        field.anchored.finish();
        d.patterns += field.anchored.size();
        auto patterns = patterns_of(direct);
        if (!patterns) return tl::unexpected(patterns.error());
        field.patterns = std::move(*patterns);
        g.dbs.push_back(std::move(field));
      }
      g.exprs.clear();
      g.atom_of.clear();
    }
    d.db_base.assign(1, 0);
    for (const auto& g : d.groups) d.db_base.push_back(d.db_base.back() + static_cast<std::uint32_t>(g.dbs.size()));
    return build_probes();
  }

  static Expr contains_expr(const std::string& literal, bool cased, std::uint32_t id) {
    SigmaPattern p = SigmaPattern::literal(literal);
    p.add_leading_star();
    p.add_trailing_star();
    Expr e{p.to_regex(), HS_FLAG_DOTALL | (cased ? 0u : HS_FLAG_CASELESS), id};
    e.contains = true;
    e.literal = literal;
    return e;
  }

  // The fewest bytes any of `exprs` can match: a literal's length, else what Vectorscan computes
  // for the pattern (0 when it cannot tell, so the value is scanned).
  static std::uint32_t min_match_length(const std::vector<Expr>& exprs) {
    std::uint32_t least = UINT32_MAX;
    for (const auto& e : exprs) {
      std::uint32_t n = 0;
      if (e.contains) {
        n = static_cast<std::uint32_t>(e.literal.size());
      } else {
        hs_expr_info_t* info = nullptr;
        hs_compile_error_t* err = nullptr;
        if (hs_expression_info(e.regex.c_str(), e.flags, &info, &err) == HS_SUCCESS && info) n = info->min_width;
        std::free(info);
        if (err) hs_free_compile_error(err);
      }
      least = std::min(least, n);
    }
    return least == UINT32_MAX ? 0 : least;
  }

  // Past this many literals a field or a probe scans a database rather than searching for each.
  static constexpr std::size_t kSearchLimit = 4;

  static bool literals_only(const std::vector<Expr>& exprs) {
    return std::all_of(exprs.begin(), exprs.end(), [](const Expr& e) { return e.contains; });
  }
  static bool few_literals(const std::vector<Expr>& exprs) {
    return !exprs.empty() && exprs.size() <= kSearchLimit && literals_only(exprs);
  }
  // Up to this many literals, all at least two bytes long, a field or a probe sieves its short
  // values (LiteralSieve, see kSievedValueLimit) instead of scanning them; past a few hundred
  // literals the bitmap fills.
  static constexpr std::size_t kSieveLimit = 512;

  static bool sieved_literals(const std::vector<Expr>& exprs) {
    return !exprs.empty() && exprs.size() <= kSieveLimit && literals_only(exprs) &&
           std::all_of(exprs.begin(), exprs.end(), [](const Expr& e) { return e.literal.size() >= LiteralSieve::kMinWindow; });
  }
  static LiteralSieve sieve_of(const std::vector<Expr>& exprs) {
    LiteralSieve sieve;
    for (const auto& l : searched_literals(exprs)) sieve.add(l.text, l.cased, l.id);
    sieve.finish();
    return sieve;
  }

  static std::vector<sigma_compiled::SearchedLiteral> searched_literals(const std::vector<Expr>& exprs) {
    std::vector<sigma_compiled::SearchedLiteral> out;
    for (const auto& e : exprs) {
      const bool cased = (e.flags & HS_FLAG_CASELESS) == 0;
      out.push_back({cased ? e.literal : ascii_lower(e.literal), e.atom, cased});
    }
    return out;
  }

  // A field's or a probe's unanchored patterns, each way of matching them chosen as FieldPatterns
  // says. `counted`: whether they add to pattern_count() (not for probes, counted once each).
  Result<sigma_compiled::FieldPatterns> patterns_of(const std::vector<Expr>& exprs, bool counted = true) {
    sigma_compiled::FieldPatterns out;
    if (exprs.empty()) return out;
    // A few contains-literals (User, CurrentDirectory) cost less searched one by one than a
    // scan's set-up (a Vectorscan scan costs a few hundred instructions before its first byte).
    if (few_literals(exprs)) {
      out.literals = searched_literals(exprs);
      if (counted) d.patterns += exprs.size();
      return out;
    }
    if (sieved_literals(exprs)) out.sieve = sieve_of(exprs);
    auto db = compile_db(exprs, counted);
    if (!db) return tl::unexpected(db.error());
    out.db = *db;
    out.min_length = min_match_length(exprs);
    return out;
  }

  Result<std::uint32_t> add_probe(std::uint32_t key, std::vector<Expr> exprs) {
    const bool literals = literals_only(exprs);
    // Patterns with inner wildcards were to run behind a gate with one match at most.
    for (auto& e : exprs)
      if (!e.gate.empty()) e.flags |= HS_FLAG_SINGLEMATCH;
    auto patterns = patterns_of(exprs, false);
    if (!patterns) return tl::unexpected(patterns.error());
    probe_cost.push_back(literals ? kProbeCost : kCostlyProbeCost);
    d.probes.push_back({key, std::move(*patterns)});
    return static_cast<std::uint32_t>(d.probes.size() - 1);
  }

  // One probe per unscanned atom (for its Scan nodes), and per AnyScan set one probe per field
  // holding all the set's unscanned atoms on that field, so a list is searched in one go.
  Status build_probes() {
    d.atom_probe.assign(d.triggers.size(), -1);
    for (auto& [atom, lazy] : lazy_atoms) {
      d.patterns += lazy.second.size();
      auto probe = add_probe(lazy.first, lazy.second);
      if (!probe) return tl::unexpected(probe.error());
      d.atom_probe[atom] = static_cast<std::int32_t>(*probe);
    }
    d.set_probes.assign(d.any_sets, {});
    for (std::uint32_t set = 0; set < d.any_sets; ++set) {
      std::map<std::uint32_t, std::vector<std::uint32_t>> atoms_by_field;
      for (std::uint32_t a : set_atoms[set]) {
        auto it = lazy_atoms.find(a);
        if (it != lazy_atoms.end()) atoms_by_field[it->second.first].push_back(a);
      }
      for (const auto& [key, atoms] : atoms_by_field) {
        if (atoms.size() == 1) {
          d.set_probes[set].push_back(static_cast<std::uint32_t>(d.atom_probe[atoms[0]]));
          continue;
        }
        std::vector<Expr> exprs;
        for (std::uint32_t a : atoms) {
          const auto& more = lazy_atoms[a].second;
          exprs.insert(exprs.end(), more.begin(), more.end());
        }
        auto probe = add_probe(key, exprs);
        if (!probe) return tl::unexpected(probe.error());
        d.set_probes[set].push_back(*probe);
      }
    }
    // Tests of scanned atoms now cost less than probes: order the trees again.
    for (const auto& inst : d.instances) order(inst.root);
    return {};
  }

  void append_steps(std::uint32_t id) {
    const Node& n = d.nodes[id];
    const auto at = d.program.size();
    d.program.push_back({n.op, n.arg, 1});
    for (std::uint32_t k : n.kids) append_steps(k);
    d.program[at].size = static_cast<std::uint32_t>(d.program.size() - at);
  }

  // The matching layout: condition trees as one program, atoms' lists in one array. The node
  // trees are dropped.
  void lay_out_for_matching() {
    for (auto& inst : d.instances) {
      const auto entry = static_cast<std::uint32_t>(d.program.size());
      append_steps(inst.root);
      inst.root = entry;
    }
    d.atom_refs.resize(d.triggers.size());
    for (std::size_t a = 0; a < d.triggers.size(); ++a) {
      auto& refs = d.atom_refs[a];
      refs.first = static_cast<std::uint32_t>(d.atom_ref_list.size());
      refs.instances = static_cast<std::uint32_t>(d.triggers[a].size());
      refs.sets = static_cast<std::uint32_t>(d.any_of_atom[a].size());
      d.atom_ref_list.insert(d.atom_ref_list.end(), d.triggers[a].begin(), d.triggers[a].end());
      d.atom_ref_list.insert(d.atom_ref_list.end(), d.any_of_atom[a].begin(), d.any_of_atom[a].end());
    }
    d.nodes = {};
    d.triggers = {};
    d.any_of_atom = {};
  }

  // Each group is filed under its most selective value condition: the one whose values the
  // fewest other groups share (EventID rather than Channel for Windows channels).
  void build_dispatch() {
    std::map<std::pair<std::vector<std::uint32_t>, std::string>, std::size_t> sharing;
    for (const auto& g : d.groups)
      for (const auto& c : g.conditions)
        if (!c.any)
          for (const auto& v : c.values) ++sharing[{c.dense, v}];
    std::map<std::vector<std::uint32_t>, std::size_t> dispatch_of;
    for (std::uint32_t gi = 0; gi < d.groups.size(); ++gi) {
      const Condition* best = nullptr;
      std::size_t best_cost = 0;
      for (const auto& c : d.groups[gi].conditions) {
        if (c.any || c.values.empty()) continue;
        std::size_t cost = 0;
        for (const auto& v : c.values) cost = std::max(cost, sharing[{c.dense, v}]);
        if (!best || cost < best_cost) { best = &c; best_cost = cost; }
      }
      if (!best) {
        d.undispatched.push_back(gi);
        continue;
      }
      auto [it, fresh] = dispatch_of.emplace(best->dense, d.dispatch.size());
      if (fresh) d.dispatch.push_back({best->dense, {}, {}, 0});
      Dispatch& x = d.dispatch[it->second];
      for (const auto& v : best->values) {
        auto& list = x.groups[v];
        if (list.empty() || list.back() != gi) list.push_back(gi);
        x.longest = std::max(x.longest, v.size());
      }
    }
    for (auto& x : d.dispatch)
      for (const auto& [key, list] : x.groups)
        if (auto n = sigma_compiled::canonical_integer(key)) x.by_integer.emplace(*n, list);
  }
};

bool logsource_covers(const SigmaLogsource& filter, const SigmaLogsource& rule) {
  return (filter.product.empty() || filter.product == rule.product) &&
         (filter.category.empty() || filter.category == rule.category) &&
         (filter.service.empty() || filter.service == rule.service);
}

std::string describe(const SigmaLogsource& ls) {
  std::string out;
  auto add = [&](const char* k, const std::string& v) {
    if (v.empty()) return;
    if (!out.empty()) out += ", ";
    out += k;
    out += '=';
    out += v;
  };
  add("product", ls.product);
  add("category", ls.category);
  add("service", ls.service);
  return out.empty() ? "(empty logsource)" : out;
}

}  // namespace

Result<RuleSet> compile_rules(std::vector<SigmaRule> docs, const FieldPipeline& pipeline) {
  RuleSet set;
  RuleSetData& d = *set.data_;
  Compiler c{.d = d};
  std::vector<SigmaRule> filters;
  std::vector<SigmaRule> detections;
  for (auto& doc : docs) {
    if (doc.kind == SigmaKind::Correlation) d.correlations.push_back(std::move(doc));
    else if (doc.kind == SigmaKind::Filter) filters.push_back(std::move(doc));
    else detections.push_back(std::move(doc));
  }
  // Rules referenced by a correlation without `generate: true` only feed the correlation.
  std::unordered_map<std::string, bool> quiet;
  for (const auto& corr : d.correlations)
    for (const auto& r : corr.correlation.rules)
      if (!corr.correlation.generate) quiet[r] = true;

  for (auto& rule : detections) {
    auto skip = [&](std::string reason) {
      d.skipped.push_back({rule.file, rule.line, rule.id, rule.title, std::move(reason)});
    };
    auto variants = pipeline.variants(rule.logsource);
    if (variants.empty()) {
      skip("no field-mapping pipeline for logsource " + describe(rule.logsource));
      continue;
    }
    // Filters that name this rule: the rule holds only when no filter condition does.
    std::vector<const SigmaRule*> applied;
    for (const auto& f : filters) {
      if (!logsource_covers(f.logsource, rule.logsource)) continue;
      for (const auto& target : f.filter_rules)
        if ((!rule.id.empty() && target == rule.id) || (!rule.name.empty() && target == rule.name)) {
          applied.push_back(&f);
          break;
        }
    }
    const auto index = static_cast<std::uint32_t>(d.rules.size());
    const std::size_t nodes_before = d.nodes.size(), instances_before = d.instances.size();
    std::string error;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> made;  // (group, instance)
    for (const LogsourceVariant* v : variants) {
      Group& g = c.group_for(*v);
      const auto gi = d.group_of[v->key];
      std::vector<std::optional<std::uint32_t>> built(rule.detection.selections.size());
      auto root = c.condition_node(g, *v, rule.detection, rule.detection.condition, built);
      if (!root) { error = root.error().message; break; }
      std::uint32_t top = *root;
      for (const SigmaRule* f : applied) {
        std::vector<std::optional<std::uint32_t>> fbuilt(f->detection.selections.size());
        auto froot = c.condition_node(g, *v, f->detection, f->detection.condition, fbuilt);
        if (!froot) { error = "filter '" + f->title + "': " + froot.error().message; break; }
        Node neg;
        neg.op = Op::Not;
        neg.kids.push_back(*froot);
        Node both;
        both.op = Op::And;
        both.kids = {top, d.add_node(std::move(neg))};
        top = d.add_node(std::move(both));
      }
      if (!error.empty()) break;
      c.order(top);
      d.instances.push_back({index, top});
      made.emplace_back(gi, static_cast<std::uint32_t>(d.instances.size() - 1));
    }
    if (!error.empty()) {
      // Leave the nodes (unreferenced) but drop the instances of this rule.
      d.instances.resize(instances_before);
      (void)nodes_before;
      skip(error);
      continue;
    }
    for (auto [gi, inst] : made) {
      auto trig = c.triggers(d.instances[inst].root);
      if (!trig) d.groups[gi].always.push_back(inst);
      else
        for (auto atom : *trig) d.triggers[atom].push_back(inst);
    }
    bool alerts = !(quiet.count(rule.id) || (!rule.name.empty() && quiet.count(rule.name)));
    if (!rule.id.empty()) d.by_name.emplace(rule.id, index);
    if (!rule.name.empty()) d.by_name.emplace(rule.name, index);
    std::vector<LogsourceVariant> vs;
    for (const auto* v : variants) vs.push_back(*v);
    d.rule_variants.push_back(std::move(vs));
    d.alerts.push_back(alerts);
    d.rules.push_back(std::move(rule));
  }
  c.merge_scan_lists();
  if (auto st = c.build_databases(); !st) return tl::unexpected(st.error());
  c.lay_out_for_matching();
  c.build_dispatch();
  return set;
}

}  // namespace khien
