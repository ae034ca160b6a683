// apps/python/gil.hpp: taking and dropping the GIL on hornet's threads.
//
// hornet's handler threads (the sync worker's main thread, gthread's pool)
// are not Python threads. The first time one needs the GIL it gets a thread
// state of its own (PyGILState_Ensure, never undone, so the state lives as
// long as the thread) and keeps it for every later request: no thread state
// is made or freed per request. A generation number marks states that
// belong to an interpreter since finalized (preload_app with a reload
// restarts CPython in the arbiter), so a thread never reuses a dead one.
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

namespace hornet::python {

// Right after Py_InitializeFromConfig, on the thread that called it (which
// holds the GIL): a new generation starts, and that thread keeps its state.
void gil_new_generation();

// Takes the GIL for this thread (making its thread state on first use).
void gil_acquire();
// Lets go of the GIL taken by gil_acquire(); the thread state is kept.
void gil_release();

// The GIL for a scope: what handle() and the fork hooks use.
class GilHold {
public:
    GilHold() { gil_acquire(); }
    ~GilHold() { gil_release(); }
    GilHold(const GilHold&) = delete;
    GilHold& operator=(const GilHold&) = delete;
};

// The GIL dropped for a scope, around every hornet call that may block
// (read, write, sendfile, finish, log), so other Python threads run meanwhile.
class GilRelease {
public:
    GilRelease() : saved_(PyEval_SaveThread()) {}
    ~GilRelease() { PyEval_RestoreThread(saved_); }
    GilRelease(const GilRelease&) = delete;
    GilRelease& operator=(const GilRelease&) = delete;

private:
    PyThreadState* saved_;
};

} // namespace hornet::python
