// The Enricher interface: a pipeline stage that adds context (location, owner, ...) to each event.
#pragma once

#include "core/event.h"

namespace khien {

struct SocInfo;

/// Adds fields to events after decoding and the khien.* SOC fields, before detection.
///
/// Threading: an instance belongs to one pipeline worker. begin_batch() runs once per batch on
/// that worker (the place to take a fresh snapshot of shared state); enrich() runs per event and
/// must not block.
class Enricher {
 public:
  virtual ~Enricher() = default;
  virtual void begin_batch() {}
  /// `soc` is the SOC that delivered the event (nullptr if unknown).
  virtual void enrich(Event& event, const SocInfo* soc) = 0;
};

}  // namespace khien
