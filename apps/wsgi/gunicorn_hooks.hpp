// apps/wsgi/gunicorn_hooks.hpp: a gunicorn.conf.py's worker hooks.
//
// When hornet reads a Gunicorn config file that defines post_fork,
// post_worker_init, worker_int, worker_abort, worker_exit, pre_request or
// post_request, it names the
// file in app_config.gunicorn_config; the wsgi app runs the file in its own
// interpreter (once per interpreter: in the worker, or in the arbiter with
// preload_app) and calls those hooks where Gunicorn does: post_fork and
// post_worker_init as the worker starts, worker_int on INT or QUIT and
// worker_abort on ABRT as the signal comes, worker_exit as it leaves,
// pre_request(worker, req) before each request and post_request(worker,
// req, environ, resp) after it. `server` and `worker` are small stand-ins:
// .log (a logging.Logger writing into hornet's error log), .pid, and for
// the worker .ppid and .age (its worker id); `req` has .method, .uri,
// .path, .query, .version and .headers (Gunicorn's upper-cased (name,
// value) pairs); `resp` has what Gunicorn's Response shows: .status (the
// app's "200 OK"), .status_code, .headers (the app's (name, value) pairs
// less hop-by-hop ones), .sent (body bytes) and .response_length (the app's
// Content-Length, or None). A hook
// that raises logs its traceback; the worker goes on. Every call but the
// per-request ones takes the GIL itself; those run under the request's.
#pragma once

#include <string>

#include "hornet/app.h"
#include "py_ref.hpp"
#include "python_shared.hpp"
#include "start_response.hpp"

namespace hornet::wsgi {

class GunicornHooks {
public:
    // Under the GIL. Throws WsgiError naming the file when it cannot run.
    GunicornHooks(const hornet_host_t* host, const std::string& path, PyObject* errors);
    ~GunicornHooks(); // takes the GIL to drop its references

    void worker_start();  // post_fork(server, worker), post_worker_init(worker)
    void worker_exit();   // worker_exit(server, worker)
    // worker_int(worker) on INT/QUIT, worker_abort(worker) on ABRT (signal_hooks.hpp).
    bool has_signal_hooks() const { return worker_int_ || worker_abort_; }
    void worker_signal(int sig);
    bool has_pre_request() const { return bool(pre_request_); }
    void pre_request(PyObject* environ); // under the GIL
    bool has_post_request() const { return bool(post_request_); }
    // Under the GIL, once the app's response is sent (a null or unstarted
    // response: hornet answered 500 for the app).
    void post_request(PyObject* environ, const Response* response);

private:
    void call(const char* name, PyObject* fn, PyObject* a, PyObject* b = nullptr);
    void make_stand_ins();
    PyRef helper(const char* name, PyObject* arg); // a stand-in made by kHelpers
    PyRef response_of(const Response* response);

    const hornet_host_t* host_;
    std::string path_;
    PyRef errors_, helpers_;
    PyRef post_fork_, post_worker_init_, worker_int_, worker_abort_, worker_exit_, pre_request_, post_request_;
    PyRef server_, worker_;
};

} // namespace hornet::wsgi
