// One connection's coroutine: heads, exchanges (on the loop or the pool),
// keep-alive, linger.
#include "connection.hpp"

#include <algorithm>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "async_worker.hpp"
#include "hornet/sdk/blocking_socket.hpp"
#include "hornet/sdk/io.hpp"
#include "hornet/support/log.hpp"
#include "pool_exchange.hpp"

namespace hornet::async {
namespace asio = boost::asio;
namespace {

constexpr size_t kInputBytes = 8 * 1024; // grows only for a larger head

// The socket's protocol, as Asio wants it for assign().
asio::generic::stream_protocol protocol_of(int fd) {
    int domain = AF_INET;
    socklen_t len = sizeof domain;
    ::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
    return asio::generic::stream_protocol(domain, domain == AF_UNIX ? 0 : IPPROTO_TCP);
}

Connection::Socket adopt(asio::io_context& io, int fd) {
    Connection::Socket s(io);
    boost::system::error_code ec;
    s.assign(protocol_of(fd), fd, ec);
    if (ec) {
        ::close(fd);
        throw boost::system::system_error(ec, "cannot watch the connection");
    }
    return s;
}

// For a pool exchange's start(), any thread.
bool may_keep_alive(const void* worker) { return static_cast<const AsyncWorker*>(worker)->keep_going(); }

} // namespace

Connection::Connection(AsyncWorker& worker, int fd, const sdk::ConnectionAddresses& addresses)
    : worker_(worker), ctx_(worker.ctx()), fd_(fd), socket_(adopt(worker.io(), fd)),
      tls_(worker.tls().open(addresses)), addresses_(addresses), input_(kInputBytes), cycle_(ctx_, worker.gate()),
      writer_(socket_, *this, worker.clock(), worker.timeouts().write_ms, tls_.get()),
      stream_(socket_, tls_.get(), writer_, ctx_->host), timer_(worker.io(), [this] { on_output_settled(); }), exchange_(worker, *this, cycle_.parts(input_)) {
    addresses_.tls = tls_.get();
    worker.gate().judge(peer_, addresses_.peer); // from the socket's own peer, before any PROXY header
}

Connection::~Connection() = default; // the socket closes itself

asio::awaitable<void> Connection::serve(std::unique_ptr<Connection> self) {
    Connection& c = *self;
    try {
        co_await c.serve_requests();
    } catch (const std::exception& e) {
        support::logf(c.ctx_->host, HORNET_LOG_ERROR, "connection dropped: %s", e.what());
        c.cut();
    }
    // An app may still hold a PENDING exchange: the connection lives until
    // it has finished (its ops fail meanwhile), and until a readable wait
    // (watch_peer's, left from the last request) has ended.
    while ((c.exchange_.active() && !c.exchange_.done()) || c.on_pool_ || c.timer_.busy() || c.readable_wait_) {
        if (c.readable_wait_ && (!c.exchange_.active() || c.exchange_.done())) {
            boost::system::error_code ignored;
            c.socket_.cancel(ignored); // nothing else of the connection reads or writes now
        }
        co_await c.wait_woken();
    }
    if (!c.cut_) co_await c.close_tls();
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

// Parses what is buffered, reading more while the head is incomplete.
asio::awaitable<Connection::HeadOutcome> Connection::read_head() {
    watch_.begin_head();
    cycle_.begin_head(ref());
    for (;;) {
        const sdk::HeadStep step = cycle_.parse_head(ref());
        if (step.status == sdk::HeadStatus::refused) co_return co_await refuse_head(step);
        if (step.status == sdk::HeadStatus::ready) {
            watch_.head_done();
            co_return HeadOutcome::ready;
        }
        const std::span<char> space = input_.prepare(sdk::kReadChunk);
        if (space.empty()) co_return co_await refuse_head({sdk::HeadStatus::refused, 431, {}});
        if (!await_client()) co_return HeadOutcome::closed;
        auto [ec, n] = co_await stream_.async_read_some(asio::buffer(space.data(), space.size()),
                                                        asio::as_tuple(asio::use_awaitable));
        watch_.done();
        if (ec || n == 0) {
            if (watch_.head_expired() && !input_.empty() && !cut_)
                co_return co_await refuse_head({sdk::HeadStatus::refused, 408, {}});
            co_return HeadOutcome::closed;
        }
        if (input_.empty()) {
            cycle_.on_first_bytes();
            watch_.first_bytes(worker_.now_ms());
        }
        input_.commit(n);
    }
}

// Sets the deadline of the wait for the client; false when the connection
// should close instead (stopping, or idle while the worker leaves).
bool Connection::await_client() {
    if (cut_) return false;
    watch_.await(worker_.timeouts(), worker_.now_ms(), input_.empty(), answered_ != 0, worker_.drain_by_ms());
    return true;
}

asio::awaitable<Connection::HeadOutcome> Connection::refuse_head(const sdk::HeadStep& step) {
    writer_.append(cycle_.refusal(step.http_status));
    writer_.kick();
    while (!writer_.settled()) co_await wait_woken();
    cycle_.end_refused(ref(), step);
    ++answered_;
    co_return HeadOutcome::answered;
}

asio::awaitable<Connection::Next> Connection::run_exchange() {
    // Decided before the app runs, so a stop's last answer says Connection: close.
    route_ = cycle_.begin_exchange(ref(), worker_.keep_going());
    const Outcome o = route_.on_loop() ? co_await run_on_loop() : co_await run_on_pool();
    cycle_.end_exchange(ref());
    writer_.buffer().shrink();
    ++answered_;
    // A response that promised keep-alive is kept to, even by a worker that
    // stops meanwhile: the next request is answered with Connection: close.
    if (o.reusable && !cut_) co_return Next::again;
    co_return o.unread && !writer_.broken() && !cut_ ? Next::linger : Next::close;
}

asio::awaitable<Connection::Outcome> Connection::run_on_loop() {
    exchange_.run(route_);
    while (!exchange_.done()) co_await wait_woken();
    const Outcome o{exchange_.reusable(), exchange_.unread_input()};
    exchange_.end();
    co_return o;
}

// The loop touches nothing of the connection until the pool is done.
asio::awaitable<Connection::Outcome> Connection::run_on_pool() {
    timer_.open();
    on_pool_ = true;
    worker_.pool().push(this);
    while (on_pool_ || timer_.busy()) co_await wait_woken();
    co_return pool_outcome_;
}

void Connection::serve_on_pool() noexcept {
    const sdk::Timeouts& t = cycle_.timeouts();
    sdk::BlockingSocket socket(fd_, ctx_, t.beat_ms, tls_.get());
    Outcome o;
    {
        PoolExchange x(worker_, timer_, cycle_.parts(input_), {socket, t.body_ms, t.write_ms, may_keep_alive, &worker_});
        x.run(route_.app, route_.instance);
        o = {x.reusable(), x.unread_input()};
    }
    asio::post(worker_.io(), [this, o] {
        pool_outcome_ = o;
        on_pool_ = false;
        wake();
    });
}

// Half-close and read what the client still sends, briefly, so that the
// close does not reset a response it has not read yet.
asio::awaitable<void> Connection::linger() {
    if (writer_.broken() || cut_) co_return;
    co_await close_tls();
    ::shutdown(fd_, SHUT_WR);
    input_.unpin();
    watch_.linger(worker_.now_ms());
    for (size_t total = 0; total < sdk::kLingerBytes;) {
        input_.clear();
        const std::span<char> space = input_.prepare(sdk::kReadChunk);
        auto [ec, n] = co_await stream_.async_read_some(asio::buffer(space.data(), space.size()),
                                                        asio::as_tuple(asio::use_awaitable));
        if (ec || n == 0) break;
        total += n;
    }
    watch_.done();
}

// TLS: a close_notify before the close, so that the client can tell the
// end of the stream from a truncation (every way a connection ends but a
// stop now: Connection: close, keep-alive timeout, a graceful stop's
// drain, the client's own close_notify, which this answers). Its wait is
// bounded like a linger: a client that reads nothing costs kLingerMs, then
// the tick cancels the socket and the writer gives up. Sent once: a pool
// exchange's last write may have sent it already.
asio::awaitable<void> Connection::close_tls() {
    if (!tls_ || cut_ || writer_.broken() || !tls_->handshake_done()) co_return;
    tls_->close_notify();
    if (!tls_->has_output()) co_return;
    watch_.linger(worker_.now_ms());
    writer_.kick();
    while (!writer_.settled()) co_await wait_woken();
    watch_.done();
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

void Connection::await_readable() {
    if (readable_wait_) return;
    readable_wait_ = true;
    socket_.async_wait(Socket::wait_read, [this](const boost::system::error_code&) {
        readable_wait_ = false;
        if (exchange_.active()) exchange_.check_peer();
        wake();
    });
}

void Connection::check_deadlines(int64_t now) {
    if (watch_.expired(now)) socket_.cancel();
    writer_.check_deadline(now);
    exchange_.check_read_deadline(now);
    exchange_.release_idle_output();
}

void Connection::drain(int64_t by_ms) {
    watch_.drain(by_ms);
    if (exchange_.active()) exchange_.drain(); // a WebSocket says 1001; a raw stream's read says HORNET_ESHUTDOWN
}

void Connection::cut() {
    if (cut_) return;
    cut_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    socket_.cancel();
    exchange_.cut();
    timer_.close();
}

// ---- the writer's news ----------------------------------------------------------

void Connection::on_source_taken(int error) {
    if (exchange_.active()) exchange_.on_source_taken(error);
}

void Connection::on_output_failed() {
    if (exchange_.active()) exchange_.on_output_failed();
}

void Connection::on_output_settled() {
    if (exchange_.active()) exchange_.maybe_done();
    else wake();
}

} // namespace hornet::async
