// The gthread poller loop: accept, hand readable connections to the handler
// threads, expire parked ones, follow the stop mode; and what the handler
// threads do with a connection once they have served it.
#include "gthread_worker.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <new>
#include <unistd.h>

#include "hornet/sdk/blocking_socket.hpp"
#include "hornet/support/log.hpp"

namespace hornet::gthread {
namespace {

constexpr size_t kEvents = 128;
constexpr uint32_t kDefaultGraceMs = 30000; // graceful_timeout 0: Gunicorn's default
constexpr int64_t kAcceptWindowMs = 10;      // accept_allowance(): how long a served wait stays good
constexpr int64_t kChurnWindowMs = 50;       // churning(): the window its counts cover
constexpr uint64_t kChurnSample = 8;         // churning(): fewer accepts in a window tell nothing

} // namespace

GthreadWorker::GthreadWorker(const hornet_worker_ctx_t* ctx)
    : ctx_(ctx), timeouts_(sdk::Timeouts::from(ctx->limits)),
      threads_(std::max<uint32_t>(ctx->limits->threads, 1)),
      cap_(std::max<uint32_t>(ctx->limits->worker_connections, 1)),
      listeners_(ctx, sdk::ListenerSet::FirstAck::immediate, sdk::ListenerSet::QueueClock::first_read),
      tls_(ctx), lot_(poller_),
      pool_(ctx, sdk::ConnectionOptions{true, "http", &tls_},
            [this](sdk::BlockingConnection& connection, Connection* c) { serve(connection, c); }) {
    // Edge-triggered: the stop fd stays readable (nobody drains it), and the
    // mode is read on every turn anyway; each new signal is a new edge.
    if (ctx->stop_fd >= 0) poller_.watch(ctx->stop_fd, Poller::stop, EPOLLIN | EPOLLET);
    const hornet_host_t* host = ctx->host;
    shares_listeners_ = !(host && host->query && host->query(host, HORNET_QUERY_MULTIPROCESS) == 0);
    scratch_.reserve(kEvents);
    ready_.reserve(kEvents);
    pool_.start(threads_);
}

int GthreadWorker::run() {
    update_listeners(sdk::monotonic_ms());
    ctx_->ready(ctx_);
    std::array<epoll_event, kEvents> events;
    for (;;) {
        const int64_t now = sdk::monotonic_ms();
        follow_stop_mode(now);
        if (finished(now)) break;
        beat(now);
        // Here, with the clock wait_ms() reads: a sibling's turn that ended
        // at exactly `now` must not leave the listeners out of a long wait.
        update_listeners(now);
        const size_t n = poller_.wait(events, wait_ms(now));
        const int64_t woke = sdk::monotonic_ms();
        on_events({events.data(), n}, woke);
        expire(woke);
    }
    shut_down();
    return 0;
}

// Never past the next beat, nor past keepalive: then an idle park (always
// keepalive from now) never needs to wake the poller for its deadline.
int GthreadWorker::wait_ms(int64_t now) {
    int64_t limit = std::min<int64_t>(next_beat_ms_ - now, timeouts_.keepalive_ms);
    if (phase_ == Phase::leaving) limit = std::min(limit, leave_by_ms_ - now);
    if (!watching_ && accept_after_ms_ > now) limit = std::min(limit, accept_after_ms_ - now);
    return lot_.wait_ms(now, static_cast<int>(std::clamp<int64_t>(limit, 0, INT_MAX)));
}

// The stop fd and the wake-up need nothing here: every turn reads the stop
// mode and the counters.
void GthreadWorker::on_events(std::span<const epoll_event> events, int64_t now) {
    scratch_.clear(); // parked connections that became readable
    ready_.clear();   // fresh from accept
    for (const epoll_event& e : events) {
        if (!Poller::is_tag(e)) {
            scratch_.push_back(static_cast<Connection*>(e.data.ptr));
        } else if (e.data.u64 >= Poller::listener) {
            accept_from(e.data.u64 - Poller::listener, now);
        }
    }
    lot_.unpark(scratch_);
    scratch_.insert(scratch_.end(), ready_.begin(), ready_.end());
    pool_.push(scratch_);
}

// As many connections as accept_allowance() says (usually one per wake-up:
// every worker is woken by a new connection and the first to ask gets it,
// which spreads connections over the workers).
void GthreadWorker::accept_from(size_t listener, int64_t now) {
    if (phase_ != Phase::serving) return;
    const size_t allowance = accept_allowance(now);
    for (size_t i = 0; i < allowance && open_.load() < cap_; ++i) {
        Connection* c = accept_one(listener, now);
        if (!c) return;
        ready_.push_back(c);
    }
}

Connection* GthreadWorker::accept_one(size_t listener, int64_t now) {
    sdk::ConnectionAddresses addresses;
    const int fd = listeners_.accept(listener, addresses);
    if (fd < 0) return nullptr;
    Connection* c = new (std::nothrow) Connection(fd, addresses);
    if (!c) {
        ::close(fd);
        return nullptr;
    }
    if (ctx_->count) ctx_->count(ctx_, HORNET_COUNT_CONNECTIONS, 1);
    open_.fetch_add(1);
    ++accepts_;
    update_listeners(now); // at the cap the rest wait in the backlog
    return c;
}

// Balance between workers: keep-alive connections stay where they land, so a
// worker that already holds `threads` connections or more waits a moment
// (1 ms per `threads` connections held, at most 10; allowance 0) before it
// takes another, and a less loaded worker, woken by the same connection,
// takes it first. A wait that no sibling used ends with up to `threads` at
// once: in a rush where every worker waits, one connection per wait kept
// 400 connecting clients in the backlog for up to 0.7 s. A worker whose
// connections churn does not wait: where one lands does not last, and
// under connection-per-request load a wait before each accept only idled
// the workers (threads 1, 2 workers: 2.9k requests/s where Gunicorn's
// gthread served 9.9k).
size_t GthreadWorker::accept_allowance(int64_t now) {
    const size_t open = open_.load();
    if (!shares_listeners_ || open < threads_ || churning(now)) return 1;
    if (accept_after_ms_ != 0 && now >= accept_after_ms_) {
        const bool waited_for_it = now - accept_after_ms_ < kAcceptWindowMs; // not a later arrival
        accept_after_ms_ = 0;
        if (waited_for_it) return threads_;
    }
    if (accept_after_ms_ == 0) accept_after_ms_ = now + std::clamp<int64_t>(open / threads_, 1, 10);
    update_listeners(now);
    return 0;
}

// Churning: over the last complete kChurnWindowMs, or the one under way,
// at least kChurnSample accepts and more than half as many closes. A lone
// close (a client's probe connection before its rush) is not churn, nor
// are the closes of a load that ended before this one began.
bool GthreadWorker::churning(int64_t now) {
    const uint64_t closes_now = closes_.load(std::memory_order_relaxed);
    if (now - churn_.since_ms >= 2 * kChurnWindowMs) { // not asked for a while: its counts are of the past
        churn_ = {now, accepts_, closes_now, false};
        return false;
    }
    const uint64_t accepts = accepts_ - churn_.accepts_at, closes = closes_now - churn_.closes_at;
    const bool churned = accepts >= kChurnSample && closes * 2 > accepts;
    if (now - churn_.since_ms >= kChurnWindowMs) churn_ = {now, accepts_, closes_now, churned};
    return churned || churn_.last_window;
}

void GthreadWorker::update_listeners(int64_t now) {
    const bool on = phase_ == Phase::serving && open_.load() < cap_ && now >= accept_after_ms_;
    if (on == watching_) return;
    for (size_t i = 0; i < listeners_.size(); ++i) {
        if (on) poller_.watch(listeners_.fd(i), Poller::listener + i, EPOLLIN);
        else poller_.unwatch(listeners_.fd(i));
    }
    watching_ = on;
}

void GthreadWorker::expire(int64_t now) {
    scratch_.clear();
    lot_.take_expired(now, scratch_);
    ready_.clear();
    for (Connection* c : scratch_) {
        if (c->waits_for != sdk::ConnectionWait::head) {
            close(c); // idle past keepalive (or a first request that never came): no answer owed
            continue;
        }
        poller_.disarm(c);            // a handler owns it now: no event may reach the poller
        c->state.head_expired = true; // the handler answers 408
        ready_.push_back(c);
    }
    pool_.push(ready_);
}

void GthreadWorker::follow_stop_mode(int64_t now) {
    const int mode = ctx_->stop_mode ? ctx_->stop_mode(ctx_) : HORNET_STOP_NONE;
    if (mode == HORNET_STOP_NOW) phase_ = Phase::stopping;
    else if (mode == HORNET_STOP_GRACEFUL) begin_leaving(now);
}

void GthreadWorker::begin_leaving(int64_t now) {
    if (phase_ != Phase::serving) return;
    phase_ = Phase::leaving;
    leaving_ = true;
    update_listeners(now);
    const uint32_t grace = ctx_->limits->graceful_timeout_ms;
    leave_by_ms_ = now + (grace != 0 ? grace : kDefaultGraceMs);
    // A request may be on its way on any idle connection: each gets until
    // the keep-alive time to send it (answered with Connection: close).
    lot_.drain(std::min(leave_by_ms_, now + timeouts_.keepalive_ms));
    support::logf(ctx_->host, HORNET_LOG_INFO, "worker %d: stopping gracefully, draining %zu connection(s)",
                  ctx_->worker_id, open_.load());
}

bool GthreadWorker::finished(int64_t now) const {
    if (phase_ == Phase::stopping) return true;
    return phase_ == Phase::leaving && (open_.load() == 0 || now >= leave_by_ms_);
}

// Handler threads still inside the app finish that call: they are joined,
// never abandoned, since the app instance is destroyed after run() returns.
void GthreadWorker::shut_down() {
    phase_ = Phase::stopping;
    update_listeners(0);
    scratch_.clear();
    pool_.stop(scratch_);
    lot_.close(scratch_);
    close_all(scratch_);
    pool_.join();
}

void GthreadWorker::beat(int64_t now) {
    if (now < next_beat_ms_) return;
    const uint32_t timeout = ctx_->limits->timeout_ms;
    if (timeout != 0 && pool_.all_held_longer_than(now, timeout)) return; // hung on every thread: no beat
    ctx_->heartbeat(ctx_);
    next_beat_ms_ = now + std::max<uint32_t>(timeouts_.beat_ms / 2, 5); // twice per beat period: margin
}

void GthreadWorker::close_all(const std::vector<Connection*>& connections) {
    for (Connection* c : connections) close(c);
}

void GthreadWorker::serve(sdk::BlockingConnection& connection, Connection* c) {
    const sdk::ConnectionWait wait = connection.serve_ready(c->state);
    if (wait == sdk::ConnectionWait::closed) return close(c);
    const int64_t deadline = sdk::park_deadline_ms(c->state, wait, connection.timeouts(), sdk::monotonic_ms());
    if (!lot_.park(c, wait, deadline)) close(c); // the lot is closed: the worker is going
}

void GthreadWorker::close(Connection* c) {
    sdk::send_close_notify_now(c->state.fd, c->state.tls.get());
    ::close(c->state.fd);
    delete c;
    if (ctx_->count) ctx_->count(ctx_, HORNET_COUNT_CONNECTIONS, -1);
    closes_.fetch_add(1, std::memory_order_relaxed);
    const size_t was = open_.fetch_sub(1);
    // The poller watches the listeners again below the cap; leaving, it
    // waits for the last connection.
    if (was >= cap_ || leaving_.load()) poller_.wake();
}

} // namespace hornet::gthread
