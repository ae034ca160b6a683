// USR2: a binary upgrade without a dropped connection (Gunicorn's and
// nginx's). The arbiter forks and execs the hornet binary anew with the same
// arguments, handing it the listening sockets by fd number in HORNET_FDS; the
// new arbiter adopts them instead of binding and starts its own workers. The
// old pid file gets a ".oldbin" suffix, and so does the old control socket
// (renamed before the fork, so the new arbiter finds the path free and binds
// its own there: `hornet ctl` then talks to the new one, and
// `--socket PATH.oldbin` to the old). Both serve until the operator sends
// TERM to the old one (or to the new one, to roll back).
#include "arbiter/arbiter.hpp"

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "listen/inherited_sockets.hpp"
#include "process/signals_blocked.hpp"

extern char** environ;

namespace hornet {
namespace {

std::string join(const std::vector<int>& fds) {
    std::string out;
    for (int fd : fds) {
        if (!out.empty()) out += ',';
        out += std::to_string(fd);
    }
    return out;
}

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_new_arbiter(const std::vector<char*>& argv, const std::vector<int>& fds) {
    for (int fd : fds) ::fcntl(fd, F_SETFD, 0); // keep the sockets across exec
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr); // a blocked mask would survive exec
    ::execve(argv[0], argv.data(), environ);
    ::_exit(127);
}

} // namespace

void Arbiter::handle_usr2() {
    if (reconciler_.stopping()) return;
    if (upgrade_.child) {
        spdlog::warn("An upgrade is already running (new arbiter pid {}); USR2 ignored", upgrade_.child);
        return;
    }
    upgrade();
}

void Arbiter::upgrade() {
    const std::vector<int> fds = pool_.fds();
    ::setenv(upgrade_fds_variable, join(fds).c_str(), 1);
    std::vector<std::string> args = start_.argv;
    args[0] = start_.executable;
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    control_.step_aside();
    {
        SignalsBlocked blocked;
        pid = ::fork();
        if (pid == 0) exec_new_arbiter(argv, fds);
    }
    ::unsetenv(upgrade_fds_variable);
    if (pid < 0) {
        control_.step_back();
        spdlog::error("Upgrade failed: cannot fork");
        return;
    }
    upgrade_.child = pid;
    const std::string& pidfile = active().config.pid;
    if (!pidfile.empty()) std::rename(pidfile.c_str(), (pidfile + ".oldbin").c_str());
    spdlog::info("Upgrading: started a new arbiter with pid {} ({})", pid, start_.executable);
}

// The new arbiter went away: the upgrade failed or was rolled back, so this
// arbiter is the one again.
void Arbiter::on_upgrade_exit(int status) {
    spdlog::warn("The new arbiter (pid {}) exited with status {}; this one carries on", upgrade_.child,
                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    upgrade_.child = 0;
    const std::string& pidfile = active().config.pid;
    if (!pidfile.empty()) std::rename((pidfile + ".oldbin").c_str(), pidfile.c_str());
    control_.step_back();
}

} // namespace hornet
