// When the arbiter runs Gunicorn's arbiter hooks, at Gunicorn's moments:
//   on_starting  start(), before any listener is bound (fatal if it raises,
//                as in Gunicorn);
//   when_ready   run(), once the listeners are bound, before the first
//                workers are forked;
//   on_reload    HUP, once the new configuration is read and its
//                listeners bound, before its workers are forked; with the
//                reloaded file's hooks, as Gunicorn re-reads its config;
//   on_exit      the stop, once the last worker is gone, just before exit.
// The hooks run in the hook runner (server_hooks.hpp), not here.
#include "arbiter/arbiter.hpp"

#include <spdlog/spdlog.h>

#include "config/settings_json.hpp"
#include "worker/worker_process.hpp"

namespace hornet {

void Arbiter::start_hooks(const Config& config) {
    if (config.server_hooks.empty()) return;
    hooks_ = std::make_unique<ServerHooks>(config.server_hooks); // throws: hornet does not start
}

// The reloaded file's hooks; none if it has none now. Its errors cost the
// hooks only: the reload goes on.
void Arbiter::reload_hooks(const Config& config) {
    if (config.server_hooks.empty()) {
        hooks_.reset();
        return;
    }
    if (hooks_) {
        hooks_->load(config.server_hooks);
        return;
    }
    try {
        hooks_ = std::make_unique<ServerHooks>(config.server_hooks);
    } catch (const std::exception& e) {
        spdlog::error("Server hooks: {}", e.what());
    }
}

ServerHooks::Outcome Arbiter::run_hook(std::string_view hook, const Config& config,
                                       const std::vector<std::shared_ptr<Listener>>& listeners, bool quiet) {
    if (!hooks_ || !hooks_->defines(hook)) return ServerHooks::Outcome::ran;
    ServerFacts facts{
        .pid = pid_,
        .num_workers = config.workers,
        .proc_name = process_name(config, config.app.c_str()),
        .listeners = {},
        .cfg_json = settings_json(config),
    };
    for (const auto& l : listeners) facts.listeners.push_back(l->url());
    spdlog::debug("Running server hook {}", hook);
    return hooks_->call(hook, facts, quiet);
}

} // namespace hornet
