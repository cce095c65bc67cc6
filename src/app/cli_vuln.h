// `khien vuln import` and `khien vuln show`: vulnerability data and exposure from the shell.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace khien {

/// Adds the `vuln` command; returns a function that runs it when it was chosen (or -1).
std::function<int()> add_vuln_commands(CLI::App& app);

}  // namespace khien
