// The set of live workers; see supervisor.hpp.
#include "arbiter/supervisor.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <set>
#include <stdexcept>

namespace hornet {

// Ids are per generation: a new generation numbers its workers from 1 again.
int Supervisor::free_worker_id(std::uint32_t generation) const {
    std::set<int> used;
    for (const auto& [pid, w] : workers_)
        if (w.generation == generation) used.insert(w.worker_id);
    int id = 1;
    while (used.count(id)) ++id;
    return id;
}

pid_t Supervisor::spawn(std::uint32_t generation, std::uint64_t max_requests, const ChildMain& child_main) {
    int slot = board_.claim(generation, system_.now_ms());
    if (slot < 0) throw std::runtime_error("the scoreboard is full");
    board_.slot(slot).max_requests = max_requests;
    int worker_id = free_worker_id(generation);
    pid_t pid = system_.fork_worker([&] { child_main(board_.slot(slot), worker_id); });
    if (pid < 0) {
        board_.release(slot);
        throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    }
    board_.slot(slot).pid.store(pid);
    WorkerRecord& w = workers_[pid] = WorkerRecord{slot, worker_id, generation};
    w.started_ms = system_.now_ms();
    return pid;
}

std::vector<WorkerExit> Supervisor::reap(const std::function<void(pid_t, int)>& other) {
    std::vector<WorkerExit> exits;
    for (;;) {
        int status = 0;
        pid_t pid = system_.reap_one(status);
        if (pid <= 0) break; // 0: none left to reap; -1/ECHILD: no children at all
        auto it = workers_.find(pid);
        if (it == workers_.end()) {
            other(pid, status); // a scratch or upgrade child, or we are PID 1
            continue;
        }
        const WorkerRecord& w = it->second;
        exits.push_back({pid, status, w.generation, is_ready(w), w.retiring, w.aborted_at_ms != 0 || w.memory_killed});
        board_.release(w.slot);
        workers_.erase(it);
    }
    return exits;
}

void Supervisor::retire(pid_t pid) {
    auto it = workers_.find(pid);
    if (it == workers_.end()) return;
    it->second.retiring = true;
    system_.kill(pid, SIGTERM);
}

void Supervisor::signal(pid_t pid, int sig) const { system_.kill(pid, sig); }

void Supervisor::signal_all(int sig) const {
    for (const auto& [pid, w] : workers_) system_.kill(pid, sig);
}

std::size_t Supervisor::serving(std::uint32_t generation) const {
    std::size_t n = 0;
    for (const auto& [pid, w] : workers_) n += (w.generation == generation && !w.retiring);
    return n;
}

std::size_t Supervisor::ready(std::uint32_t generation) const {
    std::size_t n = 0;
    for (const auto& [pid, w] : workers_) n += (w.generation == generation && !w.retiring && is_ready(w));
    return n;
}

std::vector<pid_t> Supervisor::pids_of(std::uint32_t generation) const {
    std::vector<pid_t> out;
    for (const auto& [pid, w] : workers_)
        if (w.generation == generation) out.push_back(pid);
    return out;
}

bool Supervisor::has_generation(std::uint32_t generation) const {
    for (const auto& [pid, w] : workers_)
        if (w.generation == generation) return true;
    return false;
}

} // namespace hornet
