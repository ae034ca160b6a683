// plugins/uring/ring_exchange.hpp: one request of a uring connection for an
// app that runs on the ring thread (HORNET_APP_NONBLOCKING).
//
// The SDK's ExchangeCore decides and its LoopExchange brings every op to
// the ring thread (reads, start, finish, the timer, post, the upgrade);
// this class moves the bytes through the connection's ring operations.
// On the ring thread read() and sendfile() return HORNET_EWOULDBLOCK and write() copies into the connection's output
// while it holds less than 64 KiB (else HORNET_EWOULDBLOCK: use
// write_async). From another thread (the app's own, after PENDING) every op
// runs on the ring while its caller waits (waiter.hpp), except finish(),
// which is posted; a blocking write returns once the output is below half
// that bound again, so the worker holds at most ~64 KiB of a response
// however much the app writes. write_async copies and calls back at the
// same point. sendfile() splices the file through a pipe to the socket on
// the ring (IORING_OP_SPLICE): its bytes never enter the process. Done callbacks are deferred: never inside the call
// that started them, always on the ring thread. The exchange is done once
// handle() has returned, finish() has run, the response is on the wire (or
// the connection broke) and no read, callback or timer is in flight.
//
// ABI 1.4: upgrade() sends the 101 and the ops carry the raw stream; the
// SDK's WebSocketChannel drives a WebSocket over the same ops (reads
// straight into its buffer, one write_async at a time, pings on the
// timer), so an idle WebSocket holds a receive in the ring and no thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>

#include "hornet/sdk/loop_exchange.hpp"
#include "hornet/sdk/request_cycle.hpp"
#include "waiter.hpp"

namespace hornet::uring {

class UringWorker;
class Connection;

class RingExchange final : public sdk::LoopExchange {
public:
    static constexpr size_t kHighWater = 64 * 1024;

    RingExchange(UringWorker& worker, Connection& c, const sdk::ExchangeParts& parts);

    // [ring] A new request whose head is parsed; calls the app.
    void run(const sdk::AppRoute& route);
    bool active() const { return rq_.active; }
    bool done() const;
    void end() { rq_.active = false; }

    // [ring] From the connection.
    void on_output();                 // bytes left, or the output broke
    void on_body_read(int res);       // the recv into input_space() (or the app's buffer) completed
    void cut();                       // stop now
    // The worker drains: a WebSocket says 1001 (going_away()); a raw
    // stream's app is told by its read: the one in flight, or else the next
    // one that would wait, completes with HORNET_ESHUTDOWN, once.
    void drain();
    void maybe_done() override;

    // sdk::Exchange: the writes (the rest is LoopExchange's).
    int write(const void* data, size_t len) override;
    int write_async(const void* data, size_t len, hornet_done_fn done, void* user_data) override;
    int sendfile(int fd, uint64_t offset, uint64_t len) override;

private:
    using Read = sdk::BodyRead::Stage;

    // sdk::LoopExchange. Upgraded reads have no deadline: a WebSocket's
    // pings ride on the exchange's timer (a ring timeout).
    bool in_loop() const override;
    void run_on_loop(Task task) override;
    void schedule(hornet_done_fn fn, void* user_data, ptrdiff_t result) override;
    bool keep_going() const override;
    void continue_read() override;
    void send_now(const sdk::WireBuffers& out) override;
    int loop_finish(int error) override;
    int loop_timer_start(uint64_t ms, hornet_done_fn done, void* user_data) override;

    void continue_discard();
    int append_body(const void* data, size_t len);
    int append_raw(const void* data, size_t len);
    void when_drained(const Completion& c);
    void release_drained();
    int frame_file(uint64_t len, bool& send_data, std::string& after);

    UringWorker& worker_;
    Connection& c_;

    struct PerRequest {
        bool active = false;
        bool handle_returned = false;
        bool raw_direct = false; // upgraded: the read fills the app's buffer itself
        bool write_async_busy = false;
    } rq_;
    std::deque<Completion> drain_waiters_; // writers waiting for room
};

} // namespace hornet::uring
