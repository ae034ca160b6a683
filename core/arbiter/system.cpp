// The real system calls of the arbiter; see system.hpp.
#include "arbiter/system.hpp"

#include <csignal>
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

} // namespace hornet
