// A gunicorn.conf.py's worker hooks; see gunicorn_hooks.hpp.
#include "gunicorn_hooks.hpp"

#include <csignal>
#include <unistd.h>

#include "error_stream.hpp"
#include "gil.hpp"
#include "traceback_log.hpp"
#include "python_shared.hpp"

namespace hornet::wsgi {
namespace {

constexpr const char* kHelpers = R"PY(
import http, logging, os, runpy, types
def load(path):
    ns = runpy.run_path(path, run_name="__config__")
    return {k: ns.get(k) for k in ("post_fork", "post_worker_init", "worker_int", "worker_abort", "worker_exit",
                                   "pre_request", "post_request")}
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
               "transfer-encoding", "upgrade"}
def response(status, code, headers, sent, length):
    if status is None:  # the app never called start_response: hornet answered 500
        try:
            status = f"{code} {http.HTTPStatus(code).phrase}"
        except ValueError:
            status = str(code)
    kept = []  # as Gunicorn's Response.headers: values stripped, hop-by-hop headers left out
    for name, value in headers or ():
        value = value.strip(" \t")
        lname = name.lower()
        if lname in _HOP_BY_HOP and not (lname == "upgrade" and value.lower() == "websocket"):
            continue
        kept.append((name, value))
    return types.SimpleNamespace(status=status, status_code=code, headers=kept, sent=sent,
                                 response_length=None if length < 0 else length, headers_sent=True)
class _HornetLog(logging.Handler):
    def __init__(self, write):
        super().__init__()
        self.write = write
    def emit(self, record):
        try:
            self.write(record.levelno, self.format(record))
        except Exception:
            self.handleError(record)
def stand_ins(write, worker_id):
    log = logging.getLogger("hornet.gunicorn_hooks")
    if not log.handlers:
        log.addHandler(_HornetLog(write))
        log.setLevel(logging.DEBUG)
        log.propagate = False
    server = types.SimpleNamespace(log=log, pid=os.getppid())
    worker = types.SimpleNamespace(log=log, pid=os.getpid(), ppid=os.getppid(), age=worker_id, alive=True)
    return server, worker
def request(environ):
    headers = [(k[5:].replace("_", "-"), v) for k, v in environ.items() if k.startswith("HTTP_")]
    for k in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if k in environ:
            headers.append((k.replace("_", "-"), environ[k]))
    proto = environ.get("SERVER_PROTOCOL", "HTTP/1.1")
    return types.SimpleNamespace(method=environ["REQUEST_METHOD"], uri=environ.get("RAW_URI", ""),
                                 path=environ.get("PATH_INFO", ""), query=environ.get("QUERY_STRING", ""),
                                 version=(int(proto[5]), int(proto[7])), headers=headers)
)PY";

// write(levelno, text): one line into hornet's error log at logging's level.
PyObject* hook_log(PyObject* capsule, PyObject* args) {
    int level = 0;
    const char* text = nullptr;
    Py_ssize_t len = 0;
    if (!PyArg_ParseTuple(args, "is#", &level, &text, &len)) return nullptr;
    auto* host = static_cast<const hornet_host_t*>(PyCapsule_GetPointer(capsule, "hornet.host"));
    if (!host) return nullptr;
    const int hornet_level = level >= 50 ? HORNET_LOG_CRITICAL : level >= 40 ? HORNET_LOG_ERROR
                           : level >= 30 ? HORNET_LOG_WARNING : level >= 20 ? HORNET_LOG_INFO : HORNET_LOG_DEBUG;
    {
        GilRelease unlocked; // log may block on a full pipe
        host->log(host, hornet_level, hornet_str_t{text, static_cast<size_t>(len)});
    }
    Py_RETURN_NONE;
}

PyMethodDef kHookLog = {"write", hook_log, METH_VARARGS, "Log one line into hornet's error log."};

PyRef item(PyObject* dict, const char* key) {
    PyObject* v = PyDict_GetItemString(dict, key); // borrowed
    return v && v != Py_None ? PyRef::borrow(v) : PyRef();
}

} // namespace

GunicornHooks::GunicornHooks(const hornet_host_t* host, const std::string& path, PyObject* errors)
    : host_(host), path_(path), errors_(PyRef::borrow(errors)) {
    PyRef globals = PyRef::steal(PyDict_New());
    if (globals) PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins());
    PyRef done = globals ? PyRef::steal(PyRun_String(kHelpers, Py_file_input, globals.get(), globals.get())) : PyRef();
    PyObject* load = done ? PyDict_GetItemString(globals.get(), "load") : nullptr;
    PyRef path_str = PyRef::steal(PyUnicode_FromString(path.c_str()));
    PyRef hooks = load && path_str ? PyRef::steal(PyObject_CallOneArg(load, path_str.get())) : PyRef();
    if (!hooks) {
        std::string summary = exception_summary();
        log_traceback(host, "wsgi: running " + path + " for its hooks failed");
        throw WsgiError(path + ": cannot run it for its Gunicorn hooks: " + summary);
    }
    helpers_ = std::move(globals);
    post_fork_ = item(hooks.get(), "post_fork");
    post_worker_init_ = item(hooks.get(), "post_worker_init");
    worker_int_ = item(hooks.get(), "worker_int");
    worker_abort_ = item(hooks.get(), "worker_abort");
    worker_exit_ = item(hooks.get(), "worker_exit");
    pre_request_ = item(hooks.get(), "pre_request");
    post_request_ = item(hooks.get(), "post_request");
}

GunicornHooks::~GunicornHooks() {
    GilHold gil;
    post_fork_.reset();
    post_worker_init_.reset();
    worker_int_.reset();
    worker_abort_.reset();
    worker_exit_.reset();
    pre_request_.reset();
    post_request_.reset();
    server_.reset();
    worker_.reset();
    helpers_.reset();
    errors_.reset();
}

void GunicornHooks::make_stand_ins() {
    PyObject* fn = PyDict_GetItemString(helpers_.get(), "stand_ins");
    PyRef id = PyRef::steal(PyLong_FromLongLong(host_->query(host_, HORNET_QUERY_WORKER_ID)));
    PyRef capsule = PyRef::steal(PyCapsule_New(const_cast<hornet_host_t*>(host_), "hornet.host", nullptr));
    PyRef write = capsule ? PyRef::steal(PyCFunction_New(&kHookLog, capsule.get())) : PyRef();
    PyRef pair = fn && id && write ? PyRef::steal(PyObject_CallFunctionObjArgs(fn, write.get(), id.get(), nullptr))
                                   : PyRef();
    if (!pair || !PyTuple_Check(pair.get()) || PyTuple_GET_SIZE(pair.get()) != 2) {
        log_traceback(host_, "wsgi: cannot make the server and worker objects for Gunicorn's hooks");
        return;
    }
    server_ = PyRef::borrow(PyTuple_GET_ITEM(pair.get(), 0));
    worker_ = PyRef::borrow(PyTuple_GET_ITEM(pair.get(), 1));
}

void GunicornHooks::call(const char* name, PyObject* fn, PyObject* a, PyObject* b) {
    if (!fn || !a) return;
    PyRef result = PyRef::steal(b ? PyObject_CallFunctionObjArgs(fn, a, b, nullptr)
                                  : PyObject_CallOneArg(fn, a));
    if (!result) log_traceback(host_, std::string("wsgi: Gunicorn hook ") + name + " in " + path_ + " raised");
    flush_error_stream(errors_.get());
}

void GunicornHooks::worker_start() {
    GilHold gil;
    make_stand_ins();
    call("post_fork", post_fork_.get(), server_.get(), worker_.get());
    call("post_worker_init", post_worker_init_.get(), worker_.get());
}

// On the signal thread of signal_hooks.hpp, while the worker stops (INT,
// QUIT) or hangs (ABRT): the GIL comes once a request lets go of it. ABRT
// ends the worker right after, so worker_exit runs here too, as Gunicorn's
// worker runs it after worker_abort.
void GunicornHooks::worker_signal(int sig) {
    GilHold gil;
    if (sig != SIGABRT) return call("worker_int", worker_int_.get(), worker_.get());
    call("worker_abort", worker_abort_.get(), worker_.get());
    call("worker_exit", worker_exit_.get(), server_.get(), worker_.get());
}

void GunicornHooks::worker_exit() {
    GilHold gil;
    call("worker_exit", worker_exit_.get(), server_.get(), worker_.get());
}

PyRef GunicornHooks::helper(const char* name, PyObject* arg) {
    PyObject* fn = PyDict_GetItemString(helpers_.get(), name);
    PyRef made = fn && arg ? PyRef::steal(PyObject_CallOneArg(fn, arg)) : PyRef();
    if (!made) log_traceback(host_, std::string("wsgi: cannot make the ") + name + " object for Gunicorn's hooks");
    return made;
}

void GunicornHooks::pre_request(PyObject* environ) {
    if (!pre_request_ || !worker_) return;
    if (PyRef req = helper("request", environ)) call("pre_request", pre_request_.get(), worker_.get(), req.get());
}

// resp as Gunicorn's Response shows it to the hook.
PyRef GunicornHooks::response_of(const Response* r) {
    PyObject* fn = PyDict_GetItemString(helpers_.get(), "response");
    const bool started = r && r->started();
    PyObject* none = Py_None;
    PyRef code = PyRef::steal(PyLong_FromLong(started ? r->status() : 500));
    PyRef sent = PyRef::steal(PyLong_FromUnsignedLongLong(started ? r->sent() : 0));
    PyRef length = PyRef::steal(PyLong_FromLongLong(started ? r->app_length() : -1));
    PyObject* status = started && r->status_text() ? r->status_text() : none;
    PyObject* headers = started && r->headers() ? r->headers() : none;
    PyRef made = fn && code && sent && length ? PyRef::steal(PyObject_CallFunctionObjArgs(
                                                    fn, status, code.get(), headers, sent.get(), length.get(), nullptr))
                                              : PyRef();
    if (!made) log_traceback(host_, "wsgi: cannot make the resp object for Gunicorn's post_request");
    return made;
}

void GunicornHooks::post_request(PyObject* environ, const Response* response) {
    if (!post_request_ || !worker_) return;
    PyRef req = helper("request", environ);
    PyRef resp = req ? response_of(response) : PyRef();
    if (!resp) return;
    PyRef result = PyRef::steal(
        PyObject_CallFunctionObjArgs(post_request_.get(), worker_.get(), req.get(), environ, resp.get(), nullptr));
    if (!result) log_traceback(host_, "wsgi: Gunicorn hook post_request in " + path_ + " raised");
    flush_error_stream(errors_.get());
}

} // namespace hornet::wsgi
