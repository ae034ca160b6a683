// The arbiter's loop and its events: each one does its immediate action and
// then runs reconcile(); plus the shell's side of the Reconciler (forking a
// worker of a generation, closing a generation, leaving the loop).
#include "arbiter/arbiter.hpp"

#include <csignal>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "log/log_files.hpp"
#include "process/container_limits.hpp"
#include "process/process_title.hpp"
#include "process/sd_notify.hpp"
#include "worker/worker_process.hpp"

namespace hornet {
namespace {

// Room for two generations of the largest pool plus TTIN growth.
std::size_t scoreboard_slots(const Config& c) { return std::max<std::size_t>(64, std::size_t{c.workers} * 4); }

void write_pidfile(const std::string& path) {
    if (path.empty()) return;
    std::ofstream(path) << ::getpid() << '\n';
}

// How many workers `auto` chose, and whether the cgroup's memory can hold
// every worker at max_worker_memory: when it cannot, the kernel's OOM killer
// rather than recycling picks which worker goes.
void log_limits(const Config& c) {
    if (!c.workers_rule.empty()) spdlog::info("Using {} workers (auto: {})", c.workers, c.workers_rule);
    if (c.max_worker_memory == 0) return;
    auto limit = cgroup_memory_limit();
    const long double all = static_cast<long double>(c.max_worker_memory) * c.workers;
    if (!limit || all <= limit->bytes) return;
    spdlog::warn("The cgroup memory limit, {} ({}), is below workers x max_worker_memory = {} x {} = {}: "
                 "the kernel may kill workers before they are recycled",
                 memory_text(limit->bytes), limit->source, c.workers, memory_text(c.max_worker_memory),
                 memory_text(static_cast<std::uint64_t>(all)));
}

} // namespace

// One row per signal: the whole of the arbiter's signal handling (Gunicorn's
// meanings). The handlers run on the loop, never inside a signal handler.
struct Arbiter::SignalAction {
    int signal;
    const char* name;
    void (Arbiter::*handler)();
};

const Arbiter::SignalAction Arbiter::signal_actions[] = {
    {SIGTERM, "term", &Arbiter::handle_term},   {SIGINT, "int", &Arbiter::handle_int},
    {SIGQUIT, "quit", &Arbiter::handle_quit},   {SIGHUP, "hup", &Arbiter::handle_hup},
    {SIGCHLD, "chld", &Arbiter::handle_chld},   {SIGTTIN, "ttin", &Arbiter::handle_ttin},
    {SIGTTOU, "ttou", &Arbiter::handle_ttou},   {SIGUSR1, "usr1", &Arbiter::handle_usr1},
    {SIGUSR2, "usr2", &Arbiter::handle_usr2},   {SIGWINCH, "winch", &Arbiter::handle_winch},
    {SIGURG, "urg", &Arbiter::handle_urg},
};

Arbiter::Arbiter(StartContext context, Config config, PluginSet plugins)
    : start_(std::move(context)),
      pool_(take_inherited_sockets()),
      scoreboard_(scoreboard_slots(config)),
      supervisor_(scoreboard_, system_),
      reconciler_(supervisor_, system_, *this),
      signals_(io_),
      kill_timer_(io_),
      tick_timer_(io_),
      shutdown_timer_(io_),
      wake_(io_, ::dup(scoreboard_.wake_fd())),
      control_(io_),
      dumps_(io_),
      pid_(::getpid()),
      started_ms_(system_.now_ms()) {
    for (const auto& row : signal_actions) signals_.add(row.signal);
    start_metrics(); // before any app is created: the app counters live in the scoreboard
    start(std::move(config), std::move(plugins));
}

Arbiter::~Arbiter() = default;

// Every event source ends in reconcile(); this starts them.
int Arbiter::run() {
    wait_for_signal();
    wait_for_wake();
    dumps_.start([this](ReceivedDump dump) { on_dump(std::move(dump)); });
    schedule_tick();
    run_hook("when_ready", active().config, active().listeners);
    reconcile(); // forks the first workers
    sd_notify("READY=1");
    io_.run();
    return reconciler_.exit_code();
}

bool Arbiter::use_systemd_sockets(Config& config) const {
    auto systemd = pool_.systemd_specs();
    if (systemd.empty()) return false;
    config.bind = std::move(systemd);
    return true;
}

void Arbiter::start(Config config, PluginSet plugins) {
    spdlog::info("Starting hornet {}", HORNET_VERSION);
    start_hooks(config);
    if (run_hook("on_starting", config, {}, true) == ServerHooks::Outcome::raised)
        throw std::runtime_error(hooks_->last_error() + "; not starting"); // fatal, as in Gunicorn
    if (use_systemd_sockets(config))
        spdlog::info("Using {} socket(s) from systemd instead of bind", config.bind.size());
    auto gen = std::make_unique<Generation>(1, std::move(config), std::move(plugins), pool_);
    for (std::size_t i = 0; i < gen->listeners.size(); ++i) spdlog::info("Listening at: {} ({})", gen->listening_at(i), pid_);
    spdlog::info("Using worker: {} ({})", gen->plugins.worker->name, gen->plugins.worker.path().string());
    spdlog::info("Serving app: {} {} ({})", gen->plugins.app->name,
                 gen->plugins.app->version ? gen->plugins.app->version : "", gen->plugins.app.path().string());
    log_limits(gen->config);
    metrics_->configure(gen->config, pool_.shared() ? metrics::MetricsService::When::start_shared
                                                    : metrics::MetricsService::When::start);
    open_control(gen->config); // before the pid file: a refusal leaves nothing behind
    write_pidfile(gen->config.pid);
    name_generation(*gen);
    reconciler_.serve(gen->id, gen->plan());
    generations_[gen->id] = std::move(gen);
    set_title();
}

void Arbiter::set_title() const {
    const Generation& g = *generations_.at(reconciler_.active());
    process_title::set("hornet: arbiter [" + process_name(g.config, g.plugins.app->name) + "]");
}

void Arbiter::wait_for_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        on_signal(sig);
        reconcile();
        if (!io_.stopped()) wait_for_signal();
    });
}

void Arbiter::on_signal(int sig) {
    for (const auto& row : signal_actions) {
        if (row.signal != sig) continue;
        if (sig != SIGCHLD) spdlog::info("Handling signal: {}", row.name);
        (this->*row.handler)();
        return;
    }
}

// A worker wrote to the scoreboard pipe: one became ready or reached its quota.
void Arbiter::wait_for_wake() {
    static char drain[64];
    wake_.async_read_some(boost::asio::buffer(drain), [this](const boost::system::error_code& ec, std::size_t) {
        if (ec) return;
        reconcile();
        wait_for_wake();
    });
}

// Heartbeat timeouts, a reload's deadline and the end of a boot back-off
// have no event of their own: the tick looks at them.
void Arbiter::schedule_tick() {
    tick_timer_.expires_after(std::chrono::milliseconds(250));
    tick_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        expire_dump_waiters();
        reconcile();
        schedule_tick();
    });
}

// The reconciler's steps, then what the workers' probes answer from now on.
void Arbiter::reconcile() {
    reconciler_.reconcile();
    std::uint32_t state = 0;
    if (reconciler_.stopping() || shutdown_.pending) state |= HORNET_SERVER_STOPPING;
    if (reconciler_.serving_ready()) state |= HORNET_SERVER_READY;
    scoreboard_.set_server_state(state);
}

// With shutdown_delay, TERM first fails the health checks and serves on
// for that long, so a load balancer stops sending before anything is
// refused; a second TERM or an INT does not wait.
void Arbiter::handle_term() {
    const auto delay = active().config.shutdown_delay;
    if (delay.count() <= 0 || shutdown_.pending || reconciler_.stopping()) return stop(true);
    shutdown_.pending = true;
    spdlog::info("Stopping in {} ms: health checks fail meanwhile (shutdown_delay)", delay.count());
    shutdown_timer_.expires_after(delay);
    shutdown_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || reconciler_.stopping()) return;
        stop(true);
        reconcile();
    });
}

void Arbiter::handle_int() { stop(false); }
void Arbiter::handle_quit() { stop(false); }

// Nothing will accept once the workers leave, so the listeners stop first:
// a client connecting now is refused, rather than queued and reset at exit.
// Not when another process serves on them after us: a new arbiter of a
// binary upgrade, or systemd, which keeps the sockets for the next start.
void Arbiter::stop(bool graceful) {
    shutdown_.pending = false;
    shutdown_timer_.cancel();
    if (upgrade_.child == 0 && !pool_.shared()) pool_.stop_listening();
    reconciler_.stop(graceful);
    abandon_reloads("hornet is stopping: the reload was abandoned");
}
void Arbiter::handle_chld() {} // reconcile() reaps
void Arbiter::handle_ttin() { reconciler_.add_worker(); }
void Arbiter::handle_ttou() { reconciler_.remove_worker(); }
void Arbiter::handle_winch() { reconciler_.stop_workers(); }

void Arbiter::handle_usr1() {
    reopen_log_files();
    supervisor_.signal_all(SIGUSR1);
    spdlog::info("Reopened log files");
}

void Arbiter::run_worker(std::uint32_t generation, ScoreboardSlot& slot, int worker_id) {
    if (hooks_) hooks_->forget_in_child(); // the runner must see EOF once the arbiter is gone
    const Generation& gen = *generations_.at(generation);
    metrics_->close_after_fork();
    control_.close_in_child(); // the control socket is the arbiter's alone
    dumps_.close_in_child();
    run_worker_process(WorkerSpec{
        .config = gen.config,
        .listen_fds = gen.listen_fds,
        .tls = gen.tls.get(),
        .app = gen.plugins.app,
        .worker = gen.plugins.worker,
        .host = *gen.host,
        .access_log = *gen.access_log,
        .board = scoreboard_,
        .slot = slot,
        .worker_id = worker_id,
        .generation = gen.id,
        .preloaded = gen.preloaded,
        .uid = gen.uid,
        .gid = gen.gid,
        .arbiter = pid_,
        .dump_fd = dumps_.write_fd(),
    });
}

void Arbiter::on_other_child(pid_t pid, int status) {
    if (pid == upgrade_.child) on_upgrade_exit(status);
    if (hooks_ && pid == hooks_->pid()) hooks_->runner_exited(status);
}

void Arbiter::on_promoted() {
    set_title();
    metrics_->configure(active().config, metrics::MetricsService::When::reload);
}

// The HUP that came during the reload that just ended: its askers are answered by this one.
void Arbiter::reload() {
    reload_waiters_.running = std::exchange(reload_waiters_.queued, {});
    start_reload();
}

void Arbiter::drop_generation(std::uint32_t generation) {
    generations_.erase(generation);
    pool_.prune(true); // the listeners only it used
}

// The end of graceful_timeout: reconcile() sends KILL to what is left.
void Arbiter::wake_at(std::int64_t ms) {
    kill_timer_.expires_after(std::chrono::milliseconds(ms - system_.now_ms()));
    kill_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) reconcile();
    });
}

void Arbiter::on_stopped() {
    const std::string pidfile = active().config.pid;
    const Config last = active().config; // what on_exit shows, once the generations are gone
    generations_.clear();
    control_.close();
    // After a binary upgrade the new arbiter serves on our sockets: leave its files.
    pool_.prune(upgrade_.child == 0);
    if (!pidfile.empty()) ::unlink((upgrade_.child ? pidfile + ".oldbin" : pidfile).c_str());
    spdlog::info("Worker restarts: {}", describe(reconciler_.restarts()));
    spdlog::info("Shutting down: {}", reconciler_.exit_code() == 0 ? "done" : "halted");
    run_hook("on_exit", last, {});
    hooks_.reset(); // the runner leaves with the arbiter
    io_.stop();
}

} // namespace hornet
