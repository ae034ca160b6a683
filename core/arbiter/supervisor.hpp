// The set of live workers: fork them, reap them, signal them, and know which
// generation each belongs to and whether it is on its way out.
//
// Supervisor knows pids, scoreboard slots, worker ids and generations; it does
// not decide when to spawn or stop (the Reconciler does). The system calls go
// through System, so tests run it against a fake. Arbiter thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>
#include <sys/types.h>

#include "arbiter/system.hpp"
#include "scoreboard/scoreboard.hpp"

namespace hornet {

struct WorkerExit {
    pid_t pid;
    int status; // as from waitpid
    std::uint32_t generation;
    bool was_ready; // had it told the arbiter it was serving?
    bool retiring;  // had the arbiter asked it to leave?
    bool killed;    // had the arbiter killed it (timeout, max_worker_memory_hard)?
};

struct WorkerRecord {
    int slot;
    int worker_id;
    std::uint32_t generation;
    bool retiring = false;          // asked to leave
    bool announced = false;         // its readiness was logged
    std::int64_t aborted_at_ms = 0; // when it was sent ABRT for a stale heartbeat
    std::uint64_t memory_bytes = 0; // the last reading of max_worker_memory's metric; 0 = none yet
    bool memory_killed = false;     // sent KILL past max_worker_memory_hard (and retiring)
    std::int64_t started_ms = 0;    // when it was forked (System::now_ms), for its age in `ctl status`
};

class Supervisor {
public:
    // Runs in the child and must not return (run_worker_process).
    using ChildMain = std::function<void(ScoreboardSlot& slot, int worker_id)>;

    Supervisor(Scoreboard& board, System& system) : board_(board), system_(system) {}

    // Forks one worker; returns its pid. Throws on failure.
    pid_t spawn(std::uint32_t generation, std::uint64_t max_requests, const ChildMain& child_main);
    // Every worker that has exited since the last call; also reaps (and
    // reports through `other`) children that are not workers.
    std::vector<WorkerExit> reap(const std::function<void(pid_t, int)>& other);

    // Asks a worker to leave (TERM) and marks it retiring.
    void retire(pid_t pid);
    void signal(pid_t pid, int sig) const;
    void signal_all(int sig) const;

    // Workers of a generation that are not on their way out.
    std::size_t serving(std::uint32_t generation) const;
    // Of those, the ones that have said they are ready.
    std::size_t ready(std::uint32_t generation) const;
    std::vector<pid_t> pids_of(std::uint32_t generation) const;
    bool has_generation(std::uint32_t generation) const;
    bool is_ready(const WorkerRecord& w) const { return board_.slot(w.slot).state.load() == WorkerState::ready; }

    std::map<pid_t, WorkerRecord>& workers() { return workers_; }
    ScoreboardSlot& slot_of(const WorkerRecord& w) const { return board_.slot(w.slot); }
    bool empty() const { return workers_.empty(); }
    // How many workers the scoreboard holds at most, all generations together.
    std::size_t capacity() const { return board_.size(); }

private:
    int free_worker_id(std::uint32_t generation) const;

    Scoreboard& board_;
    System& system_;
    std::map<pid_t, WorkerRecord> workers_;
};

} // namespace hornet
