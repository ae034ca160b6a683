// The request loop of a blocking connection: head, exchange, log, repeat
// while requests are buffered; then park (serve_ready's caller waits for the
// client) or close.
#include "hornet/sdk/blocking_connection.hpp"

#include <algorithm>
#include <cstring>
#include <unistd.h>

#include "hornet/sdk/access_record.hpp"
#include "hornet/sdk/blocking_exchange.hpp"
#include "hornet/sdk/blocking_socket.hpp"
#include "hornet/sdk/log.hpp"

namespace hornet::sdk {
namespace {

constexpr size_t kReadChunk = 16 * 1024;
constexpr uint32_t kLingerMs = 1000;

const hornet_limits_t* limits_of(const hornet_worker_ctx_t* ctx) { return ctx ? ctx->limits : nullptr; }

// The first line of what arrived, for logging a request that did not parse.
std::string_view first_line(std::span<const char> bytes) {
    std::string_view s(bytes.data(), std::min<size_t>(bytes.size(), 1024));
    return s.substr(0, s.find_first_of("\r\n"));
}

} // namespace

int64_t monotonic_ms() { return monotonic_us() / 1000; }

int64_t park_deadline_ms(const ConnectionState& state, ConnectionWait wait, const Timeouts& timeouts,
                         int64_t now_ms) {
    if (wait == ConnectionWait::head) return (state.head_since_ms != 0 ? state.head_since_ms : now_ms) + timeouts.head_ms;
    if (state.answered != 0) return now_ms + timeouts.keepalive_ms;
    return (state.opened_ms != 0 ? state.opened_ms : now_ms) + timeouts.head_ms;
}

BlockingConnection::BlockingConnection(const hornet_worker_ctx_t* ctx, const ConnectionOptions& options)
    : ctx_(ctx), options_(options), timeouts_(Timeouts::from(limits_of(ctx))),
      gate_(ctx), spare_(std::make_unique<InputBuffer>()),
      parser_(ParserLimits::from(limits_of(ctx))) {}

BlockingConnection::~BlockingConnection() = default;

size_t BlockingConnection::serve(int fd, const ConnectionAddresses& addresses) {
    count(HORNET_COUNT_CONNECTIONS, 1);
    ConnectionState state(fd, addresses);
    try {
        BlockingSocket socket(fd, ctx_, timeouts_.beat_ms);
        ConnectionWait wait = serve_ready(state);
        while (wait != ConnectionWait::closed && wait_for_client(socket, state, wait)) wait = serve_ready(state);
    } catch (const std::exception& e) {
        logf(ctx_ ? ctx_->host : nullptr, HORNET_LOG_ERROR, "connection dropped: %s", e.what());
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
    const int64_t left = park_deadline_ms(state, wait, timeouts_, now) - now;
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
        BlockingSocket socket(state.fd, ctx_, timeouts_.beat_ms);
        next = serve_requests(socket);
        if (next == Next::linger) socket.linger_close(kLingerMs);
    } catch (const std::exception& e) {
        logf(ctx_ ? ctx_->host : nullptr, HORNET_LOG_ERROR, "connection dropped: %s", e.what());
        next = Next::close;
    } catch (...) {
        logf(ctx_ ? ctx_->host : nullptr, HORNET_LOG_ERROR, "connection dropped: unknown exception");
        next = Next::close;
    }
    return detach(state, next);
}

// The connection borrows the spare buffer unless it kept its own (leftover
// bytes). On its first visit (right after accept) its peer is judged, from
// the socket's own address, before a PROXY header may replace it.
void BlockingConnection::attach(ConnectionState& state) {
    if (state.opened_ms == 0) state.opened_ms = monotonic_ms();
    gate_.judge(state.peer, state.addresses.peer);
    state_ = &state;
    if (!state.input) state.input = spare_ ? std::move(spare_) : std::make_unique<InputBuffer>();
    input_ = state.input.get();
}

// Leftover bytes stay with the connection; an emptied buffer becomes the
// spare again, so idle connections hold none.
ConnectionWait BlockingConnection::detach(ConnectionState& state, Next next) {
    state_ = nullptr;
    input_ = nullptr;
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
        if (input_->empty()) return Next::wait;
    }
}

// Parses the buffered head, reading what the socket has now; never waits.
BlockingConnection::HeadOutcome BlockingConnection::take_head(BlockingSocket& socket) {
    parser_.reset(); // a head parked half-way is parsed again from its first byte
    if (!input_->empty()) mark_start();
    for (;;) {
        if (!input_->empty()) {
            HeadResult r = gate_.parse_head(state_->peer, parser_, *input_, state_->addresses);
            if (r.status == ParseStatus::done) {
                if (int status = accept_head(r.consumed)) return answer_head_error(socket, status, parser_.request_line());
                return HeadOutcome::ready;
            }
            if (r.status == ParseStatus::error) return answer_head_error(socket, r.http_status);
        }
        std::span<char> space = input_->prepare(kReadChunk);
        if (space.empty()) return answer_head_error(socket, 431);
        IoResult io = socket.read_now(space);
        if (io.error == IoError::would_block) {
            if (state_->head_expired && !input_->empty()) return answer_head_error(socket, 408);
            return HeadOutcome::waiting;
        }
        if (!io) return HeadOutcome::closed; // EOF or error: no answer owed
        if (input_->empty()) mark_start();
        input_->commit(io.bytes);
    }
}

// 0, or the status to answer (contradictory scheme headers).
int BlockingConnection::accept_head(size_t head_len) {
    parser_.resolve(input_->pin_head(head_len, kReadChunk));
    state_->head_since_ms = 0;
    state_->head_expired = false;
    return fill_request();
}

int BlockingConnection::fill_request() {
    const ConnectionAddresses& a = state_->addresses;
    request_ = hornet_request_t{};
    request_.head = HORNET_HEAD_INIT(hornet_request_t);
    parser_.fill(request_);
    request_.scheme = {options_.scheme, std::strlen(options_.scheme)};
    request_.peer_host = {a.peer.host().data(), a.peer.host().size()};
    request_.peer_port = a.peer.port();
    request_.server_host = {a.local.host().data(), a.local.host().size()};
    request_.server_port = a.local.port();
    return gate_.set_scheme(state_->peer, request_);
}

BlockingConnection::Next BlockingConnection::run_exchange(BlockingSocket& socket) {
    if (options_.request_budget) options_.request_budget->fetch_sub(1, std::memory_order_relaxed);
    // Decided before the app runs, so a stop's last answer says Connection: close.
    encoder_.reset({request_.version, parser_.head_request(), keep_going() && parser_.keep_alive()});
    const ExchangeParts parts{socket,       *input_,
                              parser_,      encoder_,
                              request_,     ctx_->host,
                              ctx_->app && ctx_->app->name ? ctx_->app->name : "?",
                              timeouts_.body_ms, timeouts_.write_ms,
                              &BlockingConnection::may_keep_alive, this};
    bool reusable = false, unread = false;
    {
        BlockingExchange exchange(parts);
        exchange.run(ctx_->app, ctx_->app_instance);
        reusable = exchange.reusable();
        unread = exchange.unread_input();
    }
    log_access(&request_, parser_.request_line());
    input_->unpin(); // the head's views are gone; leftover bytes may start the next request
    ++state_->answered;
    count(HORNET_COUNT_REQUESTS, 1);
    if (reusable && keep_going()) return Next::again;
    return unread ? Next::linger : Next::close;
}

BlockingConnection::HeadOutcome BlockingConnection::answer_head_error(BlockingSocket& socket, int status,
                                                                    std::string_view line) {
    encoder_.reset({11, false, false});
    WireBuffers out;
    encoder_.error_response(status, out);
    Deadline deadline(timeouts_.write_ms);
    socket.write_all(out.iov(), deadline, true);
    const std::string_view peer = state_->addresses.peer.host();
    logf(ctx_ ? ctx_->host : nullptr, HORNET_LOG_DEBUG, "answered %d to %.*s: the request head was refused",
         status, static_cast<int>(peer.size()), peer.data());
    log_access(nullptr, line.empty() ? first_line(input_->data()) : line);
    ++state_->answered;
    count(HORNET_COUNT_REQUESTS, 1);
    return HeadOutcome::answered;
}

void BlockingConnection::mark_start() {
    if (!ctx_ || !ctx_->access_log_enabled) return;
    start_unix_us_ = wall_clock_us();
    start_mono_us_ = monotonic_us();
}

void BlockingConnection::log_access(const hornet_request_t* request, std::string_view request_line) {
    if (!ctx_ || !ctx_->access_log_enabled || !ctx_->access_log) return;
    AccessEntry e;
    e.request = request;
    e.request_line = request_line;
    e.peer_host = state_->addresses.peer.host();
    e.status = encoder_.status();
    e.body_bytes = encoder_.body_bytes();
    if (encoder_.started()) e.response_headers = encoder_.head().headers();
    e.start_unix_us = start_unix_us_;
    e.duration_us = monotonic_us() - start_mono_us_;
    sdk::log_access(ctx_, e);
}

void BlockingConnection::count(int counter, int64_t delta) const {
    if (ctx_ && ctx_->count) ctx_->count(ctx_, counter, delta);
}

// Another request on this connection? Not for sync, nor with keep_alive 0,
// nor once the worker stops or leaves.
bool BlockingConnection::keep_going() const {
    if (!options_.keep_alive || !timeouts_.keep_alive) return false;
    if (options_.request_budget && options_.request_budget->load(std::memory_order_relaxed) <= 0) return false;
    return !(ctx_ && ctx_->stop_mode && ctx_->stop_mode(ctx_) != HORNET_STOP_NONE);
}

bool BlockingConnection::may_keep_alive(const void* self) {
    return static_cast<const BlockingConnection*>(self)->keep_going();
}

size_t serve_connection(int fd, const hornet_worker_ctx_t* ctx, const ConnectionAddresses& addresses,
                        bool keep_alive) {
    BlockingConnection connection(ctx, ConnectionOptions{keep_alive, "http", nullptr});
    return connection.serve(fd, addresses);
}

} // namespace hornet::sdk
