#include "plugin/plugin_set.hpp"

#include "config/config_error.hpp"
#include "host/host_services.hpp"
#include "plugin/plugin_error.hpp"
#include "plugin/plugin_finder.hpp"

namespace hornet {
namespace {

// The worker type may refuse the app (a thread-unsafe app on many threads).
void check_pair(const WorkerLibrary& worker, const AppLibrary& app, const Config& config) {
    if (!worker->check) return;
    hornet_limits_t limits{};
    limits.head = HORNET_HEAD_INIT(hornet_limits_t);
    limits.threads = config.threads;
    limits.worker_connections = config.worker_connections;
    char err[512] = "";
    if (worker->check(&limits, &app.descriptor(), err, sizeof err) == HORNET_OK) return;
    err[sizeof err - 1] = '\0';
    throw PluginError("worker type " + std::string(worker->name) + " cannot run app " + app->name + ": " +
                      (err[0] ? err : "refused"));
}

// ABI 1.2: the app checks its app_config here, before anything forks, so a
// bad key is one line (and exit status 2) rather than workers failing to boot.
// The facts say whether the worker type has an event loop (the asgi app
// needs one).
void check_app(const AppLibrary& app, const WorkerLibrary& worker, const Config& config) {
    const bool event_loop = worker->flags & HORNET_WORKER_EVENT_LOOP;
    HostServices host(config.app_config, ProcessFacts{config.threads, config.workers > 1, event_loop});
    const std::string why = check_app_config(app, host.table());
    if (why.empty()) return;
    const std::string where = config.config_file.empty() ? "" : config.config_file + ": ";
    throw ConfigError(where + "app " + app->name + ": " + why);
}

} // namespace

PluginSet load_plugins(const Config& config) {
    if (config.app.empty())
        throw PluginError("no app given: name one on the command line (hornet hello) or as `app:` in the config");
    PluginFinder finder(config.plugin_path);
    auto worker = WorkerLibrary::load(finder.find(config.worker_class, "worker_class"));
    auto app = AppLibrary::load(finder.find(config.app, "app"));
    check_pair(worker, app, config);
    check_app(app, worker, config);
    return PluginSet{std::move(app), std::move(worker)};
}

} // namespace hornet
