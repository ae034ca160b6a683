#include "arbiter/arbiter.hpp"

#include <csignal>
#include <fstream>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "worker/worker_process.hpp"

namespace hornet {
namespace {

// Consecutive workers that may die before ever becoming ready before the
// arbiter gives up instead of forking in a loop.
constexpr int max_boot_failures = 5;

std::string describe(int status) {
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        return "was killed by signal " + std::to_string(sig) + " (SIG" + sigabbrev_np(sig) + ")";
    }
    return "exited with status " + std::to_string(WEXITSTATUS(status));
}

std::uint64_t with_jitter(std::uint64_t max_requests, std::uint64_t jitter) {
    if (max_requests == 0 || jitter == 0) return max_requests;
    static std::mt19937_64 rng{std::random_device{}()};
    return max_requests + std::uniform_int_distribution<std::uint64_t>(0, jitter)(rng);
}

} // namespace

// One row per signal: the whole of the arbiter's signal handling.
struct Arbiter::SignalAction {
    int signal;
    const char* name;
    void (Arbiter::*handler)();
};

const Arbiter::SignalAction Arbiter::signal_actions[] = {
    {SIGTERM, "term", &Arbiter::handle_term},
    {SIGINT, "int", &Arbiter::handle_int},
    {SIGQUIT, "quit", &Arbiter::handle_quit},
    {SIGHUP, "hup", &Arbiter::handle_hup},
    {SIGCHLD, "chld", &Arbiter::handle_chld},
};

Arbiter::Arbiter(Config config, PluginSet plugins)
    : config_(std::move(config)),
      plugins_(std::move(plugins)),
      scoreboard_(std::max<std::size_t>(64, config_.workers * 4)),
      supervisor_(scoreboard_, [this](ScoreboardSlot& s, int id, std::uint32_t gen) { child_main(s, id, gen); }),
      signals_(io_),
      kill_timer_(io_),
      pid_(::getpid()) {
    for (const auto& row : signal_actions) signals_.add(row.signal);
}

Arbiter::~Arbiter() = default;

int Arbiter::run() {
    start();
    wait_for_signal();
    io_.run();
    return exit_code_;
}

void Arbiter::start() {
    spdlog::info("Starting hornet {}", HORNET_VERSION);
    for (const auto& spec : config_.bind) {
        listeners_.emplace_back(spec, config_.backlog);
        listen_fds_.push_back(listeners_.back().fd());
        spdlog::info("Listening at: {} ({})", listeners_.back().url(), ::getpid());
    }
    access_log_ = std::make_unique<AccessLog>(config_.access_logfile);
    host_ = std::make_unique<HostServices>(
        config_.app_config, ProcessFacts{config_.threads, config_.workers > 1, false, 0, generation_});
    if (!config_.pid.empty()) std::ofstream(config_.pid) << ::getpid() << '\n';
    spdlog::info("Using worker: {} ({})", plugins_.worker->name, plugins_.worker.path().string());
    spdlog::info("Serving app: {} {} ({})", plugins_.app->name, plugins_.app->version ? plugins_.app->version : "",
                 plugins_.app.path().string());
    manage_workers();
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

void Arbiter::handle_term() { stop(true); }
void Arbiter::handle_int() { stop(false); }
void Arbiter::handle_quit() { stop(false); }
void Arbiter::handle_hup() { spdlog::warn("SIGHUP: reloading is not available in this version; ignored"); }
void Arbiter::handle_chld() { on_child_exit(); }

void Arbiter::on_child_exit() {
    for (const WorkerExit& exit : supervisor_.reap()) {
        log_exit(exit);
        if (!stopping_) note_boot(exit);
    }
    if (stopping_) return finish_if_stopped();
    manage_workers();
}

void Arbiter::log_exit(const WorkerExit& exit) const {
    bool expected = stopping_ || (WIFEXITED(exit.status) && WEXITSTATUS(exit.status) == 0);
    auto level = expected ? spdlog::level::info : spdlog::level::err;
    spdlog::log(level, "Worker with pid {} {}", exit.pid, describe(exit.status));
}

void Arbiter::note_boot(const WorkerExit& exit) {
    if (WIFEXITED(exit.status) && WEXITSTATUS(exit.status) == HORNET_EXIT_BOOT_FAILED)
        return halt("Worker failed to boot (see the error above); stopping", HORNET_EXIT_BOOT_FAILED);
    if (exit.was_ready) {
        boot_failures_ = 0;
        return;
    }
    if (++boot_failures_ >= max_boot_failures)
        halt(std::to_string(boot_failures_) + " workers in a row died before serving; stopping", HORNET_EXIT_BOOT_FAILED);
}

void Arbiter::manage_workers() {
    if (stopping_) return;
    while (supervisor_.size() < config_.workers) spawn_worker();
}

void Arbiter::spawn_worker() {
    pid_t pid = supervisor_.spawn(generation_);
    spdlog::info("Booting worker with pid: {}", pid);
}

void Arbiter::child_main(ScoreboardSlot& slot, int worker_id, std::uint32_t generation) {
    run_worker_process(WorkerSpec{
        .config = config_,
        .listen_fds = listen_fds_,
        .app = plugins_.app,
        .worker = plugins_.worker,
        .host = *host_,
        .access_log = *access_log_,
        .slot = slot,
        .worker_id = worker_id,
        .generation = generation,
        .max_requests = with_jitter(config_.max_requests, config_.max_requests_jitter),
        .arbiter = pid_,
    });
}

void Arbiter::stop(bool graceful) {
    if (stopping_ && graceful) return; // already stopping; a fast stop may still hurry it
    stopping_ = true;
    supervisor_.signal_all(graceful ? SIGTERM : SIGQUIT);
    kill_timer_.expires_after(config_.graceful_timeout);
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
    if (!supervisor_.empty()) return;
    for (const auto& l : listeners_) l.remove_socket_file();
    if (!config_.pid.empty()) ::unlink(config_.pid.c_str());
    spdlog::info("Shutting down: {}", exit_code_ == 0 ? "done" : "halted");
    io_.stop();
}

} // namespace hornet
