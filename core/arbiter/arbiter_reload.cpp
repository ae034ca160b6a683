// SIGHUP as a transaction. Everything that can fail happens before the
// serving generation is touched: read and validate the config, load its
// plugins in a scratch process, load them here, bind new listeners, reopen
// the logs, boot the new workers. Only when every new worker has said it is
// ready does the old generation get TERM. Any failure on the way logs one
// line and leaves the old generation serving as if nothing happened.
#include "arbiter/arbiter.hpp"

#include <csignal>

#include <spdlog/spdlog.h>

#include "config/config_diff.hpp"
#include "config/config_error.hpp"
#include "log/log_files.hpp"
#include "log/logging.hpp"
#include "plugin/plugin_probe.hpp"
#include "process/sd_notify.hpp"

namespace hornet {
namespace {

// How long a new generation may take to get every worker ready.
std::int64_t boot_budget_ms(const Config& c) {
    auto ms = c.timeout.count();
    return ms > 0 ? ms : 30000;
}

} // namespace

void Arbiter::handle_hup() {
    if (stopping_) return;
    if (incoming_) {
        spdlog::info("A reload is in progress; reloading again when it ends");
        reload_again_ = true;
        return;
    }
    sd_notify("RELOADING=1");
    try {
        begin_reload();
    } catch (const std::exception& e) {
        spdlog::error("Reload failed: {}; still serving {}", e.what(), active().describe());
        sd_notify("READY=1");
    }
}

void Arbiter::begin_reload() {
    Config config = load_config(start_.sources);
    if (auto why = probe_plugins(config)) throw std::runtime_error(*why);
    PluginSet plugins = load_plugins(config);
    const std::uint32_t id = generations_.rbegin()->first + 1;
    std::unique_ptr<Generation> gen;
    try {
        gen = std::make_unique<Generation>(id, std::move(config), std::move(plugins), pool_);
        setup_logging(gen->config.error_logfile, gen->config.log_level);
        reopen_log_files();
    } catch (...) {
        gen.reset();
        pool_.prune(true); // close whatever the failed generation bound
        throw;
    }
    for (const auto& l : gen->listeners) spdlog::info("Listening at: {} ({})", l->url(), pid_);
    auto changes = describe_changes(active().config, gen->config);
    spdlog::info("Reloading: starting {}; {}", gen->describe(), changes.empty() ? "no setting changed" : changes);
    incoming_ = id;
    reload_deadline_ms_ = Scoreboard::now_ms() + boot_budget_ms(gen->config);
    Generation& g = *(generations_[id] = std::move(gen));
    for (unsigned i = 0; i < g.target_workers; ++i) spawn_worker(g);
    advance_reload(); // workers: 0
}

// Called on every wake-up, tick and reap while a reload is in progress.
void Arbiter::advance_reload() {
    if (!incoming_ || stopping_) return;
    const Generation& gen = *generations_.at(*incoming_);
    const std::size_t ready = ready_workers(gen.id);
    const std::size_t alive = supervisor_.pids_of(gen.id).size();
    if (alive < gen.target_workers)
        return abort_reload("a new worker exited before it was ready (see above)");
    if (ready >= gen.target_workers) return promote_incoming();
    if (Scoreboard::now_ms() > reload_deadline_ms_)
        abort_reload("the new workers were not ready within timeout (" + std::to_string(gen.config.timeout.count()) +
                     " ms)");
}

void Arbiter::promote_incoming() {
    const std::uint32_t old = active_;
    active_ = *incoming_;
    incoming_.reset();
    for (pid_t pid : supervisor_.pids_of(old)) supervisor_.retire(pid);
    recycling_.reset(); // it belonged to the old generation, now leaving anyway
    boot_failures_ = 0;
    respawn_at_ms_ = respawn_backoff_ms_ = 0;
    spdlog::info("Reloaded: now serving {}; {} is stopping", active().describe(),
                 generations_.at(old)->describe());
    set_title();
    drop_finished_generations();
    sd_notify("READY=1");
    if (!std::exchange(reload_again_, false)) return;
    handle_hup();
}

void Arbiter::abort_reload(const std::string& why) {
    const std::uint32_t failed = *incoming_;
    incoming_.reset();
    for (pid_t pid : supervisor_.pids_of(failed)) {
        supervisor_.retire(pid);
        supervisor_.signal(pid, SIGQUIT); // they served nothing: no need to be gentle
    }
    spdlog::error("Reload failed: {}; still serving {}", why, active().describe());
    drop_finished_generations();
    sd_notify("READY=1");
    reload_again_ = false;
}

} // namespace hornet
