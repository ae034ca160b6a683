// A thread's native stack, unwound by that thread in a signal handler; see
// stack_capture.hpp.
#include "worker/stack_capture.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <execinfo.h>
#include <fstream>
#include <string>
#include <pthread.h>
#include <sys/syscall.h>
#include <thread>
#include <ucontext.h>
#include <unistd.h>

namespace hornet::stack_capture {
namespace {

// Room for the handler's own frames and the signal trampoline above the
// interrupted ones.
constexpr int kSlack = 8;

enum Phase : int { idle, armed, writing, done };

// The one capture under way. The dump thread owns it while idle; an armed
// slot belongs to whichever of the two (handler or dump thread on a time
// out) moves it on first.
struct Slot {
    std::atomic<int> phase{idle};
    std::atomic<pid_t> target{0};
    void* frames[kMaxFrames + kSlack];
    int count = 0;
    std::uintptr_t pc = 0; // where the thread was interrupted, 0 if unknown
    std::uintptr_t pthread = 0;
};
Slot slot;

std::uintptr_t interrupted_pc(void* context) {
    const auto* uc = static_cast<const ucontext_t*>(context);
#if defined(__x86_64__)
    return static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
    return static_cast<std::uintptr_t>(uc->uc_mcontext.pc);
#else
    (void)uc;
    return 0;
#endif
}

// Async-signal-safe: a syscall, atomics, and backtrace() (warmed up).
void on_capture(int, siginfo_t*, void* context) {
    const int saved = errno;
    int expected = armed;
    if (slot.target.load() == static_cast<pid_t>(::syscall(SYS_gettid)) &&
        slot.phase.compare_exchange_strong(expected, writing)) {
        slot.pc = interrupted_pc(context);
        slot.pthread = static_cast<std::uintptr_t>(::pthread_self());
        slot.count = ::backtrace(slot.frames, kMaxFrames + kSlack);
        slot.phase.store(done);
    }
    errno = saved;
}

// The frames from the interrupted one outwards: the handler's and the
// trampoline's go. Without the interrupted pc, the two innermost go.
void take_frames(NativeStack& out) {
    void** begin = slot.frames;
    void** end = slot.frames + std::max(slot.count, 0);
    void** from = std::find(begin, end, reinterpret_cast<void*>(slot.pc));
    if (from == end) from = std::min(begin + 2, end);
    out.truncated = end - from > kMaxFrames || slot.count == kMaxFrames + kSlack;
    end = std::min(end, from + kMaxFrames);
    out.frames.clear();
    for (void** f = from; f != end; ++f) out.frames.push_back(reinterpret_cast<std::uintptr_t>(*f));
    out.pthread = slot.pthread;
}

// Does thread tid block sig? From SigBlk in /proc (a hex mask, bit sig-1).
bool blocks(pid_t tid, int sig) {
    std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/status");
    std::string key, mask;
    while (in >> key) {
        if (key == "SigBlk:" && in >> mask) return (std::stoull(mask, nullptr, 16) >> (sig - 1)) & 1u;
        in.ignore(4096, '\n');
    }
    return false;
}

bool wait_for(int phase, std::chrono::steady_clock::time_point deadline) {
    while (slot.phase.load() != phase) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return true;
}

} // namespace

int capture_signal() { return SIGRTMIN + 3; }

void install() {
    struct sigaction sa{};
    sa.sa_sigaction = on_capture;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    ::sigaction(capture_signal(), &sa, nullptr);
    void* warm[4];
    ::backtrace(warm, 4); // loads libgcc_s now, never in the handler
}

Outcome capture(pid_t tid, std::chrono::milliseconds wait, NativeStack& out) {
    if (blocks(tid, capture_signal())) return Outcome::blocks_signal;
    if (slot.phase.load() != idle) return Outcome::no_answer; // a handler never finished: no capture is safe
    slot.target.store(tid);
    slot.phase.store(armed);
    if (::syscall(SYS_tgkill, ::getpid(), tid, capture_signal()) != 0) {
        slot.phase.store(idle);
        return Outcome::no_answer; // the thread is gone
    }
    const auto deadline = std::chrono::steady_clock::now() + wait;
    if (!wait_for(done, deadline)) {
        int expected = armed;
        if (slot.phase.compare_exchange_strong(expected, idle)) return Outcome::no_answer; // it never started
        if (!wait_for(done, deadline + wait)) return Outcome::no_answer; // stuck mid-unwind: the slot stays taken
    }
    take_frames(out);
    slot.phase.store(idle);
    return Outcome::taken;
}

} // namespace hornet::stack_capture
