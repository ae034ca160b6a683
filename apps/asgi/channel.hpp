// apps/asgi/channel.hpp: one connection's Python-side state (the channel)
// and what the files of the channel share: the interned names, the
// receive/send objects, and the helpers that resolve the futures the app
// awaits. Private to apps/asgi.
//
// design: receive() and send() are C objects that do their work when they
// are called and return either a Ready awaitable (a finished result: no
// Future, no trip through the loop; ready.hpp) or an asyncio Future that an
// event from the loop thread resolves later. The http protocol lives in
// http_port.cpp (and pathsend.cpp), the websocket protocol in
// websocket_port.cpp; channel.cpp makes the objects, starts the app's task
// and ends the exchange when the app's coroutine is over (app_run.hpp).
//
// [asyncio thread, GIL held] for everything here.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "hornet/host.h"
#include "py_ref.hpp"
#include "request_state.hpp"

namespace hornet::asgi {

// Interned once (init_channel_types), dropped with the types.
struct Names {
    PyObject *type, *body, *more_body, *status, *headers, *http_request, *http_disconnect, *response_start,
        *response_body, *set_result, *done, *empty_bytes, *pathsend, *path, *response_trailers, *trailers,
        *more_trailers;
    // websocket
    PyObject *ws_connect, *ws_accept, *ws_receive, *ws_send, *ws_disconnect, *ws_close, *ws_response_start,
        *ws_response_body, *bytes, *text, *code, *reason, *subprotocol, *empty_text;
};
extern Names n;

struct ChannelState {
    RequestState* rs = nullptr;
    const hornet_host_t* host = nullptr;
    python::PyRef create_future;
    python::PyRef receive_waiter; // a Future: body bytes, a message, the disconnect
    python::PyRef send_waiter;    // a Future: streamed bytes taken
    std::unique_ptr<Op> head;     // http.response.start, held until the first body
    int64_t content_length = -1;
    int64_t received = 0;
    bool body_done = false;
    bool started = false;        // a response head (http, or a websocket denial)
    bool complete = false;       // the last body bytes (or trailers) are posted: finish goes with them
    bool trailers_promised = false; // http.response.start said trailers: true
    bool body_ended = false;     // the body ended (more_body false); trailers still to come
    bool disconnected = false;
    bool ended = false;          // the task is done and finish is posted
    bool read_in_flight = false; // a body read or websocket recv the loop thread has not answered
    bool watching = false;       // the loop thread watches the client (http)
    python::PyRef prefetched;    // a message that came before receive() asked

    // websocket (rs->ws set)
    bool connect_sent = false; // websocket.connect went to the app
    bool accepted = false;
    bool close_sent = false;
    uint16_t close_code = 1006;   // what websocket.disconnect says once closed
    python::PyRef close_reason;   // str
    size_t unacked_bytes = 0;     // websocket.send bytes posted since the last one the app waited for
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

inline ChannelState& state_of_port(PyObject* port) { return *reinterpret_cast<PortObject*>(port)->ch->s; }

// Once per cause, so a broken app does not flood the log; the app gets a
// RuntimeError each time. Returns nullptr.
PyObject* protocol_error(const hornet_host_t* host, std::atomic<bool>& logged, const char* what);

// Sets waiter's result to value (stolen) unless it is done or cancelled;
// waiter is emptied. Never leaves a Python exception set.
void resolve(python::PyRef& waiter, PyObject* value);
bool is_done(PyObject* future);
PyObject* new_future(ChannelState& s);
// The waiter of an earlier receive() the app cancelled is dropped; true
// (with the error raised) when one is still pending.
bool receive_pending(ChannelState& s);

// The app's coroutine is over (app_run.cpp): exc (borrowed) is what it
// raised, nullptr when it returned or was cancelled. Reports exc and
// posts what the exchange still owes; once.
void end_channel(ChannelState& s, PyObject* exc);

// http (http_port.cpp)
PyObject* http_receive(ChannelState& s);
PyObject* http_send(ChannelState& s, PyObject* message);
PyObject* send_start(ChannelState& s, PyObject* message);
PyObject* send_body(ChannelState& s, PyObject* message);
// The (name, value) bytes pairs of an ASGI message into text (name, value...).
bool copy_headers(PyObject* headers, std::vector<std::string>& text);
PyObject* disconnect_message();
void on_read(ChannelState& s, ptrdiff_t result);
void on_written(ChannelState& s, ptrdiff_t result);
// The worker saw the client go while the app held the exchange.
void on_peer_gone(ChannelState& s);
// The head (if still held) and finish(error), as the last op.
void post_end(ChannelState& s, int error);

// http.response.pathsend (pathsend.cpp)
PyObject* send_pathsend(ChannelState& s, PyObject* message);
void use_executor(PyObject* run_in_executor);

// websocket (websocket_port.cpp)
bool init_websocket_port(); // false with a Python exception set
void drop_websocket_port();
PyObject* ws_receive(ChannelState& s);
PyObject* ws_send(ChannelState& s, PyObject* message);
void on_ws_received(ChannelState& s, ptrdiff_t result);
void on_ws_sent(ChannelState& s, ptrdiff_t result);
// The task ended: what the exchange still owes (finish, a 403, ...).
void ws_end(ChannelState& s, bool failed);

} // namespace hornet::asgi
