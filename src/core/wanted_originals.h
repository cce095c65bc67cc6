// Which original (non-schema) fields consumers read from event slots, so decoders that keep the raw record may leave the others in it.
#pragma once

#include <atomic>
#include <cstdint>
#include <shared_mutex>
#include <vector>

#include "core/schema.h"

namespace khien {

/// Process-wide registry of the original fields that code reads from an event's slots (a Sigma
/// rule's fields, a correlation's group-by keys), or a note that something reads every slot (a
/// Sigma keyword search). Decoders that keep the raw record with the event (EVE, ECS) add only
/// these originals, and the ones they map themselves, as slots; every other original stays in
/// the raw record, where search and original_values() find it by its dotted path.
///
/// Registration happens when rules compile, before the new rule set is swapped in, so the events
/// it sees were decoded knowing its fields (except those of the chunk being decoded at the swap).
/// Threading: any thread may register; readers compare generation() once per record and re-read
/// the set only when it moved.
class WantedOriginals {
 public:
  static WantedOriginals& instance();

  /// Registers `id` (schema fields are always slots and are ignored).
  void want(FieldId id);
  /// Registers that some reader walks every slot: decoders then keep every original.
  void want_all();
  bool wants(FieldId id) const;
  bool wants_all() const;
  /// Changes whenever the set grows.
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  WantedOriginals() = default;
  mutable std::shared_mutex mutex_;
  std::vector<bool> wanted_;
  bool all_ = false;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace khien
