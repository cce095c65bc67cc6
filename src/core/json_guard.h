// Checks run on JSON text before a recursive parser reads it: nesting a hostile document could use to exhaust the stack.
#pragma once

#include <string_view>

#include "core/error.h"

namespace khien {

/// Refuses text whose objects and arrays nest deeper than `max_depth`, naming the byte where the
/// limit is passed ("JSON nested deeper than 64 levels at byte 1234"). Brackets inside strings do
/// not count; the text need not be valid JSON (the parser judges that afterwards).
Status check_json_depth(std::string_view text, int max_depth);

}  // namespace khien
