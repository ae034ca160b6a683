// What a reload changed, for the log line that announces it:
//   "workers: 2 -> 4, app: hello -> ./build/x.so"
// Walks the settings table, so every setting is compared the way
// --print-config prints it. Arbiter only.
#pragma once

#include <string>

#include "config/config.hpp"

namespace hornet {

// "" when nothing differs.
std::string describe_changes(const Config& before, const Config& after);

} // namespace hornet
