// The control socket's place; see control_path.hpp.
#include "control/control_path.hpp"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

namespace hornet {
namespace {

// proc_name may hold anything; a file name may not.
std::string file_name_of(const std::string& proc_name) {
    if (proc_name.empty()) return "hornet";
    std::string out;
    for (char ch : proc_name) {
        const bool plain = std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
        out += plain ? ch : '_';
    }
    return out;
}

std::string runtime_dir(const RuntimeFacts& facts) {
    if (facts.euid == 0) return "/run/hornet";
    if (!facts.xdg_runtime_dir.empty() && facts.xdg_runtime_dir.front() == '/')
        return facts.xdg_runtime_dir + "/hornet";
    return "/tmp/hornet-" + std::to_string(facts.euid);
}

} // namespace

RuntimeFacts RuntimeFacts::of_this_process() {
    const char* xdg = std::getenv("XDG_RUNTIME_DIR");
    return {::geteuid(), xdg ? xdg : ""};
}

ControlSocketPlace control_socket_place(const Config& config, const RuntimeFacts& facts) {
    const std::string& setting = config.control_socket;
    if (setting.empty() || setting == "off") return {};
    if (setting != "auto") return {setting, "", true};
    if (!config.pid.empty()) return {config.pid + ".ctl", "", false};
    const std::string dir = runtime_dir(facts);
    return {dir + "/" + file_name_of(config.proc_name) + ".sock", dir, false};
}

std::string path_outside_chdir(const std::string& path, const std::string& chdir) {
    if (path.empty() || path.front() == '/' || chdir.empty()) return path;
    return (std::filesystem::path(chdir) / path).string();
}

} // namespace hornet
