// `khien user add|passwd|disable|enable|list|key|revoke-key`: user and API key administration from the shell.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace khien {

/// Adds the `user` command; returns a function that runs it when it was chosen (or -1).
std::function<int()> add_user_commands(CLI::App& app);

}  // namespace khien
