// apps/asgi/app_run.hpp: AppRun, the coroutine the request's asyncio Task
// runs: it drives the app's coroutine and ends the channel the moment
// that one returns or raises, inside the same step.
//
// design: the Task could run the app's coroutine itself and tell the
// channel through add_done_callback, but then every request pays the
// callback's registration, a loop Handle for it (call_soon) and a trip
// through the ready queue: ~2.8k of the ~40k instructions a plain hello
// costs. AppRun passes every value the app yields to the Task untouched
// (Futures, bare yields), so the Task waits and wakes as before; what the
// app's coroutine has beyond the protocol (cr_frame, cr_running, ...) is
// read through, so code that inspects a task's coroutine (anyio) sees the
// app's. An exception is the channel's to report: the Task sees a return
// instead, except for CancelledError (the task ends cancelled) and
// KeyboardInterrupt or SystemExit (they stop the loop, as before).
// [asyncio thread, GIL held]
#pragma once

#include "channel.hpp"

namespace hornet::asgi {

// The type; false with a Python exception set.
bool init_app_run_type();
void drop_app_run_type();

// A new AppRun driving what the app returned (borrowed): a coroutine, or
// any awaitable (an instance of an ASGI 3 class) through its __await__;
// for the channel (borrowed). nullptr with a Python exception set.
PyObject* new_app_run(PyObject* awaitable, ChannelObject* channel);

} // namespace hornet::asgi
