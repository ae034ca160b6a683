// apps/asgi/request_state.hpp: one request's state shared by the worker's
// loop thread (hornet's Asio loop) and the app's asyncio thread.
//
// Pure C++, no Python object: it is created in handle() on the loop thread,
// which never takes the GIL, and freed by whichever thread drops the last
// reference (the exchange's own, the Python channel's, each op in flight,
// each event waiting in the inbox). Everything the app sends crosses to the
// loop as an Op posted with hornet.loop/1 and carried out there in order,
// one at a time (a write that must wait keeps the next op queued); results
// the app waits for come back as events (event_inbox.hpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "hornet/app.h"
#include "hornet/ext.h"

namespace hornet::asgi {

class EventInbox;

// What the loop thread does for the app: the head (once, with the first
// body bytes or at the end), body bytes, trailer fields, the end of the
// exchange; for a WebSocket the accept, a message, the close.
struct Op {
    enum class Ws : unsigned char { none, accept, send, close };
    bool head = false; // start(status, headers) first
    int status = 200;
    std::vector<std::string> header_text; // name, value, name, value...
    std::string body;
    std::vector<std::string> trailer_text; // after the body: ops->trailers (ABI 1.6), name, value...
    bool finish = false; // finish(x, error) once the bytes are in
    int error = 0;
    bool notify = false; // tell the asyncio side once the bytes are in (back-pressure)
    int read_cap = 0;    // > 0: a body read into RequestState::read_buf instead
    bool watch = false;  // instead: watch the client (watch_peer), answered with a peer_gone event
    bool ws_recv = false; // instead: the next WebSocket message into RequestState::ws_msg
    Ws ws = Ws::none;    // accept (subprotocol in body), send (ws_kind, body), close (ws_code, reason in body)
    int ws_kind = 0;
    uint16_t ws_code = 0;
};

struct RequestState {
    RequestState(hornet_exchange_t* x, const hornet_exchange_ops_t* ops, const hornet_loop_ext_t* loop,
                 EventInbox* inbox);

    void ref() { refs.fetch_add(1, std::memory_order_relaxed); }
    void unref() {
        if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

    // [asyncio thread] Hands op to the loop thread (a reference is held for
    // it): through the outbox, so one asyncio loop iteration's ops cross in
    // one hornet.loop/1 post, one wake-up of the loop thread.
    void post(std::unique_ptr<Op> op);

    std::atomic<int> refs{1};
    hornet_exchange_t* const x;
    const hornet_exchange_ops_t* const ops;
    const hornet_loop_ext_t* const loop;
    EventInbox* const inbox;
    const hornet_request_t* request; // valid until finish
    bool body_prefetched = false;    // set in handle(), before the asyncio thread sees it
    // A WebSocket handshake (set in handle()): the service, the offered
    // subprotocols (views into the request), the message being received.
    const hornet_websocket_ext_t* ws = nullptr;
    std::vector<hornet_str_t> subprotocols;
    hornet_ws_message_t ws_msg{};

    // [loop thread] The write ops posted and not yet carried out, the first
    // in flight; a body read (read_cap) skips the queue.
    std::deque<std::unique_ptr<Op>> queue;
    bool busy = false; // queue.front() waits on a write_async
    std::unique_ptr<char[]> read_buf; // the one body read's: left uninitialized (no
    size_t read_cap = 0;              // 64 KiB memset per request)

    bool finished = false;

    // [asyncio thread] Python's side (asgi_channel.cpp owns it).
    void* channel = nullptr; // the ChannelObject, or null once it is gone
};

// Views of name, value, name, value... strings (which must outlive them).
std::vector<hornet_header_t> header_views(const std::vector<std::string>& text);

// Does this exchange take trailer fields (ABI 1.6's trailers op)?
bool offers_trailers(const hornet_exchange_ops_t* ops);

// [loop thread] The op at the queue's front, and those behind it.
void run_queue(RequestState* rs);
// [loop thread] Tells the asyncio side (an event holds a reference).
void notify(RequestState* rs, int kind, ptrdiff_t result);
// [loop thread] The op's bytes are in (or it failed, result < 0): finish
// if it says so, notify if it says so, pop it.
void complete(RequestState* rs, Op& op, int result);
// [loop thread] The done callback of the queue front's async write (the
// reference run_queue took is dropped).
void queued_write_done(void* ud, ptrdiff_t result);

// [loop thread] websocket_ops.cpp: a queued WebSocket op; true when it
// waits on a send_async (the queue waits with it).
bool start_ws_op(RequestState* rs, Op& op);
// [loop thread] The next message: a read_done event once it is in ws_msg.
void start_ws_recv(RequestState* rs);

// [loop thread, in handle()] A request with a body starts reading its first
// chunk (up to cap) at once, so the app's first receive() is usually
// answered without a round trip between the threads.
// The caller sets body_prefetched (has_body) before the request event goes.
bool has_body(const hornet_request_t* r);
void prefetch_body(RequestState* rs, int cap);

// [asyncio thread] Called when the outbox gets its first op: arrange for
// flush_outbox() to run once the asyncio loop's current callbacks are done
// (the channel does it with loop.call_soon). Set once, before any request.
void set_outbox_scheduler(void (*schedule)());
// [asyncio thread] Posts every op waiting in the outbox, in order.
void flush_outbox();

} // namespace hornet::asgi
