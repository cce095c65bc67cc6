// RuleSet: Sigma rules compiled for streaming. Rules are grouped by logsource variant; every
// string pattern on one field of a group sits in one Vectorscan database scanned once per value;
// a rule is evaluated only when one of its trigger patterns fired (or it has none).
//
// Threading: a RuleSet is immutable after compile_rules() and shared by all workers; each worker
// owns a RuleSet::Scratch (Vectorscan scratch and per-event tables). match() never blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/error.h"
#include "core/event.h"
#include "detect/field_pipeline.h"
#include "detect/sigma_rule.h"

namespace khien {

struct RuleSetData;

/// A rule that is loaded but cannot run on khien's events, and why.
struct SkippedRule {
  std::string file;
  int line = 0;
  std::string id, title;
  std::string reason;
};

/// Compiled Sigma detection rules plus the correlation rules that refer to them.
class RuleSet {
 public:
  /// Per-thread matching state. Create with RuleSet::make_scratch(); not thread-safe.
  class Scratch {
   public:
    Scratch();
    ~Scratch();
    Scratch(Scratch&&) noexcept;
    Scratch& operator=(Scratch&&) noexcept;

    /// The tables behind the scratch (defined in rule_set.cpp).
    struct State;

   private:
    friend class RuleSet;
    std::unique_ptr<State> state_;
  };

  RuleSet();
  ~RuleSet();
  RuleSet(RuleSet&&) noexcept;
  RuleSet& operator=(RuleSet&&) noexcept;

  /// Detection rules that compiled, indexed as match() reports them.
  std::size_t size() const;
  const SigmaRule& rule(std::size_t index) const;
  /// Whether hits of rule `index` are alerts on their own (false for rules only referenced by
  /// correlations without `generate: true`).
  bool generates_alerts(std::size_t index) const;
  /// Rules that loaded but cannot run here (no pipeline mapping, missing placeholder values,
  /// patterns no engine takes).
  const std::vector<SkippedRule>& skipped() const;
  /// Correlation rules (in load order).
  const std::vector<SigmaRule>& correlations() const;
  /// Index of the rule with this id or name, or npos.
  std::size_t find_rule(std::string_view id_or_name) const;
  /// Event fields that the Sigma field `name` of rule `index` resolves to (for group-by).
  std::vector<FieldId> resolve_field(std::size_t index, std::string_view name) const;

  Scratch make_scratch() const;

  /// Calls `on_match(rule index)` once for every rule that matches `event`.
  template <typename F>
  void match(const Event& event, Scratch& scratch, F&& on_match) const {
    match_impl(event, scratch, [](std::size_t r, void* ctx) { (*static_cast<std::remove_reference_t<F>*>(ctx))(r); },
               &on_match);
  }

  /// Calls `on_match(i, rule index)` for every rule that matches `*events[i]`: the same rules, in
  /// the same order, as match() on each event in turn. Each field's database is scanned with the
  /// values of every event of the batch before the next database, so one database's tables and
  /// the scan code stay in the nearest caches (half the L1 data misses, a ninth of the
  /// instruction-cache misses; docs/PERFORMANCE.md).
  template <typename F>
  void match_batch(std::span<const Event* const> events, Scratch& scratch, F&& on_match) const {
    match_batch_impl(
        events, scratch,
        [](std::size_t e, std::size_t r, void* ctx) { (*static_cast<std::remove_reference_t<F>*>(ctx))(e, r); },
        &on_match);
  }

  /// Number of Vectorscan databases, and of patterns (scanned or matched at a value's ends), for
  /// benchmarks and `rules check`.
  std::size_t database_count() const;
  std::size_t pattern_count() const;

 private:
  friend Result<RuleSet> compile_rules(std::vector<SigmaRule> docs, const FieldPipeline& pipeline);
  void match_impl(const Event& event, Scratch& scratch, void (*cb)(std::size_t, void*), void* ctx) const;
  void match_batch_impl(std::span<const Event* const> events, Scratch& scratch,
                        void (*cb)(std::size_t, std::size_t, void*), void* ctx) const;
  std::unique_ptr<RuleSetData> data_;
};

/// Compiles detection rules (applying filters to the rules they name) and keeps correlation
/// rules. A rule that cannot run is listed in skipped(); an error is returned only when a
/// pattern database cannot be built at all.
Result<RuleSet> compile_rules(std::vector<SigmaRule> docs, const FieldPipeline& pipeline);

}  // namespace khien
