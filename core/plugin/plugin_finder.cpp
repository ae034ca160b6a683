#include "plugin/plugin_finder.hpp"

#include <cctype>
#include <string_view>
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

// Gunicorn reads `gunicorn myapp` as myapp:application; hornet reads a bare
// word as a plugin, so it says how to name the module instead.
std::string python_hint(const std::string& spec, const char* kind) {
    if (std::string_view(kind) != "app" || spec.empty() || std::isdigit(static_cast<unsigned char>(spec[0])))
        return "";
    for (char ch : spec)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') return "";
    return "; for a Python module write " + spec + ":application (MODULE:CALLABLE)";
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
                      "); add its folder to plugin_path or give a path to the .so" + python_hint(spec, kind));
}

} // namespace hornet
