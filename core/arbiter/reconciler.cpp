// The arbiter's loop body: reconcile() and the steps it shares, reaping
// exits (and halting when workers cannot boot), scaling and stopping. See
// reconciler.hpp.
#include "arbiter/reconciler.hpp"

#include <algorithm>
#include <csignal>
#include <string.h>
#include <sys/wait.h>

#include <hornet/worker.h>
#include <spdlog/spdlog.h>

#include "process/sd_notify.hpp"

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

} // namespace

// The whole of the arbiter's supervision, after every event, in this order:
//  1. reap: exits first, so that every later step sees the workers that are
//     really there (a worker that could not boot may halt, or pause forks);
//  2. announce the workers that became ready (a debug line);
//  3. advance the reload: promote the new generation once all its workers
//     are ready, or drop it; before recycling, which waits while a reload
//     runs and is reset by a promotion;
//  4. check memory at memory_check_interval: KILL a worker past
//     max_worker_memory_hard (replaced once reaped), note the others' figures;
//  5. recycle: retire the worker at max_requests or past max_worker_memory
//     once its replacement is ready, then start on the next one;
//  6. murder stale workers: ABRT, then KILL (replaced once reaped);
//  7. retire generations that neither serve nor boot, once their last
//     worker is gone;
//  8. manage the worker count of the serving generation, last among the
//     worker steps so it counts what the steps above spawned and retired;
//  9. advance the stop: KILL after graceful_timeout, leave once all are gone.
// A step that has nothing to do returns at once: running them all on every
// event costs nothing, and no event can forget one.
void Reconciler::reconcile() {
    reap();
    announce_ready_workers();
    advance_reload();
    check_memory();
    recycle();
    murder_stale_workers();
    retire_generations();
    manage_workers();
    advance_stop();
}

void Reconciler::serve(std::uint32_t generation, WorkerPlan plan) {
    plans_[generation] = std::move(plan);
    active_ = generation;
}

void Reconciler::reap() {
    auto exits = workers_.reap([this](pid_t pid, int status) { shell_.on_other_child(pid, status); });
    for (const WorkerExit& exit : exits) {
        log_exit(exit);
        if (stop_.requested) continue;
        note_boot(exit);
        if (exit.was_ready && !exit.retiring && !exit.killed) ++restarts_.died;
    }
}

void Reconciler::log_exit(const WorkerExit& exit) const {
    bool clean = WIFEXITED(exit.status) && WEXITSTATUS(exit.status) == 0;
    auto level = (stop_.requested || exit.retiring || clean) ? spdlog::level::info : spdlog::level::err;
    spdlog::log(level, "Worker with pid {} {}", exit.pid, describe(exit.status));
}

// A worker of the serving generation that cannot boot (its app fails to
// start, or it dies before it is ready, again and again) stops hornet when
// nothing of that generation serves: forking in a loop would help no one.
// While other workers still serve (say the app's files are being deployed
// under a running hornet), they keep serving and the arbiter retries with a
// growing pause instead. A reload's new generation failing aborts the reload
// instead (advance_reload).
void Reconciler::note_boot(const WorkerExit& exit) {
    if (exit.generation != active_ || exit.retiring) return;
    if (exit.was_ready) {
        boot_ = {};
        return;
    }
    bool cannot_boot = WIFEXITED(exit.status) && WEXITSTATUS(exit.status) == HORNET_EXIT_BOOT_FAILED;
    if (++boot_.failures < max_boot_failures && !cannot_boot) return;
    std::size_t serving = workers_.ready(active_);
    if (serving == 0)
        return halt(cannot_boot ? "Worker failed to boot (see the error above); stopping"
                                : std::to_string(boot_.failures) + " workers in a row died before serving; stopping",
                    HORNET_EXIT_BOOT_FAILED);
    boot_.pause_ms = std::clamp<std::int64_t>(boot_.pause_ms * 2, 1000, 30000);
    boot_.resume_ms = system_.now_ms() + boot_.pause_ms;
    spdlog::error("A worker could not boot; {} worker(s) still serve; trying again in {} s", serving,
                  boot_.pause_ms / 1000);
}

bool Reconciler::serving_ready() const {
    const auto plan = plans_.find(active_);
    return plan != plans_.end() && plan->second.workers > 0 && workers_.ready(active_) >= plan->second.workers;
}

void Reconciler::halt(const std::string& reason, int code) {
    spdlog::critical("{}", reason);
    stop_.exit_code = code;
    stop(false);
}

// A debug line per worker once it serves: boot lines say when a worker was
// forked, this one when its app is up (what a test or an operator waits for).
void Reconciler::announce_ready_workers() {
    for (auto& [pid, w] : workers_.workers()) {
        if (w.announced || !workers_.is_ready(w)) continue;
        w.announced = true;
        spdlog::debug("Worker with pid {} is ready", pid);
    }
}

std::string Reconciler::add_worker() {
    if (stop_.requested) return "hornet is stopping";
    return scale_to(plans_.at(active_).workers + 1);
}

std::string Reconciler::remove_worker() {
    if (stop_.requested) return "hornet is stopping";
    const unsigned n = plans_.at(active_).workers;
    if (n > 1) return scale_to(n - 1);
    spdlog::info("Workers: 1 (TTOU never goes below one)");
    return "the workers are at 1, and never go below one";
}

std::string Reconciler::scale_to(unsigned workers) {
    if (stop_.requested) return "hornet is stopping";
    if (workers < 1) return "the workers must be at least 1";
    if (workers > max_workers()) {
        const std::string why = std::to_string(workers) + " workers do not fit: at most " +
                                std::to_string(max_workers()) + " (half the scoreboard, to leave room for a reload)";
        spdlog::warn("Workers: {}", why);
        return why;
    }
    plans_.at(active_).workers = workers;
    spdlog::info("Workers: {}", workers);
    return "";
}

void Reconciler::stop_workers() {
    if (stop_.requested) return;
    spdlog::info("Stopping all workers; the arbiter stays (HUP starts them again)");
    plans_.at(active_).workers = 0;
}

// Graceful: TERM, and KILL for what is left after graceful_timeout. Fast:
// QUIT, with the same deadline. A fast stop may hurry a graceful one.
void Reconciler::stop(bool graceful) {
    if (stop_.requested && graceful) return;
    if (!stop_.requested) sd_notify("STOPPING=1");
    stop_.requested = true;
    workers_.signal_all(graceful ? SIGTERM : SIGQUIT);
    stop_.kill_at_ms = system_.now_ms() + plans_.at(active_).graceful_timeout_ms;
    stop_.killed = false;
    shell_.wake_at(stop_.kill_at_ms);
}

void Reconciler::advance_stop() {
    if (!stop_.requested || stop_.finished) return;
    if (workers_.empty()) {
        stop_.finished = true;
        return shell_.on_stopped();
    }
    if (stop_.killed || system_.now_ms() < stop_.kill_at_ms) return;
    spdlog::warn("Workers still running after graceful_timeout: killing them");
    workers_.signal_all(SIGKILL);
    stop_.killed = true;
}

} // namespace hornet
