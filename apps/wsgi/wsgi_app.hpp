// apps/wsgi/wsgi_app.hpp: one process's WSGI app, and one request through it.
//
// create() (via make()) starts the interpreter, imports the app and builds
// what every request shares (the types, wsgi.errors, the environ builder);
// it runs in a worker after fork, or in the arbiter before fork with
// preload_app (the interpreter then crosses fork, see interpreter.hpp).
// handle() runs on any handler thread: it takes the GIL, builds the environ,
// calls the app, sends its result, and drops every Python reference before
// it lets the GIL go and calls finish(), so no Python object outlives the
// exchange it points to. A small body known in full is written after the GIL
// is dropped, with finish(): one GIL hand-over per request.
#pragma once

#include <memory>
#include <string>

#include "code_reloader.hpp"
#include "environ_builder.hpp"
#include "gunicorn_hooks.hpp"
#include "hornet/app.h"
#include "py_ref.hpp"
#include "python_shared.hpp"
#include "signal_hooks.hpp"

namespace hornet::wsgi {

class WsgiApp {
public:
    // Throws WsgiError with one line; the GIL is released on return.
    static std::unique_ptr<WsgiApp> make(const hornet_host_t* host);
    ~WsgiApp(); // drops its references and finalizes the interpreter

    const hornet_host_t* host() const { return host_; }

    // [worker main] Gunicorn's --reload: watch the code in this worker.
    void worker_start();
    void worker_exit();

    // One request, finished before it returns.
    void handle(hornet_exchange_t* x, const hornet_exchange_ops_t* ops);

private:
    explicit WsgiApp(const hornet_host_t* host) : host_(host) {}
    void load();
    int serve(hornet_exchange_t* x, const hornet_exchange_ops_t* ops, std::string& later);
    int call_app(const hornet_request_t& r, hornet_exchange_t* x, const hornet_exchange_ops_t* ops,
                 std::string& later);
    int report(const hornet_request_t& r, PyObject* input, PyObject* start_response);

    const hornet_host_t* host_;
    PyRef app_;
    PyRef input_type_, start_response_type_, file_wrapper_type_, errors_type_;
    PyRef errors_;
    std::unique_ptr<EnvironBuilder> environ_;
    bool reload_ = false;
    std::vector<std::string> reload_extra_files_;
    std::unique_ptr<CodeReloader> reloader_; // between worker_start and worker_exit
    std::unique_ptr<GunicornHooks> hooks_;   // a gunicorn.conf.py's, or none
    std::unique_ptr<SignalHooks> signal_hooks_; // worker_int, worker_abort: between worker_start and worker_exit
};

} // namespace hornet::wsgi
