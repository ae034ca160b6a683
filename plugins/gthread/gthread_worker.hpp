// plugins/gthread/gthread_worker.hpp: the gthread worker type's poller.
//
// Gunicorn's gthread, natively. Per worker process one poller (the thread
// that called run()) waits on the listeners, the stop fd and every idle
// connection; a pool of `threads` handler threads runs the app. A connection
// readable or fresh from accept goes to the pool's queue; its handler serves
// every request that is already there (pipelined ones in order), then parks
// it back in the poller (ParkingLot) or closes it. So `threads` threads serve
// up to `worker_connections` open connections; at that cap the listeners are
// no longer watched and new connections wait in the kernel's backlog. Every
// worker wakes for a new connection; one holding `threads` connections or
// more lets a less loaded one take it first (accept_allowance), since keep-alive
// connections stay with the worker that accepted them.
//
// Keep-alive: an idle connection is closed after `keepalive`; a partial head
// gets 408 after the head timeout. Graceful stop (TERM): stop accepting,
// drain: the next request on each connection is answered with Connection:
// close, idle connections are closed after at most `keepalive` more (a
// request may be on its way on any of them), in-flight requests finish;
// leave when none is open or after graceful_timeout. STOP_NOW: close everything and leave once the
// handler threads return. The poller beats the heartbeat while any handler
// thread is free or has held its connection for at most `timeout`; once
// every one has held its connection longer (the app hangs on every thread,
// so the worker serves no one), it stops beating, and the arbiter takes a
// stack dump and replaces the worker. Gunicorn's gthread beats on, leaving
// such a worker serving nothing until someone restarts it.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "connection.hpp"
#include "handler_pool.hpp"
#include "hornet/sdk/blocking_connection.hpp"
#include "hornet/sdk/limits.hpp"
#include "hornet/sdk/listener_set.hpp"
#include "hornet/sdk/tls/tls_listeners.hpp"
#include "hornet/worker.h"
#include "parking_lot.hpp"
#include "poller.hpp"

namespace hornet::gthread {

class GthreadWorker {
public:
    // Throws when the epoll, the eventfd or a thread cannot be made.
    explicit GthreadWorker(const hornet_worker_ctx_t* ctx);

    // [poller] Serves until stopped; returns the exit code.
    int run();

private:
    enum class Phase { serving, leaving, stopping };

    // [poller]
    int wait_ms(int64_t now);
    void on_events(std::span<const epoll_event> events, int64_t now);
    void accept_from(size_t listener, int64_t now); // into ready_
    Connection* accept_one(size_t listener, int64_t now);
    size_t accept_allowance(int64_t now); // 0: wait for a sibling; 1; or a burst
    bool churning(int64_t now);           // connections come and go here: balance does not last
    void update_listeners(int64_t now);
    void expire(int64_t now);
    void follow_stop_mode(int64_t now);
    void begin_leaving(int64_t now);
    bool finished(int64_t now) const;
    void shut_down();
    void beat(int64_t now);
    void close_all(const std::vector<Connection*>& connections);

    // [handler]
    void serve(sdk::BlockingConnection& connection, Connection* c);

    // [any thread]
    void close(Connection* c);

    const hornet_worker_ctx_t* ctx_;
    sdk::Timeouts timeouts_;
    size_t threads_;
    size_t cap_; // worker_connections
    sdk::ListenerSet listeners_;
    sdk::TlsListeners tls_; // the handlers' connections point to it
    Poller poller_;
    ParkingLot lot_;
    std::atomic<bool> leaving_{false}; // closes wake the poller: it waits for the last one
    std::atomic<size_t> open_{0};
    std::atomic<uint64_t> closes_{0}; // accept_allowance(): churning connections wait for nobody

    // poller only
    Phase phase_ = Phase::serving;
    bool watching_ = false;          // the listeners are in the epoll
    bool shares_listeners_ = true;   // other workers accept on them too
    int64_t accept_after_ms_ = 0;    // accept_allowance(): not before this; 0: none pending
    uint64_t accepts_ = 0;
    struct ChurnWindow {
        int64_t since_ms = 0;
        uint64_t accepts_at = 0, closes_at = 0; // accepts_ and closes_ when it began
        bool last_window = false;               // the window before it churned
    } churn_;
    int64_t leave_by_ms_ = 0;
    int64_t next_beat_ms_ = 0;
    std::vector<Connection*> scratch_; // expired, ready: reused every turn
    std::vector<Connection*> ready_;

    HandlerPool pool_; // last: its threads use everything above, and it joins them first
};

} // namespace hornet::gthread
