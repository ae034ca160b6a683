// The loop thread's side of an ASGI WebSocket: accept, send, close and
// receive through "hornet.websocket/1"; see request_state.hpp.
//
// Messages are received one at a time, the next one only when the app has
// taken the last (so a slow app is a slow reader: TCP back-pressure, as
// the service intends). The received bytes stay in the worker's memory
// (valid until the next recv or finish) and the asyncio side copies them
// into Python once; it never looks after it has posted the finish.
#include "event_inbox.hpp"
#include "request_state.hpp"

namespace hornet::asgi {
namespace {

hornet_str_t view(const std::string& s) { return {s.data(), s.size()}; }

int accept(RequestState* rs, const Op& op) {
    const std::vector<hornet_header_t> headers = header_views(op.header_text);
    hornet_ws_accept_t opts{};
    opts.head = hornet_head_t HORNET_HEAD_INIT(hornet_ws_accept_t);
    opts.subprotocol = view(op.body);
    opts.flags = HORNET_WS_ALLOW_DEFLATE; // as uvicorn and websockets do by default
    opts.headers = headers.data();
    opts.header_count = headers.size();
    return rs->ws->accept(rs->x, &opts);
}

void on_received(void* ud, ptrdiff_t result) {
    auto* rs = static_cast<RequestState*>(ud);
    notify(rs, Event::read_done, result);
    rs->unref();
}

// The app asked for a subprotocol the client did not offer (the service
// logged it and sent nothing): a 500, and the app hears 1006.
void accept_failed(RequestState* rs, int rc) {
    rs->finished = true;
    rs->ops->finish(rs->x, HORNET_EINTERNAL);
    notify(rs, Event::read_done, rc < 0 ? rc : HORNET_EINVAL);
}

} // namespace

void start_ws_recv(RequestState* rs) {
    if (rs->finished) return notify(rs, Event::read_done, HORNET_ECLOSED);
    rs->ws_msg = hornet_ws_message_t{};
    rs->ws_msg.head = hornet_head_t HORNET_HEAD_INIT(hornet_ws_message_t);
    rs->ref(); // for on_received
    const int rc = rs->ws->recv_async(rs->x, &rs->ws_msg, on_received, rs);
    if (rc == HORNET_OK) return;
    notify(rs, Event::read_done, rc);
    rs->unref();
}

bool start_ws_op(RequestState* rs, Op& op) {
    int rc = HORNET_OK;
    switch (op.ws) {
    case Op::Ws::accept:
        rc = accept(rs, op);
        if (rc != HORNET_OK) {
            accept_failed(rs, rc);
            break;
        }
        start_ws_recv(rs); // the first message, before the app asks
        break;
    case Op::Ws::send:
        rc = rs->ws->send(rs->x, op.ws_kind, op.body.data(), op.body.size(), 1);
        if (rc == HORNET_EWOULDBLOCK) { // over the connection's 1 MiB: wait for the wire
            rc = rs->ws->send_async(rs->x, op.ws_kind, op.body.data(), op.body.size(), 1, queued_write_done, rs);
            if (rc == HORNET_OK) return true;
        }
        break;
    case Op::Ws::close: rc = rs->ws->close(rs->x, op.ws_code, view(op.body)); break;
    case Op::Ws::none: break;
    }
    complete(rs, op, rc);
    return false;
}

} // namespace hornet::asgi
