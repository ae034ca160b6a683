// The set of live workers: fork them, reap them, signal them.
//
// Supervisor knows pids, scoreboard slots and worker ids; it does not decide
// when to spawn or stop (the Arbiter does). Forking blocks every signal around
// fork() so that no handler of the arbiter's can run in the child before the
// child has installed its own. Arbiter thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>
#include <sys/types.h>

#include "scoreboard/scoreboard.hpp"

namespace hornet {

struct WorkerExit {
    pid_t pid;
    int status;     // as from waitpid
    int worker_id;
    bool was_ready; // had it told the arbiter it was serving?
};

class Supervisor {
public:
    // Runs in the child: must not return (run_worker_process).
    using ChildMain = std::function<void(ScoreboardSlot& slot, int worker_id, std::uint32_t generation)>;

    Supervisor(Scoreboard& board, ChildMain child_main);

    // Forks one worker of that generation; returns its pid. Throws on failure.
    pid_t spawn(std::uint32_t generation);
    // Every worker that has exited since the last call.
    std::vector<WorkerExit> reap();
    void signal_all(int sig) const;
    std::size_t size() const { return workers_.size(); }
    bool empty() const { return workers_.empty(); }

private:
    struct Worker {
        int slot;
        int worker_id;
    };
    int free_worker_id() const;

    Scoreboard& board_;
    ChildMain child_main_;
    std::map<pid_t, Worker> workers_;
};

} // namespace hornet
