// The async worker's loop: accepting, the tick (clock, heartbeat, stop mode,
// deadlines) and the stops.
#include "async_worker.hpp"

#include <algorithm>
#include <chrono>
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

constexpr int kAcceptBurst = 16; // accepts before yielding to the connections

} // namespace

AsyncWorker::AsyncWorker(const hornet_worker_ctx_t* ctx)
    : LoopWorker(ctx), app_on_loop_(ctx->app->flags & HORNET_APP_NONBLOCKING), io_(1), listeners_(ctx), tls_(ctx),
      stop_watch_(io_), tick_timer_(io_), room_(io_) {
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
    tick().read_clock();
    sdk::provide_loop_extensions(ctx());
    if (!app_on_loop_) pool_.start(std::max<uint32_t>(ctx()->limits->threads, 1));
    for (size_t i = 0; i < listener_watch_.size(); ++i) asio::co_spawn(io_, accept_loop(i), asio::detached);
    if (stop_watch_.is_open()) asio::co_spawn(io_, watch_stop_fd(), asio::detached);
    schedule_tick();
    tick().begin();
    ctx()->ready(ctx());
    follow_stop_mode(); // a stop that came while booting
    io_.run();
    pool_.stop();
    if (abandoned()) pool_.detach();
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
    while (phase() == Phase::serving) {
        if (open_ >= cap()) {
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
        support::logf(ctx()->host, HORNET_LOG_ERROR, "async worker: cannot serve a connection: %s", e.what());
        return;
    }
    if (!c) { // no memory for it: it never took fd
        ::close(fd);
        support::logf(ctx()->host, HORNET_LOG_ERROR, "async worker: no memory to serve a connection");
        return;
    }
    c->next = head_;
    if (head_) head_->prev = c.get();
    head_ = c.get();
    ++open_;
    if (ctx()->count) ctx()->count(ctx(), HORNET_COUNT_CONNECTIONS, 1);
    asio::co_spawn(io_, Connection::serve(std::move(c)), asio::detached);
}

void AsyncWorker::closed(Connection* c) {
    (c->prev ? c->prev->next : head_) = c->next;
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = nullptr;
    if (ctx()->count) ctx()->count(ctx(), HORNET_COUNT_CONNECTIONS, -1);
    if (open_-- == cap()) room_.cancel();
    tick().closed();
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
    tick_timer_.expires_after(std::chrono::milliseconds(sdk::WorkerTick::kPeriodMs));
    tick_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || ended_) return;
        on_tick();
        if (!ended_) schedule_tick();
    });
}

void AsyncWorker::on_tick() {
    tick().tick(open_);
    follow_stop_mode();
    for (Connection* c = head_; c;) {
        Connection* next = c->next; // a deadline may end the connection (later, on its coroutine)
        c->check_deadlines(now_ms());
        c = next;
    }
    check_finished();
}

void AsyncWorker::follow_stop_mode() {
    const StopStep step = stop_step();
    if (step == StopStep::stop_now) stop_now();
    else if (step == StopStep::leave) begin_leaving();
}

void AsyncWorker::begin_leaving() {
    if (!enter_leaving(open_)) return;
    for (auto& w : listener_watch_) w->cancel();
    room_.cancel();
    for (Connection* c = head_; c; c = c->next) c->drain(drain_by_ms());
    check_finished();
}

void AsyncWorker::stop_now() {
    if (!enter_stopping()) return;
    for (auto& w : listener_watch_) w->cancel();
    room_.cancel();
    for (Connection* c = head_; c; c = c->next) c->cut();
    check_finished();
}

// Accepts are synchronous here (accept4 after a wake-up): none is ever in
// flight when a stop cancels the watches.
void AsyncWorker::check_finished() {
    if (ended_) return;
    switch (verdict(open_, false)) {
    case Verdict::stay: return;
    case Verdict::stop_now: return stop_now();
    case Verdict::end:
    case Verdict::abandon: return end_loop();
    }
}

void AsyncWorker::end_loop() {
    ended_ = true;
    tick_timer_.cancel();
    if (stop_watch_.is_open()) stop_watch_.cancel();
    io_.stop();
}

} // namespace hornet::async
