// SIGHUP as a transaction. Everything that can fail happens before the
// serving generation is touched: read and validate the config, load its
// plugins in a scratch process, load them here, bind new listeners, reopen
// the logs. Then the Reconciler boots the new workers, and only when every
// one has said it is ready does the old generation get TERM
// (reconciler_reload.cpp). A listener that switches between plain and TLS on
// the same socket cannot be served by both generations at once (a client
// would get either scheme): then the old generation stops accepting first. Any failure on the way logs one line and leaves the
// old generation serving as if nothing happened.
#include "arbiter/arbiter.hpp"

#include <spdlog/spdlog.h>

#include "config/config_diff.hpp"
#include "config/config_error.hpp"
#include "log/log_files.hpp"
#include "log/logging.hpp"
#include "plugin/plugin_probe.hpp"
#include "process/sd_notify.hpp"

namespace hornet {

void Arbiter::handle_hup() { request_reload({}); }

// HUP and `hornet ctl reload` alike. `reply` (may be empty) hears how the
// reload ended: at once when the config or a plugin is refused, else once
// the Reconciler has promoted or dropped the new generation.
void Arbiter::request_reload(ReloadReply reply) {
    if (reconciler_.stopping()) {
        if (reply) reply({0, "hornet is stopping: no reload"});
        return;
    }
    if (reconciler_.reloading()) {
        spdlog::info("A reload is in progress; reloading again when it ends");
        reconciler_.reload_again();
        if (reply) reload_waiters_.queued.push_back(std::move(reply));
        return;
    }
    if (reply) reload_waiters_.running.push_back(std::move(reply));
    start_reload();
}

void Arbiter::start_reload() {
    sd_notify("RELOADING=1");
    try {
        begin_reload();
    } catch (const std::exception& e) {
        const std::string line = "Reload failed: " + std::string(e.what()) + "; still serving " + active().describe();
        spdlog::error("{}", line);
        reconciler_.note_reload_failed();
        sd_notify("READY=1");
        on_reload_finished({0, line});
    }
}

// A failed reload forgets a HUP that came meanwhile (the Reconciler does not
// reload again), so whoever asked then hears this outcome too.
void Arbiter::on_reload_finished(const ReloadOutcome& outcome) {
    std::vector<ReloadReply> done = std::exchange(reload_waiters_.running, {});
    if (!outcome.error.empty())
        for (auto& r : std::exchange(reload_waiters_.queued, {})) done.push_back(std::move(r));
    for (auto& r : done) r(outcome);
}

// A stop: no reload will finish; everyone waiting hears why.
void Arbiter::abandon_reloads(const std::string& why) { on_reload_finished({0, why}); }

void Arbiter::begin_reload() {
    Config config = load_config(start_.sources);
    use_systemd_sockets(config);
    if (auto why = probe_plugins(config)) throw std::runtime_error(*why);
    PluginSet plugins = load_plugins(config);
    const std::uint32_t id = generations_.rbegin()->first + 1;
    std::unique_ptr<Generation> gen;
    try {
        gen = std::make_unique<Generation>(id, std::move(config), std::move(plugins), pool_);
        setup_logging(gen->config.error_logfile, gen->config.log_level, gen->config.log_format);
        reopen_log_files();
    } catch (...) {
        gen.reset();
        pool_.prune(true); // close whatever the failed generation bound
        throw;
    }
    for (std::size_t i = 0; i < gen->listeners.size(); ++i) spdlog::info("Listening at: {} ({})", gen->listening_at(i), pid_);
    auto changes = describe_changes(active().config, gen->config);
    spdlog::info("Reloading: starting {}; {}", gen->describe(), changes.empty() ? "no setting changed" : changes);
    const std::string switched = switched_listener(active(), *gen);
    if (!switched.empty())
        spdlog::info("Reloading: {} changes scheme: the serving workers stop accepting before the new ones start "
                     "(new connections wait in the backlog meanwhile)", switched);
    const Generation& g = *(generations_[id] = std::move(gen));
    name_generation(g);
    reload_hooks(g.config);
    run_hook("on_reload", g.config, g.listeners);
    reconciler_.begin_reload(id, g.plan(), !switched.empty());
}

} // namespace hornet
