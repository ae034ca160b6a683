// Turns a plugin spec from the config ("sync", "hello", "./build/x.so") into
// the path of a shared object.
//
// A spec with a '/' or ending in ".so" is a path. Anything else is a short
// name looked up as <dir>/<name>.so in plugin_path first, then in the folder
// that ships with this hornet (<binary dir>/../lib/hornet/plugins, the same in
// the build tree and in an install). Arbiter only, before fork.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace hornet {

class PluginFinder {
public:
    explicit PluginFinder(const std::vector<std::string>& plugin_path);

    // Throws PluginError when nothing matches.
    std::filesystem::path find(const std::string& spec, const char* kind) const;
    const std::vector<std::filesystem::path>& dirs() const { return dirs_; }

    // The plugin folder that ships with the running binary.
    static std::filesystem::path builtin_dir();

private:
    std::vector<std::filesystem::path> dirs_;
};

} // namespace hornet
