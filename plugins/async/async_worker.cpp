// The async worker's loop: accepting, the tick (clock, heartbeat, stop mode,
// deadlines) and the stops.
#include "async_worker.hpp"

#include <algorithm>
#include <chrono>
#include <malloc.h>
#include <new>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "connection.hpp"
#include "hornet/sdk/access_record.hpp"
#include "hornet/sdk/loop_extensions.hpp"
#include "hornet/support/log.hpp"

namespace hornet::async {
namespace asio = boost::asio;
namespace {

constexpr int64_t kTickMs = 100;
constexpr uint32_t kDefaultGraceMs = 30000; // graceful_timeout 0: Gunicorn's default
constexpr int64_t kAbandonMs = 1000;         // after a hard stop, PENDING apps get this long to finish
constexpr int kAcceptBurst = 16;             // accepts before yielding to the connections
constexpr size_t kTrimAfterClosed = 64;      // closes that make a trim worth it once idle

int64_t clock_ms() { return hornet::sdk::monotonic_us() / 1000; }

} // namespace

AsyncWorker::AsyncWorker(const hornet_worker_ctx_t* ctx)
    : ctx_(ctx), timeouts_(sdk::Timeouts::from(ctx->limits)), gate_(ctx),
      cap_(std::max<uint32_t>(ctx->limits->worker_connections, 1)),
      app_on_loop_(ctx->app->flags & HORNET_APP_NONBLOCKING), io_(1), listeners_(ctx), stop_watch_(io_),
      tick_(io_), room_(io_) {
    for (size_t i = 0; i < listeners_.size(); ++i)
        listener_watch_.push_back(std::make_unique<asio::posix::stream_descriptor>(io_, listeners_.fd(i)));
    if (ctx->stop_fd >= 0) stop_watch_.assign(ctx->stop_fd);
    room_.expires_at(asio::steady_timer::time_point::max()); // only ever cancelled
}

// The listeners and the stop fd are the host's: never closed here.
AsyncWorker::~AsyncWorker() {
    for (auto& w : listener_watch_) w->release();
    if (stop_watch_.is_open()) stop_watch_.release();
}

// Asked on every op (several times per WebSocket message): pthread_self()
// reads a register, where a thread_local in a plugin costs a __tls_get_addr.
bool AsyncWorker::in_loop_thread() const {
    return looping_.load(std::memory_order_acquire) && pthread_equal(loop_thread_, pthread_self());
}

int AsyncWorker::run() {
    loop_thread_ = pthread_self();
    looping_.store(true, std::memory_order_release);
    now_ms_ = clock_ms();
    sdk::provide_loop_extensions(ctx_);
    if (!app_on_loop_) pool_.start(std::max<uint32_t>(ctx_->limits->threads, 1));
    for (size_t i = 0; i < listener_watch_.size(); ++i) asio::co_spawn(io_, accept_loop(i), asio::detached);
    if (stop_watch_.is_open()) asio::co_spawn(io_, watch_stop_fd(), asio::detached);
    schedule_tick();
    ctx_->heartbeat(ctx_);
    next_beat_ms_ = now_ms_ + std::max<uint32_t>(timeouts_.beat_ms / 2, 5);
    ctx_->ready(ctx_);
    follow_stop_mode(); // a stop that came while booting
    io_.run();
    pool_.stop();
    if (abandoned_) pool_.detach();
    else pool_.join();
    looping_.store(false, std::memory_order_release);
    return 0;
}

// One listener: accept while there is room, then wait for the next
// connection. A full house may have swallowed the wake-up of a connection
// already in the backlog, so accept() is always tried before waiting. Every
// worker wakes for a new connection (the watch is not exclusive) and yields
// after a burst, so siblings share a rush of connections evenly without
// pausing: a pause per accept once kept 400 connecting clients waiting
// 200 ms for their first answer.
asio::awaitable<void> AsyncWorker::accept_loop(size_t i) {
    int burst = 0;
    while (phase_ == Phase::serving) {
        if (open_ >= cap_) {
            co_await room_.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        sdk::ConnectionAddresses addresses;
        const int fd = listeners_.accept(i, addresses);
        if (fd < 0) {
            burst = 0;
            co_await listener_watch_[i]->async_wait(asio::posix::stream_descriptor::wait_read,
                                                   asio::as_tuple(asio::use_awaitable));
            continue;
        }
        open_connection(fd, addresses);
        if (++burst >= kAcceptBurst) {
            burst = 0;
            co_await asio::post(io_, asio::use_awaitable); // let the new connections read
        }
    }
}

void AsyncWorker::open_connection(int fd, const sdk::ConnectionAddresses& addresses) {
    std::unique_ptr<Connection> c;
    try {
        c.reset(new (std::nothrow) Connection(*this, fd, addresses)); // from its first member on, it owns fd
    } catch (const std::exception& e) {
        support::logf(ctx_->host, HORNET_LOG_ERROR, "async worker: cannot serve a connection: %s", e.what());
        return;
    }
    if (!c) { // no memory for it: it never took fd
        ::close(fd);
        support::logf(ctx_->host, HORNET_LOG_ERROR, "async worker: no memory to serve a connection");
        return;
    }
    c->next = head_;
    if (head_) head_->prev = c.get();
    head_ = c.get();
    ++open_;
    if (ctx_->count) ctx_->count(ctx_, HORNET_COUNT_CONNECTIONS, 1);
    asio::co_spawn(io_, Connection::serve(std::move(c)), asio::detached);
}

void AsyncWorker::closed(Connection* c) {
    (c->prev ? c->prev->next : head_) = c->next;
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = nullptr;
    if (ctx_->count) ctx_->count(ctx_, HORNET_COUNT_CONNECTIONS, -1);
    if (open_-- == cap_) room_.cancel();
    ++closed_since_trim_;
    check_finished();
}

// The stop fd stays readable once written (nobody drains it); each new
// signal writes again. The tick reads the stop mode anyway.
asio::awaitable<void> AsyncWorker::watch_stop_fd() {
    while (!ended_) {
        auto [ec] = co_await stop_watch_.async_wait(asio::posix::stream_descriptor::wait_read,
                                                    asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted || ended_) co_return;
        follow_stop_mode();
    }
}

void AsyncWorker::schedule_tick() {
    tick_.expires_after(std::chrono::milliseconds(kTickMs));
    tick_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || ended_) return;
        on_tick();
        if (!ended_) schedule_tick();
    });
}

void AsyncWorker::on_tick() {
    now_ms_ = clock_ms();
    if (now_ms_ >= next_beat_ms_) {
        ctx_->heartbeat(ctx_);
        next_beat_ms_ = now_ms_ + std::max<uint32_t>(timeouts_.beat_ms / 2, 5); // timeout / 4
    }
    follow_stop_mode();
    // A burst of connections is over: give its buffers back to the system
    // (glibc keeps freed heap otherwise), so an idle worker is small again.
    if (open_ == 0 && closed_since_trim_ >= kTrimAfterClosed) {
        closed_since_trim_ = 0;
        ::malloc_trim(0);
    }
    for (Connection* c = head_; c;) {
        Connection* next = c->next; // a deadline may end the connection (later, on its coroutine)
        c->check_deadlines(now_ms_);
        c = next;
    }
    check_finished();
}

void AsyncWorker::follow_stop_mode() {
    const int mode = ctx_->stop_mode ? ctx_->stop_mode(ctx_) : HORNET_STOP_NONE;
    if (mode == HORNET_STOP_NOW) stop_now();
    else if (mode == HORNET_STOP_GRACEFUL) begin_leaving();
}

void AsyncWorker::begin_leaving() {
    if (phase_ != Phase::serving) return;
    phase_ = Phase::leaving;
    now_ms_ = clock_ms();
    const uint32_t grace = ctx_->limits->graceful_timeout_ms;
    leave_by_ms_ = now_ms_ + (grace != 0 ? grace : kDefaultGraceMs);
    for (auto& w : listener_watch_) w->cancel();
    room_.cancel();
    drain_by_ms_ = std::min(leave_by_ms_, now_ms_ + timeouts_.keepalive_ms);
    for (Connection* c = head_; c; c = c->next) c->drain(drain_by_ms_);
    support::logf(ctx_->host, HORNET_LOG_INFO, "worker %d: stopping gracefully, draining %zu connection(s)",
                  ctx_->worker_id, open_);
    check_finished();
}

void AsyncWorker::stop_now() {
    if (phase_ == Phase::stopping) return;
    phase_ = Phase::stopping;
    now_ms_ = clock_ms();
    abandon_at_ms_ = now_ms_ + kAbandonMs;
    for (auto& w : listener_watch_) w->cancel();
    room_.cancel();
    for (Connection* c = head_; c; c = c->next) c->cut();
    check_finished();
}

void AsyncWorker::check_finished() {
    if (ended_ || phase_ == Phase::serving) return;
    if (open_ == 0) return end_loop();
    if (phase_ == Phase::leaving && now_ms_ >= leave_by_ms_) {
        support::logf(ctx_->host, HORNET_LOG_WARNING, "worker %d: graceful_timeout passed with %zu connections open; closing them",
                  ctx_->worker_id, open_);
        return stop_now();
    }
    if (phase_ == Phase::stopping && now_ms_ >= abandon_at_ms_) {
        support::logf(ctx_->host, HORNET_LOG_WARNING, "worker %d: %zu exchanges still unfinished by their app; leaving them",
                  ctx_->worker_id, open_);
        abandoned_ = true;
        end_loop();
    }
}

void AsyncWorker::end_loop() {
    ended_ = true;
    tick_.cancel();
    if (stop_watch_.is_open()) stop_watch_.cancel();
    io_.stop();
}

} // namespace hornet::async
