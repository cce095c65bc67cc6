// `khien intel import FILE` (STIX, MISP event, MISP feed, CSV) into a running server or a data directory.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace khien {

/// Adds `intel import` (creating the `intel` command, or reusing one); returns a function that
/// runs it when it was chosen, or returns -1.
std::function<int()> add_intel_commands(CLI::App& app);

}  // namespace khien
