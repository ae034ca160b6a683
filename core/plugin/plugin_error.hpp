// The one exception the plugin loader throws: a single line that names the
// file (or the short name and where it was looked for) and what to do.
#pragma once

#include <stdexcept>

namespace hornet {

struct PluginError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

} // namespace hornet
