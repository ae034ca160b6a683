// The per-process ASGI app: interpreter, loop thread, lifespan; see asgi_app.hpp.
#include "asgi_app.hpp"

#include <unistd.h>

#include "app_loader.hpp"
#include "asgi_python.hpp"
#include "gil.hpp"
#include "hornet/support/log.hpp"
#include "hornet/worker.h"
#include "hornet_module.hpp"
#include "interpreter.hpp"
#include "python_error.hpp"
#include "request_state.hpp"
#include "traceback_log.hpp"

#ifndef HORNET_PYTHON_EXE
#define HORNET_PYTHON_EXE "/usr/bin/python3"
#endif

namespace hornet::asgi {
namespace {

using python::GilHold;
using python::PyRef;
using python::PythonError;

AsgiApp* g_app = nullptr; // one per process: the drain callback's
constexpr int kBodyChunk = 64 * 1024; // what one http.request carries at most

PyObject* drain_fn(PyObject*, PyObject*) {
    if (g_app) g_app->drain();
    Py_RETURN_NONE;
}
PyMethodDef kDrain = {"drain", drain_fn, METH_NOARGS, nullptr};

PyRef call(PyObject* helpers, const char* name, std::initializer_list<PyObject*> args) {
    PyObject* fn = PyDict_GetItemString(helpers, name); // borrowed
    if (!fn) return {};
    return PyRef::steal(PyObject_Vectorcall(fn, const_cast<PyObject**>(args.begin()), args.size(), nullptr));
}

// A request that asks for a WebSocket wrongly: the service answers the
// refusal (400, or 426 for another version) as the response.
int refuse_handshake(const hornet_websocket_ext_t* ws, hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
    hornet_ws_accept_t opts{};
    opts.head = hornet_head_t HORNET_HEAD_INIT(hornet_ws_accept_t);
    (void)ws->accept(x, &opts); // HORNET_EINVAL, with the refusal sent
    ops->finish(x, 0);
    return HORNET_DONE;
}

// On the loop thread, before the asyncio thread sees the request: the
// offered subprotocols go into the scope.
void take_handshake(RequestState& rs, const hornet_websocket_ext_t* ws) {
    rs.ws = ws;
    hornet_str_t sub;
    for (size_t i = 0; ws->subprotocol_at(rs.x, i, &sub) == HORNET_OK; ++i) rs.subprotocols.push_back(sub);
}

std::string text_of(PyObject* o) {
    const char* p = o && PyUnicode_Check(o) ? PyUnicode_AsUTF8(o) : nullptr;
    return p ? p : "";
}

} // namespace

std::unique_ptr<AsgiApp> AsgiApp::make(const hornet_host_t* host) {
    python::set_app_label("asgi");
    AsgiConfig config = read_config(host);
    require_event_loop(host);
    const bool fresh = python::start_interpreter({HORNET_PYTHON_EXE, config.virtualenv, config.pythonpath});
    std::unique_ptr<AsgiApp> app(new AsgiApp(host));
    try {
        {
            GilHold gil;
            if (!fresh) python::forget_app_modules(host);
            app->load(config);
        }
        // In a worker now; in the arbiter (preload_app) only after fork.
        if (host->query(host, HORNET_QUERY_WORKER_ID) != 0) {
            if (std::string why = app->start_serving(); !why.empty()) throw PythonError(why);
        }
    } catch (...) {
        app.reset();
        throw;
    }
    return app;
}

void AsgiApp::load(const AsgiConfig& config) {
    config_ = config;
    python::install_hornet_module(host_);
    helpers_ = load_asgi_helpers();
    if (!helpers_ || !init_channel_types()) {
        python::log_traceback(host_, "asgi: cannot set up the bridge");
        throw PythonError("asgi: cannot set up the bridge (traceback above)");
    }
    PyRef raw = python::load_app(host_, config);
    bridge_.app = call(helpers_.get(), "as_asgi3", {raw.get()});
    bridge_.state = PyRef::steal(PyDict_New());
    bridge_.root_path = PyRef::steal(PyUnicode_FromStringAndSize(config.root_path.data(), config.root_path.size()));
    PyRef mode = PyRef::steal(PyUnicode_FromString(config.lifespan.c_str()));
    lifespan_ = bridge_.app && mode ? call(helpers_.get(), "Lifespan", {bridge_.app.get(), bridge_.state.get(), mode.get()})
                                    : PyRef();
    if (!lifespan_ || !bridge_.root_path) {
        python::log_traceback(host_, "asgi: cannot prepare the app");
        throw PythonError("asgi: cannot prepare the app (traceback above)");
    }
    bridge_.host = host_;
}

// The loop, its thread, then lifespan startup on it.
std::string AsgiApp::start_serving() {
    if (serving_) return "";
    inbox_ = std::make_unique<EventInbox>();
    bridge_.inbox = inbox_.get();
    GilHold gil;
    PyRef kind = PyRef::steal(PyUnicode_FromString(config_.loop.c_str()));
    loop_ = call(helpers_.get(), "new_loop", {kind.get()});
    bridge_.create_future = loop_ ? PyRef::steal(PyObject_GetAttrString(loop_.get(), "create_future")) : PyRef();
    bridge_.create_task = loop_ ? PyRef::steal(PyObject_GetAttrString(loop_.get(), "create_task")) : PyRef();
    use_task_type();
    PyRef call_soon = loop_ ? PyRef::steal(PyObject_GetAttrString(loop_.get(), "call_soon")) : PyRef();
    PyRef executor = loop_ ? PyRef::steal(PyObject_GetAttrString(loop_.get(), "run_in_executor")) : PyRef();
    if (call_soon && executor) use_loop(call_soon.get(), executor.get());
    PyRef drain = PyRef::steal(PyCFunction_New(&kDrain, nullptr));
    PyRef fd = PyRef::steal(PyLong_FromLong(inbox_->fd()));
    if (!bridge_.create_task || !drain || !fd) {
        python::log_traceback(host_, "asgi: cannot make the event loop");
        return "asgi: cannot make the event loop (app_config.loop '" + config_.loop + "'; traceback above)";
    }
    g_app = this;
    serving_ = true;
    thread_ = std::thread([this, drain = drain.release(), fd = fd.release()] {
        GilHold held;
        PyRef d = PyRef::steal(drain), f = PyRef::steal(fd);
        PyRef done = call(helpers_.get(), "serve", {loop_.get(), f.get(), d.get()});
        if (!done) python::log_traceback(host_, "asgi: the event loop failed");
    });
    PyRef why = PyRef::steal(PyObject_CallMethod(lifespan_.get(), "startup", "O", loop_.get()));
    if (!why) {
        python::log_traceback(host_, "asgi: lifespan startup failed");
        return "asgi: lifespan startup failed (traceback above)";
    }
    const std::string failure = text_of(why.get());
    if (failure.empty()) return "";
    return "asgi: the app's lifespan startup failed: " + failure;
}

// With no task factory set, Task(coro, name=...) is what create_task does
// (the task finds the running loop, as fast as being given it); else (or
// if anything is amiss) create_task itself.
void AsgiApp::use_task_type() {
    if (!loop_) return;
    PyRef factory = PyRef::steal(PyObject_CallMethod(loop_.get(), "get_task_factory", nullptr));
    PyRef asyncio = factory && factory.get() == Py_None ? PyRef::steal(PyImport_ImportModule("asyncio")) : PyRef();
    PyRef task_type = asyncio ? PyRef::steal(PyObject_GetAttrString(asyncio.get(), "Task")) : PyRef();
    PyRef kwnames = task_type ? PyRef::steal(Py_BuildValue("(s)", "name")) : PyRef();
    PyRef name = kwnames ? PyRef::steal(PyUnicode_InternFromString("hornet.asgi")) : PyRef();
    if (!name) return PyErr_Clear();
    bridge_.task_type = std::move(task_type);
    bridge_.task_name = std::move(name);
    bridge_.task_kwnames = std::move(kwnames);
}

void AsgiApp::stop_serving() {
    if (!serving_) return;
    {
        GilHold gil;
        PyRef why = PyRef::steal(PyObject_CallMethod(lifespan_.get(), "shutdown", "O", loop_.get()));
        if (!why) python::log_traceback(host_, "asgi: lifespan shutdown failed");
        else if (const std::string failure = text_of(why.get()); !failure.empty())
            support::log_line(host_, HORNET_LOG_ERROR, "asgi: the app's lifespan shutdown failed: " + failure);
        PyRef stopped = call(helpers_.get(), "stop", {loop_.get()});
        if (!stopped) PyErr_Clear();
    }
    if (thread_.joinable()) thread_.join(); // without the GIL: the thread needs it to end
    serving_ = false;
    g_app = nullptr;
}

void AsgiApp::worker_start() {
    if (std::string why = start_serving(); !why.empty()) {
        support::log_line(host_, HORNET_LOG_ERROR, why);
        ::_exit(HORNET_EXIT_BOOT_FAILED);
    }
    if (config_.reload && !reloader_) reloader_ = std::make_unique<python::CodeReloader>(host_, config_.reload_extra_files);
}

void AsgiApp::worker_exit() {
    reloader_.reset();
    stop_serving();
}

AsgiApp::~AsgiApp() {
    reloader_.reset();
    stop_serving();
    {
        GilHold gil;
        bridge_ = Bridge{};
        lifespan_.reset();
        loop_.reset();
        helpers_.reset();
        drop_channel_types();
    }
    python::stop_interpreter();
}

int AsgiApp::handle(hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
    if (!loop_ext_) loop_ext_ = static_cast<const hornet_loop_ext_t*>(host_->get_extension(host_, HORNET_EXT_LOOP));
    if (!loop_ext_ || !serving_) {
        support::log_line(host_, HORNET_LOG_ERROR, "asgi: no event loop to run the app on: use -k async");
        ops->finish(x, HORNET_EINTERNAL);
        return HORNET_DONE;
    }
    const hornet_websocket_ext_t* ws = websocket_of(x, ops);
    if (ws && ws->offered(x) == HORNET_WS_INVALID) return refuse_handshake(ws, x, ops);
    auto* rs = new RequestState(x, ops, loop_ext_, inbox_.get());
    if (ws && ws->offered(x) == HORNET_WS_VALID) take_handshake(*rs, ws);
    rs->ref(); // ours until the read starts; the other is the request event's
    rs->body_prefetched = has_body(rs->request); // before the asyncio thread can look
    inbox_->push(Event{Event::request, rs, 0});
    if (rs->body_prefetched) prefetch_body(rs, kBodyChunk);
    rs->unref();
    return HORNET_PENDING;
}

// Only a request that asks for an upgrade pays for the handshake's check.
const hornet_websocket_ext_t* AsgiApp::websocket_of(hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
    if (!ws_ext_looked_up_) {
        ws_ext_ = static_cast<const hornet_websocket_ext_t*>(host_->get_extension(host_, HORNET_EXT_WEBSOCKET));
        ws_ext_looked_up_ = true;
    }
    hornet_str_t upgrade;
    const hornet_str_t name{"upgrade", 7};
    if (!ws_ext_ || ops->find_header(x, name, &upgrade) != HORNET_OK) return nullptr;
    return ws_ext_;
}

void AsgiApp::drain() {
    thread_local std::vector<Event> events;
    inbox_->take(events);
    for (const Event& e : events) deliver(bridge_, e);
    events.clear();
}

} // namespace hornet::asgi
