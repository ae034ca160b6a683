#include "plugin/plugin_probe.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin/plugin_set.hpp"

namespace hornet {
namespace {

constexpr int probe_timeout_ms = 10000;

[[noreturn]] void probe_child(const Config& config, int report_fd) {
    std::string why;
    try {
        load_plugins(config);
    } catch (const std::exception& e) {
        why = e.what();
    }
    [[maybe_unused]] auto n = ::write(report_fd, why.data(), why.size());
    ::_exit(why.empty() ? 0 : 1);
}

// The child's report, until it closes the pipe (it exits); `hung` when it
// kept the pipe open past the timeout. A signal to the arbiter (SIGCHLD
// from a worker leaving meanwhile) interrupts poll(): that is no timeout.
std::string read_report(int fd, bool& hung) {
    std::string text;
    pollfd p{fd, POLLIN, 0};
    char buf[1024];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(probe_timeout_ms);
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        const int ready = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) break; // the timeout (or poll failed): a hung probe
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            hung = false;
            return text;
        }
        text.append(buf, static_cast<size_t>(n));
    }
    hung = true;
    return text;
}

std::string describe(int status) {
    if (WIFSIGNALED(status))
        return std::string("loading the plugins crashed the probe process (signal ") + sigabbrev_np(WTERMSIG(status)) + ")";
    return "loading the plugins failed (status " + std::to_string(WEXITSTATUS(status)) + ")";
}

} // namespace

std::optional<std::string> probe_plugins(const Config& config) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return "cannot create a pipe for the plugin probe";
    pid_t pid = ::fork();
    if (pid < 0) return "cannot fork the plugin probe";
    if (pid == 0) {
        ::close(fds[0]);
        probe_child(config, fds[1]);
    }
    ::close(fds[1]);
    bool hung = false;
    std::string report = read_report(fds[0], hung);
    ::close(fds[0]);
    // Only a hung probe is killed: one whose pipe closed is exiting, and a
    // KILL landing in its exit would make its status "killed".
    if (hung) ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!report.empty()) return report;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::nullopt;
    return describe(status);
}

} // namespace hornet
