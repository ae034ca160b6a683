// hornet: parse the invocation, load the plugins, hand over to the arbiter.
// Every error a user can cause ends here as one line and an exit status:
// 2 for configuration and command line, 1 for plugins and start-up.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "tls/tls_plan.hpp"
#include "arbiter/arbiter.hpp"
#include "cli/command_line.hpp"
#include "cli/ctl_command.hpp"
#include "config/config_error.hpp"
#include "host/host_services.hpp"
#include "log/logging.hpp"
#include "plugin/plugin_catalog.hpp"
#include "plugin/plugin_set.hpp"
#include "process/daemon.hpp"
#include "process/process_title.hpp"

namespace {

int fail(const std::string& line, int code) {
    std::fprintf(stderr, "hornet: error: %s\n", line.c_str());
    return code;
}

// A start that failed once logging was set up: the stderr line is the one
// report, and a log file gets it too. A JSON error log on stderr gets it
// instead, so that every line a log shipper reads there stays one object.
int fail_logged(const std::string& line, const hornet::Config& config) {
    const bool json_on_stderr = config.log_format == "json" && config.error_logfile == "-";
    if (config.error_logfile != "-" || json_on_stderr) spdlog::critical("{}", line);
    return json_on_stderr ? 1 : fail(line, 1);
}

// As Gunicorn's --check-config, the app is also created once (a Python app
// imported) and destroyed; its failure is the app's one line, exit status 1.
int check_config(const hornet::Config& config, const hornet::PluginSet& plugins) {
    hornet::TlsPlan(config).check(plugins.worker->name, plugins.worker->flags); // ConfigError: exit status 2
    hornet::HostServices host(config.app_config, hornet::ProcessFacts{config.threads, config.workers > 1});
    char err[512] = "";
    void* instance = nullptr;
    if (plugins.app->create(host.table(), &instance, err, sizeof err) != HORNET_OK) {
        err[sizeof err - 1] = '\0';
        return fail("app " + std::string(plugins.app->name) + " failed to start: " + (err[0] ? err : "create() failed"), 1);
    }
    plugins.app->destroy(instance);
    std::printf("%s: OK (worker %s, app %s %s)\n",
                config.config_file.empty() ? "configuration" : config.config_file.c_str(),
                plugins.worker->name, plugins.app->name, plugins.app->version ? plugins.app->version : "");
    return 0;
}

// What USR2 needs to exec this binary again: captured before the process
// title overwrites argv.
hornet::StartContext start_context(int argc, char** argv, hornet::ConfigSources sources) {
    hornet::StartContext start{std::move(sources), {}, {argv, argv + argc}};
    std::error_code ec;
    start.executable = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    if (ec) start.executable = argv[0];
    return start;
}

// chdir comes first: relative paths in the config (plugins, logs, sockets)
// then mean what they mean under it, as with Gunicorn's --chdir.
void change_directory(const std::string& dir) {
    if (dir.empty()) return;
    if (::chdir(dir.c_str()) != 0) throw std::runtime_error("chdir " + dir + ": " + std::strerror(errno));
}

} // namespace

int main(int argc, char** argv) {
    if (argc > 1 && std::string_view(argv[1]) == "ctl") return hornet::run_ctl(argc - 1, argv + 1, environ);
    auto parsed = hornet::parse_invocation(argc, argv, environ);
    if (auto* code = std::get_if<int>(&parsed)) return *code;
    auto& invocation = std::get<hornet::Invocation>(parsed);
    if (invocation.print_config) {
        std::cout << hornet::to_yaml(invocation.config);
        return 0;
    }
    if (invocation.list_plugins) {
        hornet::print_catalog(std::cout, hornet::scan_plugins(invocation.config.plugin_path));
        return 0;
    }
    auto start = start_context(argc, argv, invocation.sources);
    hornet::process_title::init(argc, argv);
    hornet::Config logging; // what the error log was set up with
    try {
        change_directory(invocation.config.chdir);
        hornet::setup_logging(invocation.config.error_logfile, invocation.config.log_level, invocation.config.log_format);
        logging.error_logfile = invocation.config.error_logfile;
        logging.log_format = invocation.config.log_format;
        auto plugins = hornet::load_plugins(invocation.config);
        if (invocation.check_config) return check_config(invocation.config, plugins);
        if (invocation.config.daemon) hornet::daemonize();
        hornet::Arbiter arbiter(std::move(start), std::move(invocation.config), std::move(plugins));
        return arbiter.run();
    } catch (const hornet::ConfigError& e) {
        return fail(e.what(), 2); // an app's check_config refused its app_config
    } catch (const std::exception& e) { // a PluginError, or the arbiter's start
        return fail_logged(e.what(), logging);
    }
}
