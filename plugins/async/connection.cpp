// One connection's coroutine: heads, exchanges, keep-alive, linger; and its
// writer.
#include "connection.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "async_worker.hpp"
#include "hornet/sdk/access_record.hpp"
#include "hornet/sdk/log.hpp"

namespace hornet::async {
namespace asio = boost::asio;
namespace {

constexpr size_t kInputBytes = 8 * 1024;  // grows only for a larger head
constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kHeadTailRoom = 4 * 1024; // room for body bytes after a pinned head
constexpr int64_t kLingerMs = 1000;

// The socket's protocol, as Asio wants it for assign().
asio::generic::stream_protocol protocol_of(int fd) {
    int domain = AF_INET;
    socklen_t len = sizeof domain;
    ::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
    return asio::generic::stream_protocol(domain, domain == AF_UNIX ? 0 : IPPROTO_TCP);
}

asio::generic::stream_protocol::socket adopt(asio::io_context& io, int fd) {
    asio::generic::stream_protocol::socket s(io);
    boost::system::error_code ec;
    s.assign(protocol_of(fd), fd, ec);
    if (ec) {
        ::close(fd);
        throw boost::system::system_error(ec, "cannot watch the connection");
    }
    return s;
}

// The first line of what arrived, for logging a request that did not parse.
std::string_view first_line(std::span<const char> bytes) {
    std::string_view s(bytes.data(), std::min<size_t>(bytes.size(), 1024));
    return s.substr(0, s.find_first_of("\r\n"));
}

} // namespace

Connection::Connection(AsyncWorker& worker, int fd, const sdk::ConnectionAddresses& addresses)
    : worker_(worker), ctx_(worker.ctx()), fd_(fd), socket_(adopt(worker.io(), fd)), timer_(worker.io()),
      addresses_(addresses), input_(kInputBytes), parser_(worker.parser_limits()), exchange_(*this) {
    worker.gate().judge(peer_, addresses_.peer); // from the socket's own peer, before any PROXY header
}

Connection::~Connection() = default; // the socket closes itself

asio::awaitable<void> Connection::serve(std::unique_ptr<Connection> self) {
    Connection& c = *self;
    try {
        co_await c.serve_requests();
    } catch (const std::exception& e) {
        sdk::logf(c.ctx_->host, HORNET_LOG_ERROR, "connection dropped: %s", e.what());
        c.cut();
    }
    // An app may still hold a PENDING exchange: the connection lives until
    // it has finished (its ops fail meanwhile).
    while (c.exchange_.active() && !c.exchange_.done()) co_await c.wait_woken();
    c.worker_.closed(&c);
}

asio::awaitable<void> Connection::serve_requests() {
    for (;;) {
        const HeadOutcome head = co_await read_head();
        if (head == HeadOutcome::closed) co_return;
        if (head == HeadOutcome::answered) co_return co_await linger();
        const Next next = co_await run_exchange();
        if (next == Next::again) continue;
        if (next == Next::linger) co_await linger();
        co_return;
    }
}

// Parses what is buffered, reading more while the head is incomplete. The
// parser sees every byte of the head from its first on each call.
asio::awaitable<Connection::HeadOutcome> Connection::read_head() {
    parser_.reset();
    head_expired_ = false;
    if (!input_.empty()) mark_start();
    for (;;) {
        if (!input_.empty()) {
            const sdk::HeadResult r = worker_.gate().parse_head(peer_, parser_, input_, addresses_);
            if (r.status == sdk::ParseStatus::done) {
                if (const int status = accept_head(r.consumed))
                    co_return co_await answer_head_error(status, parser_.request_line());
                co_return HeadOutcome::ready;
            }
            if (r.status == sdk::ParseStatus::error) co_return co_await answer_head_error(r.http_status);
        }
        const std::span<char> space = input_.prepare(kReadChunk);
        if (space.empty()) co_return co_await answer_head_error(431);
        if (!await_client()) co_return HeadOutcome::closed;
        auto [ec, n] = co_await socket_.async_read_some(asio::buffer(space.data(), space.size()),
                                                        asio::as_tuple(asio::use_awaitable));
        wait_ = Wait::none;
        if (ec || n == 0) {
            if (head_expired_ && !input_.empty() && !cut_) co_return co_await answer_head_error(408);
            co_return HeadOutcome::closed;
        }
        if (input_.empty()) {
            mark_start();
            head_since_ms_ = worker_.now_ms();
        }
        input_.commit(n);
    }
}

// Sets the deadline of the wait for the client; false when the connection
// should close instead (stopping, or idle while the worker leaves).
bool Connection::await_client() {
    if (cut_) return false;
    const sdk::Timeouts& t = worker_.timeouts();
    const int64_t now = worker_.now_ms();
    if (input_.empty()) {
        if (worker_.leaving()) return false; // idle: a graceful stop closes it at once
        wait_ = Wait::request;
        deadline_ms_ = now + (answered_ != 0 ? t.keepalive_ms : t.head_ms);
    } else {
        wait_ = Wait::head;
        deadline_ms_ = (head_since_ms_ != 0 ? head_since_ms_ : now) + t.head_ms;
    }
    return true;
}

// 0, or the status to answer (contradictory scheme headers).
int Connection::accept_head(size_t head_len) {
    parser_.resolve(input_.pin_head(head_len, kHeadTailRoom));
    head_since_ms_ = 0;
    return fill_request();
}

int Connection::fill_request() {
    request_ = hornet_request_t{};
    request_.head = HORNET_HEAD_INIT(hornet_request_t);
    parser_.fill(request_);
    request_.scheme = {"http", 4};
    request_.peer_host = {addresses_.peer.host().data(), addresses_.peer.host().size()};
    request_.peer_port = addresses_.peer.port();
    request_.server_host = {addresses_.local.host().data(), addresses_.local.host().size()};
    request_.server_port = addresses_.local.port();
    return worker_.gate().set_scheme(peer_, request_);
}

asio::awaitable<Connection::HeadOutcome> Connection::answer_head_error(int status, std::string_view line) {
    encoder_.reset({11, false, false});
    sdk::WireBuffers out;
    encoder_.error_response(status, out);
    for (const iovec& v : out.iov()) out_.append(v.iov_base, v.iov_len);
    kick_write();
    while (!broken_ && (writing_ || !out_.drained())) co_await wait_woken();
    const std::string_view peer = addresses_.peer.host();
    sdk::logf(ctx_->host, HORNET_LOG_DEBUG, "answered %d to %.*s: the request head was refused", status,
              static_cast<int>(peer.size()), peer.data());
    log_access(nullptr, line.empty() ? first_line(input_.data()) : line);
    ++answered_;
    worker_.answered();
    co_return HeadOutcome::answered;
}

asio::awaitable<Connection::Next> Connection::run_exchange() {
    // Decided before the app runs, so a stop's last answer says Connection: close.
    encoder_.reset({request_.version, parser_.head_request(), worker_.keep_going() && parser_.keep_alive()});
    exchange_.begin();
    if (worker_.app_on_loop()) exchange_.run_on_loop();
    else worker_.pool().push(&exchange_);
    while (!exchange_.done()) co_await wait_woken();
    after_exchange();
    if (exchange_.reusable() && worker_.keep_going() && !cut_) co_return Next::again;
    co_return exchange_.unread_input() && !broken_ && !cut_ ? Next::linger : Next::close;
}

void Connection::after_exchange() {
    exchange_.end();
    log_access(&request_, parser_.request_line());
    input_.unpin(); // the head's views are gone; leftover bytes may start the next request
    out_.shrink();
    ++answered_;
    worker_.answered();
}

// Half-close and read what the client still sends, briefly, so that the
// close does not reset a response it has not read yet.
asio::awaitable<void> Connection::linger() {
    if (broken_ || cut_) co_return;
    ::shutdown(fd_, SHUT_WR);
    input_.unpin();
    wait_ = Wait::linger;
    deadline_ms_ = worker_.now_ms() + kLingerMs;
    for (;;) {
        input_.clear();
        const std::span<char> space = input_.prepare(kReadChunk);
        auto [ec, n] = co_await socket_.async_read_some(asio::buffer(space.data(), space.size()),
                                                        asio::as_tuple(asio::use_awaitable));
        if (ec || n == 0) break;
    }
    wait_ = Wait::none;
}

// Suspends until wake(); callers re-check their condition.
asio::awaitable<void> Connection::wait_woken() {
    return asio::async_initiate<decltype(asio::use_awaitable), void()>(
        [this](auto handler) { woken_.emplace(std::move(handler)); }, asio::use_awaitable);
}

void Connection::wake() {
    if (!woken_) return;
    asio::any_completion_handler<void()> h = std::move(*woken_);
    woken_.reset();
    asio::post(worker_.io(), std::move(h));
}

void Connection::check_deadlines(int64_t now) {
    if (wait_ != Wait::none && now >= deadline_ms_) {
        if (wait_ == Wait::head) head_expired_ = true;
        wait_ = Wait::none;
        socket_.cancel();
    }
    if (write_deadline_ms_ != 0 && now >= write_deadline_ms_) { // the client stopped reading
        write_deadline_ms_ = 0;
        broken_ = true;
        socket_.cancel();
    }
    if (exchange_.read_deadline_ms() != 0 && now >= exchange_.read_deadline_ms()) exchange_.on_read_deadline();
}

void Connection::close_if_idle() {
    if (wait_ == Wait::request) socket_.cancel();
}

void Connection::cut() {
    if (cut_) return;
    cut_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    socket_.cancel();
    exchange_.cut();
}

void Connection::mark_start() {
    if (!ctx_->access_log_enabled) return;
    start_unix_us_ = sdk::wall_clock_us();
    start_mono_us_ = sdk::monotonic_us();
}

void Connection::log_access(const hornet_request_t* request, std::string_view request_line) {
    if (!ctx_->access_log_enabled || !ctx_->access_log) return;
    sdk::AccessEntry e;
    e.request = request;
    e.request_line = request_line;
    e.peer_host = addresses_.peer.host();
    e.status = encoder_.status();
    e.body_bytes = encoder_.body_bytes();
    if (encoder_.started()) e.response_headers = encoder_.head().headers();
    e.start_unix_us = start_unix_us_;
    e.duration_us = sdk::monotonic_us() - start_mono_us_;
    sdk::log_access(ctx_, e);
}

// ---- the writer -------------------------------------------------------------

// Sends what the buffer holds straight away (one send(2) for a small
// response); refills it from the exchange's source; waits for the socket
// through Asio only when the kernel's buffer is full.
void Connection::kick_write() {
    if (writing_ || in_kick_) return;
    in_kick_ = true;
    for (;;) {
        if (broken_) {
            in_kick_ = false;
            return fail_output();
        }
        int error = 0;
        if (out_.refill(error)) exchange_.on_source_taken(error);
        if (out_.empty()) break;
        const std::span<const char> p = out_.pending();
        const ssize_t n = ::send(fd_, p.data(), p.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            out_.consume(static_cast<size_t>(n));
            write_deadline_ms_ = 0; // progress: a new stall starts a new deadline
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        in_kick_ = false;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return wait_writable();
        broken_ = true;
        return fail_output();
    }
    in_kick_ = false;
    write_deadline_ms_ = 0;
    on_output_settled();
}

// Waits for room in the kernel's buffer, then sends from the buffer as it is
// then: the buffer may move while we wait (the app appends), so no write is
// left in flight with a pointer into it.
void Connection::wait_writable() {
    writing_ = true;
    if (write_deadline_ms_ == 0) write_deadline_ms_ = worker_.now_ms() + worker_.timeouts().write_ms;
    socket_.async_wait(asio::socket_base::wait_write, [this](const boost::system::error_code& ec) {
        writing_ = false;
        if (ec) broken_ = true;
        kick_write();
    });
}

// Nothing more can be sent: drop what waits, fail the writers.
void Connection::fail_output() {
    broken_ = true;
    write_deadline_ms_ = 0;
    if (out_.discard()) exchange_.on_source_taken(HORNET_EIO);
    exchange_.on_output_failed();
    on_output_settled();
}

void Connection::on_output_settled() {
    if (exchange_.active()) exchange_.maybe_done();
    else wake();
}

} // namespace hornet::async
