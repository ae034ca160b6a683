// One connection in Python: the channel and its receive and send objects,
// the app's task (app_run.hpp drives it), and the events from the loop
// thread; see channel.hpp and bridge.hpp.
#include <new>
#include <string>

#include "app_run.hpp"
#include "bridge.hpp"
#include "channel.hpp"
#include "event_inbox.hpp"
#include "hornet/support/log.hpp"
#include "ready.hpp"
#include "scope_builder.hpp"
#include "traceback_log.hpp"

#include <structmember.h> // after Python.h (via py_ref.hpp)

namespace hornet::asgi {

Names n{};

namespace {

using python::PyRef;

PyTypeObject *g_receive = nullptr, *g_send = nullptr, *g_channel = nullptr;
PyObject* g_call_soon = nullptr; // the loop's call_soon: flushes the outbox after this iteration
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

// ---- receive() and send() --------------------------------------------------------

std::atomic<bool> g_logged_receive_twice{false}, g_logged_bad_message{false};

PyObject* receive_call(PyObject* self, PyObject* const*, size_t nargsf, PyObject*) {
    if (PyVectorcall_NARGS(nargsf) != 0) {
        PyErr_SetString(PyExc_TypeError, "receive() takes no arguments");
        return nullptr;
    }
    ChannelState& s = state_of_port(self);
    if (s.receive_waiter && is_done(s.receive_waiter.get())) s.receive_waiter.reset(); // cancelled by the app
    if (s.receive_waiter)
        return protocol_error(s.host, g_logged_receive_twice,
                              "receive() called while an earlier receive() has not completed");
    return s.rs->ws ? ws_receive(s) : http_receive(s);
}

PyObject* send_call(PyObject* self, PyObject* const* args, size_t nargsf, PyObject*) {
    ChannelState& s = state_of_port(self);
    if (PyVectorcall_NARGS(nargsf) != 1 || !PyDict_Check(args[0]))
        return protocol_error(s.host, g_logged_bad_message, "send() takes one message, a dict");
    return s.rs->ws ? ws_send(s, args[0]) : http_send(s, args[0]);
}

// ---- the end: the app's coroutine is over ------------------------------------------------

void report_exception(ChannelState& s, PyObject* exc) {
    PyObject* tb = PyException_GetTraceback(exc);
    PyErr_Restore(Py_NewRef(reinterpret_cast<PyObject*>(Py_TYPE(exc))), Py_NewRef(exc), tb);
    const hornet_request_t* r = s.rs->request;
    std::string context = "asgi: exception in ASGI application, ";
    context.append(r->method.ptr, r->method.len).append(" ").append(r->target.ptr, r->target.len);
    python::log_traceback(s.host, context);
}

std::atomic<bool> g_logged_no_response{false};

void end_http(ChannelState& s, bool failed) {
    if (failed) {
        if (!s.complete) post_end(s, HORNET_EINTERNAL); // a 500 if nothing went out, else the connection is cut
    } else if (!s.started) {
        if (s.disconnected) return post_end(s, HORNET_ECLOSED); // nobody to answer: no fault of the app's
        if (!g_logged_no_response.exchange(true))
            support::log_line(s.host, HORNET_LOG_ERROR,
                              "asgi: the ASGI app returned without starting a response: 500 (logged once)");
        post_end(s, HORNET_EINTERNAL);
    } else if (!s.complete) {
        post_end(s, 0); // ends a chunked body; a short fixed-length one closes the connection
    }
}

} // namespace

void end_channel(ChannelState& s, PyObject* exc) {
    if (s.ended) return;
    if (exc) report_exception(s, exc);
    if (s.rs->ws) ws_end(s, exc != nullptr);
    else end_http(s, exc != nullptr);
    s.ended = true;
    s.receive_waiter.reset();
    s.send_waiter.reset();
    s.prefetched.reset();
}

namespace {

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

Names interned_names() {
    auto i = [](const char* s) { return PyUnicode_InternFromString(s); };
    return Names{i("type"), i("body"), i("more_body"), i("status"), i("headers"), i("http.request"),
                 i("http.disconnect"), i("http.response.start"), i("http.response.body"), i("set_result"),
                 i("done"), PyBytes_FromStringAndSize("", 0), i("http.response.pathsend"), i("path"),
                 i("http.response.trailers"), i("trailers"), i("more_trailers"), i("websocket.connect"),
                 i("websocket.accept"), i("websocket.receive"),
                 i("websocket.send"), i("websocket.disconnect"), i("websocket.close"),
                 i("websocket.http.response.start"), i("websocket.http.response.body"), i("bytes"), i("text"),
                 i("code"), i("reason"), i("subprotocol"), i("")};
}

PyObject** name_slots(std::size_t& count) {
    static_assert(sizeof(Names) % sizeof(PyObject*) == 0);
    count = sizeof(Names) / sizeof(PyObject*);
    return reinterpret_cast<PyObject**>(&n);
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
    PyRef scope = rs->ws ? build_websocket_scope(*rs->request, rs->subprotocols, b.root_path.get(), b.state.get())
                         : build_scope(*rs->request, b.root_path.get(), b.state.get(), offers_trailers(rs->ops));
    PyRef receive = scope ? PyRef::steal(new_port(g_receive, ch, receive_call)) : PyRef();
    PyRef send = receive ? PyRef::steal(new_port(g_send, ch, send_call)) : PyRef();
    if (!send) return start_failed(b, ch, "asgi: cannot build the scope");
    PyObject* args[] = {scope.get(), receive.get(), send.get()};
    PyRef coro = PyRef::steal(PyObject_Vectorcall(b.app.get(), args, 3, nullptr));
    if (!coro) return start_failed(b, ch, "asgi: exception in ASGI application");
    PyRef run = PyRef::steal(new_app_run(coro.get(), ch));
    if (!run) return start_failed(b, ch, "asgi: the ASGI app did not return an awaitable");
    PyObject* task_args[] = {run.get(), b.task_name.get()};
    PyRef task = PyRef::steal(b.task_type ? PyObject_Vectorcall(b.task_type.get(), task_args, 1, b.task_kwnames.get())
                                          : PyObject_CallOneArg(b.create_task.get(), run.get()));
    if (!task) return start_failed(b, ch, "asgi: cannot start the ASGI app's task");
}

void on_event(ChannelState& s, const Event& e) {
    const bool ws = s.rs->ws != nullptr;
    switch (e.kind) {
    case Event::read_done: return ws ? on_ws_received(s, e.result) : on_read(s, e.result);
    case Event::write_done: return ws ? on_ws_sent(s, e.result) : on_written(s, e.result);
    case Event::peer_gone: return on_peer_gone(s);
    case Event::request: return;
    }
}

} // namespace

// ---- shared helpers (channel.hpp) --------------------------------------------------------

PyObject* protocol_error(const hornet_host_t* host, std::atomic<bool>& logged, const char* what) {
    if (!logged.exchange(true))
        support::log_line(host, HORNET_LOG_ERROR, std::string("asgi: ASGI protocol error: ") + what +
                                                      " (logged once; the app gets a RuntimeError each time)");
    PyErr_SetString(PyExc_RuntimeError, what);
    return nullptr;
}

void resolve(PyRef& waiter, PyObject* value) {
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

PyObject* new_future(ChannelState& s) { return PyObject_CallNoArgs(s.create_future.get()); }

// ---- bridge.hpp ---------------------------------------------------------------------------

bool init_channel_types() {
    static PyType_Slot port_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(port_dealloc)},
                                       {Py_tp_call, reinterpret_cast<void*>(port_tp_call)},
                                       {Py_tp_members, kPortMembers},
                                       {0, nullptr}};
    static PyType_Slot channel_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(channel_dealloc)},
                                          {0, nullptr}};
    const unsigned port_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL;
    g_receive = make_type("hornet.asgi.Receive", sizeof(PortObject), port_flags, port_slots);
    g_send = make_type("hornet.asgi.Send", sizeof(PortObject), port_flags, port_slots);
    g_channel = make_type("hornet.asgi.Channel", sizeof(ChannelObject), Py_TPFLAGS_DEFAULT, channel_slots);
    n = interned_names();
    std::size_t count;
    PyObject** names = name_slots(count);
    for (std::size_t i = 0; i < count; ++i)
        if (!names[i]) return false;
    return g_receive && g_send && g_channel && init_ready_type() && init_app_run_type() && init_websocket_port() &&
           init_scope_constants();
}

void drop_channel_types() {
    drop_scope_constants();
    drop_websocket_port();
    drop_app_run_type();
    drop_ready_type();
    std::size_t count;
    PyObject** names = name_slots(count);
    for (std::size_t i = 0; i < count; ++i) Py_CLEAR(names[i]);
    Py_CLEAR(g_call_soon);
    Py_CLEAR(g_flush);
    use_executor(nullptr);
    for (PyTypeObject** t : {&g_receive, &g_send, &g_channel}) {
        Py_XDECREF(reinterpret_cast<PyObject*>(*t));
        *t = nullptr;
    }
}

void use_loop(PyObject* call_soon, PyObject* run_in_executor) {
    Py_XSETREF(g_call_soon, Py_XNewRef(call_soon));
    use_executor(run_in_executor);
    if (!g_flush) g_flush = PyCFunction_New(&kFlush, nullptr);
    set_outbox_scheduler(schedule_flush);
}

void deliver(Bridge& bridge, const Event& e) {
    RequestState* rs = e.rs;
    if (e.kind == Event::request) return start_request(bridge, rs);
    if (auto* ch = static_cast<ChannelObject*>(rs->channel)) on_event(*ch->s, e);
    rs->unref();
}

} // namespace hornet::asgi
