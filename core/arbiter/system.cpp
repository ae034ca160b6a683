// The real system calls of the arbiter; see system.hpp.
#include "arbiter/system.hpp"

#include <csignal>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "process/signals_blocked.hpp"
#include "scoreboard/scoreboard.hpp"

namespace hornet {

pid_t PosixSystem::fork_worker(const std::function<void()>& child) {
    SignalsBlocked blocked;
    pid_t pid = ::fork();
    if (pid != 0) return pid;
    child();
    ::_exit(1); // child never returns; this is belt and braces
}

void PosixSystem::kill(pid_t pid, int sig) { ::kill(pid, sig); }

pid_t PosixSystem::reap_one(int& status) { return ::waitpid(-1, &status, WNOHANG); }

std::int64_t PosixSystem::now_ms() { return Scoreboard::now_ms(); }

namespace {

// statm's second field: resident pages.
std::optional<std::uint64_t> rss_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/statm");
    std::uint64_t size = 0, resident = 0;
    if (!(in >> size >> resident)) return std::nullopt;
    return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

// smaps_rollup's "Pss:  1234 kB" line (Linux 4.14 and later).
std::optional<std::uint64_t> pss_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
    std::string key;
    std::uint64_t kib = 0;
    while (in >> key) {
        if (key == "Pss:" && in >> kib) return kib * 1024;
        in.ignore(4096, '\n');
    }
    return std::nullopt;
}

} // namespace

std::optional<std::uint64_t> PosixSystem::memory_bytes(pid_t pid, MemoryMetric metric) {
    return metric == MemoryMetric::pss ? pss_of(pid) : rss_of(pid);
}

} // namespace hornet
