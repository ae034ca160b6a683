// The per-process app and the per-request flow.
#include "wsgi_app.hpp"

#include <string_view>

#include "app_loader.hpp"
#include "error_stream.hpp"
#include "file_wrapper.hpp"
#include "gil.hpp"
#include "hornet_module.hpp"
#include "input_stream.hpp"
#include "interpreter.hpp"
#include "response_sender.hpp"
#include "start_response.hpp"
#include "traceback_log.hpp"
#include "wsgi_config.hpp"
#include "python_shared.hpp"
#include "hornet/support/text.hpp"

#ifndef HORNET_PYTHON_EXE
#define HORNET_PYTHON_EXE "/usr/bin/python3"
#endif

namespace hornet::wsgi {
namespace {

using support::view;

PyRef checked(PyRef type, const char* what) {
    if (!type) {
        PyErr_Clear();
        throw WsgiError(std::string("cannot create the ") + what + " type");
    }
    return type;
}

PyTypeObject* as_type(const PyRef& t) { return reinterpret_cast<PyTypeObject*>(t.get()); }

// Outside script_name: nothing is mounted there.
int answer_not_found(hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
    static const hornet_header_t kHeaders[] = {{{"Content-Type", 12}, {"text/plain", 10}},
                                               {{"Content-Length", 14}, {"10", 2}}};
    int rc = ops->start(x, 404, kHeaders, 2);
    GilRelease unlocked;
    return rc == HORNET_OK ? ops->write(x, "Not Found\n", 10) : rc;
}

} // namespace

std::unique_ptr<WsgiApp> WsgiApp::make(const hornet_host_t* host) {
    set_app_label("wsgi");
    const WsgiConfig config = read_config(host);
    const bool fresh = start_interpreter({HORNET_PYTHON_EXE, config.virtualenv, config.pythonpath});
    std::unique_ptr<WsgiApp> app(new WsgiApp(host));
    try {
        GilHold gil;
        if (!fresh) forget_app_modules(host);
        app->load();
        install_hornet_module(host); // the app may import it at once
        app->app_ = load_app(host, config);
        if (!config.gunicorn_config.empty())
            app->hooks_ = std::make_unique<GunicornHooks>(host, config.gunicorn_config, app->errors_.get());
        app->reload_ = config.reload;
        app->reload_extra_files_ = config.reload_extra_files;
        // Under async too this app (not NONBLOCKING) runs on a pool of
        // `threads` threads: one thread means no concurrent calls.
        const int64_t threads = host->query(host, HORNET_QUERY_THREADS);
        app->environ_ = std::make_unique<EnvironBuilder>(EnvironConstants{
            .errors = app->errors_.get(),
            .file_wrapper = app->file_wrapper_type_.get(),
            .multithread = threads > 1,
            .multiprocess = host->query(host, HORNET_QUERY_MULTIPROCESS) == 1,
            .script_name = config.script_name,
        });
    } catch (...) {
        app.reset(); // finalizes: a later create() (a reload) starts afresh
        throw;
    }
    return app;
}

void WsgiApp::load() {
    input_type_ = checked(make_input_stream_type(), "wsgi.input");
    start_response_type_ = checked(make_start_response_type(), "start_response");
    file_wrapper_type_ = checked(make_file_wrapper_type(), "wsgi.file_wrapper");
    errors_type_ = checked(make_error_stream_type(), "wsgi.errors");
    errors_ = checked(new_error_stream(as_type(errors_type_), host_), "wsgi.errors");
}

void WsgiApp::worker_start() {
    // The handlers first: from post_worker_init on, worker_int and worker_abort run, as in Gunicorn.
    if (hooks_ && hooks_->has_signal_hooks())
        signal_hooks_ = std::make_unique<SignalHooks>([hooks = hooks_.get()](int sig) { hooks->worker_signal(sig); });
    if (hooks_) hooks_->worker_start();
    if (reload_ && !reloader_) reloader_ = std::make_unique<CodeReloader>(host_, reload_extra_files_);
}

void WsgiApp::worker_exit() {
    signal_hooks_.reset(); // a worker_int that runs ends first
    reloader_.reset();
    if (hooks_) hooks_->worker_exit();
}

WsgiApp::~WsgiApp() {
    signal_hooks_.reset(); // its thread takes the GIL: gone before the interpreter
    reloader_.reset();     // so does this one's
    hooks_.reset();        // takes the GIL itself
    {
        GilHold gil;
        environ_.reset();
        app_.reset();
        errors_.reset();
        errors_type_.reset();
        file_wrapper_type_.reset();
        start_response_type_.reset();
        input_type_.reset();
    }
    stop_interpreter();
}

void WsgiApp::handle(hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
    thread_local std::string later; // a small body, written without the GIL
    later.clear();
    int rc;
    {
        GilHold gil;
        rc = serve(x, ops, later);
    }
    if (rc == HORNET_OK && !later.empty()) rc = ops->write(x, later.data(), later.size());
    ops->finish(x, rc);
}

int WsgiApp::serve(hornet_exchange_t* x, const hornet_exchange_ops_t* ops, std::string& later) {
    const hornet_request_t* r = ops->request(x);
    if (!r) return HORNET_EINTERNAL;
    if (!environ_->mounted(*r)) return answer_not_found(x, ops);
    const int rc = call_app(*r, x, ops, later);
    flush_error_stream(errors_.get());
    return rc;
}

int WsgiApp::call_app(const hornet_request_t& r, hornet_exchange_t* x, const hornet_exchange_ops_t* ops,
                      std::string& later) {
    PyRef input = new_input_stream(as_type(input_type_), x, ops, r.content_length);
    PyRef start = input ? new_start_response(as_type(start_response_type_), host_, x, ops) : PyRef();
    PyRef env = start ? environ_->build(r, input.get()) : PyRef();
    if (!env) {
        log_traceback(host_, "wsgi: cannot build the environ");
        return HORNET_EINTERNAL;
    }
    if (hooks_ && hooks_->has_pre_request()) hooks_->pre_request(env.get());
    PyObject* args[] = {env.get(), start.get()};
    PyRef result = PyRef::steal(PyObject_Vectorcall(app_.get(), args, 2, nullptr));
    Response response(start.get());
    SendResult sent;
    sent.python_error = !result;
    if (result)
        sent = send_response(result.get(), response, as_type(file_wrapper_type_), view(r.method) == "HEAD", later);
    int rc = sent.python_error ? report(r, input.get(), start.get()) : sent.rc;
    if (rc == HORNET_OK) rc = response.flush_head(); // an empty body: the head still goes out
    if (hooks_ && hooks_->has_post_request())
        hooks_->post_request(env.get(), &response);
    detach_input_stream(input.get());
    response.detach();
    return rc;
}

// The app raised (or misused the protocol): a traceback in the error log,
// unless the client caused it by going away or sending a bad body.
int WsgiApp::report(const hornet_request_t& r, PyObject* input, PyObject* start_response) {
    const int client = input_stream_error(input) ? input_stream_error(input) : Response(start_response).io_error();
    std::string context = "Error handling request ";
    context.append(view(r.method)).append(" ").append(view(r.target));
    if (client == 0) {
        log_traceback(host_, context);
        return HORNET_EINTERNAL;
    }
    std::string line = context + ": " + exception_summary() + " (a client error, not the app's)";
    PyErr_Clear();
    host_->log(host_, HORNET_LOG_INFO, hornet_str_t{line.data(), line.size()});
    return client;
}

} // namespace hornet::wsgi
