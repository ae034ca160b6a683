// The arbiter's decisions, in one place. The Arbiter turns every event (a
// signal, a child's exit, a scoreboard wake-up, the tick, the kill timer)
// into its immediate action here (stop, scale, begin a reload) and then calls
// reconcile(), which compares the workers there are with the workers there
// should be and acts, always in the same order (see reconcile() in
// reconciler.cpp). Nothing here forks, binds or loads: workers go through
// Supervisor and System, everything else through ArbiterShell, so
// tests/unit/arbiter drives this very code against fakes.
//
// reconciler.cpp (reconcile, reap and boot failures, scaling, stop),
// reconciler_workers.cpp (worker count, recycling, retiring generations),
// reconciler_timeout.cpp (heartbeat timeouts: a stack dump, then ABRT),
// reconciler_memory.cpp (max_worker_memory), reconciler_reload.cpp (a
// reload's promotion or abort). Arbiter thread only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>

#include "arbiter/supervisor.hpp"
#include "arbiter/system.hpp"

namespace hornet {

// What the decisions need of a generation: its Config's numbers.
struct WorkerPlan {
    std::string name;             // "generation 2 (worker sync, app hello 1.0)", for the log
    unsigned workers = 1;         // config.workers, moved by TTIN/TTOU/WINCH
    std::int64_t timeout_ms = 0;  // heartbeat timeout, and a reload's boot budget; 0 = none
    std::int64_t dump_timeout_ms = 2000; // a timed-out worker's time to send its stack dump; 0 = no dump
    std::int64_t graceful_timeout_ms = 30000;
    std::uint64_t max_requests = 0; // 0 = never recycle
    std::uint64_t max_requests_jitter = 0;
    std::uint64_t max_worker_memory = 0;      // bytes; past it a worker is recycled; 0 = no limit
    std::uint64_t max_worker_memory_hard = 0; // bytes; past it a worker is killed at once; 0 = no limit
    MemoryMetric memory_metric = MemoryMetric::rss;
    std::int64_t memory_check_interval_ms = 1000;
};

// Why workers were replaced since start, for the log, `ctl status` and
// metrics, each counted where it is decided. A worker asked to leave by
// TTOU, WINCH or a stop is no restart and is not counted.
struct RestartCounts {
    std::uint64_t max_requests = 0;           // recycled at its quota
    std::uint64_t max_worker_memory = 0;      // recycled past the soft limit
    std::uint64_t max_worker_memory_hard = 0; // killed past the hard limit
    std::uint64_t timeout = 0;                // heartbeat went stale: a stack dump, then ABRT
    std::uint64_t died = 0;                   // exited on its own after it was ready
    std::uint64_t reload = 0;                 // replaced by a reload's new generation
};

// The reloads since start (HUP), for metrics.
struct ReloadCounts {
    std::uint64_t succeeded = 0;
    std::uint64_t failed = 0;
    bool last_succeeded = true;       // no reload yet counts as a success
    std::int64_t last_unix_ms = 0;    // when the last one ended; 0: none yet
};
// "2 max_requests, 1 max_worker_memory" (reasons with a count), or "none".
std::string describe(const RestartCounts& counts);

// How a reload ended, for whoever asked for it (`hornet ctl reload`).
struct ReloadOutcome {
    std::uint32_t generation = 0; // the new generation; 0 when none was built
    std::string error;            // "" when it serves now; else the line the log shows
};

// What the Reconciler asks of the Arbiter: the parts that own generations,
// sockets, the process title and the event loop.
class ArbiterShell {
public:
    virtual ~ArbiterShell() = default;
    // In the forked child: become a worker of `generation`; never returns.
    virtual void run_worker(std::uint32_t generation, ScoreboardSlot& slot, int worker_id) = 0;
    // A child that is not a worker exited (the new arbiter of an upgrade).
    virtual void on_other_child(pid_t pid, int status) = 0;
    // A reload was promoted: another generation serves now.
    virtual void on_promoted() = 0;
    // The reload ended: promoted, or dropped (called before reload()).
    virtual void on_reload_finished(const ReloadOutcome& outcome) = 0;
    // A HUP came in during the reload that just ended: reload again.
    virtual void reload() = 0;
    // The generation has no worker left and will never get one: close it.
    virtual void drop_generation(std::uint32_t generation) = 0;
    // Call reconcile() again at this time (the end of graceful_timeout).
    virtual void wake_at(std::int64_t ms) = 0;
    // Stopped, and the last worker is gone: leave the loop.
    virtual void on_stopped() = 0;
};

// "612.3 MiB", for the memory log lines; "RSS" or "PSS".
std::string memory_text(std::uint64_t bytes);
const char* metric_name(MemoryMetric metric);

class Reconciler {
public:
    Reconciler(Supervisor& workers, System& system, ArbiterShell& shell)
        : workers_(workers), system_(system), shell_(shell) {}

    // The first generation serves; reconcile() spawns its workers.
    void serve(std::uint32_t generation, WorkerPlan plan);
    // HUP: boot `generation` beside the serving one. reconcile() promotes it
    // once every new worker is ready, or drops it. With `cutover` (a listener
    // switches between plain and TLS) the serving generation stops accepting
    // first: TERM now, not at the promotion, and no replacement for its
    // workers meanwhile, so no connection that the new workers could take is
    // served with the old scheme (new ones wait in the backlog while they
    // boot). Dropped, the new generation gives way to the old one's workers
    // again.
    void begin_reload(std::uint32_t generation, WorkerPlan plan, bool cutover = false);
    bool reloading() const { return reload_.incoming.has_value(); }
    std::optional<std::uint32_t> incoming() const { return reload_.incoming; }
    void reload_again() { reload_.again = true; } // a HUP during a reload

    // TTIN, TTOU (never below one) and `ctl scale N`: the serving
    // generation's size. Each returns "" when done, else why not (nothing
    // changed then).
    std::string add_worker();
    std::string remove_worker();
    std::string scale_to(unsigned workers);
    // The most workers scale_to allows: half the scoreboard, so that a
    // reload's new generation fits beside the serving one.
    unsigned max_workers() const { return static_cast<unsigned>(workers_.capacity() / 2); }
    void stop_workers();  // WINCH: the arbiter stays
    void stop(bool graceful); // TERM graceful; INT, QUIT fast

    // After every event; see reconciler.cpp for the order of the steps.
    void reconcile();

    std::uint32_t active() const { return active_; }
    const WorkerPlan& plan(std::uint32_t generation) const { return plans_.at(generation); }
    bool stopping() const { return stop_.requested; }
    // Is every worker the serving generation should have up and ready?
    bool serving_ready() const;
    int exit_code() const { return stop_.exit_code; }
    // A worker's stack dump came in (the Arbiter read it from the dump
    // pipe): a worker that timed out is killed at the next reconcile().
    void dump_arrived(pid_t pid);
    // Is pid a timed-out worker whose dump the arbiter waits for?
    bool awaiting_dump(pid_t pid);
    const RestartCounts& restarts() const { return restarts_; }
    const ReloadCounts& reloads() const { return reloads_; }
    // A reload failed before any new worker started (a bad config).
    void note_reload_failed() { count_reload(false); }

private:
    // A reload's new generation, booting beside the serving one.
    struct Reload {
        std::optional<std::uint32_t> incoming;
        std::int64_t deadline_ms = 0; // aborted if not all ready by then
        bool again = false;           // a HUP came in meanwhile
        bool cutover = false;         // the serving generation already left
    };
    // One worker at its max_requests at a time, awaiting its replacement:
    // it serves, not retiring, until the replacement is ready.
    struct Recycling {
        std::optional<pid_t> old;
        pid_t replacement = 0;
        std::uint64_t RestartCounts::*reason = nullptr; // counted once the old one leaves
    };
    // When the workers' memory was last read (max_worker_memory).
    struct MemoryCheck {
        std::int64_t last_ms = 0;
        bool ever = false;
    };
    // Workers of the serving generation dying before they are ready.
    struct BootBackoff {
        int failures = 0;           // in a row
        std::int64_t pause_ms = 0;  // after the last one; doubles up to 30 s
        std::int64_t resume_ms = 0; // no forks before this
    };
    struct Stop {
        bool requested = false;
        bool finished = false;       // on_stopped() was called
        std::int64_t kill_at_ms = 0; // end of graceful_timeout
        bool killed = false;         // KILL was sent
        int exit_code = 0;
    };

    // reconciler.cpp: the steps, and what they share
    void reap();
    void log_exit(const WorkerExit& exit) const;
    void note_boot(const WorkerExit& exit);
    void halt(const std::string& reason, int code);
    void announce_ready_workers();
    void advance_stop();

    // reconciler_reload.cpp
    void advance_reload();
    void promote_incoming();
    void retire_serving(std::uint32_t generation);
    void abort_reload(const std::string& why);
    void count_reload(bool succeeded);

    // reconciler_workers.cpp
    pid_t spawn_worker(std::uint32_t generation);
    void recycle();
    void start_recycling();
    bool start_recycling(pid_t pid, const WorkerRecord& w);
    void advance_recycling();
    const WorkerRecord* live(pid_t pid);
    std::size_t active_size();
    void retire_generations();
    void manage_workers();
    void retire_newest();

    // reconciler_timeout.cpp
    void murder_stale_workers();
    void ask_for_dump(pid_t pid, WorkerRecord& w, std::int64_t now);
    void await_dump(pid_t pid, WorkerRecord& w, std::int64_t now);
    void abort_worker(pid_t pid, WorkerRecord& w, std::int64_t now);

    // reconciler_memory.cpp
    void check_memory();
    bool memory_due();
    void measure(pid_t pid, WorkerRecord& w);
    bool over_soft_limit(const WorkerRecord& w) const;

    Supervisor& workers_;
    System& system_;
    ArbiterShell& shell_;
    std::map<std::uint32_t, WorkerPlan> plans_; // every generation with workers, or serving
    std::uint32_t active_ = 0;                  // the generation serving now
    Reload reload_;
    Recycling recycling_;
    BootBackoff boot_;
    MemoryCheck memory_;
    RestartCounts restarts_;
    ReloadCounts reloads_;
    Stop stop_;
};

} // namespace hornet
