// apps/asgi/bridge.hpp: what every request of the process shares on the
// asyncio thread, and the entry points from the inbox into Python.
//
// [asyncio thread, GIL held] for everything here: the loop thread only
// pushes events (event_inbox.hpp). One Bridge per process, made by AsgiApp
// once the asyncio loop runs (worker_start) and gone before the
// interpreter stops.
#pragma once

#include <string>

#include "hornet/host.h"
#include "py_ref.hpp"

namespace hornet::asgi {

class EventInbox;
struct Event;

struct Bridge {
    const hornet_host_t* host = nullptr;
    EventInbox* inbox = nullptr;
    python::PyRef app;           // the ASGI 3 callable (an ASGI 2 app wrapped)
    python::PyRef state;         // lifespan's state: a shallow copy goes into each scope
    python::PyRef root_path;     // str
    python::PyRef create_future; // loop.create_future
    python::PyRef create_task;   // loop.create_task
    // asyncio.Task, called as Task(coro, name=task_name) on the running
    // loop, when the loop has no task factory: what loop.create_task
    // does, without uvloop's wrapper. One name for every request's task:
    // Python 3.11 formats the default "Task-<n>" for each task, 1.4k of
    // the ~41k instructions a plain hello costs.
    python::PyRef task_type, task_name, task_kwnames;
};

// Makes the Python types and the constants the channel uses; false with a
// Python exception set.
bool init_channel_types();
void drop_channel_types();

// The loop's call_soon, which runs the outbox's flush (request_state.hpp)
// once per loop iteration, and its run_in_executor (pathsend). Before the
// first request.
void use_loop(PyObject* call_soon, PyObject* run_in_executor);

// One event from the loop thread: a new request (the app is called and its
// coroutine becomes a task), or the result a channel waits for.
void deliver(Bridge& bridge, const Event& event);

} // namespace hornet::asgi
