// Per-thread Python thread states, kept across requests.
#include "gil.hpp"

#include <atomic>

namespace hornet::python {
namespace {

std::atomic<unsigned> g_generation{0};

struct ThreadGil {
    PyThreadState* state = nullptr;
    unsigned generation = 0; // 0: none yet
};
thread_local ThreadGil t_gil;

} // namespace

void gil_new_generation() {
    t_gil = ThreadGil{PyThreadState_Get(), g_generation.fetch_add(1) + 1};
}

void gil_acquire() {
    const unsigned current = g_generation.load();
    if (t_gil.generation == current && t_gil.state) {
        PyEval_RestoreThread(t_gil.state);
        return;
    }
    // A new thread, or one whose state died with a finalized interpreter.
    // Ensure() makes a state bound to this thread; its count is never
    // brought back to zero, so the state outlives the request.
    PyGILState_Ensure();
    t_gil = ThreadGil{PyThreadState_Get(), current};
}

void gil_release() { PyEval_SaveThread(); }

} // namespace hornet::python
