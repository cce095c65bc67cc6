// `khien audit verify`: checks the hash chain of the cases audit log from the shell.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace khien {

/// Adds the `audit` command; returns a function that runs it when it was chosen (or -1).
std::function<int()> add_audit_commands(CLI::App& app);

}  // namespace khien
