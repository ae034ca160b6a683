// plugins/async/async_worker.hpp: the async worker type (Gunicorn's gevent
// worker, natively, without monkey-patching: the app interface can say
// PENDING).
//
// Per worker process one boost::asio::io_context, run on the thread that
// called run() (the loop), with a C++20 coroutine per connection (up to
// worker_connections) and one per listener accepting. NONBLOCKING apps run
// on the loop; the others on a pool of `threads` threads (BlockingPool).
// Apps that answer later get the timer and loop-post extensions
// (hornet/ext.h), implemented here since only the worker has the loop.
//
// A tick every 100 ms reads the clock (deadlines use it), beats the
// heartbeat every timeout/4, follows the stop mode (also woken by the stop
// fd) and checks every connection's deadlines. Graceful stop: stop
// accepting, drain (the next request on each connection is answered with
// Connection: close; idle connections close after at most `keepalive`
// more, since a request may be on its way on any of them), let exchanges
// in flight (PENDING ones included) finish, leave when none is open or
// after graceful_timeout; then (or on STOP_NOW)
// shut every socket, fail their ops and timers with HORNET_ECLOSED, and wait
// up to 1 s for PENDING apps to call finish(). Workers sharing a listener
// all wake for a new connection and each yields after a burst of accepts,
// which spreads connections evenly without delaying any.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <pthread.h>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "blocking_pool.hpp"
#include "hornet/sdk/limits.hpp"
#include "hornet/sdk/listener_set.hpp"
#include "hornet/sdk/peer_gate.hpp"
#include "hornet/sdk/request_cycle.hpp"
#include "hornet/worker.h"

namespace hornet::async {

class Connection;

class AsyncWorker {
public:
    // Throws when the loop or the listeners cannot be set up.
    explicit AsyncWorker(const hornet_worker_ctx_t* ctx);
    ~AsyncWorker();

    // [worker main, becomes the loop] Serves until stopped; the exit code.
    int run();
    // After run(): exchanges were left unfinished by their apps; the worker
    // must then not be destroyed (late calls would touch it).
    bool abandoned() const { return abandoned_; }

    // For connections and exchanges. [loop] unless said otherwise.
    boost::asio::io_context& io() { return io_; }
    const hornet_worker_ctx_t* ctx() const { return ctx_; }
    const sdk::Timeouts& timeouts() const { return timeouts_; }
    const sdk::PeerGate& gate() const { return gate_; } // PROXY header, trusted scheme headers
    int64_t now_ms() const { return now_ms_; } // the tick's clock
    const int64_t& clock() const { return now_ms_; }
    BlockingPool& pool() { return pool_; }
    bool in_loop_thread() const; // [any thread]
    // Idle connections wait no later than this (a graceful stop's drain).
    int64_t drain_by_ms() const { return drain_by_ms_; }
    bool draining() const { return drain_by_ms_ != INT64_MAX; }
    // Another request on a connection? Not with keep_alive 0, nor once the
    // worker stops. [any thread]
    bool keep_going() const { return sdk::may_keep_alive(ctx_, timeouts_); }
    void closed(Connection* c);

private:
    enum class Phase { serving, leaving, stopping };

    boost::asio::awaitable<void> accept_loop(size_t listener);
    boost::asio::awaitable<void> watch_stop_fd();
    void open_connection(int fd, const sdk::ConnectionAddresses& addresses);
    void schedule_tick();
    void on_tick();
    void follow_stop_mode();
    void begin_leaving();
    void stop_now();
    void check_finished();
    void end_loop();

    const hornet_worker_ctx_t* ctx_;
    sdk::Timeouts timeouts_;
    sdk::PeerGate gate_;
    size_t cap_;
    bool app_on_loop_;
    boost::asio::io_context io_;
    sdk::ListenerSet listeners_;
    std::vector<std::unique_ptr<boost::asio::posix::stream_descriptor>> listener_watch_;
    boost::asio::posix::stream_descriptor stop_watch_;
    boost::asio::steady_timer tick_;
    boost::asio::steady_timer room_; // cancelled when a connection frees a slot
    BlockingPool pool_;

    pthread_t loop_thread_{};           // set before looping_, while run() runs
    std::atomic<bool> looping_{false};
    Phase phase_ = Phase::serving;
    int64_t now_ms_ = 0;
    int64_t next_beat_ms_ = 0;
    int64_t leave_by_ms_ = 0;
    int64_t drain_by_ms_ = INT64_MAX;
    int64_t abandon_at_ms_ = 0;
    size_t open_ = 0;
    size_t closed_since_trim_ = 0;
    bool ended_ = false;
    bool abandoned_ = false;
    Connection* head_ = nullptr; // every open connection
};

} // namespace hornet::async
