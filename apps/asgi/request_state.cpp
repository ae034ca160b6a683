// The loop thread's side of a request: carrying out what the app sent, in
// order; see request_state.hpp.
#include "request_state.hpp"

#include <cstdio>
#include <string_view>

#include "event_inbox.hpp"

namespace hornet::asgi {
namespace {

struct Posted {
    RequestState* rs;
    Op* op;
};

std::vector<Posted> g_outbox; // [asyncio thread]
void (*g_schedule)() = nullptr;


bool is_content_length(const std::string& name) {
    static constexpr std::string_view kName = "content-length";
    if (name.size() != kName.size()) return false;
    for (size_t i = 0; i < name.size(); ++i)
        if ((name[i] | 0x20) != kName[i]) return false; // '-' | 0x20 is '-'
    return true;
}

// The whole response in one op (the head, the only body message, the end)
// and no Content-Length from the app: give it one, so the worker sends a
// fixed-length body (no chunk lines, one send) instead of chunking it. Not
// for a status that has no body.
bool whole_and_unframed(const Op& op) {
    if (!op.finish || op.body.empty() || op.status < 200 || op.status == 204 || op.status == 304) return false;
    for (size_t i = 0; i + 1 < op.header_text.size(); i += 2)
        if (is_content_length(op.header_text[i])) return false;
    return true;
}

int start_head(RequestState* rs, const Op& op) {
    std::vector<hornet_header_t> headers = header_views(op.header_text);
    char length[24];
    if (whole_and_unframed(op)) {
        const int n = std::snprintf(length, sizeof length, "%zu", op.body.size());
        headers.push_back({{"content-length", 14}, {length, static_cast<size_t>(n)}});
    }
    return rs->ops->start(rs->x, op.status, headers.data(), headers.size());
}


void on_read(void* ud, ptrdiff_t result) {
    auto* rs = static_cast<RequestState*>(ud);
    notify(rs, Event::read_done, result);
    rs->unref();
}

// Reads do not wait in the queue: the app may answer (and finish) while a
// body read still waits on the client, which then ends with HORNET_ECLOSED.
// The buffer fits a small body whose length is known: a 64 KiB one per
// request would have malloc grow and trim its heap (a brk every few).
void start_read(RequestState* rs, int cap) {
    if (rs->finished) return notify(rs, Event::read_done, HORNET_ECLOSED);
    size_t want = static_cast<size_t>(cap);
    const int64_t length = rs->request->content_length;
    if (!(rs->request->flags & HORNET_REQ_CHUNKED) && length > 0 && static_cast<uint64_t>(length) < want)
        want = static_cast<size_t>(length);
    if (rs->read_cap < want) {
        rs->read_buf.reset(new char[want]);
        rs->read_cap = want;
    }
    rs->ref(); // for on_read
    const int rc = rs->ops->read_async(rs->x, rs->read_buf.get(), rs->read_cap, on_read, rs);
    if (rc == HORNET_OK) return;
    notify(rs, Event::read_done, rc);
    rs->unref();
}

// The worker logs a refused field and sends none of that call's; the
// response goes on (the app's send() has long returned).
void add_trailers(RequestState* rs, const Op& op) {
    if (op.trailer_text.empty() || !offers_trailers(rs->ops)) return;
    const std::vector<hornet_header_t> fields = header_views(op.trailer_text);
    (void)rs->ops->trailers(rs->x, fields.data(), fields.size());
}

// On the loop write() copies into the connection's bounded buffer; past
// that bound the bytes go with write_async, and the queue waits. Trailer
// fields only come in an op without body bytes (send_trailers).
bool start_write(RequestState* rs, Op& op) {
    int rc = HORNET_OK;
    if (op.head) {
        op.head = false;
        rc = start_head(rs, op);
        if (rc < 0) op.error = rc, op.body.clear();
    }
    if (rc == HORNET_OK && !op.body.empty()) {
        rc = rs->ops->write(rs->x, op.body.data(), op.body.size());
        if (rc == HORNET_EWOULDBLOCK) {
            rc = rs->ops->write_async(rs->x, op.body.data(), op.body.size(), queued_write_done, rs);
            if (rc == HORNET_OK) return true;
        }
    }
    if (rc == HORNET_OK) add_trailers(rs, op);
    complete(rs, op, rc);
    return false;
}

void on_peer_watched(void* ud, ptrdiff_t result) {
    auto* rs = static_cast<RequestState*>(ud);
    if (result < 0) notify(rs, Event::peer_gone, result);
    rs->unref();
}

// ABI 1.5: a worker type without watch_peer (or one that cannot watch)
// leaves the app to learn it from a failed write, as before.
void start_watch(RequestState* rs) {
    if (rs->finished || !HORNET_HAS(rs->ops, hornet_exchange_ops_t, watch_peer) || !rs->ops->watch_peer) return;
    rs->ref(); // for on_peer_watched
    if (rs->ops->watch_peer(rs->x, on_peer_watched, rs) != HORNET_OK) rs->unref();
}

// Reads, recvs and the watch do not wait behind writes.
bool start_unqueued(RequestState* rs, const Op& op) {
    if (op.read_cap > 0) start_read(rs, op.read_cap);
    else if (op.ws_recv) start_ws_recv(rs);
    else if (op.watch) start_watch(rs);
    else return false;
    return true;
}

void on_posted(void* ud, ptrdiff_t) {
    auto* batch = static_cast<std::vector<Posted>*>(ud);
    for (const Posted& p : *batch) {
        if (start_unqueued(p.rs, *p.op)) {
            delete p.op;
        } else {
            p.rs->queue.emplace_back(p.op);
            run_queue(p.rs);
        }
        p.rs->unref();
    }
    delete batch;
}

} // namespace

std::vector<hornet_header_t> header_views(const std::vector<std::string>& text) {
    std::vector<hornet_header_t> views;
    views.reserve(text.size() / 2 + 1); // + 1: start_head may add a Content-Length
    for (size_t i = 0; i + 1 < text.size(); i += 2)
        views.push_back({{text[i].data(), text[i].size()}, {text[i + 1].data(), text[i + 1].size()}});
    return views;
}

bool offers_trailers(const hornet_exchange_ops_t* ops) {
    return HORNET_HAS(ops, hornet_exchange_ops_t, trailers) && ops->trailers;
}

void notify(RequestState* rs, int kind, ptrdiff_t result) {
    rs->ref();
    rs->inbox->push(Event{static_cast<Event::Kind>(kind), rs, result});
}

void complete(RequestState* rs, Op& op, int result) {
    if (op.finish && !rs->finished) {
        rs->finished = true;
        rs->ops->finish(rs->x, result < 0 ? result : op.error);
    }
    if (op.notify) notify(rs, Event::write_done, result);
    rs->queue.pop_front();
}

void queued_write_done(void* ud, ptrdiff_t result) {
    auto* rs = static_cast<RequestState*>(ud);
    rs->busy = false;
    complete(rs, *rs->queue.front(), static_cast<int>(result));
    run_queue(rs);
    rs->unref();
}

RequestState::RequestState(hornet_exchange_t* x_, const hornet_exchange_ops_t* ops_, const hornet_loop_ext_t* loop_,
                           EventInbox* inbox_)
    : x(x_), ops(ops_), loop(loop_), inbox(inbox_), request(ops_->request(x_)) {}

void RequestState::post(std::unique_ptr<Op> op) {
    ref();
    g_outbox.push_back(Posted{this, op.release()});
    if (g_outbox.size() == 1 && g_schedule) g_schedule();
}

// Not with Expect: 100-continue: the app's first receive() is its "go on".
bool has_body(const hornet_request_t* r) {
    if (!r || (r->flags & HORNET_REQ_EXPECT_CONTINUE)) return false;
    return r->content_length != 0 || (r->flags & HORNET_REQ_CHUNKED);
}

void prefetch_body(RequestState* rs, int cap) { start_read(rs, cap); }

void set_outbox_scheduler(void (*schedule)()) { g_schedule = schedule; }

// Any unfinished exchange of the batch names the loop: there is one per worker.
void flush_outbox() {
    if (g_outbox.empty()) return;
    auto* batch = new std::vector<Posted>(std::move(g_outbox));
    g_outbox.clear();
    RequestState* first = batch->front().rs;
    if (first->loop->post(first->x, on_posted, batch) == HORNET_OK) return;
    for (const Posted& p : *batch) {
        delete p.op;
        p.rs->unref();
    }
    delete batch;
}

void run_queue(RequestState* rs) {
    while (!rs->busy && !rs->queue.empty()) {
        Op& op = *rs->queue.front();
        if (rs->finished) { // after finish the exchange is gone: only answer the app
            if (op.notify) notify(rs, Event::write_done, HORNET_ECLOSED);
            rs->queue.pop_front();
            continue;
        }
        if (op.ws != Op::Ws::none ? start_ws_op(rs, op) : start_write(rs, op)) {
            rs->busy = true;
            rs->ref(); // for the done callback
        }
    }
}

} // namespace hornet::asgi
