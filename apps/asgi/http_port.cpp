// The http protocol of receive() and send(); see channel.hpp.
//
// A hello costs no wait at all: the head and the whole body go to the loop
// thread in one Op, with finish(). Streamed body chunks (more_body) wait
// until the loop thread has taken the bytes (back-pressure), and body reads
// happen only when the app asks (the first one starts in handle()). While
// the app waits with nothing left to read, or streams, the worker watches
// the client (exchange ops' watch_peer, ABI 1.5), so http.disconnect comes
// when it goes away.
#include "channel.hpp"
#include "ready.hpp"

#include <string>

namespace hornet::asgi {
namespace {

using python::PyRef;

constexpr int kReadCap = 64 * 1024;

PyObject* request_message(const char* data, Py_ssize_t len, bool more) {
    PyObject* body = len ? PyBytes_FromStringAndSize(data, len) : Py_NewRef(n.empty_bytes);
    if (!body) return nullptr;
    return Py_BuildValue("{O:O,O:N,O:O}", n.type, n.http_request, n.body, body, n.more_body,
                         more ? Py_True : Py_False);
}

// Once per request: from now on the loop thread tells us if the client goes.
void watch_client(ChannelState& s) {
    if (s.watching || s.disconnected) return;
    s.watching = true;
    auto op = std::make_unique<Op>();
    op->watch = true;
    s.rs->post(std::move(op));
}

std::atomic<bool> g_logged_start_twice{false}, g_logged_body_first{false}, g_logged_after_end{false},
    g_logged_unknown{false}, g_logged_trailers_unasked{false};

// The last op of the response: finish() goes with it.
PyObject* end_response(ChannelState& s, std::unique_ptr<Op> op) {
    op->finish = true;
    s.complete = true;
    s.rs->post(std::move(op));
    if (s.body_done) resolve(s.receive_waiter, disconnect_message());
    return ready_none();
}

} // namespace

bool copy_pair(PyObject* pair, std::vector<std::string>& text) {
    PyRef seq = PyRef::steal(PySequence_Fast(pair, "a header must be a (name, value) pair"));
    if (!seq) return false;
    if (PySequence_Fast_GET_SIZE(seq.get()) != 2) {
        PyErr_SetString(PyExc_TypeError, "a header must be a (name, value) pair");
        return false;
    }
    for (int i = 0; i < 2; ++i) {
        char* p;
        Py_ssize_t len;
        if (PyBytes_AsStringAndSize(PySequence_Fast_GET_ITEM(seq.get(), i), &p, &len) < 0) return false;
        text.emplace_back(p, static_cast<size_t>(len));
    }
    return true;
}

bool copy_headers(PyObject* headers, std::vector<std::string>& text) {
    if (!headers || headers == Py_None) return true;
    if (PyList_CheckExact(headers) || PyTuple_CheckExact(headers)) { // the usual: no iterator
        PyRef seq = PyRef::steal(PySequence_Fast(headers, "headers must be an iterable"));
        const Py_ssize_t count = seq ? PySequence_Fast_GET_SIZE(seq.get()) : 0;
        text.reserve(static_cast<size_t>(count) * 2);
        for (Py_ssize_t i = 0; i < count; ++i)
            if (!copy_pair(PySequence_Fast_GET_ITEM(seq.get(), i), text)) return false;
        return static_cast<bool>(seq);
    }
    PyRef it = PyRef::steal(PyObject_GetIter(headers));
    if (!it) return false;
    while (PyRef pair = PyRef::steal(PyIter_Next(it.get())))
        if (!copy_pair(pair.get(), text)) return false;
    return !PyErr_Occurred();
}

PyObject* disconnect_message() { return Py_BuildValue("{O:O}", n.type, n.http_disconnect); }

PyObject* http_receive(ChannelState& s) {
    if (s.disconnected || (s.body_done && s.complete)) return new_ready(disconnect_message());
    if (!s.body_done && s.content_length == 0) {
        s.body_done = true;
        return new_ready(request_message(nullptr, 0, false));
    }
    if (s.prefetched) return new_ready(s.prefetched.release());
    PyObject* fut = new_future(s);
    if (!fut) return nullptr;
    s.receive_waiter = PyRef::borrow(fut);
    if (s.body_done) { // nothing left to read: the disconnect, when the client goes or the response ends
        watch_client(s);
        return fut;
    }
    if (!s.read_in_flight) { // else the read is on its way
        auto op = std::make_unique<Op>();
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

PyObject* send_start(ChannelState& s, PyObject* message) {
    if (s.started) return protocol_error(s.host, g_logged_start_twice, "a second http.response.start");
    PyObject* status = PyDict_GetItemWithError(message, n.status);
    const long code = status ? PyLong_AsLong(status) : -1;
    if (code < 100 || code > 999) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "http.response.start needs an int 'status'");
        return nullptr;
    }
    PyObject* trailers = PyDict_GetItemWithError(message, n.trailers);
    const int promised = trailers ? PyObject_IsTrue(trailers) : 0;
    if (promised < 0) return nullptr;
    auto op = std::make_unique<Op>();
    op->head = true;
    op->status = static_cast<int>(code);
    if (!copy_headers(PyDict_GetItemWithError(message, n.headers), op->header_text)) return nullptr;
    s.started = true;
    s.trailers_promised = promised;
    s.head = std::move(op);
    return ready_none();
}

PyObject* send_body(ChannelState& s, PyObject* message) {
    if (!s.started)
        return protocol_error(s.host, g_logged_body_first, "http.response.body before http.response.start");
    if (s.complete || s.body_ended)
        return protocol_error(s.host, g_logged_after_end, "http.response.body after the response ended");
    PyObject* body = PyDict_GetItemWithError(message, n.body);
    PyObject* more = PyDict_GetItemWithError(message, n.more_body);
    const int more_body = more ? PyObject_IsTrue(more) : 0;
    if (more_body < 0) return nullptr;
    Py_buffer view{};
    if (body && body != Py_None && PyObject_GetBuffer(body, &view, PyBUF_SIMPLE) < 0) return nullptr;
    std::unique_ptr<Op> op = s.head ? std::move(s.head) : std::make_unique<Op>();
    if (view.buf) op->body.assign(static_cast<const char*>(view.buf), static_cast<size_t>(view.len));
    if (view.obj) PyBuffer_Release(&view);
    if (s.disconnected) return ready_none(); // the client is gone: nothing to send to
    if (!more_body && s.trailers_promised) { // the end waits for http.response.trailers
        s.body_ended = true;
        s.rs->post(std::move(op));
        return ready_none();
    }
    op->finish = !more_body;
    op->notify = more_body;
    if (!more_body) return end_response(s, std::move(op));
    PyObject* fut = new_future(s);
    if (!fut) return nullptr;
    s.send_waiter = PyRef::borrow(fut);
    s.rs->post(std::move(op));
    watch_client(s); // a stream may idle (server-sent events): the client may go meanwhile
    return fut;
}

// ASGI's trailers extension: fields after the body; the one with
// more_trailers false ends the response. A body still streaming ends here.
PyObject* send_trailers(ChannelState& s, PyObject* message) {
    if (!s.started || !s.trailers_promised)
        return protocol_error(s.host, g_logged_trailers_unasked,
                              "http.response.trailers without trailers: true in http.response.start");
    if (s.complete) return protocol_error(s.host, g_logged_after_end, "http.response.trailers after the response ended");
    PyObject* more = PyDict_GetItemWithError(message, n.more_trailers);
    const int more_trailers = more ? PyObject_IsTrue(more) : 0;
    if (more_trailers < 0) return nullptr;
    std::unique_ptr<Op> op = s.head ? std::move(s.head) : std::make_unique<Op>();
    if (!copy_headers(PyDict_GetItemWithError(message, n.headers), op->trailer_text)) return nullptr;
    s.body_ended = true;
    if (s.disconnected) return ready_none();
    if (!more_trailers) return end_response(s, std::move(op));
    s.rs->post(std::move(op));
    return ready_none();
}

PyObject* http_send(ChannelState& s, PyObject* message) {
    PyObject* type = PyDict_GetItemWithError(message, n.type);
    if (type && PyUnicode_Check(type)) {
        if (PyUnicode_Compare(type, n.response_body) == 0) return send_body(s, message);
        if (PyUnicode_Compare(type, n.response_start) == 0) return send_start(s, message);
        if (PyUnicode_Compare(type, n.pathsend) == 0) return send_pathsend(s, message);
        if (PyUnicode_Compare(type, n.response_trailers) == 0) return send_trailers(s, message);
    }
    if (PyErr_Occurred()) return nullptr;
    return protocol_error(s.host, g_logged_unknown,
                          "send() got a message that is not http.response.start, .body, .trailers or .pathsend");
}

// A write failed, or the worker saw the client go (result < 0).
void on_written(ChannelState& s, ptrdiff_t result) {
    if (result < 0 && !s.disconnected) {
        s.disconnected = true;
        resolve(s.receive_waiter, disconnect_message());
    }
    resolve(s.send_waiter, Py_NewRef(Py_None));
}

void on_peer_gone(ChannelState& s) {
    if (s.disconnected) return;
    s.disconnected = true;
    resolve(s.receive_waiter, disconnect_message());
}

void post_end(ChannelState& s, int error) {
    std::unique_ptr<Op> op = s.head ? std::move(s.head) : std::make_unique<Op>();
    op->finish = true;
    op->error = error;
    s.complete = true;
    s.rs->post(std::move(op));
}

} // namespace hornet::asgi
