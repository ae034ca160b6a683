// Every Python thread's traceback into a stack dump; see thread_dump.hpp.
#include "thread_dump.hpp"

#include <Python.h>
#include <cstring>
#include <unistd.h>

#include "hornet/abi.h"

// CPython's own (Include/internal/pycore_traceback.h, exported by
// libpython 3.8 and later): faulthandler's writer, signal-safe, no GIL.
extern "C" const char* _Py_DumpTracebackThreads(int fd, PyInterpreterState* interp, PyThreadState* current_tstate);

namespace hornet::python {
namespace {

void put(int fd, const char* text) { [[maybe_unused]] auto n = ::write(fd, text, std::strlen(text)); }

} // namespace

int dump_python_threads(int fd) {
    if (!Py_IsInitialized() || _Py_IsFinalizing()) return HORNET_ENOENT;
    put(fd, "Python threads, most recent call first:\n");
    // NULLs: CPython finds the interpreter itself, and this thread has no
    // Python thread state to mark as current.
    if (const char* error = _Py_DumpTracebackThreads(fd, nullptr, nullptr)) {
        put(fd, error);
        put(fd, "\n");
    }
    return HORNET_OK;
}

} // namespace hornet::python
