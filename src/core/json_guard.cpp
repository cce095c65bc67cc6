// Nesting depth of JSON text, measured before parsing.
#include "core/json_guard.h"

#include <fmt/format.h>

namespace khien {

Status check_json_depth(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return fail(fmt::format("JSON nested deeper than {} levels at byte {}", max_depth, i));
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return {};
}

}  // namespace khien
