// One request in Python: the receive and send callables, the awaitables
// they return, and the task's done callback; see bridge.hpp.
//
// design: receive() and send() are C objects that do their work when they
// are called and return either a Ready awaitable (a finished result: no
// Future, no trip through the loop) or an asyncio Future that an event from
// the loop thread resolves later. A hello costs no wait at all: the head
// and the whole body go to the loop thread in one Op, with finish().
// Streamed body chunks (more_body) wait until the loop thread has taken the
// bytes (back-pressure), and body reads happen only when the app asks.
#include <fcntl.h>
#include <new>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "bridge.hpp"
#include "event_inbox.hpp"
#include "request_state.hpp"
#include "scope_builder.hpp"
#include "traceback_log.hpp"
#include "hornet/support/log.hpp"

#include <structmember.h> // after Python.h (via py_ref.hpp)

namespace hornet::asgi {
namespace {

using python::PyRef;

constexpr int kReadCap = 64 * 1024;

struct Names {
    PyObject *type, *body, *more_body, *status, *headers, *http_request, *http_disconnect, *response_start,
        *response_body, *set_result, *done, *add_done_callback, *empty_bytes, *pathsend, *path;
};
Names n{};
PyTypeObject *g_ready = nullptr, *g_receive = nullptr, *g_send = nullptr, *g_channel = nullptr;
PyObject* g_ready_none = nullptr;
PyObject* g_call_soon = nullptr; // the loop's call_soon: flushes the outbox after this iteration
PyObject* g_run_in_executor = nullptr; // the loop's: pathsend's blocking sendfile
PyObject* g_flush = nullptr;

PyObject* flush_fn(PyObject*, PyObject*) {
    flush_outbox();
    Py_RETURN_NONE;
}
PyMethodDef kFlush = {"flush_outbox", flush_fn, METH_NOARGS, nullptr};

void schedule_flush() {
    PyObject* handle = g_call_soon ? PyObject_CallOneArg(g_call_soon, g_flush) : nullptr;
    if (handle) return Py_DECREF(handle);
    PyErr_Clear();
    flush_outbox(); // no loop to wait for: post at once
}

// ---- Ready: an awaitable whose result is already there ---------------------------

struct ReadyObject {
    PyObject_HEAD
    PyObject* value;
};

void ready_dealloc(PyObject* self) {
    Py_XDECREF(reinterpret_cast<ReadyObject*>(self)->value);
    PyTypeObject* t = Py_TYPE(self);
    t->tp_free(self);
    Py_DECREF(t);
}

PyObject* ready_await(PyObject* self) { return Py_NewRef(self); }

PyObject* ready_next(PyObject* self) {
    PyObject* v = reinterpret_cast<ReadyObject*>(self)->value;
    if (v == Py_None) PyErr_SetNone(PyExc_StopIteration);
    else PyErr_SetObject(PyExc_StopIteration, v);
    return nullptr;
}

PySendResult ready_send(PyObject* self, PyObject*, PyObject** result) {
    *result = Py_NewRef(reinterpret_cast<ReadyObject*>(self)->value);
    return PYGEN_RETURN;
}

PyObject* new_ready(PyObject* value) { // steals value
    if (!value) return nullptr;
    auto* r = PyObject_New(ReadyObject, g_ready);
    if (!r) {
        Py_DECREF(value);
        return nullptr;
    }
    r->value = value;
    return reinterpret_cast<PyObject*>(r);
}

// ---- the channel: one request's Python-side state -------------------------------

struct ChannelState {
    RequestState* rs = nullptr;
    const hornet_host_t* host = nullptr;
    PyRef create_future;
    PyRef receive_waiter; // a Future: body bytes, or the disconnect
    PyRef send_waiter;    // a Future: streamed bytes taken
    std::unique_ptr<Op> head; // http.response.start, held until the first body
    int64_t content_length = -1;
    int64_t received = 0;
    bool body_done = false;
    bool started = false;
    bool complete = false;    // the last body bytes are posted
    bool disconnected = false;
    bool ended = false;       // the task is done and finish is posted
    bool read_in_flight = false; // a body read the loop thread has not answered
    PyRef prefetched;         // an http.request (or disconnect) that came before receive() asked
};

struct ChannelObject {
    PyObject_HEAD
    ChannelState* s;
};

struct PortObject { // receive and send
    PyObject_HEAD
    vectorcallfunc call;
    ChannelObject* ch;
};

ChannelState& state_of(PyObject* o) { return *reinterpret_cast<ChannelObject*>(o)->s; }

void channel_dealloc(PyObject* self) {
    auto* c = reinterpret_cast<ChannelObject*>(self);
    if (c->s) {
        if (c->s->rs) {
            c->s->rs->channel = nullptr;
            c->s->rs->unref();
        }
        delete c->s;
    }
    PyTypeObject* t = Py_TYPE(self);
    t->tp_free(self);
    Py_DECREF(t);
}

void port_dealloc(PyObject* self) {
    Py_XDECREF(reinterpret_cast<PortObject*>(self)->ch);
    PyTypeObject* t = Py_TYPE(self);
    t->tp_free(self);
    Py_DECREF(t);
}

// Once per cause, so a broken app does not flood the log; the app gets a
// RuntimeError each time.
PyObject* protocol_error(const hornet_host_t* host, std::atomic<bool>& logged, const char* what) {
    if (!logged.exchange(true))
        support::log_line(host, HORNET_LOG_ERROR, std::string("asgi: ASGI protocol error: ") + what +
                                                      " (logged once; the app gets a RuntimeError each time)");
    PyErr_SetString(PyExc_RuntimeError, what);
    return nullptr;
}

void resolve(PyRef& waiter, PyObject* value) { // steals value
    PyRef fut = std::move(waiter);
    PyRef v = PyRef::steal(value);
    if (!fut || !v) return PyErr_Clear();
    PyRef done = PyRef::steal(PyObject_CallMethodNoArgs(fut.get(), n.done));
    if (done && done.get() == Py_False) {
        PyRef r = PyRef::steal(PyObject_CallMethodOneArg(fut.get(), n.set_result, v.get()));
    }
    PyErr_Clear();
}

bool is_done(PyObject* future) {
    PyRef done = PyRef::steal(PyObject_CallMethodNoArgs(future, n.done));
    if (!done) PyErr_Clear();
    return !done || done.get() == Py_True;
}

PyObject* disconnect_message() { return Py_BuildValue("{O:O}", n.type, n.http_disconnect); }

PyObject* request_message(const char* data, Py_ssize_t len, bool more) {
    PyObject* body = len ? PyBytes_FromStringAndSize(data, len) : Py_NewRef(n.empty_bytes);
    if (!body) return nullptr;
    PyObject* m = Py_BuildValue("{O:O,O:N,O:O}", n.type, n.http_request, n.body, body, n.more_body,
                                more ? Py_True : Py_False);
    return m;
}

PyObject* new_future(ChannelState& s) { return PyObject_CallNoArgs(s.create_future.get()); }

// ---- receive() ----------------------------------------------------------------------

std::atomic<bool> g_logged_receive_twice{false};

PyObject* receive_call(PyObject* self, PyObject* const*, size_t nargsf, PyObject*) {
    if (PyVectorcall_NARGS(nargsf) != 0) {
        PyErr_SetString(PyExc_TypeError, "receive() takes no arguments");
        return nullptr;
    }
    ChannelState& s = *reinterpret_cast<PortObject*>(self)->ch->s;
    if (s.receive_waiter && is_done(s.receive_waiter.get())) s.receive_waiter.reset(); // cancelled by the app
    if (s.receive_waiter)
        return protocol_error(s.host, g_logged_receive_twice,
                              "receive() called while an earlier receive() has not completed");
    if (s.disconnected || (s.body_done && s.complete)) return new_ready(disconnect_message());
    if (!s.body_done && s.content_length == 0) {
        s.body_done = true;
        return new_ready(request_message(nullptr, 0, false));
    }
    if (s.prefetched) return new_ready(s.prefetched.release());
    PyObject* fut = new_future(s);
    if (!fut) return nullptr;
    s.receive_waiter = PyRef::borrow(fut);
    if (!s.body_done && !s.read_in_flight) { // else: the read is on its way, or the
        auto op = std::make_unique<Op>();    // disconnect (response done, client gone)
        op->read_cap = kReadCap;
        s.read_in_flight = true;
        s.rs->post(std::move(op));
    }
    return fut;
}

// The first body read starts in handle() (prefetch_body), so its bytes may
// come before the app asks: they wait in `prefetched`.
void on_read(ChannelState& s, ptrdiff_t result) {
    s.read_in_flight = false;
    PyObject* message;
    if (result < 0) {
        s.disconnected = true;
        s.body_done = true;
        message = disconnect_message();
    } else {
        s.received += result;
        const bool more = result > 0 && (s.content_length < 0 || s.received < s.content_length);
        if (!more) s.body_done = true;
        message = request_message(s.rs->read_buf.get(), result, more);
    }
    if (s.receive_waiter) return resolve(s.receive_waiter, message);
    s.prefetched = PyRef::steal(message);
    if (!message) PyErr_Clear();
}

// ---- send() --------------------------------------------------------------------------

// ---- http.response.pathsend: a file as the whole body, with sendfile ----------

// The blocking part runs in the loop's default executor (ops->sendfile may
// block; [after PENDING] any thread may call it), the GIL let go: head,
// file, finish, in that order, and nothing else of this exchange is queued.
struct FileSend {
    RequestState* rs; // a reference held
    std::unique_ptr<Op> head;
    int fd;
    uint64_t size;
};

void file_send_free(PyObject* capsule) {
    auto* f = static_cast<FileSend*>(PyCapsule_GetPointer(capsule, "hornet.asgi.FileSend"));
    if (!f) return PyErr_Clear();
    if (f->fd >= 0) ::close(f->fd);
    f->rs->unref();
    delete f;
}

int send_file_now(FileSend& f) {
    std::vector<hornet_header_t> headers;
    for (size_t i = 0; i + 1 < f.head->header_text.size(); i += 2)
        headers.push_back({{f.head->header_text[i].data(), f.head->header_text[i].size()},
                           {f.head->header_text[i + 1].data(), f.head->header_text[i + 1].size()}});
    RequestState* rs = f.rs;
    int rc = rs->ops->start(rs->x, f.head->status, headers.data(), headers.size());
    if (rc == HORNET_OK) rc = rs->ops->sendfile(rs->x, f.fd, 0, f.size);
    rs->ops->finish(rs->x, rc < 0 ? rc : 0);
    return rc;
}

PyObject* file_send_run(PyObject* capsule, PyObject*) {
    auto* f = static_cast<FileSend*>(PyCapsule_GetPointer(capsule, "hornet.asgi.FileSend"));
    if (!f || f->fd < 0) return nullptr;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = send_file_now(*f);
    Py_END_ALLOW_THREADS
    ::close(f->fd);
    f->fd = -1;
    (void)rc; // a client that went away: nothing for the app to do
    Py_RETURN_NONE;
}
PyMethodDef kFileSend = {"pathsend", file_send_run, METH_NOARGS, nullptr};

std::atomic<bool> g_logged_start_twice{false}, g_logged_body_first{false}, g_logged_after_end{false},
    g_logged_unknown{false}, g_logged_bad_message{false};

bool copy_headers(PyObject* headers, Op& op) {
    if (!headers || headers == Py_None) return true;
    PyRef it = PyRef::steal(PyObject_GetIter(headers));
    if (!it) return false;
    while (PyRef pair = PyRef::steal(PyIter_Next(it.get()))) {
        PyRef seq = PyRef::steal(PySequence_Fast(pair.get(), "a header must be a (name, value) pair"));
        if (!seq || PySequence_Fast_GET_SIZE(seq.get()) != 2) {
            if (seq) PyErr_SetString(PyExc_TypeError, "a header must be a (name, value) pair");
            return false;
        }
        for (int i = 0; i < 2; ++i) {
            PyObject* part = PySequence_Fast_GET_ITEM(seq.get(), i);
            char* p;
            Py_ssize_t len;
            if (PyBytes_AsStringAndSize(part, &p, &len) < 0) return false;
            op.header_text.emplace_back(p, static_cast<size_t>(len));
        }
    }
    return !PyErr_Occurred();
}

PyObject* send_start(ChannelState& s, PyObject* message) {
    if (s.started) return protocol_error(s.host, g_logged_start_twice, "a second http.response.start");
    PyObject* status = PyDict_GetItemWithError(message, n.status);
    const long code = status ? PyLong_AsLong(status) : -1;
    if (code < 100 || code > 999) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "http.response.start needs an int 'status'");
        return nullptr;
    }
    auto op = std::make_unique<Op>();
    op->head = true;
    op->status = static_cast<int>(code);
    if (!copy_headers(PyDict_GetItemWithError(message, n.headers), *op)) return nullptr;
    s.started = true;
    s.head = std::move(op);
    return Py_NewRef(g_ready_none);
}

PyObject* send_body(ChannelState& s, PyObject* message) {
    if (!s.started)
        return protocol_error(s.host, g_logged_body_first, "http.response.body before http.response.start");
    if (s.complete) return protocol_error(s.host, g_logged_after_end, "http.response.body after the response ended");
    PyObject* body = PyDict_GetItemWithError(message, n.body);
    PyObject* more = PyDict_GetItemWithError(message, n.more_body);
    const int more_body = more ? PyObject_IsTrue(more) : 0;
    if (more_body < 0) return nullptr;
    Py_buffer view{};
    if (body && body != Py_None && PyObject_GetBuffer(body, &view, PyBUF_SIMPLE) < 0) return nullptr;
    std::unique_ptr<Op> op = s.head ? std::move(s.head) : std::make_unique<Op>();
    if (view.buf) op->body.assign(static_cast<const char*>(view.buf), static_cast<size_t>(view.len));
    if (view.obj) PyBuffer_Release(&view);
    if (s.disconnected) return Py_NewRef(g_ready_none); // the client is gone: nothing to send to
    op->finish = !more_body;
    op->notify = more_body;
    if (!more_body) {
        s.complete = true;
        s.rs->post(std::move(op));
        if (s.body_done) resolve(s.receive_waiter, disconnect_message());
        return Py_NewRef(g_ready_none);
    }
    PyObject* fut = new_future(s);
    if (!fut) return nullptr;
    s.send_waiter = PyRef::borrow(fut);
    s.rs->post(std::move(op));
    return fut;
}

std::atomic<bool> g_logged_pathsend_late{false};

PyObject* send_pathsend(ChannelState& s, PyObject* message) {
    if (!s.started || !s.head || s.complete)
        return protocol_error(s.host, g_logged_pathsend_late,
                              "http.response.pathsend must follow http.response.start and be the whole body");
    PyObject* path = PyDict_GetItemWithError(message, n.path);
    PyObject* raw = nullptr;
    if (!path || !PyUnicode_FSConverter(path, &raw)) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "http.response.pathsend needs a 'path'");
        return nullptr;
    }
    PyRef bytes = PyRef::steal(raw);
    const int fd = ::open(PyBytes_AS_STRING(bytes.get()), O_RDONLY | O_CLOEXEC);
    struct stat st{};
    if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0) ::close(fd);
        return PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
    }
    auto* f = new FileSend{s.rs, std::move(s.head), fd, static_cast<uint64_t>(st.st_size)};
    s.rs->ref();
    s.complete = true;
    PyRef capsule = PyRef::steal(PyCapsule_New(f, "hornet.asgi.FileSend", file_send_free));
    if (!capsule) {
        ::close(fd);
        f->rs->unref();
        delete f;
        return nullptr;
    }
    PyRef fn = PyRef::steal(PyCFunction_New(&kFileSend, capsule.get()));
    PyObject* args[] = {Py_None, fn.get()};
    return fn && g_run_in_executor ? PyObject_Vectorcall(g_run_in_executor, args, 2, nullptr) : nullptr;
}

PyObject* send_call(PyObject* self, PyObject* const* args, size_t nargsf, PyObject*) {
    ChannelState& s = *reinterpret_cast<PortObject*>(self)->ch->s;
    if (PyVectorcall_NARGS(nargsf) != 1 || !PyDict_Check(args[0]))
        return protocol_error(s.host, g_logged_bad_message, "send() takes one message, a dict");
    PyObject* message = args[0];
    PyObject* type = PyDict_GetItemWithError(message, n.type);
    if (type && PyUnicode_Check(type)) {
        if (PyUnicode_Compare(type, n.response_body) == 0) return send_body(s, message);
        if (PyUnicode_Compare(type, n.response_start) == 0) return send_start(s, message);
        if (PyUnicode_Compare(type, n.pathsend) == 0) return send_pathsend(s, message);
    }
    if (PyErr_Occurred()) return nullptr;
    return protocol_error(s.host, g_logged_unknown,
                          "send() got a message that is not http.response.start, .body or .pathsend");
}

void on_written(ChannelState& s, ptrdiff_t result) {
    if (result < 0 && !s.disconnected) {
        s.disconnected = true;
        resolve(s.receive_waiter, disconnect_message());
    }
    resolve(s.send_waiter, Py_NewRef(Py_None));
}

// ---- the end: the task's done callback ------------------------------------------------

void post_end(ChannelState& s, int error) {
    std::unique_ptr<Op> op = s.head ? std::move(s.head) : std::make_unique<Op>();
    op->finish = true;
    op->error = error;
    s.complete = true;
    s.rs->post(std::move(op));
}

void report_exception(ChannelState& s, PyObject* exc) {
    PyObject* tb = PyException_GetTraceback(exc);
    PyErr_Restore(Py_NewRef(reinterpret_cast<PyObject*>(Py_TYPE(exc))), Py_NewRef(exc), tb);
    const hornet_request_t* r = s.rs->request;
    std::string context = "asgi: exception in ASGI application, ";
    context.append(r->method.ptr, r->method.len).append(" ").append(r->target.ptr, r->target.len);
    python::log_traceback(s.host, context);
}

std::atomic<bool> g_logged_no_response{false};

void end_channel(ChannelState& s, PyObject* task) {
    if (s.ended) return;
    s.ended = true;
    PyRef cancelled = PyRef::steal(PyObject_CallMethod(task, "cancelled", nullptr));
    PyRef exc = cancelled && cancelled.get() == Py_False ? PyRef::steal(PyObject_CallMethod(task, "exception", nullptr))
                                                         : PyRef();
    PyErr_Clear();
    if (exc && exc.get() != Py_None) {
        report_exception(s, exc.get());
        if (!s.complete) post_end(s, HORNET_EINTERNAL); // a 500 if nothing went out, else the connection is cut
    } else if (!s.started) {
        if (!g_logged_no_response.exchange(true))
            support::log_line(s.host, HORNET_LOG_ERROR,
                              "asgi: the ASGI app returned without starting a response: 500 (logged once)");
        post_end(s, HORNET_EINTERNAL);
    } else if (!s.complete) {
        post_end(s, 0); // ends a chunked body; a short fixed-length one closes the connection
    }
    s.receive_waiter.reset();
    s.send_waiter.reset();
    s.prefetched.reset();
}

PyObject* channel_call(PyObject* self, PyObject* args, PyObject*) {
    PyObject* task = PyTuple_GET_SIZE(args) == 1 ? PyTuple_GET_ITEM(args, 0) : nullptr;
    if (!task) {
        PyErr_SetString(PyExc_TypeError, "the channel takes the finished task");
        return nullptr;
    }
    end_channel(state_of(self), task);
    return Py_NewRef(Py_None);
}

// ---- types -----------------------------------------------------------------------------

PyMemberDef kPortMembers[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(PortObject, call), READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr}};

PyTypeObject* make_type(const char* name, int size, unsigned flags, PyType_Slot* slots) {
    PyType_Spec spec{name, size, 0, flags, slots};
    return reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&spec));
}

PyObject* port_tp_call(PyObject* self, PyObject* args, PyObject* kw) { return PyVectorcall_Call(self, args, kw); }

PyObject* new_port(PyTypeObject* type, ChannelObject* ch, vectorcallfunc call) {
    auto* p = PyObject_New(PortObject, type);
    if (!p) return nullptr;
    p->call = call;
    p->ch = reinterpret_cast<ChannelObject*>(Py_NewRef(reinterpret_cast<PyObject*>(ch)));
    return reinterpret_cast<PyObject*>(p);
}

// ---- a new request --------------------------------------------------------------------------

void start_failed(Bridge& b, ChannelObject* ch, const char* what) {
    python::log_traceback(b.host, what);
    post_end(*ch->s, HORNET_EINTERNAL);
    ch->s->ended = true;
}

void start_request(Bridge& b, RequestState* rs) {
    auto* ch = PyObject_New(ChannelObject, g_channel);
    if (!ch) {
        PyErr_Clear();
        rs->ops->finish(rs->x, HORNET_ENOMEM); // from any thread: posted by the worker
        return rs->unref();
    }
    ch->s = new (std::nothrow) ChannelState();
    if (!ch->s) {
        Py_DECREF(ch);
        rs->ops->finish(rs->x, HORNET_ENOMEM);
        return rs->unref();
    }
    PyRef channel = PyRef::steal(reinterpret_cast<PyObject*>(ch));
    ChannelState& s = *ch->s;
    s.rs = rs; // the event's reference is the channel's now
    rs->channel = ch;
    s.host = b.host;
    s.create_future = PyRef::borrow(b.create_future.get());
    s.content_length = rs->request->flags & HORNET_REQ_CHUNKED ? -1 : rs->request->content_length;
    s.read_in_flight = rs->body_prefetched;
    PyRef scope = build_scope(*rs->request, b.root_path.get(), b.state.get());
    PyRef receive = scope ? PyRef::steal(new_port(g_receive, ch, receive_call)) : PyRef();
    PyRef send = receive ? PyRef::steal(new_port(g_send, ch, send_call)) : PyRef();
    if (!send) return start_failed(b, ch, "asgi: cannot build the scope");
    PyObject* args[] = {scope.get(), receive.get(), send.get()};
    PyRef coro = PyRef::steal(PyObject_Vectorcall(b.app.get(), args, 3, nullptr));
    if (!coro) return start_failed(b, ch, "asgi: exception in ASGI application");
    PyRef task = PyRef::steal(PyObject_CallOneArg(b.create_task.get(), coro.get()));
    PyRef added = task ? PyRef::steal(PyObject_CallMethodOneArg(task.get(), n.add_done_callback, channel.get()))
                       : PyRef();
    if (!added) return start_failed(b, ch, "asgi: the ASGI app did not return an awaitable");
}

} // namespace

bool init_channel_types() {
    static PyType_Slot ready_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(ready_dealloc)},
                                        {Py_am_await, reinterpret_cast<void*>(ready_await)},
                                        {Py_am_send, reinterpret_cast<void*>(ready_send)},
                                        {Py_tp_iter, reinterpret_cast<void*>(ready_await)},
                                        {Py_tp_iternext, reinterpret_cast<void*>(ready_next)},
                                        {0, nullptr}};
    static PyType_Slot port_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(port_dealloc)},
                                       {Py_tp_call, reinterpret_cast<void*>(port_tp_call)},
                                       {Py_tp_members, kPortMembers},
                                       {0, nullptr}};
    static PyType_Slot channel_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(channel_dealloc)},
                                          {Py_tp_call, reinterpret_cast<void*>(channel_call)},
                                          {0, nullptr}};
    const unsigned port_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL;
    g_ready = make_type("hornet.asgi.Ready", sizeof(ReadyObject), Py_TPFLAGS_DEFAULT, ready_slots);
    g_receive = make_type("hornet.asgi.Receive", sizeof(PortObject), port_flags, port_slots);
    g_send = make_type("hornet.asgi.Send", sizeof(PortObject), port_flags, port_slots);
    g_channel = make_type("hornet.asgi.Channel", sizeof(ChannelObject), Py_TPFLAGS_DEFAULT, channel_slots);
    auto i = [](const char* s) { return PyUnicode_InternFromString(s); };
    n = Names{i("type"), i("body"), i("more_body"), i("status"), i("headers"), i("http.request"),
              i("http.disconnect"), i("http.response.start"), i("http.response.body"), i("set_result"),
              i("done"), i("add_done_callback"), PyBytes_FromStringAndSize("", 0), i("http.response.pathsend"),
              i("path")};
    g_ready_none = g_ready ? new_ready(Py_NewRef(Py_None)) : nullptr;
    return g_ready && g_receive && g_send && g_channel && g_ready_none && n.empty_bytes && init_scope_constants();
}

void drop_channel_types() {
    drop_scope_constants();
    PyObject** names[] = {&n.type, &n.body, &n.more_body, &n.status, &n.headers, &n.http_request,
                          &n.http_disconnect, &n.response_start, &n.response_body, &n.set_result, &n.done,
                          &n.add_done_callback, &n.empty_bytes, &n.pathsend, &n.path, &g_ready_none,
                          &g_call_soon, &g_flush, &g_run_in_executor};
    for (PyObject** p : names) Py_CLEAR(*p);
    for (PyTypeObject** t : {&g_ready, &g_receive, &g_send, &g_channel}) {
        Py_XDECREF(reinterpret_cast<PyObject*>(*t));
        *t = nullptr;
    }
}

void use_loop(PyObject* call_soon, PyObject* run_in_executor) {
    Py_XSETREF(g_call_soon, Py_XNewRef(call_soon));
    Py_XSETREF(g_run_in_executor, Py_XNewRef(run_in_executor));
    if (!g_flush) g_flush = PyCFunction_New(&kFlush, nullptr);
    set_outbox_scheduler(schedule_flush);
}

void deliver(Bridge& bridge, const Event& e) {
    RequestState* rs = e.rs;
    if (e.kind == Event::request) return start_request(bridge, rs);
    if (auto* ch = static_cast<ChannelObject*>(rs->channel)) {
        if (e.kind == Event::read_done) on_read(*ch->s, e.result);
        else on_written(*ch->s, e.result);
    }
    rs->unref();
}

} // namespace hornet::asgi
