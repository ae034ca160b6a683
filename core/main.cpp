// hornet: parse the invocation, load the plugins, hand over to the arbiter.
// Every error a user can cause ends here as one line and an exit status:
// 2 for configuration and command line, 1 for plugins and start-up.
#include <cstdio>
#include <iostream>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "arbiter/arbiter.hpp"
#include "cli/command_line.hpp"
#include "log/logging.hpp"
#include "plugin/plugin_error.hpp"
#include "plugin/plugin_set.hpp"

namespace {

int fail(const std::string& line, int code) {
    std::fprintf(stderr, "hornet: error: %s\n", line.c_str());
    return code;
}

int check_config(const hornet::Config& config, const hornet::PluginSet& plugins) {
    std::printf("%s: OK (worker %s, app %s %s)\n",
                config.config_file.empty() ? "configuration" : config.config_file.c_str(),
                plugins.worker->name, plugins.app->name, plugins.app->version ? plugins.app->version : "");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    auto parsed = hornet::parse_invocation(argc, argv, environ);
    if (auto* code = std::get_if<int>(&parsed)) return *code;
    auto& invocation = std::get<hornet::Invocation>(parsed);
    if (invocation.print_config) {
        std::cout << hornet::to_yaml(invocation.config);
        return 0;
    }
    const std::string error_logfile = invocation.config.error_logfile;
    try {
        hornet::setup_logging(invocation.config.error_logfile, invocation.config.log_level);
        auto plugins = hornet::load_plugins(invocation.config);
        if (invocation.check_config) return check_config(invocation.config, plugins);
        hornet::Arbiter arbiter(std::move(invocation.config), std::move(plugins));
        return arbiter.run();
    } catch (const hornet::PluginError& e) {
        return fail(e.what(), 1);
    } catch (const std::exception& e) {
        // The stderr line is the one report; a log file gets it too.
        if (error_logfile != "-") spdlog::critical("{}", e.what());
        return fail(e.what(), 1);
    }
}
