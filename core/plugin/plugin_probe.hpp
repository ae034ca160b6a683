// Loads a configuration's plugins in a scratch child process first, so that a
// broken .so (a crashing constructor, an unresolved symbol that aborts) costs
// the scratch process, never the arbiter that is serving. Used by reload;
// arbiter only. Blocks until the child answers (bounded).
#pragma once

#include <optional>
#include <string>

#include "config/config.hpp"

namespace hornet {

// nullopt when the plugins load and fit together; else the one-line reason.
std::optional<std::string> probe_plugins(const Config& config);

} // namespace hornet
