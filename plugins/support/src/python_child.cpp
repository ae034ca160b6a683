// A Python script in a child process; see hornet/support/python_child.hpp.
#include "hornet/support/python_child.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace hornet::support {
namespace {

constexpr int kExecFailed = 127;

// Between fork and exec only async-signal-safe calls: the caller may have
// threads (a worker type's) whose locks the child inherits held.
[[noreturn]] void become_python(const char* python, char* const* argv, int channel) {
    if (channel != 3) {
        if (::dup2(channel, 3) < 0) ::_exit(kExecFailed);
    } else {
        ::fcntl(3, F_SETFD, 0); // keep it across exec
    }
    ::syscall(SYS_close_range, 4u, ~0u, 0u); // the arbiter's sockets, pipes and logs are not python's
    struct sigaction dfl{};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(python, argv);
    ::_exit(kExecFailed);
}

std::string read_all(int fd, int timeout_ms, bool& timed_out) {
    std::string out;
    char buf[4096];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::max<long>(0, left.count())));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) {
            timed_out = ready == 0;
            return out;
        }
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return out;
        out.append(buf, static_cast<size_t>(n));
    }
}

} // namespace

pid_t spawn_python(const std::string& python, const std::string& script, const std::vector<std::string>& args,
                   int channel) {
    std::vector<char*> argv{const_cast<char*>(python.c_str()), const_cast<char*>("-c"),
                            const_cast<char*>(script.c_str())};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) become_python(python.c_str(), argv.data(), channel);
    return pid;
}

PythonRun run_python(const std::string& python, const std::string& script, const std::vector<std::string>& args,
                     int timeout_ms) {
    PythonRun run;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return run;
    const pid_t pid = spawn_python(python, script, args, fds[1]);
    ::close(fds[1]);
    if (pid < 0) {
        ::close(fds[0]);
        return run;
    }
    run.output = read_all(fds[0], timeout_ms, run.timed_out);
    ::close(fds[0]);
    if (run.timed_out) ::kill(pid, SIGKILL);
    while (::waitpid(pid, &run.status, 0) < 0 && errno == EINTR) {
    }
    run.ran = !(WIFEXITED(run.status) && WEXITSTATUS(run.status) == kExecFailed && run.output.empty());
    return run;
}

} // namespace hornet::support
