// `khien rules check` and `khien rules test`: Sigma rules from the shell.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace khien {

/// Adds the `rules` command; returns a function that runs it when it was chosen (or -1).
std::function<int()> add_rules_commands(CLI::App& app);

}  // namespace khien
