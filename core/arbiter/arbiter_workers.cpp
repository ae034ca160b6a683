// The arbiter's worker bookkeeping: keep each generation at its size, reap
// and log exits, stop forking when workers cannot boot, kill workers whose
// heartbeat went stale, and recycle workers at max_requests one at a time.
#include "arbiter/arbiter.hpp"

#include <algorithm>
#include <csignal>
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
// After ABRT, how long a timed-out worker gets before KILL.
constexpr std::int64_t abort_grace_ms = 2000;

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

// What a worker was doing when its heartbeat went stale, for the log.
std::string activity(const ScoreboardSlot& s) {
    if (s.state.load() == WorkerState::booting) return "booting";
    auto open = s.connections.load();
    std::string doing = open > 0 ? "serving (" + std::to_string(open) + " open connection(s))" : "idle";
    return doing + ", " + std::to_string(s.requests.load()) + " request(s) served";
}

} // namespace

void Arbiter::on_child_exit() {
    auto exits = supervisor_.reap([this](pid_t pid, int status) { on_other_child(pid, status); });
    for (const WorkerExit& exit : exits) {
        log_exit(exit);
        if (!stopping_) note_boot(exit);
    }
    if (stopping_) return finish_if_stopped();
    advance_reload();
    advance_recycling();
    drop_finished_generations();
    manage_workers();
}

void Arbiter::log_exit(const WorkerExit& exit) const {
    bool clean = WIFEXITED(exit.status) && WEXITSTATUS(exit.status) == 0;
    auto level = (stopping_ || exit.retiring || clean) ? spdlog::level::info : spdlog::level::err;
    spdlog::log(level, "Worker with pid {} {}", exit.pid, describe(exit.status));
}

// A worker of the serving generation that cannot boot (its app fails to
// start, or it dies before it is ready, again and again) stops hornet when
// nothing of that generation serves: forking in a loop would help no one.
// While other workers still serve (say the app's files are being deployed
// under a running hornet), they keep serving and the arbiter retries with a
// growing pause instead. A reload's new generation failing aborts the reload
// instead (advance_reload).
void Arbiter::note_boot(const WorkerExit& exit) {
    if (exit.generation != active_ || exit.retiring) return;
    if (exit.was_ready) {
        boot_failures_ = 0;
        respawn_backoff_ms_ = 0;
        return;
    }
    bool cannot_boot = WIFEXITED(exit.status) && WEXITSTATUS(exit.status) == HORNET_EXIT_BOOT_FAILED;
    if (++boot_failures_ < max_boot_failures && !cannot_boot) return;
    std::size_t serving = ready_workers(active_);
    if (serving == 0)
        return halt(cannot_boot ? "Worker failed to boot (see the error above); stopping"
                                : std::to_string(boot_failures_) + " workers in a row died before serving; stopping",
                    HORNET_EXIT_BOOT_FAILED);
    respawn_backoff_ms_ = std::clamp<std::int64_t>(respawn_backoff_ms_ * 2, 1000, 30000);
    respawn_at_ms_ = Scoreboard::now_ms() + respawn_backoff_ms_;
    spdlog::error("A worker could not boot; {} worker(s) still serve; trying again in {} s", serving,
                  respawn_backoff_ms_ / 1000);
}

std::size_t Arbiter::ready_workers(std::uint32_t generation) {
    std::size_t n = 0;
    for (const auto& [pid, w] : supervisor_.workers())
        n += w.generation == generation && !w.retiring && supervisor_.slot_of(w).state.load() == WorkerState::ready;
    return n;
}

// A debug line per worker once it serves: boot lines say when a worker was
// forked, this one when its app is up (what a test or an operator waits for).
void Arbiter::announce_ready_workers() {
    for (auto& [pid, w] : supervisor_.workers()) {
        if (w.announced || supervisor_.slot_of(w).state.load() != WorkerState::ready) continue;
        w.announced = true;
        spdlog::debug("Worker with pid {} is ready", pid);
    }
}

void Arbiter::on_other_child(pid_t pid, int status) {
    if (pid == upgrade_child_) on_upgrade_exit(status);
}

void Arbiter::manage_workers() {
    if (stopping_) return;
    Generation& gen = active();
    bool backing_off = Scoreboard::now_ms() < respawn_at_ms_;
    while (!backing_off && supervisor_.serving(gen.id) < gen.target_workers) spawn_worker(gen);
    // TTOU or WINCH: the newest leave first.
    while (supervisor_.serving(gen.id) > gen.target_workers) {
        pid_t newest = 0;
        int highest = 0;
        for (const auto& [pid, w] : supervisor_.workers()) {
            if (w.generation != gen.id || w.retiring || w.worker_id <= highest) continue;
            newest = pid;
            highest = w.worker_id;
        }
        supervisor_.retire(newest);
    }
}

pid_t Arbiter::spawn_worker(Generation& gen) {
    auto quota = with_jitter(gen.config.max_requests, gen.config.max_requests_jitter);
    pid_t pid = supervisor_.spawn(gen.id, quota, [this, &gen](ScoreboardSlot& slot, int worker_id) {
        child_main(gen, slot, worker_id);
    });
    spdlog::info("Booting worker with pid: {}", pid);
    return pid;
}

void Arbiter::child_main(Generation& gen, ScoreboardSlot& slot, int worker_id) {
    run_worker_process(WorkerSpec{
        .config = gen.config,
        .listen_fds = gen.listen_fds,
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
    });
}

// A worker beats while it waits for work; one that neither beats nor
// finishes within `timeout` (a hung app, a boot that never ends) gets ABRT,
// then KILL, and is replaced when reaped.
void Arbiter::murder_stale_workers() {
    const std::int64_t now = Scoreboard::now_ms();
    for (auto& [pid, w] : supervisor_.workers()) {
        const ScoreboardSlot& s = supervisor_.slot_of(w);
        if (w.aborted_at_ms) {
            if (now - w.aborted_at_ms > abort_grace_ms) supervisor_.signal(pid, SIGKILL);
            continue;
        }
        const auto timeout = generations_.at(w.generation)->config.timeout.count();
        const auto silent = now - s.last_beat_ms.load();
        if (timeout == 0 || silent <= timeout) continue;
        spdlog::critical("Worker timeout (pid: {}): no heartbeat for {} ms while {}; sending ABRT", pid, silent,
                         activity(s));
        supervisor_.signal(pid, SIGABRT);
        w.aborted_at_ms = now;
    }
}

// One worker at its quota at a time: fork its replacement first, and only
// once that one is ready ask the old one to leave. No gap, no stampede.
void Arbiter::start_recycling() {
    if (recycling_ || incoming_ || stopping_) return;
    for (auto& [pid, w] : supervisor_.workers()) {
        const ScoreboardSlot& s = supervisor_.slot_of(w);
        if (w.generation != active_ || w.retiring || s.max_requests == 0 || s.requests.load() < s.max_requests)
            continue;
        spdlog::info("Worker with pid {} served {} requests (max_requests): replacing it", pid, s.requests.load());
        w.retiring = true; // not signalled yet: it serves until its replacement is ready
        recycling_ = pid;
        replacement_ = spawn_worker(active());
        return;
    }
}

void Arbiter::advance_recycling() {
    if (!recycling_) return;
    auto& workers = supervisor_.workers();
    auto it = workers.find(replacement_);
    bool replacement_ready = it != workers.end() && supervisor_.slot_of(it->second).state.load() == WorkerState::ready;
    if (it != workers.end() && !replacement_ready) return;
    supervisor_.retire(*recycling_); // replacement ready, or it died: either way, go
    recycling_.reset();
}

void Arbiter::drop_finished_generations() {
    bool dropped = false;
    for (auto it = generations_.begin(); it != generations_.end();) {
        bool current = it->first == active_ || (incoming_ && it->first == *incoming_);
        if (current || supervisor_.has_generation(it->first)) {
            ++it;
            continue;
        }
        spdlog::info("Retired {}", it->second->describe());
        it = generations_.erase(it);
        dropped = true;
    }
    if (dropped) pool_.prune(true);
}

void Arbiter::handle_ttou() {
    if (stopping_) return;
    if (active().target_workers <= 1) {
        spdlog::info("Workers: 1 (TTOU never goes below one)");
        return;
    }
    --active().target_workers;
    spdlog::info("Workers: {}", active().target_workers);
    manage_workers();
}

void Arbiter::handle_winch() {
    if (stopping_) return;
    spdlog::info("Stopping all workers; the arbiter stays (HUP starts them again)");
    active().target_workers = 0;
    manage_workers();
}

} // namespace hornet
