// The plugins one configuration names: its worker type and its app, found on
// the plugin path, loaded and checked against each other (the worker type's
// check() sees the app's flags and the limits). Arbiter only, before fork; the
// same call serves --check-config.
#pragma once

#include "config/config.hpp"
#include "plugin/plugin_library.hpp"

namespace hornet {

struct PluginSet {
    AppLibrary app;
    WorkerLibrary worker;
};

// Throws PluginError with one line naming the file and the fix.
PluginSet load_plugins(const Config& config);

} // namespace hornet
