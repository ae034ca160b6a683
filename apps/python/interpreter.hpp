// apps/python/interpreter.hpp: CPython's life in a hornet process.
//
// One interpreter per process, started by create(): in each worker after
// fork, or once in the arbiter with preload_app. In that second case it must
// survive fork(): fork hooks (pthread_atfork) take the GIL and the import
// lock in the arbiter just before it forks, and run PyOS_AfterFork_Child in
// the new worker, which is what os.fork() does. A fork made by Python code
// (os.fork, subprocess) does that itself: the hooks stand aside for it.
#pragma once

#include <string>
#include <vector>

namespace hornet::python {

struct InterpreterOptions {
    std::string executable;              // the python whose prefix we use
    std::string virtualenv;              // a venv directory, or empty
    std::vector<std::string> pythonpath; // prepended to sys.path, then cwd
};

// One more user (app instance) of this process's CPython, started if it is
// not running; its pythonpath is on sys.path either way. The GIL is released
// on return. true: CPython was started just now. Throws PythonError with one
// line. Two instances share the interpreter when a reload with preload_app
// creates the new generation's app before the old one is destroyed.
bool start_interpreter(const InterpreterOptions& options);

// One user fewer; the last one finalizes CPython (atexit handlers run),
// taking the GIL first.
void stop_interpreter();

} // namespace hornet::python
