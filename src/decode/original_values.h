// Reads an original field of an event by its dotted path, from its slots or, when the decoder left it there, from the raw JSON record.
#pragma once

#include <string_view>
#include <vector>

#include "core/event.h"

namespace khien {

/// Every value of the original field `path` of `event`, in record order: the event's slots of that
/// field when it has any, else the scalar leaves of its raw JSON record whose dotted path is
/// `path` (keys joined with '.', arrays yielding each element, nulls skipped: what the flattener
/// would have added). Strings are copied into the event's arena. Empty when the field is absent
/// or the raw record is not JSON. Parses the raw record on each call: for readers off the hot
/// path (the EVE and ECS decoders keep as slots only the originals registered in WantedOriginals).
std::vector<Value> original_values(Event& event, std::string_view path);

}  // namespace khien
