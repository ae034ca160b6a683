// A reload's second half: the new generation's workers are booting beside
// the serving ones (the Arbiter built the generation, see arbiter_reload.cpp).
// Only when every new worker has said it is ready does the old generation get
// TERM; a new worker dying, or the boot budget running out, drops the new
// generation instead and the old one serves on as if nothing happened. A
// cutover (a listener changing scheme) retires the old generation first.
#include "arbiter/reconciler.hpp"

#include <chrono>
#include <csignal>
#include <utility>

#include <spdlog/spdlog.h>

#include "process/sd_notify.hpp"

namespace hornet {
namespace {

// How long a new generation may take to get every worker ready.
std::int64_t boot_budget_ms(const WorkerPlan& plan) { return plan.timeout_ms > 0 ? plan.timeout_ms : 30000; }

// With timeout 0 (never) the budget is not the timeout: say which it was.
std::string describe_budget(const WorkerPlan& plan) {
    const std::string ms = std::to_string(boot_budget_ms(plan)) + " ms";
    return plan.timeout_ms > 0 ? "timeout (" + ms + ")" : ms;
}

} // namespace

void Reconciler::begin_reload(std::uint32_t generation, WorkerPlan plan, bool cutover) {
    reload_.incoming = generation;
    reload_.deadline_ms = system_.now_ms() + boot_budget_ms(plan);
    reload_.cutover = cutover;
    if (cutover) retire_serving(active_);
    const unsigned n = plan.workers;
    plans_[generation] = std::move(plan);
    for (unsigned i = 0; i < n; ++i) spawn_worker(generation);
}

void Reconciler::advance_reload() {
    if (!reload_.incoming || stop_.requested) return;
    const WorkerPlan& plan = plans_.at(*reload_.incoming);
    if (workers_.pids_of(*reload_.incoming).size() < plan.workers)
        return abort_reload("a new worker exited before it was ready (see above)");
    if (workers_.ready(*reload_.incoming) >= plan.workers) return promote_incoming();
    if (system_.now_ms() > reload_.deadline_ms)
        abort_reload("the new workers were not ready within " + describe_budget(plan));
}

void Reconciler::promote_incoming() {
    const std::uint32_t old = std::exchange(active_, *reload_.incoming);
    reload_.incoming.reset();
    reload_.cutover = false;
    retire_serving(old);
    count_reload(true);
    recycling_ = {}; // it belonged to the old generation, now leaving anyway
    boot_ = {};
    spdlog::info("Reloaded: now serving {}; {} is stopping", plans_.at(active_).name, plans_.at(old).name);
    shell_.on_promoted();
    sd_notify("READY=1");
    shell_.on_reload_finished({active_, ""});
    if (std::exchange(reload_.again, false)) shell_.reload();
}

// Its workers that still serve leave (TERM: they finish what they hold).
void Reconciler::retire_serving(std::uint32_t generation) {
    for (pid_t pid : workers_.pids_of(generation)) {
        if (!live(pid)) continue;
        workers_.retire(pid);
        ++restarts_.reload;
    }
}

void Reconciler::abort_reload(const std::string& why) {
    const std::uint32_t failed = *reload_.incoming;
    const bool restart_old = reload_.cutover; // manage_workers() starts them again
    reload_ = {};
    for (pid_t pid : workers_.pids_of(failed)) {
        workers_.retire(pid);
        workers_.signal(pid, SIGQUIT); // they served nothing: no need to be gentle
    }
    const std::string line = "Reload failed: " + why + (restart_old ? "; serving again " : "; still serving ") +
                             plans_.at(active_).name;
    spdlog::error("{}", line);
    count_reload(false);
    sd_notify("READY=1");
    shell_.on_reload_finished({failed, line});
}

// Wall-clock time: a metric's timestamp, not a deadline.
void Reconciler::count_reload(bool succeeded) {
    ++(succeeded ? reloads_.succeeded : reloads_.failed);
    reloads_.last_succeeded = succeeded;
    reloads_.last_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
}

} // namespace hornet
