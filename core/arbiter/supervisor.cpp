#include "arbiter/supervisor.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <set>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace hornet {
namespace {

// Blocks every signal for its lifetime; the child unblocks once its own
// handlers are in place.
class AllSignalsBlocked {
public:
    AllSignalsBlocked() {
        sigset_t all;
        sigfillset(&all);
        ::sigprocmask(SIG_BLOCK, &all, &saved_);
    }
    ~AllSignalsBlocked() { ::sigprocmask(SIG_SETMASK, &saved_, nullptr); }

private:
    sigset_t saved_;
};

} // namespace

Supervisor::Supervisor(Scoreboard& board, ChildMain child_main)
    : board_(board), child_main_(std::move(child_main)) {}

int Supervisor::free_worker_id() const {
    std::set<int> used;
    for (const auto& [pid, w] : workers_) used.insert(w.worker_id);
    int id = 1;
    while (used.count(id)) ++id;
    return id;
}

pid_t Supervisor::spawn(std::uint32_t generation) {
    int slot = board_.claim(generation);
    if (slot < 0) throw std::runtime_error("the scoreboard is full");
    int worker_id = free_worker_id();
    AllSignalsBlocked blocked;
    pid_t pid = ::fork();
    if (pid < 0) {
        board_.release(slot);
        throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    }
    if (pid == 0) {
        child_main_(board_.slot(slot), worker_id, generation);
        ::_exit(1); // child_main never returns; this is belt and braces
    }
    board_.slot(slot).pid.store(pid);
    workers_[pid] = Worker{slot, worker_id};
    return pid;
}

std::vector<WorkerExit> Supervisor::reap() {
    std::vector<WorkerExit> exits;
    for (;;) {
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0) break; // 0: none left to reap; -1/ECHILD: no children at all
        auto it = workers_.find(pid);
        if (it == workers_.end()) continue; // not ours (e.g. we are PID 1)
        ScoreboardSlot& s = board_.slot(it->second.slot);
        exits.push_back({pid, status, it->second.worker_id, s.state.load() == WorkerState::ready});
        board_.release(it->second.slot);
        workers_.erase(it);
    }
    return exits;
}

void Supervisor::signal_all(int sig) const {
    for (const auto& [pid, w] : workers_) ::kill(pid, sig);
}

} // namespace hornet
