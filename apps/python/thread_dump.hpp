// apps/python/thread_dump.hpp: the wsgi app's part of a worker's stack dump
// (hornet_app_t.dump_stacks, ABI 1.3): every Python thread's traceback,
// most recent call first, as faulthandler.dump_traceback(all_threads=True)
// writes it.
//
// [any thread], while other threads may hold the GIL for ever: it takes no
// GIL, no lock and no memory (CPython's _Py_DumpTracebackThreads, the
// signal-safe writer behind faulthandler, reads the thread states as they
// are). A frame changing under it may print oddly; it never blocks.
#pragma once

namespace hornet::python {

// HORNET_OK, or HORNET_ENOENT when no interpreter runs in this process.
int dump_python_threads(int fd);

} // namespace hornet::python
