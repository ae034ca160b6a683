// Starting, carrying across fork, and finalizing the embedded CPython.
#include "interpreter.hpp"

#include <atomic>
#include <dlfcn.h>
#include <mutex>
#include <pthread.h>
#include <unistd.h>

#include "gil.hpp"
#include "py_ref.hpp"
#include "python_error.hpp"

namespace hornet::python {
namespace {

std::atomic<bool> g_running{false};
std::mutex g_users_mutex;
int g_users = 0; // app instances using the interpreter
thread_local bool t_carrying = false; // this thread's fork is carrying Python

// hornet loads plugins RTLD_LOCAL, so libpython (our dependency) is local
// too, and C extension modules (_json, _socket, ...), which expect to find
// libpython's symbols globally, fail to import ("undefined symbol:
// PyExc_..."). Re-opening the already-loaded library RTLD_GLOBAL promotes
// it; the handle is kept, so libpython is never unloaded under CPython.
void promote_libpython() {
    Dl_info info{};
    if (!dladdr(reinterpret_cast<void*>(&Py_InitializeFromConfig), &info) || !info.dli_fname)
        throw PythonError("cannot find libpython's file (dladdr failed)");
    if (!dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD))
        throw PythonError(std::string("cannot make ") + info.dli_fname + " global: " + dlerror());
}

void check(PyStatus status, const std::string& what) {
    if (!PyStatus_Exception(status)) return;
    std::string line = "cannot start Python (" + what + "): ";
    line += status.err_msg ? status.err_msg : "unknown error";
    if (status.func) line += std::string(" in ") + status.func;
    throw PythonError(line);
}

// A venv is found the way python finds it when run as <venv>/bin/python:
// CPython's path setup reads <venv>/pyvenv.cfg next to the executable.
std::string executable_for(const InterpreterOptions& o) {
    return o.virtualenv.empty() ? o.executable : o.virtualenv + "/bin/python3";
}

void initialize(const InterpreterOptions& o) {
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0; // TERM, INT, QUIT belong to the worker
    config.parse_argv = 0;
    const std::string exe = executable_for(o);
    PyStatus status = PyConfig_SetBytesString(&config, &config.program_name, exe.c_str());
    if (!PyStatus_Exception(status))
        status = PyConfig_SetBytesString(&config, &config.executable, exe.c_str());
    if (!PyStatus_Exception(status)) status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    check(status, exe);
}

std::string current_dir() {
    char buf[4096];
    return getcwd(buf, sizeof buf) ? std::string(buf) : std::string(".");
}

// As Gunicorn: the pythonpath entries, then the working directory, first
// (each once: a second instance may bring the same ones).
void extend_sys_path(const std::vector<std::string>& pythonpath) {
    PyObject* path = PySys_GetObject("path"); // borrowed
    if (!path || !PyList_Check(path)) throw PythonError("cannot start Python: sys.path is not a list");
    std::vector<std::string> dirs = pythonpath;
    dirs.push_back(current_dir());
    Py_ssize_t at = 0;
    for (const std::string& d : dirs) {
        PyRef dir = PyRef::steal(PyUnicode_DecodeFSDefault(d.c_str()));
        const int present = dir ? PySequence_Contains(path, dir.get()) : -1;
        if (present == 1) continue;
        if (present < 0 || PyList_Insert(path, at++, dir.get()) != 0) {
            PyErr_Clear();
            throw PythonError("cannot add '" + d + "' to sys.path");
        }
    }
}

void add_to_sys_path(const std::vector<std::string>& pythonpath) {
    gil_acquire();
    try {
        extend_sys_path(pythonpath);
    } catch (...) {
        gil_release();
        throw;
    }
    gil_release();
}

void before_fork() {
    t_carrying = g_running.load() && !PyGILState_Check();
    if (!t_carrying) return;
    gil_acquire();
    PyOS_BeforeFork();
}

void after_fork_parent() {
    if (!t_carrying) return;
    PyOS_AfterFork_Parent();
    gil_release();
}

void after_fork_child() {
    if (!t_carrying) return;
    PyOS_AfterFork_Child();
    gil_release();
}

} // namespace

bool start_interpreter(const InterpreterOptions& options) {
    std::lock_guard lock(g_users_mutex);
    if (g_running.load()) {
        add_to_sys_path(options.pythonpath);
        ++g_users;
        return false;
    }
    promote_libpython();
    initialize(options);
    gil_new_generation();
    try {
        extend_sys_path(options.pythonpath);
    } catch (...) {
        Py_FinalizeEx();
        throw;
    }
    // Registered once per load of this plugin; glibc drops the hooks when the
    // plugin is unloaded.
    static std::once_flag hooks;
    std::call_once(hooks, [] { pthread_atfork(before_fork, after_fork_parent, after_fork_child); });
    g_running = true;
    g_users = 1;
    gil_release();
    return true;
}

void stop_interpreter() {
    std::lock_guard lock(g_users_mutex);
    if (!g_running.load() || --g_users > 0) return;
    gil_acquire();
    g_running = false;
    Py_FinalizeEx(); // also ends this thread's state: no gil_release()
}

} // namespace hornet::python
