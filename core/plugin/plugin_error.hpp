// The one exception the plugin loader throws: a single line that names the
// file (or the short name and where it was looked for) and what to do.
// `reason` tells a file without the entry symbol asked for (perhaps the other
// kind of plugin; --list-plugins tries both) from every other refusal.
#pragma once

#include <stdexcept>
#include <string>

namespace hornet {

struct PluginError : std::runtime_error {
    enum class Reason { refused, no_entry };

    using std::runtime_error::runtime_error;
    PluginError(const std::string& what, Reason why) : std::runtime_error(what), reason(why) {}

    Reason reason = Reason::refused;
};

} // namespace hornet
