// plugins/async/async_exchange.hpp: one request of an async connection, as
// the app sees it (hornet_exchange_t).
//
// Everything about the exchange happens on the worker's loop thread; an op
// called from any other thread (a pool thread running a blocking app's
// handle(), or the app's own thread after PENDING) is posted to the loop and
// the caller waits for its result (Waiter), except finish(), which is posted
// and returns at once. On the loop itself the blocking ops cannot wait:
// read() and sendfile() return HORNET_EWOULDBLOCK, write() copies into the
// connection's output buffer while it holds less than 64 KiB and returns
// HORNET_EWOULDBLOCK past that (nothing taken: use write_async).
//
// Output: the response goes through the connection's OutputBuffer. A large
// write (blocking from another thread, write_async, sendfile) is copied in as
// the socket drains, and its caller is released (blocked thread woken, done
// callback run) once its last byte is in: the worker holds at most 64 KiB of
// a response plus its head, whatever the app writes. Writes are served in
// call order (a FIFO of waiting calls, normally empty).
//
// Body reads de-chunk from the connection's input buffer, reading the socket
// when it is empty (100 Continue first when the client asked for it).
//
// Done callbacks are posted, so they never run inside the call that started
// them, and always on the loop. The exchange is done (the connection moves
// on) once handle() has returned, finish() has run, the response is on the
// wire (or the connection broke) and no op, timer or callback is in flight.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>

#include "completion.hpp"
#include "hornet/sdk/exchange.hpp"

namespace hornet::async {

class Connection;
class AsyncWorker;

class AsyncExchange final : public sdk::Exchange {
public:
    explicit AsyncExchange(Connection& c);

    // [loop] A new request: the connection has parsed its head and reset
    // the encoder.
    void begin();
    // [loop] The connection has moved on (after done()).
    void end() { active_ = false; }
    // [loop] handle() here (a NONBLOCKING app).
    void run_on_loop();
    // [pool thread] handle() there (a blocking app); its return is posted
    // to the loop.
    void run_on_pool();

    // [loop] See the file comment.
    bool done() const;
    bool reusable() const;
    bool unread_input() const;
    bool active() const { return active_; }

    // [loop] From the connection's writer: the source was fully taken (or
    // failed with error < 0); the output drained or broke.
    void on_source_taken(int error);
    void on_output_failed();
    void maybe_done();
    // [loop] The body read's deadline passed; the worker stops at once.
    void on_read_deadline();
    void cut();
    int64_t read_deadline_ms() const { return read_deadline_ms_; }

    // The extensions (hornet/ext.h); any thread, marshalled like the ops.
    int timer_start(uint64_t ms, hornet_done_fn done, void* user_data);
    int post(hornet_done_fn fn, void* user_data);

    // Intrusive link of the blocking pool's queue.
    AsyncExchange* next_queued = nullptr;

    // sdk::Exchange: the app's ops, any thread (see the file comment).
    const hornet_request_t* request() override;
    ptrdiff_t read(void* buf, size_t cap) override;
    int read_async(void* buf, size_t cap, hornet_done_fn done, void* user_data) override;
    int start(int status, const hornet_header_t* headers, size_t count) override;
    int write(const void* data, size_t len) override;
    int write_async(const void* data, size_t len, hornet_done_fn done, void* user_data) override;
    int sendfile(int fd, uint64_t offset, uint64_t len) override;
    int finish(int error) override;
    const hornet_host_t* host() const override;

private:
    struct WriteCall {
        const void* data = nullptr;
        uint64_t len = 0;
        int fd = -1; // sendfile: the file, read from offset
        uint64_t offset = 0;
        Completion done;
    };

    bool on_loop() const;
    template <class Op>
    ptrdiff_t call_on_loop(Op&& op); // op(Completion) on the loop; waits for it
    int call_app();
    void on_handle_returned(int rc);
    void complete(const Completion& c, ptrdiff_t result);
    void post_done(hornet_done_fn done, void* user_data, ptrdiff_t result);

    // [loop] The ops' bodies.
    int loop_read_async(void* buf, size_t cap, const Completion& c);
    void start_read(void* buf, size_t cap, const Completion& c);
    void continue_read();
    void on_body_read(bool failed, bool eof, size_t n);
    void end_read(ptrdiff_t result);
    void send_continue();
    int loop_start(int status, const hornet_header_t* headers, size_t count);
    int write_checks() const;
    int loop_buffered_write(const void* data, size_t len);
    int loop_write(const WriteCall& call, bool async);
    void begin_write(const WriteCall& call);
    void next_write();
    int loop_finish(int error);
    int finish_response(int error);
    int loop_timer_start(uint64_t ms, hornet_done_fn done, void* user_data);
    void fail_writes(int error);

    Connection& c_;
    AsyncWorker& worker_;
    std::atomic<bool> finish_called_{false};

    // Loop only, reset by begin().
    bool active_ = false;
    bool handle_returned_ = false;
    bool finished_ = false;
    bool head_refused_ = false;
    bool continue_sent_ = false;
    bool reads_cut_ = false;   // finish() came while a body read waited on the client
    bool cut_short_ = false;   // finish() dropped part of a write: the body is short
    int client_error_ = 0;     // 400/408/413 met while reading the body
    int read_error_ = 0;       // what every later read returns
    int posted_ = 0;           // done callbacks posted, not yet run

    // The one body read in flight.
    struct {
        void* buf = nullptr;
        size_t cap = 0;
        Completion done;
        bool busy = false;       // an op waits for body bytes
        bool socket = false;     // a socket read is in flight for it
        bool timed_out = false;
    } read_;
    int64_t read_deadline_ms_ = 0;

    // Writes: the one whose bytes the output buffer's source is taking, and
    // the calls waiting behind it.
    Completion source_done_;
    bool source_active_ = false;
    bool write_async_busy_ = false;
    std::deque<WriteCall> waiting_;

    // The timer extension: one per exchange.
    Completion timer_done_;
    bool timer_busy_ = false;
};

} // namespace hornet::async
