// The registry of original fields read from event slots.
#include "core/wanted_originals.h"

#include <mutex>

#include "core/field_dictionary.h"

namespace khien {

WantedOriginals& WantedOriginals::instance() {
  static WantedOriginals registry;
  return registry;
}

void WantedOriginals::want(FieldId id) {
  if (id == field::none || FieldDictionary::instance().is_schema(id)) return;
  {
    std::shared_lock lock(mutex_);
    if (all_ || (id < wanted_.size() && wanted_[id])) return;
  }
  std::unique_lock lock(mutex_);
  if (id >= wanted_.size()) wanted_.resize(id + 1, false);
  if (wanted_[id]) return;
  wanted_[id] = true;
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

void WantedOriginals::want_all() {
  std::unique_lock lock(mutex_);
  if (all_) return;
  all_ = true;
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

bool WantedOriginals::wants(FieldId id) const {
  std::shared_lock lock(mutex_);
  return all_ || (id < wanted_.size() && wanted_[id]);
}

bool WantedOriginals::wants_all() const {
  std::shared_lock lock(mutex_);
  return all_;
}

}  // namespace khien
