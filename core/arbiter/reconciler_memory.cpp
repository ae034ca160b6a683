// The memory step of reconcile(): at memory_check_interval, read every
// worker's RSS (or PSS) through System. Past max_worker_memory_hard a worker
// is killed at once and replaced; the readings let
// start_recycling replace a worker past max_worker_memory the way
// max_requests does: replacement first, one at a time, then a graceful exit.
#include "arbiter/reconciler.hpp"

#include <algorithm>
#include <csignal>

#include <spdlog/spdlog.h>

namespace hornet {
namespace {

bool limited(const WorkerPlan& p) { return p.max_worker_memory != 0 || p.max_worker_memory_hard != 0; }

} // namespace

std::string memory_text(std::uint64_t bytes) { return fmt::format("{:.1f} MiB", bytes / 1048576.0); }

const char* metric_name(MemoryMetric m) { return m == MemoryMetric::pss ? "PSS" : "RSS"; }

std::string describe(const RestartCounts& c) {
    std::string out;
    auto add = [&out](std::uint64_t n, const char* reason) {
        if (n != 0) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + reason;
    };
    add(c.max_requests, "max_requests");
    add(c.max_worker_memory, "max_worker_memory");
    add(c.max_worker_memory_hard, "max_worker_memory_hard");
    add(c.timeout, "timeout");
    add(c.died, "died");
    add(c.reload, "reload");
    return out.empty() ? "none" : out;
}

void Reconciler::check_memory() {
    if (!memory_due()) return;
    for (auto& [pid, w] : workers_.workers()) measure(pid, w);
}

// Every generation with a limit counts; the serving one sets the pace.
bool Reconciler::memory_due() {
    if (std::none_of(plans_.begin(), plans_.end(), [](const auto& p) { return limited(p.second); })) return false;
    const std::int64_t now = system_.now_ms();
    if (memory_.ever && now - memory_.last_ms < plans_.at(active_).memory_check_interval_ms) return false;
    memory_ = {now, true};
    return true;
}

void Reconciler::measure(pid_t pid, WorkerRecord& w) {
    const WorkerPlan& plan = plans_.at(w.generation);
    if (w.memory_killed || !limited(plan)) return;
    auto bytes = system_.memory_bytes(pid, plan.memory_metric);
    if (!bytes) return; // gone meanwhile: reap will tell
    w.memory_bytes = *bytes;
    if (plan.max_worker_memory_hard == 0 || *bytes <= plan.max_worker_memory_hard) return;
    spdlog::error("Worker with pid {} uses {} ({}), past max_worker_memory_hard {}: killing it", pid,
                  memory_text(*bytes), metric_name(plan.memory_metric), memory_text(plan.max_worker_memory_hard));
    workers_.signal(pid, SIGKILL);
    // On its way out: no longer serving, so manage_workers replaces it now
    // rather than once it is reaped, and nothing asks it to leave again.
    w.retiring = true;
    w.memory_killed = true;
    ++restarts_.max_worker_memory_hard;
}

bool Reconciler::over_soft_limit(const WorkerRecord& w) const {
    const std::uint64_t limit = plans_.at(w.generation).max_worker_memory;
    return limit != 0 && w.memory_bytes > limit;
}

} // namespace hornet
