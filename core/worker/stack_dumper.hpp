// StackDumper: a worker's answer to a stack-dump request (docs/operations.md).
//
// dump::request_signal (SIGURG) from the arbiter, or from an operator's
// `kill -URG`, only wakes the dump thread (the handler writes one byte to a
// pipe). That thread, started right after fork, then writes the dump: the
// worker's pid and generation; for every thread its tid, name and the
// request it serves (method, path, for how long, from ThreadRequests) or
// "idle"; every thread's native stack (stack_capture: each thread unwinds
// itself in a signal handler, without malloc; Symbolizer names the frames
// here, outside any handler); then the app's own stacks when the app
// offers dump_stacks (ABI 1.3: the wsgi app's Python tracebacks). The dump
// goes to the arbiter through the dump pipe (dump_protocol.hpp), never
// straight into the error log, where it would interleave with other lines.
//
// The dump thread keeps every signal blocked and takes no lock a serving
// thread takes; a serving thread stops only for its own unwinding. A
// request while the worker boots is answered once the thread runs (the
// signal stays pending until then); one while it stops is answered or not,
// and the arbiter never waits beyond dump_timeout.
//
// start() and set_app(): [worker main].
#pragma once

#include <cstdint>

#include <hornet/app.h>

namespace hornet::stack_dumper {

struct Identity {
    std::uint32_t generation = 0;
    int worker_id = 0;
};

// Once, after fork, while every signal is still blocked: installs the
// handlers and starts the dump thread, which writes each dump to out_fd.
// Throws std::runtime_error when the pipe or the thread cannot be made.
void start(int out_fd, Identity who);

// The app instance whose dump_stacks (when it has one) follows the native
// stacks; null before the app exists and before it is torn down (waits for
// a dump in progress to leave the app first).
void set_app(const hornet_app_t* app, void* instance);

} // namespace hornet::stack_dumper
