// hornet/support/python_child.hpp: a Python script run in a child process.
//
// hornet reads Gunicorn's Python (a gunicorn.conf.py, a WSGI module to check
// before fork, the arbiter's server hooks) with Debian's python3, the CPython
// the wsgi app embeds, but never inside the arbiter: a script runs as
// `python -c SCRIPT ARGS...` in a child process, so its side effects, threads
// and crashes stay there. The script talks back on fd 3 (a pipe, or a socket
// the caller keeps); fds 0-2 are the caller's, every other fd is closed.
// For the arbiter and for an app's check_config (both before fork); the child
// is the caller's to reap. Not for handler threads.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace hornet::support {

// Forks and execs `python -c script args...` with `channel` as its fd 3.
// The child runs with default signal dispositions and an empty signal mask.
// Returns the child's pid, or -1 (errno set) when it cannot fork.
pid_t spawn_python(const std::string& python, const std::string& script, const std::vector<std::string>& args,
                   int channel);

struct PythonRun {
    bool ran = false;      // false: python could not be started (missing, not executable)
    bool timed_out = false; // killed after timeout_ms; `output` is what it said before
    int status = 0;        // waitpid status
    std::string output;    // what the script wrote on fd 3
};

// spawn_python with a pipe as fd 3, read to its end (at most timeout_ms,
// then the child is killed), and reaped.
PythonRun run_python(const std::string& python, const std::string& script, const std::vector<std::string>& args,
                     int timeout_ms);

} // namespace hornet::support
