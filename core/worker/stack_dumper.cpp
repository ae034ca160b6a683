// The dump thread and the request signal's handler; see stack_dumper.hpp.
#include "worker/stack_dumper.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <pthread.h>
#include <stdexcept>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>

#include "worker/dump_protocol.hpp"
#include "worker/dump_report.hpp"
#include "worker/stack_capture.hpp"

namespace hornet::stack_dumper {
namespace {

struct State {
    int wake_read = -1;
    int wake_write = -1;
    int out_fd = -1;
    int app_fd = -1; // memfd for the app's part
    Identity who;
    std::atomic<const hornet_app_t*> app{nullptr};
    std::atomic<void*> instance{nullptr};
    std::atomic<bool> in_app{false}; // the dump thread is inside dump_stacks
    std::atomic<int> in_handler{0};  // threads inside on_request
};
State state;

// Async-signal-safe: one write to a non-blocking pipe (a full pipe means a
// dump is due anyway).
void on_request(int) {
    const int saved = errno;
    state.in_handler.fetch_add(1);
    const char byte = 1;
    [[maybe_unused]] auto n = ::write(state.wake_write, &byte, 1);
    state.in_handler.fetch_sub(1);
    errno = saved;
}

// The thread that took the request signal may not have left its handler
// yet (the dump thread's wake-up can preempt it): a moment for it to do
// so, lest its stack show the handler rather than where it was.
void let_the_handler_return() {
    for (int i = 0; i < 50 && state.in_handler.load() != 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

// Requests that came in together get one dump.
bool wait_for_request() {
    char drain[64];
    const ssize_t n = ::read(state.wake_read, drain, sizeof drain);
    return n > 0 || (n < 0 && errno == EINTR);
}

// The app's part, while set_app waits: the app is not torn down under it.
std::string app_part() {
    struct InApp {
        InApp() { state.in_app.store(true); }
        ~InApp() { state.in_app.store(false); }
    } guard;
    return app_stacks(state.app.load(), state.instance.load(), state.app_fd);
}

void answer() {
    const DumpSubject subject{.generation = state.who.generation, .worker_id = state.who.worker_id,
                              .app_part = app_part};
    std::string text;
    try {
        text = dump_report(subject);
    } catch (...) {
        text = "worker " + std::to_string(::getpid()) + ": the dump failed (out of memory?)\n";
    }
    dump::write_dump(state.out_fd, ::getpid(), text);
}

void run() {
    ::pthread_setname_np(::pthread_self(), "hornet-dump");
    stack_capture::install(); // in this thread too: its backtrace() warm-up
    while (wait_for_request()) {
        let_the_handler_return();
        answer();
    }
}

void handle_requests() {
    struct sigaction sa{};
    sa.sa_handler = on_request;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(dump::request_signal, &sa, nullptr);
}

} // namespace

void start(int out_fd, Identity who) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("cannot create the dump wake pipe");
    ::fcntl(fds[1], F_SETFL, O_NONBLOCK); // the handler never blocks; the thread does
    state.wake_read = fds[0];
    state.wake_write = fds[1];
    state.out_fd = out_fd;
    state.who = who;
    state.app_fd = ::memfd_create("hornet-dump-app", MFD_CLOEXEC);
    stack_capture::install();
    handle_requests();
    // Created while every signal is blocked, the thread keeps them blocked:
    // no handler ever runs on it, and process signals go to the others.
    std::thread(run).detach();
}

void set_app(const hornet_app_t* app, void* instance) {
    state.app.store(nullptr);
    while (state.in_app.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    state.instance.store(instance);
    state.app.store(app);
}

} // namespace hornet::stack_dumper
