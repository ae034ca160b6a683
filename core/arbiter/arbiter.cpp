#include "arbiter/arbiter.hpp"

#include <csignal>
#include <fstream>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "log/log_files.hpp"
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
};

Arbiter::Arbiter(StartContext context, Config config, PluginSet plugins)
    : start_(std::move(context)),
      pool_(take_inherited_sockets()),
      scoreboard_(scoreboard_slots(config)),
      supervisor_(scoreboard_, system_),
      signals_(io_),
      kill_timer_(io_),
      tick_timer_(io_),
      wake_(io_, ::dup(scoreboard_.wake_fd())),
      pid_(::getpid()) {
    for (const auto& row : signal_actions) signals_.add(row.signal);
    start(std::move(config), std::move(plugins));
}

Arbiter::~Arbiter() = default;

int Arbiter::run() {
    wait_for_signal();
    wait_for_wake();
    schedule_tick();
    manage_workers();
    sd_notify("READY=1");
    io_.run();
    return exit_code_;
}

void Arbiter::start(Config config, PluginSet plugins) {
    spdlog::info("Starting hornet {}", HORNET_VERSION);
    auto systemd = pool_.systemd_specs();
    if (!systemd.empty()) {
        spdlog::info("Using {} socket(s) from systemd instead of bind", systemd.size());
        config.bind = systemd;
    }
    auto gen = std::make_unique<Generation>(1, std::move(config), std::move(plugins), pool_);
    for (const auto& l : gen->listeners) spdlog::info("Listening at: {} ({})", l->url(), pid_);
    spdlog::info("Using worker: {} ({})", gen->plugins.worker->name, gen->plugins.worker.path().string());
    spdlog::info("Serving app: {} {} ({})", gen->plugins.app->name,
                 gen->plugins.app->version ? gen->plugins.app->version : "", gen->plugins.app.path().string());
    write_pidfile(gen->config.pid);
    active_ = gen->id;
    generations_[gen->id] = std::move(gen);
    set_title();
}

void Arbiter::set_title() const {
    const Generation& g = *generations_.at(active_);
    process_title::set("hornet: arbiter [" + process_name(g.config, g.plugins.app->name) + "]");
}

void Arbiter::wait_for_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        on_signal(sig);
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
        announce_ready_workers();
        advance_reload();
        advance_recycling();
        start_recycling();
        wait_for_wake();
    });
}

void Arbiter::schedule_tick() {
    tick_timer_.expires_after(std::chrono::milliseconds(250));
    tick_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) on_tick();
    });
}

void Arbiter::on_tick() {
    murder_stale_workers();
    advance_reload();
    advance_recycling();
    manage_workers(); // after a respawn pause
    schedule_tick();
}

void Arbiter::handle_term() { stop(true); }
void Arbiter::handle_int() { stop(false); }
void Arbiter::handle_quit() { stop(false); }
void Arbiter::handle_chld() { on_child_exit(); }

void Arbiter::handle_usr1() {
    reopen_log_files();
    supervisor_.signal_all(SIGUSR1);
    spdlog::info("Reopened log files");
}

void Arbiter::handle_ttin() {
    if (stopping_) return;
    ++active().target_workers;
    spdlog::info("Workers: {}", active().target_workers);
    manage_workers();
}

void Arbiter::stop(bool graceful) {
    if (stopping_ && graceful) return; // already stopping; a fast stop may still hurry it
    if (!stopping_) sd_notify("STOPPING=1");
    stopping_ = true;
    supervisor_.signal_all(graceful ? SIGTERM : SIGQUIT);
    auto grace = active().config.graceful_timeout;
    kill_timer_.expires_after(grace);
    kill_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        if (!supervisor_.empty()) spdlog::warn("Workers still running after graceful_timeout: killing them");
        supervisor_.signal_all(SIGKILL);
    });
    finish_if_stopped();
}

void Arbiter::halt(const std::string& reason, int code) {
    spdlog::critical("{}", reason);
    exit_code_ = code;
    stop(false);
}

void Arbiter::finish_if_stopped() {
    // Twice when a halt comes from the first of several exits reaped at once.
    if (!supervisor_.empty() || generations_.empty()) return;
    const std::string pidfile = active().config.pid;
    generations_.clear();
    // After a binary upgrade the new arbiter serves on our sockets: leave its files.
    pool_.prune(upgrade_child_ == 0);
    if (!pidfile.empty()) ::unlink((upgrade_child_ ? pidfile + ".oldbin" : pidfile).c_str());
    spdlog::info("Shutting down: {}", exit_code_ == 0 ? "done" : "halted");
    io_.stop();
}

} // namespace hornet
