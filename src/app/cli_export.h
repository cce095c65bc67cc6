// `khien export rpz|blocklist|stix` and `khien intel poll`: indicator exports and TAXII polling
// from the shell, on a data directory.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace khien {

/// Adds the `export` command and `intel poll` (reusing an `intel` command when one exists);
/// returns a function that runs whichever was chosen, or returns -1.
std::function<int()> add_export_commands(CLI::App& app);

}  // namespace khien
