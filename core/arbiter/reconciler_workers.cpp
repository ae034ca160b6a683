// The steps of reconcile() that keep workers healthy: recycle workers at
// max_requests or past max_worker_memory one at a time, close generations
// whose last worker is gone, and keep the serving generation at its size
// (with a pause while its workers cannot boot). Heartbeat timeouts are in
// reconciler_timeout.cpp.
#include "arbiter/reconciler.hpp"

#include <random>

#include <spdlog/spdlog.h>

namespace hornet {
namespace {

std::uint64_t with_jitter(std::uint64_t max_requests, std::uint64_t jitter) {
    if (max_requests == 0 || jitter == 0) return max_requests;
    static std::mt19937_64 rng{std::random_device{}()};
    return max_requests + std::uniform_int_distribution<std::uint64_t>(0, jitter)(rng);
}

bool at_quota(const ScoreboardSlot& s) { return s.max_requests != 0 && s.requests.load() >= s.max_requests; }

} // namespace

pid_t Reconciler::spawn_worker(std::uint32_t generation) {
    const WorkerPlan& plan = plans_.at(generation);
    auto quota = with_jitter(plan.max_requests, plan.max_requests_jitter);
    pid_t pid = workers_.spawn(generation, quota, [this, generation](ScoreboardSlot& slot, int worker_id) {
        shell_.run_worker(generation, slot, worker_id);
    });
    spdlog::info("Booting worker with pid: {}", pid);
    return pid;
}

void Reconciler::recycle() {
    if (stop_.requested) return;
    advance_recycling();
    start_recycling();
}

// One worker at its quota (or past max_worker_memory, by the figure that
// check_memory read) at a time: fork its replacement first, and only
// once that one is ready ask the old one to leave. No gap, no stampede. The
// old one is not retiring until then: it serves, and counts as serving when
// a replacement cannot boot. Replacements obey the boot back-off.
void Reconciler::start_recycling() {
    if (recycling_.old || reload_.incoming || system_.now_ms() < boot_.resume_ms) return;
    for (const auto& [pid, w] : workers_.workers())
        if (start_recycling(pid, w)) return;
}

bool Reconciler::start_recycling(pid_t pid, const WorkerRecord& w) {
    if (w.generation != active_ || !live(pid)) return false;
    const ScoreboardSlot& s = workers_.slot_of(w);
    if (at_quota(s)) {
        spdlog::info("Worker with pid {} served {} requests (max_requests): replacing it", pid, s.requests.load());
        recycling_.reason = &RestartCounts::max_requests;
    } else if (over_soft_limit(w)) {
        const WorkerPlan& plan = plans_.at(active_);
        spdlog::warn("Worker with pid {} uses {} ({}), past max_worker_memory {}: replacing it", pid,
                     memory_text(w.memory_bytes), metric_name(plan.memory_metric),
                     memory_text(plan.max_worker_memory));
        recycling_.reason = &RestartCounts::max_worker_memory;
    } else {
        return false;
    }
    recycling_.old = pid;
    recycling_.replacement = spawn_worker(active_);
    return true;
}

// The replacement ready: the old worker leaves. The replacement gone before
// it was ready (reap counted it as a boot failure): the old one serves on,
// and start_recycling tries again. The old one gone or told to leave by
// TTOU/WINCH: the replacement is an ordinary worker.
void Reconciler::advance_recycling() {
    if (!recycling_.old) return;
    const WorkerRecord* old = live(*recycling_.old);
    const WorkerRecord* fresh = live(recycling_.replacement);
    if (old && fresh && !workers_.is_ready(*fresh)) return;
    if (old && fresh) {
        workers_.retire(*recycling_.old);
        ++(restarts_.*recycling_.reason);
    }
    recycling_ = {};
}

// A worker that is there and not asked to leave, or null.
const WorkerRecord* Reconciler::live(pid_t pid) {
    auto& all = workers_.workers();
    auto it = all.find(pid);
    return it == all.end() || it->second.retiring ? nullptr : &it->second;
}

// The serving generation's size: a worker awaiting its replacement does not
// count, its replacement does.
std::size_t Reconciler::active_size() {
    const bool awaiting = recycling_.old && live(*recycling_.old) && live(recycling_.replacement);
    return workers_.serving(active_) - (awaiting ? 1 : 0);
}

// A generation that neither serves nor boots, once its last worker is gone.
// Not while stopping: the stop closes everything at once, and leaves the
// sockets to the new arbiter after an upgrade.
void Reconciler::retire_generations() {
    if (stop_.requested) return;
    for (auto it = plans_.begin(); it != plans_.end();) {
        const std::uint32_t id = it->first;
        if (id == active_ || id == reload_.incoming || workers_.has_generation(id)) {
            ++it;
            continue;
        }
        spdlog::info("Retired {}", it->second.name);
        it = plans_.erase(it);
        shell_.drop_generation(id);
    }
}

void Reconciler::manage_workers() {
    if (stop_.requested || reload_.cutover) return; // a cutover's old generation left on purpose
    const unsigned target = plans_.at(active_).workers;
    const bool backing_off = system_.now_ms() < boot_.resume_ms;
    while (!backing_off && active_size() < target) spawn_worker(active_);
    while (active_size() > target) retire_newest();
}

// TTOU or WINCH: the newest leave first.
void Reconciler::retire_newest() {
    pid_t newest = 0;
    int highest = 0;
    for (const auto& [pid, w] : workers_.workers()) {
        if (w.generation != active_ || w.retiring || w.worker_id <= highest) continue;
        newest = pid;
        highest = w.worker_id;
    }
    workers_.retire(newest);
}

} // namespace hornet
