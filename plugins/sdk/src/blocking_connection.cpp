// The request loop of a blocking connection: head, exchange, log, repeat
// (keep-alive) or close.
#include "hornet/sdk/blocking_connection.hpp"

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

BlockingConnection::BlockingConnection(const hornet_worker_ctx_t* ctx, const ConnectionOptions& options)
    : ctx_(ctx), options_(options), timeouts_(Timeouts::from(limits_of(ctx))),
      parser_(ParserLimits::from(limits_of(ctx))) {}

size_t BlockingConnection::serve(int fd, const ConnectionAddresses& addresses) {
    count(HORNET_COUNT_CONNECTIONS, 1);
    answered_ = 0;
    try {
        addresses_ = &addresses;
        input_.clear();
        BlockingSocket socket(fd, ctx_, timeouts_.beat_ms);
        Next next = serve_one(socket, true);
        while (next == Next::again) next = serve_one(socket, false);
        if (next == Next::linger) socket.linger_close(kLingerMs);
    } catch (const std::exception& e) {
        logf(ctx_ ? ctx_->host : nullptr, HORNET_LOG_ERROR, "connection dropped: %s", e.what());
    } catch (...) {
        logf(ctx_ ? ctx_->host : nullptr, HORNET_LOG_ERROR, "connection dropped: unknown exception");
    }
    input_.unpin();
    ::close(fd);
    count(HORNET_COUNT_CONNECTIONS, -1);
    return answered_;
}

BlockingConnection::Next BlockingConnection::serve_one(BlockingSocket& socket, bool first) {
    switch (read_head(socket, first)) {
    case HeadOutcome::closed: return Next::close;
    case HeadOutcome::answered: return Next::linger;
    case HeadOutcome::ready: break;
    }
    return run_exchange(socket);
}

// Waits for a whole head (the idle keep-alive wait first, on later
// requests), answering what the parser refuses.
BlockingConnection::HeadOutcome BlockingConnection::read_head(BlockingSocket& socket, bool first) {
    parser_.reset();
    Deadline deadline(first || !input_.empty() ? timeouts_.head_ms : timeouts_.keepalive_ms);
    if (!input_.empty()) mark_start();
    for (;;) {
        if (!input_.empty()) {
            HeadResult r = parser_.parse_head(input_.data());
            if (r.status == ParseStatus::done) {
                accept_head(r.consumed);
                return HeadOutcome::ready;
            }
            if (r.status == ParseStatus::error) return answer_head_error(socket, r.http_status);
        }
        std::span<char> space = input_.prepare(kReadChunk);
        if (space.empty()) return answer_head_error(socket, 431);
        const bool idle = !first && input_.empty(); // between requests: a graceful stop ends it
        IoResult io = socket.read_some(space, deadline, idle);
        if (io.error == IoError::timeout && !input_.empty()) return answer_head_error(socket, 408);
        if (!io) return HeadOutcome::closed; // idle timeout, EOF, stop: no answer owed
        if (input_.empty()) {
            mark_start();
            if (!first) deadline = Deadline(timeouts_.head_ms); // idle is over: the head timeout runs
        }
        input_.commit(io.bytes);
    }
}

void BlockingConnection::accept_head(size_t head_len) {
    parser_.resolve(input_.pin_head(head_len, kReadChunk));
    fill_request();
}

void BlockingConnection::fill_request() {
    request_ = hornet_request_t{};
    request_.head = HORNET_HEAD_INIT(hornet_request_t);
    parser_.fill(request_);
    request_.scheme = {options_.scheme, std::strlen(options_.scheme)};
    request_.peer_host = {addresses_->peer.host().data(), addresses_->peer.host().size()};
    request_.peer_port = addresses_->peer.port();
    request_.server_host = {addresses_->local.host().data(), addresses_->local.host().size()};
    request_.server_port = addresses_->local.port();
}

BlockingConnection::Next BlockingConnection::run_exchange(BlockingSocket& socket) {
    encoder_.reset({request_.version, parser_.head_request(), options_.keep_alive && parser_.keep_alive()});
    const ExchangeParts parts{socket,       input_,
                              parser_,      encoder_,
                              request_,     ctx_->host,
                              ctx_->app && ctx_->app->name ? ctx_->app->name : "?",
                              timeouts_.body_ms, timeouts_.write_ms};
    bool reusable = false, unread = false;
    {
        BlockingExchange exchange(parts);
        exchange.run(ctx_->app, ctx_->app_instance);
        reusable = exchange.reusable();
        unread = exchange.unread_input();
    }
    log_access(&request_, parser_.request_line());
    input_.unpin(); // the head's views are gone; leftover bytes may start the next request
    ++answered_;
    count(HORNET_COUNT_REQUESTS, 1);
    if (reusable && keep_going()) return Next::again;
    return unread ? Next::linger : Next::close;
}

BlockingConnection::HeadOutcome BlockingConnection::answer_head_error(BlockingSocket& socket, int status) {
    encoder_.reset({11, false, false});
    WireBuffers out;
    encoder_.error_response(status, out);
    Deadline deadline(timeouts_.write_ms);
    socket.write_all(out.iov(), deadline);
    logf(ctx_ ? ctx_->host : nullptr, HORNET_LOG_DEBUG, "answered %d to %.*s: the request head was refused",
         status, static_cast<int>(addresses_->peer.host().size()), addresses_->peer.host().data());
    log_access(nullptr, first_line(input_.data()));
    ++answered_;
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
    e.peer_host = addresses_->peer.host();
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

bool BlockingConnection::keep_going() const {
    if (!options_.keep_alive) return false;
    return !(ctx_ && ctx_->stop_mode && ctx_->stop_mode(ctx_) != HORNET_STOP_NONE);
}

size_t serve_connection(int fd, const hornet_worker_ctx_t* ctx, const ConnectionAddresses& addresses,
                        bool keep_alive) {
    BlockingConnection connection(ctx, ConnectionOptions{keep_alive, "http"});
    return connection.serve(fd, addresses);
}

} // namespace hornet::sdk
