// plugins/uring/uring_worker.hpp: the uring worker type: one io_uring per
// worker process, served by the thread that called run() (the ring thread).
//
// Everything waits in the ring: a multishot accept per listener, each
// connection's receive (into the ring's provided buffers while it waits for
// a request), sends, the stop fd's poll, the mailbox's eventfd, and a tick
// (a ring timeout every 100 ms) that reads the clock, beats the heartbeat
// every timeout/4, follows the stop mode and checks every connection's
// deadlines, cancelling the operation whose time is up. NONBLOCKING apps run
// on the ring thread (RingExchange), the others on a pool of `threads`
// threads (BlockingPool) with the SDK's blocking exchange, the ring leaving
// the connection alone meanwhile. Apps that answer later get the timer
// (a ring timeout per exchange) and the loop-post extensions; upgraded
// connections and WebSockets (ABI 1.4) stay on the ring, and a graceful
// stop sends their WebSockets close 1001.
//
// The stops are async's: graceful stops accepting, answers the next request
// on each connection with Connection: close, closes idle connections after
// at most `keepalive` more, lets exchanges in flight finish and leaves when
// none is open or after graceful_timeout; then (or on STOP_NOW) every socket
// is shut, operations fail with HORNET_ECLOSED, and PENDING apps get 1 s to
// call finish(). Built only against the installed SDK (see CMakeLists.txt).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "hornet/sdk/blocking_pool.hpp"
#include "hornet/sdk/listener_set.hpp"
#include "hornet/sdk/loop_worker.hpp"
#include "hornet/worker.h"
#include "mailbox.hpp"
#include "ring.hpp"

namespace hornet::uring {

class Connection;

// The clock, timeouts, gate, keep_going() and the stop phases are the SDK's
// LoopWorker's; this class is the ring around them.
class UringWorker : public sdk::LoopWorker {
public:
    // Throws when the ring, the mailbox or the listeners cannot be set up.
    explicit UringWorker(const hornet_worker_ctx_t* ctx);
    ~UringWorker();

    // [worker main, becomes the ring thread] Serves until stopped.
    int run();

    // For connections and exchanges. [ring thread] unless said otherwise.
    Ring& ring() { return ring_; }
    Mailbox& mailbox() { return mailbox_; } // post(): [any thread]
    sdk::BlockingPool& pool() { return pool_; }
    bool in_ring_thread() const; // [any thread]
    void closed(Connection* c);

private:
    struct Listener {
        UringWorker* worker;
        size_t index;
        Op accept;            // multishot
        bool rejoin = false;  // accepted this pass: cancel and re-arm after it
    };

    void arm_accept(Listener& l);
    static void on_accept(Op& op, int res, uint32_t flags);
    void open_connection(Listener& l, int fd);
    void rejoin_after_pass(Listener& l);
    void arm_tick();
    static void on_tick(Op& op, int res, uint32_t flags);
    void tick_now();
    void arm_stop_watch();
    static void on_stop_fd(Op& op, int res, uint32_t flags);
    void arm_mailbox();
    static void on_mailbox(Op& op, int res, uint32_t flags);
    void follow_stop_mode();
    void pause_accepting();
    bool accepting() const; // an accept is in flight (or its cancel's answer is not in)
    void begin_leaving();
    void stop_now();
    void check_finished();

    Ring ring_;
    Mailbox mailbox_;
    sdk::ListenerSet listeners_;
    std::vector<std::unique_ptr<Listener>> accepting_;
    sdk::BlockingPool pool_;
    Op tick_op_;
    Op stop_op_;
    Op mailbox_op_;
    __kernel_timespec tick_ts_{};
    uint64_t mailbox_word_ = 0;

    size_t open_ = 0;
    bool paused_ = false; // the connection cap stopped the accepts
    bool ended_ = false;
    Connection* head_ = nullptr; // every open connection
};

} // namespace hornet::uring
