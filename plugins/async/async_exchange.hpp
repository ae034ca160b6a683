// plugins/async/async_exchange.hpp: one request of an async connection for
// an app that runs on the loop (HORNET_APP_NONBLOCKING), as the app sees it.
//
// The SDK's ExchangeCore decides and its LoopExchange brings every op to
// the loop (the reads, start, finish, the timer, post, the upgrade); this
// class moves the bytes on the loop.
// An op called from another thread (the app's own, after PENDING) runs on
// the loop while the caller waits for its result (on_loop(), completion.hpp),
// except finish(), which is posted and returns at once. On the loop itself
// the blocking ops cannot wait: read() and sendfile() return
// HORNET_EWOULDBLOCK, write() copies into the connection's output buffer
// while it holds less than 64 KiB and returns HORNET_EWOULDBLOCK past that
// (nothing taken: use write_async).
//
// Output goes through the connection's SocketWriter. A large write (blocking
// from another thread, write_async, sendfile) becomes the output buffer's
// source and its caller is released once its last byte is in: the worker
// holds at most 64 KiB of a response plus its head, whatever the app writes.
// Writes are served in call order (a FIFO of waiting calls, normally empty).
// Body reads de-chunk from the connection's input, reading the socket when
// it is empty (100 Continue first when the client asked for it). After
// finish(), what the app left of the body is read and dropped (up to
// max_discard) while the response drains, so the connection can go on.
//
// Done callbacks are posted, so they never run inside the call that started
// them, and always on the loop. The exchange is done (the connection moves
// on) once handle() has returned, finish() has run, the response is on the
// wire (or the connection broke) and no op, timer or callback is in flight.
// A blocking app's requests never come here: they run on the pool through
// a PoolExchange (pool_exchange.hpp).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <string_view>
#include <sys/uio.h>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/system/error_code.hpp>

#include "completion.hpp"
#include "hornet/sdk/loop_exchange.hpp"
#include "hornet/sdk/request_cycle.hpp"

namespace hornet::async {

class AsyncWorker;
class Connection;

class AsyncExchange final : public sdk::LoopExchange {
public:
    AsyncExchange(AsyncWorker& worker, Connection& c, const sdk::ExchangeParts& parts);

    // [loop] A new request (the connection has parsed its head and reset the
    // encoder); the route's handle() on the loop; then wait for done().
    void run(const sdk::AppRoute& route);
    // [loop] The connection moves on.
    void end() { rq_.active = false; }

    // [loop] See the file comment.
    bool done() const;
    bool active() const { return rq_.active; }

    // [loop] From the connection's writer (SocketWriter::Listener).
    void on_source_taken(int error);
    void on_output_failed();
    void maybe_done() override;
    // [loop] From the connection's tick: the body read's deadline.
    void check_read_deadline(int64_t now_ms);
    // [loop] From the connection's tick: an upgraded stream waiting for its
    // peer with nothing to send gives its output buffer back (an idle
    // WebSocket keeps no 2 KiB for the 101 it sent long ago).
    void release_idle_output();
    // [loop] The worker drains: a WebSocket says 1001 (going_away()); a raw
    // stream's app is told by its read: the one in flight, or else the next
    // one that would wait, completes with HORNET_ESHUTDOWN, once.
    void drain();
    // [loop] Stop now: ops fail, the timer ends; the app still owes finish().
    void cut();

    // sdk::Exchange: the writes (the rest is LoopExchange's). Upgraded
    // reads have no deadline here: a WebSocket's pings ride on the exchange
    // timer instead (a socket cancel would cut writes too).
    int write(const void* data, size_t len) override;
    int write_async(const void* data, size_t len, hornet_done_fn done, void* user_data) override;
    int sendfile(int fd, uint64_t offset, uint64_t len) override;
    // ABI 1.5. The connection waits for the socket to turn readable (see
    // Connection::await_readable) and polls it for the peer's end.
    int watch_peer(hornet_done_fn done, void* user_data) override;
    // [loop] The socket turned readable, or its wait was cancelled.
    void check_peer();

private:
    struct WriteCall {
        const void* data = nullptr;
        uint64_t len = 0;
        int fd = -1; // sendfile: the file, read from offset
        uint64_t offset = 0;
        Completion done;
    };
    // The one body read in flight: the app's (parsing, socket) or, after
    // finish(), the drop of what the app left (discard).
    using Read = sdk::BodyRead::Stage;

    // sdk::LoopExchange
    bool in_loop() const override;
    void run_on_loop(Task task) override;
    void schedule(hornet_done_fn fn, void* user_data, ptrdiff_t result) override;
    bool keep_going() const override;
    void continue_read() override;
    void send_now(const sdk::WireBuffers& out) override;
    int loop_finish(int error) override;
    int loop_timer_start(uint64_t ms, hornet_done_fn done, void* user_data) override;

    // [loop] The ops' bodies.
    void on_body_read(const boost::system::error_code& ec, size_t n);
    void read_raw_direct();
    void continue_discard();
    void on_discard_read(const boost::system::error_code& ec, size_t n);
    int loop_buffered_write(const void* data, size_t len);
    int loop_write(const WriteCall& call, bool async);
    void begin_write(const WriteCall& call);
    bool frame_write(const WriteCall& call, std::string_view& suffix, bool& file, const iovec*& data);
    void release_write(const Completion& c, ptrdiff_t result);
    void next_write();
    void fail_writes(int error);
    void end_watch(ptrdiff_t result);

    AsyncWorker& worker_;
    Connection& c_;

    // [loop] Per request, reset by run().
    struct PerRequest {
        bool active = false;
        bool handle_returned = false;
        int64_t read_deadline_ms = 0; // while a socket read is in flight
        bool read_timed_out = false;
        // The write whose bytes the output buffer's source is taking.
        bool source_active = false;
        Completion source_done;
        bool write_async_busy = false;
        Completion watch; // watch_peer's, until the peer leaves or finish()
    } rq_;
    // The calls behind the source; empty between requests. A list: an empty
    // one allocates nothing (a deque holds 576 bytes per connection, idle or not).
    std::list<WriteCall> waiting_;
    boost::asio::cancellation_signal raw_cancel_; // drain(): ends a raw stream's read in flight
};

} // namespace hornet::async
