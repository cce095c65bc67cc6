// Checks run on YAML text before yaml-cpp parses it: text on which yaml-cpp 0.7 loops for ever.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace khien {

/// The 1-based line of a ',' that starts a line outside any flow collection (or block scalar),
/// if any. That is invalid YAML, and yaml-cpp 0.7 loops forever on some of it (a document that
/// starts with ',', a ',' after a block sequence), so loaders refuse such text before parsing.
std::optional<int> leading_comma_line(std::string_view yaml);

/// Why a YAML text must not reach yaml-cpp: the 1-based line and the reason.
struct YamlRefusal {
  int line = 0;
  std::string reason;
};

/// A control byte other than tab, CR and LF, or a line starting with ','; nullopt when the text may
/// be parsed. Every YAML loader calls it first.
std::optional<YamlRefusal> yaml_refusal(std::string_view yaml);

}  // namespace khien
