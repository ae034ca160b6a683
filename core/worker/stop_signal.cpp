#include "worker/stop_signal.hpp"

#include <atomic>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace hornet::stop_signal {
namespace {

std::atomic<int> stop_mode{HORNET_STOP_NONE};
int wake_fd = -1;

void on_signal(int sig) {
    int saved = errno;
    request(sig == SIGTERM ? HORNET_STOP_GRACEFUL : HORNET_STOP_NOW);
    errno = saved;
}

void handle(int sig, void (*fn)(int)) {
    struct sigaction sa{};
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(sig, &sa, nullptr);
}

} // namespace

int install() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("cannot create the stop pipe");
    wake_fd = fds[1];
    handle(SIGTERM, on_signal);
    handle(SIGINT, on_signal);
    handle(SIGQUIT, on_signal);
    return fds[0];
}

int mode() { return stop_mode.load(std::memory_order_relaxed); }

// Async-signal-safe: an atomic max and a write.
void request(int mode) {
    int current = stop_mode.load();
    while (current < mode && !stop_mode.compare_exchange_weak(current, mode)) {
    }
    char byte = 1;
    [[maybe_unused]] auto n = ::write(wake_fd, &byte, 1);
}

} // namespace hornet::stop_signal
