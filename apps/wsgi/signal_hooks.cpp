// Chained INT, QUIT and ABRT handlers for worker_int and worker_abort; see
// signal_hooks.hpp.
#include "signal_hooks.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace hornet::wsgi {
namespace {

constexpr int kSignals[] = {SIGINT, SIGQUIT, SIGABRT};
int g_pipe[2] = {-1, -1};
struct sigaction g_old[NSIG];

bool is_function(const struct sigaction& sa) {
    return (sa.sa_flags & SA_SIGINFO) ? sa.sa_sigaction != nullptr
                                      : sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN;
}

void chain(int sig, siginfo_t* info, void* context) {
    const struct sigaction& old = g_old[sig];
    if (!is_function(old)) return;
    if (old.sa_flags & SA_SIGINFO) old.sa_sigaction(sig, info, context);
    else old.sa_handler(sig);
}

// Async-signal-safe: a write and the old handler (hornet's stop_signal is).
void on_signal(int sig, siginfo_t* info, void* context) {
    const int saved = errno;
    const char byte = static_cast<char>(sig);
    [[maybe_unused]] auto n = ::write(g_pipe[1], &byte, 1);
    chain(sig, info, context);
    errno = saved;
}

} // namespace

SignalHooks::SignalHooks(std::function<void(int)> on_signal_fn) : on_signal_(std::move(on_signal_fn)) {
    if (::pipe2(g_pipe, O_CLOEXEC) != 0) throw std::runtime_error("cannot create the pipe for worker_int");
    thread_ = std::thread([this] { run(); });
    struct sigaction sa{};
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int sig : kSignals) ::sigaction(sig, &sa, &g_old[sig]);
}

SignalHooks::~SignalHooks() {
    for (int sig : kSignals) ::sigaction(sig, &g_old[sig], nullptr);
    const char stop = 0; // after any signal's byte: a hook that came first runs first
    [[maybe_unused]] auto n = ::write(g_pipe[1], &stop, 1);
    if (thread_.joinable()) thread_.join();
    ::close(g_pipe[0]);
    ::close(g_pipe[1]);
    g_pipe[0] = g_pipe[1] = -1;
}

void SignalHooks::run() {
    bool interrupted = false;
    for (;;) {
        char sig = 0;
        const ssize_t n = ::read(g_pipe[0], &sig, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || sig == 0) return;
        if (sig == SIGABRT) {
            on_signal_(SIGABRT);
            if (is_function(g_old[SIGABRT])) continue; // that handler decided already
            ::signal(SIGABRT, SIG_DFL);
            ::raise(SIGABRT); // end as a timed-out worker ends
            return;
        }
        if (interrupted) continue;
        interrupted = true;
        on_signal_(sig);
    }
}

} // namespace hornet::wsgi
