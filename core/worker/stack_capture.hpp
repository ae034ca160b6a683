// StackCapture: the native stack of another thread of this process, as raw
// return addresses, taken from inside that thread by a signal handler.
//
// The dump thread arms the one capture slot for a thread and sends that
// thread capture_signal() (tgkill); the handler, in the interrupted thread,
// unwinds with glibc's backtrace() into the slot's fixed buffer and marks it
// done: no malloc, no lock, nothing but async-signal-safe calls (backtrace()
// is safe once warmed up: its first call loads libgcc_s, which allocates, so
// install() makes that call). A thread that does not run the handler in
// time (the signal blocked, the thread stuck in the kernel) is reported as
// such and the slot is taken back, so a late handler writes nothing; one
// that blocks the signal is not asked at all (its mask is in /proc).
//
// install(): [worker main] once, before any capture. capture(): the dump
// thread only (one capture at a time). Symbolising is Symbolizer's job,
// outside any handler.
#pragma once

#include <chrono>
#include <cstdint>
#include <sys/types.h>
#include <vector>

namespace hornet {

struct NativeStack {
    std::vector<std::uintptr_t> frames; // innermost first; frames[0] is where the thread was
    std::uintptr_t pthread = 0;         // its pthread_t, as Python's tracebacks name threads
    bool truncated = false;             // deeper than kMaxFrames
};

namespace stack_capture {

inline constexpr int kMaxFrames = 64;

// The signal the dump thread interrupts each thread with: a realtime one
// (SIGRTMIN + 3) that nothing else in hornet uses. Not for users: a dump
// is asked for with dump::request_signal.
int capture_signal();

// Installs the handler and warms backtrace() up.
void install();

enum class Outcome { taken, blocks_signal, no_answer };

// The stack of thread tid into out, waiting at most `wait` for it.
Outcome capture(pid_t tid, std::chrono::milliseconds wait, NativeStack& out);

} // namespace stack_capture
} // namespace hornet
