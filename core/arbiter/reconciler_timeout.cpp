// The heartbeat-timeout step of reconcile(): a worker whose heartbeat is
// older than `timeout` is first asked for a stack dump (dump::request_signal),
// gets up to dump_timeout to send it, and then ABRT, then KILL after a grace;
// it is replaced once reaped. The dump itself is read and logged by the
// Arbiter (arbiter_dump.cpp), which calls dump_arrived(): the kill then
// comes at once, not at the end of dump_timeout.
//
// The tick (250 ms) sees the stale beat and the end of dump_timeout, so a
// hung worker gets ABRT at most timeout + dump_timeout + two ticks after
// its last beat, and KILL at most abort_grace_ms + a tick later if ABRT
// did not end it.
#include "arbiter/reconciler.hpp"

#include <csignal>

#include <spdlog/spdlog.h>

#include "worker/dump_protocol.hpp"

namespace hornet {
namespace {

// After ABRT, how long a timed-out worker gets before KILL.
constexpr std::int64_t abort_grace_ms = 2000;

// What a worker was doing when its heartbeat went stale, for the log.
std::string activity(const ScoreboardSlot& s) {
    if (s.state.load() == WorkerState::booting) return "booting";
    auto open = s.connections.load();
    std::string doing = open > 0 ? "serving (" + std::to_string(open) + " open connection(s))" : "idle";
    return doing + ", " + std::to_string(s.requests.load()) + " request(s) served";
}

} // namespace

// A worker beats while it waits for work; one that neither beats nor
// finishes within `timeout` (a hung app, a boot that never ends) is dumped,
// then killed.
void Reconciler::murder_stale_workers() {
    const std::int64_t now = system_.now_ms();
    for (auto& [pid, w] : workers_.workers()) {
        if (w.aborted_at_ms) {
            if (now - w.aborted_at_ms > abort_grace_ms) workers_.signal(pid, SIGKILL);
            continue;
        }
        if (w.dump_asked_at_ms) {
            await_dump(pid, w, now);
            continue;
        }
        const auto timeout = plans_.at(w.generation).timeout_ms;
        const auto silent = now - workers_.slot_of(w).last_beat_ms.load();
        if (timeout == 0 || silent <= timeout) continue;
        ++restarts_.timeout;
        const std::string what = activity(workers_.slot_of(w));
        if (plans_.at(w.generation).dump_timeout_ms <= 0) {
            spdlog::critical("Worker timeout (pid: {}): no heartbeat for {} ms while {}; sending ABRT", pid, silent,
                             what);
            abort_worker(pid, w, now);
            continue;
        }
        spdlog::critical("Worker timeout (pid: {}): no heartbeat for {} ms while {}; asking for a stack dump", pid,
                         silent, what);
        ask_for_dump(pid, w, now);
    }
}

void Reconciler::ask_for_dump(pid_t pid, WorkerRecord& w, std::int64_t now) {
    workers_.signal(pid, dump::request_signal);
    w.dump_asked_at_ms = now;
}

// The dump came in: ABRT now. None within dump_timeout: say so, ABRT now.
void Reconciler::await_dump(pid_t pid, WorkerRecord& w, std::int64_t now) {
    const auto limit = plans_.at(w.generation).dump_timeout_ms;
    if (!w.dump_arrived && now - w.dump_asked_at_ms < limit) return;
    if (w.dump_arrived)
        spdlog::critical("Worker timeout (pid: {}): stack dump logged; sending ABRT", pid);
    else
        spdlog::critical("Worker {}: no stack dump within {} ms; killing it (ABRT)", pid, limit);
    abort_worker(pid, w, now);
}

void Reconciler::abort_worker(pid_t pid, WorkerRecord& w, std::int64_t now) {
    workers_.signal(pid, SIGABRT);
    w.aborted_at_ms = now;
}

void Reconciler::dump_arrived(pid_t pid) {
    auto it = workers_.workers().find(pid);
    if (it != workers_.workers().end() && it->second.dump_asked_at_ms) it->second.dump_arrived = true;
}

bool Reconciler::awaiting_dump(pid_t pid) {
    auto it = workers_.workers().find(pid);
    return it != workers_.workers().end() && it->second.dump_asked_at_ms && !it->second.aborted_at_ms;
}

} // namespace hornet
