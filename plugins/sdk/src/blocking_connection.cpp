// The request loop of a blocking connection: head, exchange, log, repeat
// while requests are buffered; then park (serve_ready's caller waits for the
// client) or close.
#include "hornet/sdk/blocking_connection.hpp"

#include <algorithm>
#include <unistd.h>

#include "hornet/sdk/access_record.hpp"
#include "hornet/sdk/blocking_exchange.hpp"
#include "hornet/sdk/blocking_socket.hpp"
#include "hornet/sdk/io.hpp"
#include "hornet/sdk/tls/tls_listeners.hpp"
#include "hornet/support/log.hpp"

namespace hornet::sdk {

int64_t monotonic_ms() { return monotonic_us() / 1000; }

int64_t park_deadline_ms(const ConnectionState& state, ConnectionWait wait, const Timeouts& timeouts,
                         int64_t now_ms) {
    if (wait == ConnectionWait::head) return (state.head_since_ms != 0 ? state.head_since_ms : now_ms) + timeouts.head_ms;
    if (state.answered != 0) return now_ms + timeouts.keepalive_ms;
    return (state.opened_ms != 0 ? state.opened_ms : now_ms) + timeouts.head_ms;
}

BlockingConnection::BlockingConnection(const hornet_worker_ctx_t* ctx, const ConnectionOptions& options)
    : ctx_(ctx), options_(options), gate_(ctx), cycle_(ctx, gate_, options.scheme),
      spare_(std::make_unique<InputBuffer>()) {}

BlockingConnection::~BlockingConnection() = default;

size_t BlockingConnection::serve(int fd, const ConnectionAddresses& addresses) {
    count(HORNET_COUNT_CONNECTIONS, 1);
    ConnectionState state(fd, addresses);
    try {
        ConnectionWait wait = serve_ready(state);
        BlockingSocket socket(fd, ctx_, timeouts().beat_ms, state.tls.get());
        while (wait != ConnectionWait::closed && wait_for_client(socket, state, wait)) wait = serve_ready(state);
    } catch (const std::exception& e) {
        support::logf(ctx_ ? ctx_->host : nullptr, HORNET_LOG_ERROR, "connection dropped: %s", e.what());
    }
    if (state.input && !spare_) spare_ = std::move(state.input); // a wait ended with a partial head
    if (spare_) spare_->clear();
    ::close(fd);
    count(HORNET_COUNT_CONNECTIONS, -1);
    return state.answered;
}

// Blocks until the client sends more (true) or the wait ends the connection
// (false). A head that times out goes on: serve_ready() answers it 408.
bool BlockingConnection::wait_for_client(BlockingSocket& socket, ConnectionState& state, ConnectionWait wait) {
    const int64_t now = monotonic_ms();
    const int64_t left = park_deadline_ms(state, wait, timeouts(), now) - now;
    Deadline deadline(static_cast<uint32_t>(std::clamp<int64_t>(left, 0, UINT32_MAX)));
    const bool idle = wait == ConnectionWait::request && state.answered != 0; // a graceful stop ends it
    const IoError e = socket.wait_readable(deadline, idle);
    if (e == IoError::none) return true;
    if (e != IoError::timeout || wait != ConnectionWait::head) return false; // idle timeout, stop: no answer owed
    state.head_expired = true;
    return true;
}

ConnectionWait BlockingConnection::serve_ready(ConnectionState& state) {
    Next next = Next::close;
    try {
        attach(state);
        BlockingSocket socket(state.fd, ctx_, timeouts().beat_ms, state.tls.get());
        next = serve_requests(socket);
        if (next == Next::linger) socket.linger_close(kLingerMs);
    } catch (const std::exception& e) {
        support::logf(ctx_ ? ctx_->host : nullptr, HORNET_LOG_ERROR, "connection dropped: %s", e.what());
        next = Next::close;
    } catch (...) {
        support::logf(ctx_ ? ctx_->host : nullptr, HORNET_LOG_ERROR, "connection dropped: unknown exception");
        next = Next::close;
    }
    return detach(state, next);
}

// The connection borrows the spare buffer unless it kept its own (leftover
// bytes). On its first visit (right after accept) its peer is judged, from
// the socket's own address, before a PROXY header may replace it.
void BlockingConnection::attach(ConnectionState& state) {
    if (state.opened_ms == 0) {
        state.opened_ms = monotonic_ms();
        if (options_.tls && !state.tls) state.tls = options_.tls->open(state.addresses);
        state.addresses.tls = state.tls.get();
    }
    gate_.judge(state.peer, state.addresses.peer);
    state_ = &state;
    if (!state.input) state.input = spare_ ? std::move(spare_) : std::make_unique<InputBuffer>();
}

ConnectionRef BlockingConnection::ref() const { return {*state_->input, state_->peer, state_->addresses}; }

// Leftover bytes stay with the connection; an emptied buffer becomes the
// spare again, so idle connections hold none.
ConnectionWait BlockingConnection::detach(ConnectionState& state, Next next) {
    state_ = nullptr;
    InputBuffer* in = state.input.get();
    if (in) in->unpin();
    if (next == Next::wait && in && !in->empty()) {
        // A first request's head counts from the connection's opening.
        if (state.head_since_ms == 0)
            state.head_since_ms = state.answered == 0 && state.opened_ms != 0 ? state.opened_ms : monotonic_ms();
        return ConnectionWait::head;
    }
    if (in) {
        in->clear();
        if (!spare_) spare_ = std::move(state.input);
        state.input.reset();
    }
    return next == Next::wait ? ConnectionWait::request : ConnectionWait::closed;
}

BlockingConnection::Next BlockingConnection::serve_requests(BlockingSocket& socket) {
    for (;;) {
        switch (take_head(socket)) {
        case HeadOutcome::waiting: return Next::wait;
        case HeadOutcome::closed: return Next::close;
        case HeadOutcome::answered: return Next::linger;
        case HeadOutcome::ready: break;
        }
        const Next next = run_exchange(socket);
        if (next != Next::again) return next;
        // Nothing buffered: the next request is rarely here already, and
        // asking the socket would cost a syscall per request. Park; the
        // caller's wait for readability says when it comes.
        if (state_->input->empty() && !socket.buffered()) return Next::wait;
    }
}

// Parses the buffered head, reading what the socket has now; never waits.
BlockingConnection::HeadOutcome BlockingConnection::take_head(BlockingSocket& socket) {
    const ConnectionRef c = ref();
    cycle_.begin_head(c);
    for (;;) {
        const HeadStep step = cycle_.parse_head(c);
        if (step.status == HeadStatus::refused) return refuse_head(socket, step);
        if (step.status == HeadStatus::ready) {
            state_->head_since_ms = 0;
            state_->head_expired = false;
            return HeadOutcome::ready;
        }
        std::span<char> space = c.input.prepare(kReadChunk);
        if (space.empty()) return refuse_head(socket, {HeadStatus::refused, 431, {}});
        IoResult io = c.addresses.stamp_first_read ? read_first(socket, space, c.addresses) : socket.read_now(space);
        if (io.error == IoError::would_block) {
            if (state_->head_expired && !c.input.empty()) return refuse_head(socket, {HeadStatus::refused, 408, {}});
            return HeadOutcome::waiting;
        }
        if (!io) return HeadOutcome::closed; // EOF or error: no answer owed
        if (c.input.empty()) cycle_.on_first_bytes();
        c.input.commit(io.bytes);
    }
}

// A connection's first bytes, with when the kernel received them: its
// request has waited in the accept queue since (QueueClock::first_read).
IoResult BlockingConnection::read_first(BlockingSocket& socket, std::span<char> space, ConnectionAddresses& a) {
    const IoResult io = socket.read_now_stamped(space, a.received_unix_us);
    if (io.error != IoError::would_block) a.stamp_first_read = false;
    return io;
}

BlockingConnection::Next BlockingConnection::run_exchange(BlockingSocket& socket) {
    // Decided before the app runs, so a stop's last answer says Connection: close.
    const AppRoute route = cycle_.begin_exchange(ref(), cycle_.keep_going(options_.keep_alive));
    const Timeouts& t = timeouts();
    const BlockingParts io{socket, t.body_ms, t.write_ms, &BlockingConnection::may_keep_alive, this};
    bool reusable = false, unread = false;
    {
        BlockingExchange exchange(cycle_.parts(*state_->input), io);
        exchange.run(route.app, route.instance);
        reusable = exchange.reusable();
        unread = exchange.unread_input();
    }
    cycle_.end_exchange(ref());
    ++state_->answered;
    // A response that promised keep-alive is kept to, even by a worker that
    // stops meanwhile: the client may be sending the next request already,
    // which is answered with Connection: close.
    if (reusable) return Next::again;
    return unread ? Next::linger : Next::close;
}

BlockingConnection::HeadOutcome BlockingConnection::refuse_head(BlockingSocket& socket, const HeadStep& step) {
    const WireBuffers out = cycle_.refusal(step.http_status);
    Deadline deadline(timeouts().write_ms);
    socket.write_all(out.iov(), deadline, true);
    cycle_.end_refused(ref(), step);
    ++state_->answered;
    return HeadOutcome::answered;
}

void BlockingConnection::count(int counter, int64_t delta) const {
    if (ctx_ && ctx_->count) ctx_->count(ctx_, counter, delta);
}

bool BlockingConnection::may_keep_alive(const void* self) {
    const auto* c = static_cast<const BlockingConnection*>(self);
    return c->cycle_.keep_going(c->options_.keep_alive);
}

size_t serve_connection(int fd, const hornet_worker_ctx_t* ctx, const ConnectionAddresses& addresses,
                        bool keep_alive) {
    BlockingConnection connection(ctx, ConnectionOptions{keep_alive, "http"});
    return connection.serve(fd, addresses);
}

} // namespace hornet::sdk
