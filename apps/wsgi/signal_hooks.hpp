// apps/wsgi/signal_hooks.hpp: Gunicorn's worker_int and worker_abort.
//
// Gunicorn runs worker_int(worker) when a worker gets INT or QUIT (a fast
// stop) and worker_abort(worker) when it gets ABRT (what its arbiter, and
// hornet's, sends a worker whose heartbeat went stale), in the worker, as
// the signal comes, whatever the request threads are doing. hornet's worker
// handles its signals natively (core/worker/stop_signal.cpp), so the wsgi
// app chains a handler in front of the worker's: it writes the signal's
// number to a pipe and calls the handler that was there, so hornet's stop
// happens as before. A thread of the app reads the pipe and runs the hook
// under the GIL, which a hung request lets go of between bytecodes. After
// worker_abort (and worker_exit, as in Gunicorn), ABRT is raised again with
// its default action, so the worker still ends as a timed-out worker ends (the arbiter KILLs it 2 s
// after ABRT in any case). Only while a gunicorn.conf.py defines one of the
// two hooks; one per process. [worker main] creates and destroys it, in
// worker_start and worker_exit (which waits for a hook that runs, so
// worker_int comes before worker_exit, as in Gunicorn).
#pragma once

#include <functional>
#include <thread>

namespace hornet::wsgi {

class SignalHooks {
public:
    // on_signal(SIGINT | SIGQUIT | SIGABRT) runs on the app's thread; INT and
    // QUIT reach it once, the first time either comes.
    explicit SignalHooks(std::function<void(int)> on_signal);
    ~SignalHooks(); // puts the old handlers back, lets a running hook finish, joins
    SignalHooks(const SignalHooks&) = delete;
    SignalHooks& operator=(const SignalHooks&) = delete;

private:
    void run();

    std::function<void(int)> on_signal_;
    std::thread thread_;
};

} // namespace hornet::wsgi
