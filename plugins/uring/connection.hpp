// plugins/uring/connection.hpp: one client connection of a uring worker,
// a state machine driven by its ring completions.
//
// The SDK's RequestCycle with ring I/O: receive a head (into a provided
// buffer, copied into the connection's input), run the exchange (a
// RingExchange for a NONBLOCKING app, the SDK's blocking exchange on the
// pool for any other), and go on with the next request (keep-alive,
// pipelined bytes first), linger, or close. A response that ends the
// connection goes out as a send linked with the socket's close: one
// submission, no extra wake-up. The connection owns the socket, its input,
// its output bytes, the cycle and the exchange's timer; it frees itself
// once closed with no operation in flight and no app still holding its
// exchange. Deadlines (head, keep-alive, body, a stalled reader, linger)
// are checked by the worker's tick, which cancels the operation that ran
// out of time. [ring thread] unless said otherwise.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "hornet/sdk/blocking_pool.hpp"
#include "hornet/sdk/client_wait.hpp"
#include "hornet/sdk/input_buffer.hpp"
#include "hornet/sdk/peer_gate.hpp"
#include "hornet/sdk/request_cycle.hpp"
#include "hornet/sdk/socket_address.hpp"
#include "hornet/sdk/wire_buffers.hpp"
#include "ring.hpp"
#include "ring_exchange.hpp"

namespace hornet::uring {

class UringWorker;

class Connection final : public sdk::PoolTask {
public:
    // Takes fd.
    Connection(UringWorker& worker, int fd, const sdk::ConnectionAddresses& addresses);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void start();
    void check_deadlines(int64_t now_ms);
    void drain(int64_t by_ms); // graceful stop: an idle wait ends by then
    void cut();                // stop now
    bool is_cut() const { return cut_; }

    // ---- for the exchanges ----
    void append(const sdk::WireBuffers& out);
    void append(std::string_view bytes);
    size_t output_size() const { return out_.size() - sent_ + more_.size(); }
    void flush();
    // The bytes buffered now are the connection's last: close after them.
    void close_after_output() { close_after_ = true; }
    bool output_settled() const {
        return !send_.busy && !file_.active && (broken_ || output_size() == 0);
    }
    // A file's bytes after what is buffered: spliced from fd through a pipe
    // to the socket (IORING_OP_SPLICE, the bytes never enter the process),
    // then done(true), or done(false) when the file or the socket failed.
    // One at a time. fd is the app's and stays open until done runs.
    void send_file(int fd, uint64_t offset, uint64_t len, std::function<void(bool)> done);
    bool output_broken() const { return broken_; }
    // Completes in exchange.on_body_read; `timed`: within body_timeout (an
    // upgraded stream's reads wait as long as the protocol wants).
    void recv_body(std::span<char> space, bool timed);
    void cancel_recv() { ring_.cancel(recv_); }
    // The exchange's one timer ("hornet.timer/1").
    int timer_start(uint64_t ms, hornet_done_fn done, void* user_data);
    void timer_close();
    bool timer_busy() const { return timer_.busy; }
    // The exchange is done; the connection moves on (deferred).
    void exchange_done(bool reusable, bool unread);
    // The exchange's app may have let go: free the connection if closed.
    void maybe_release();

    // [pool thread] Serves the parsed request with the SDK's blocking exchange.
    void serve_on_pool() noexcept override;

    Connection* prev = nullptr;
    Connection* next = nullptr;

private:
    enum class Stage { head, refusing, ring_app, pool_app, linger, closed };

    sdk::ConnectionRef ref() { return {input_, peer_, addresses_}; }
    void read_head();
    void parse_head();
    bool await_client();
    void arm_select_recv();
    void arm_direct_recv();
    static void on_recv(Op& op, int res, uint32_t flags);
    void on_head_bytes(int res, uint32_t flags);
    void on_linger_bytes(int res, uint32_t flags);
    void refuse(const sdk::HeadStep& step);
    void run_exchange();
    void after_exchange(bool reusable, bool unread);
    void linger();
    void close();
    static void on_send(Op& op, int res, uint32_t flags);
    static void on_close(Op& op, int res, uint32_t flags);
    static void on_timer(Op& op, int res, uint32_t flags);
    void splice_next();
    void end_file(bool ok);
    static void on_splice_in(Op& op, int res, uint32_t flags);
    static void on_splice_out(Op& op, int res, uint32_t flags);
    void output_changed();

    UringWorker& worker_;
    Ring& ring_;
    const hornet_worker_ctx_t* ctx_;
    int fd_;
    sdk::ConnectionAddresses addresses_;
    sdk::PeerState peer_;
    sdk::InputBuffer input_;
    sdk::RequestCycle cycle_;
    RingExchange exchange_;
    sdk::AppRoute route_{nullptr, nullptr};
    sdk::HeadStep refused_;

    Op recv_;
    Op send_;
    Op close_;
    Op timer_;
    Op splice_in_;  // file -> pipe
    Op splice_out_; // pipe -> socket
    struct FileSend {
        bool active = false;
        int fd = -1;
        uint64_t offset = 0;
        uint64_t left = 0;      // not yet in the pipe
        size_t in_pipe = 0;     // in the pipe, not yet on the socket
        std::function<void(bool)> done;
    } file_;
    int pipe_[2] = {-1, -1};
    __kernel_timespec timer_ts_{};
    hornet_done_fn timer_done_ = nullptr;
    void* timer_user_data_ = nullptr;

    // Response bytes; sent_ of them are on the wire. While a send is in
    // flight the kernel holds a pointer into out_, so what is appended
    // meanwhile waits in more_ (out_ must not reallocate under the send).
    std::string out_;
    std::string more_;
    size_t sent_ = 0;
    size_t in_flight_ = 0;   // bytes of the send in flight
    int64_t send_since_ms_ = 0;

    Stage stage_ = Stage::head;
    sdk::ClientWatch watch_; // the head's or the linger's receive
    int64_t body_deadline_ms_ = 0;
    size_t lingered_ = 0;
    size_t answered_ = 0;
    bool body_timed_out_ = false;
    bool close_after_ = false; // the output ends the connection
    bool close_linked_ = false; // a close is linked to the send in flight
    bool fd_closed_ = false;
    bool broken_ = false;
    bool cut_ = false;
    bool released_ = false;
    bool pool_done_ = false;    // the pool thread posted its outcome
    struct Owed {               // an exchange ended while its timer was being cancelled
        bool due = false;
        bool reusable = false;
        bool unread = false;
    } owed_;

public:
    // For the ring exchange's recv result: did the body read run out of time?
    bool body_timed_out() const { return body_timed_out_; }
};

} // namespace hornet::uring
