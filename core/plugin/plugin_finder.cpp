#include "plugin/plugin_finder.hpp"

#include <system_error>

#include "plugin/plugin_error.hpp"

namespace hornet {
namespace fs = std::filesystem;

namespace {

bool is_path(const std::string& spec) {
    return spec.find('/') != std::string::npos || spec.ends_with(".so");
}

std::string joined(const std::vector<fs::path>& dirs) {
    std::string out;
    for (const auto& d : dirs) out += (out.empty() ? "" : ", ") + d.string();
    return out;
}

} // namespace

PluginFinder::PluginFinder(const std::vector<std::string>& plugin_path) {
    for (const auto& dir : plugin_path) dirs_.emplace_back(dir);
    dirs_.push_back(builtin_dir());
}

fs::path PluginFinder::builtin_dir() {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return fs::path(HORNET_PLUGIN_SUBDIR);
    return (exe.parent_path().parent_path() / HORNET_PLUGIN_SUBDIR).lexically_normal();
}

fs::path PluginFinder::find(const std::string& spec, const char* kind) const {
    if (is_path(spec)) {
        std::error_code ec;
        if (!fs::exists(spec, ec))
            throw PluginError(spec + ": no such file; check the " + kind + " setting");
        return fs::absolute(spec);
    }
    for (const auto& dir : dirs_) {
        fs::path candidate = dir / (spec + ".so");
        std::error_code ec;
        if (fs::exists(candidate, ec)) return candidate;
    }
    throw PluginError(std::string(kind) + " '" + spec + "': no " + spec +
                      ".so in the plugin path (" + joined(dirs_) +
                      "); add its folder to plugin_path or give a path to the .so");
}

} // namespace hornet
