// apps/python/code_reloader.hpp: Gunicorn's --reload for the wsgi app.
//
// With app_config.reload (hornet --reload), one worker at a time watches
// the source files of every module its interpreter has loaded, plus
// reload_extra_files, once a second. On a change it logs one line and sends
// SIGHUP to the arbiter: the same reload as `kill -HUP`, so new workers
// import the new code and, if they cannot (a syntax error), the old ones
// keep serving and the next save tries again. Gunicorn restarts each worker
// instead; a reload also covers preload_app.
//
// "One worker at a time": the watcher is whichever worker holds an abstract
// unix socket named after the arbiter's pid; the kernel frees it when that
// worker leaves, and another worker's watcher takes it on its next tick.
// [worker main] starts and stops it (worker_start, worker_exit); its thread
// takes the GIL only to list sys.modules.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hornet/host.h"

namespace hornet::python {

class CodeReloader {
public:
    CodeReloader(const hornet_host_t* host, std::vector<std::string> extra_files);
    ~CodeReloader(); // stops the thread and waits for it
    CodeReloader(const CodeReloader&) = delete;
    CodeReloader& operator=(const CodeReloader&) = delete;

private:
    void run();
    bool hold_watch();               // true once this worker is the watcher
    std::vector<std::string> files(); // module files (under the GIL) and extras
    std::string changed();           // the first file whose mtime moved, or ""

    const hornet_host_t* host_;
    std::vector<std::string> extra_files_;
    std::map<std::string, long long> mtimes_; // path -> mtime in ns; -1: missing
    int watch_fd_ = -1;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false; // mutex_
    std::thread thread_;
};

} // namespace hornet::python
