// The websocket protocol of receive() and send() (ASGI spec 2.4, with the
// websocket.http.response denial extension); see channel.hpp.
//
// Message order: the first receive() is websocket.connect; the app answers
// websocket.accept (subprotocol, headers), websocket.close (a 403 before
// accept) or a denial response (websocket.http.response.start/body). Once
// accepted, receive() gives websocket.receive (text or bytes) and, once the
// connection is closed, websocket.disconnect with the code and reason (1006
// when the client vanished, 1001 when the worker stops). send() takes
// websocket.send and websocket.close (code, reason). After the disconnect
// a send raises ClientDisconnected (an OSError), as the spec asks.
#include "channel.hpp"
#include "ready.hpp"

#include <string>

namespace hornet::asgi {
namespace {

using python::PyRef;

constexpr size_t kUnackedBytes = 256 * 1024; // websocket.send bytes queued before send() waits

PyObject* g_client_disconnected = nullptr; // hornet.asgi.ClientDisconnected(OSError)

std::atomic<bool> g_logged_send_early{false}, g_logged_accept_twice{false}, g_logged_after_close{false},
    g_logged_bad_ws{false}, g_logged_denial_late{false}, g_logged_ws_unknown{false};

PyObject* connect_message() { return Py_BuildValue("{O:O}", n.type, n.ws_connect); }

PyObject* ws_disconnect_message(ChannelState& s) {
    PyObject* reason = s.close_reason ? s.close_reason.get() : n.empty_text;
    return Py_BuildValue("{O:O,O:i,O:O}", n.type, n.ws_disconnect, n.code, static_cast<int>(s.close_code), n.reason,
                         reason);
}

void post_recv(ChannelState& s) {
    if (s.read_in_flight || s.disconnected || s.ended) return;
    s.read_in_flight = true;
    auto op = std::make_unique<Op>();
    op->ws_recv = true;
    s.rs->post(std::move(op));
}

void closed(ChannelState& s, uint16_t code, PyObject* reason) { // steals reason
    s.disconnected = true;
    s.close_code = code;
    s.close_reason = PyRef::steal(reason);
    if (!reason) PyErr_Clear();
}

// The message the loop thread put into rs->ws_msg, as ASGI's.
PyObject* received_message(ChannelState& s) {
    const hornet_ws_message_t& m = s.rs->ws_msg;
    const auto len = static_cast<Py_ssize_t>(m.data.len);
    if (m.kind == HORNET_WS_TEXT) {
        PyObject* text = PyUnicode_DecodeUTF8(m.data.ptr, len, "surrogateescape"); // checked by the worker
        return text ? Py_BuildValue("{O:O,O:N}", n.type, n.ws_receive, n.text, text) : nullptr;
    }
    PyObject* bytes = PyBytes_FromStringAndSize(m.data.ptr, len);
    return bytes ? Py_BuildValue("{O:O,O:N}", n.type, n.ws_receive, n.bytes, bytes) : nullptr;
}

PyObject* ws_accept_op(ChannelState& s, PyObject* message) {
    if (s.accepted || s.started || s.close_sent)
        return protocol_error(s.host, g_logged_accept_twice,
                              "websocket.accept after an accept, a close or a denial response");
    auto op = std::make_unique<Op>();
    op->ws = Op::Ws::accept;
    PyObject* sub = PyDict_GetItemWithError(message, n.subprotocol);
    if (sub && sub != Py_None) {
        Py_ssize_t len;
        const char* p = PyUnicode_AsUTF8AndSize(sub, &len);
        if (!p) return nullptr;
        op->body.assign(p, static_cast<size_t>(len));
    }
    if (!copy_headers(PyDict_GetItemWithError(message, n.headers), op->header_text)) return nullptr;
    if (PyErr_Occurred()) return nullptr;
    s.accepted = true;
    s.read_in_flight = true; // the loop thread receives the first message once accepted
    s.rs->post(std::move(op));
    return ready_none();
}

PyObject* ws_send_op(ChannelState& s, PyObject* message) {
    if (!s.accepted) return protocol_error(s.host, g_logged_send_early, "websocket.send before websocket.accept");
    if (s.close_sent) return protocol_error(s.host, g_logged_after_close, "websocket.send after websocket.close");
    if (s.disconnected) {
        PyErr_SetString(g_client_disconnected, "the WebSocket is closed");
        return nullptr;
    }
    PyObject* bytes = PyDict_GetItemWithError(message, n.bytes);
    PyObject* text = PyDict_GetItemWithError(message, n.text);
    auto op = std::make_unique<Op>();
    op->ws = Op::Ws::send;
    if (bytes && bytes != Py_None && PyBytes_Check(bytes)) {
        op->ws_kind = HORNET_WS_BINARY;
        op->body.assign(PyBytes_AS_STRING(bytes), static_cast<size_t>(PyBytes_GET_SIZE(bytes)));
    } else if (text && text != Py_None && PyUnicode_Check(text)) {
        Py_ssize_t len;
        const char* p = PyUnicode_AsUTF8AndSize(text, &len);
        if (!p) return nullptr;
        op->ws_kind = HORNET_WS_TEXT;
        op->body.assign(p, static_cast<size_t>(len));
    } else {
        if (PyErr_Occurred()) return nullptr;
        return protocol_error(s.host, g_logged_bad_ws, "websocket.send needs 'bytes' (bytes) or 'text' (str)");
    }
    s.unacked_bytes += op->body.size();
    if (s.unacked_bytes < kUnackedBytes) {
        s.rs->post(std::move(op));
        return ready_none();
    }
    s.unacked_bytes = 0; // this one waits until its bytes are taken: the app's back-pressure
    op->notify = true;
    PyObject* fut = new_future(s);
    if (!fut) return nullptr;
    s.send_waiter = PyRef::borrow(fut);
    s.rs->post(std::move(op));
    return fut;
}

// Before accept (and before a denial) the spec's answer is a 403.
void deny_403(ChannelState& s) {
    auto op = std::make_unique<Op>();
    op->head = true;
    op->status = 403;
    op->header_text = {"content-length", "0"};
    s.head = std::move(op);
    s.started = true;
    post_end(s, 0);
    closed(s, 1006, Py_NewRef(n.empty_text));
    resolve(s.receive_waiter, ws_disconnect_message(s));
}

PyObject* ws_close_op(ChannelState& s, PyObject* message) {
    if (!s.accepted) {
        if (s.started) return protocol_error(s.host, g_logged_denial_late, "websocket.close during a denial response");
        deny_403(s);
        return ready_none();
    }
    if (s.close_sent || s.disconnected) return ready_none();
    PyObject* code = PyDict_GetItemWithError(message, n.code);
    PyObject* reason = PyDict_GetItemWithError(message, n.reason);
    const long c = code && code != Py_None ? PyLong_AsLong(code) : 1000;
    if (c == -1 && PyErr_Occurred()) return nullptr;
    auto op = std::make_unique<Op>();
    op->ws = Op::Ws::close;
    op->ws_code = static_cast<uint16_t>(c);
    if (reason && reason != Py_None) {
        Py_ssize_t len;
        const char* p = PyUnicode_AsUTF8AndSize(reason, &len);
        if (!p) return nullptr;
        op->body.assign(p, static_cast<size_t>(len));
    }
    s.close_sent = true;
    s.rs->post(std::move(op));
    return ready_none();
}

PyObject* ws_denial(ChannelState& s, PyObject* message, bool head) {
    if (s.accepted)
        return protocol_error(s.host, g_logged_denial_late, "websocket.http.response after websocket.accept");
    PyObject* r = head ? send_start(s, message) : send_body(s, message);
    if (r && s.complete && !s.disconnected) {
        closed(s, 1006, Py_NewRef(n.empty_text));
        resolve(s.receive_waiter, ws_disconnect_message(s));
    }
    return r;
}

} // namespace

bool init_websocket_port() {
    g_client_disconnected = PyErr_NewException("hornet.asgi.ClientDisconnected", PyExc_OSError, nullptr);
    return g_client_disconnected != nullptr;
}

void drop_websocket_port() { Py_CLEAR(g_client_disconnected); }

PyObject* ws_receive(ChannelState& s) {
    if (!s.connect_sent) {
        s.connect_sent = true;
        return new_ready(connect_message());
    }
    if (s.prefetched) {
        post_recv(s); // the one after it, while the app works on this one
        return new_ready(s.prefetched.release());
    }
    if (s.disconnected) return new_ready(ws_disconnect_message(s));
    PyObject* fut = new_future(s);
    if (!fut) return nullptr;
    s.receive_waiter = PyRef::borrow(fut);
    if (s.accepted) post_recv(s);
    return fut;
}

PyObject* ws_send(ChannelState& s, PyObject* message) {
    PyObject* type = PyDict_GetItemWithError(message, n.type);
    if (type && PyUnicode_Check(type)) {
        if (PyUnicode_Compare(type, n.ws_send) == 0) return ws_send_op(s, message);
        if (PyUnicode_Compare(type, n.ws_accept) == 0) return ws_accept_op(s, message);
        if (PyUnicode_Compare(type, n.ws_close) == 0) return ws_close_op(s, message);
        if (PyUnicode_Compare(type, n.ws_response_start) == 0) return ws_denial(s, message, true);
        if (PyUnicode_Compare(type, n.ws_response_body) == 0) return ws_denial(s, message, false);
    }
    if (PyErr_Occurred()) return nullptr;
    return protocol_error(s.host, g_logged_ws_unknown,
                          "send() got a message that is not websocket.accept, .send, .close or "
                          "websocket.http.response.start, .body");
}

// rs->ws_msg is the worker's until the next recv or finish: read it now,
// and never once the finish is posted (ended).
void on_ws_received(ChannelState& s, ptrdiff_t result) {
    s.read_in_flight = false;
    if (s.ended || s.disconnected) return;
    const hornet_ws_message_t& m = s.rs->ws_msg;
    PyObject* message;
    if (result < 0) {
        closed(s, 1006, Py_NewRef(n.empty_text));
        message = ws_disconnect_message(s);
    } else if (m.kind == HORNET_WS_CLOSE) {
        closed(s, m.close_code, PyUnicode_DecodeUTF8(m.close_reason.ptr, static_cast<Py_ssize_t>(m.close_reason.len),
                                                     "replace"));
        message = ws_disconnect_message(s);
    } else {
        message = received_message(s);
    }
    if (!message) return PyErr_Clear();
    if (s.receive_waiter) {
        resolve(s.receive_waiter, message);
        return post_recv(s);
    }
    s.prefetched = PyRef::steal(message);
}

void on_ws_sent(ChannelState& s, ptrdiff_t) { resolve(s.send_waiter, Py_NewRef(Py_None)); }

void ws_end(ChannelState& s, bool failed) {
    if (s.complete) return; // a denial, or the 403, went out
    if (!s.accepted && !s.started && !failed) return deny_403(s); // returned without accepting
    post_end(s, failed ? HORNET_EINTERNAL : 0); // a 500 before accept; after it 1011, or the 1000 close
}

} // namespace hornet::asgi
