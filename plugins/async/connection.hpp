// plugins/async/connection.hpp: one client connection of an async worker,
// served by one C++20 coroutine.
//
// serve() is the connection's life: read a head (after a PROXY header where
// proxy_protocol says so, through the SDK's PeerGate; never blocking the loop:
// a client trickling its head a byte at a time costs one suspended
// coroutine), run the exchange (the app on the loop, or on the blocking pool
// for a blocking app), wait until it is done, write the access-log record,
// and go on with the next request (keep-alive, pipelined bytes first) or
// close. The connection owns the socket, the input buffer (8 KiB, growing
// only for large heads), the codec and the output buffer, reused request
// after request. The coroutine frame owns the Connection, and it only
// returns once the exchange is done, so an app's PENDING exchange always
// outlives the app's last call.
//
// Timeouts are deadlines that the worker's tick checks (every 100 ms): the
// head (header_timeout, 408 for a partial head), keep-alive idle time, the
// body (body_timeout, 408), a stalled reader (timeout, the connection is
// dropped), and the linger after an error. The writer sends straight from
// the output buffer with send(2) and waits for writability through Asio only
// when the kernel's buffer is full. [loop] unless said otherwise.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include "async_exchange.hpp"
#include "hornet/sdk/input_buffer.hpp"
#include "hornet/sdk/peer_gate.hpp"
#include "hornet/sdk/request_parser.hpp"
#include "hornet/sdk/response_encoder.hpp"
#include "hornet/sdk/socket_address.hpp"
#include "output_buffer.hpp"

namespace hornet::async {

class AsyncWorker;

class Connection {
public:
    Connection(AsyncWorker& worker, int fd, const sdk::ConnectionAddresses& addresses);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // The coroutine: owns the connection until it closes.
    static boost::asio::awaitable<void> serve(std::unique_ptr<Connection> self);

    // The worker's tick: act on a deadline that has passed.
    void check_deadlines(int64_t now_ms);
    // Graceful stop: close now if waiting between requests.
    void close_if_idle();
    // Stop now: the socket is shut, every op fails, timers end.
    void cut();

    // Intrusive list of the worker's open connections.
    Connection* prev = nullptr;
    Connection* next = nullptr;

private:
    friend class AsyncExchange;
    enum class Wait { none, request, head, linger };
    enum class HeadOutcome { ready, answered, closed };
    enum class Next { again, close, linger };

    boost::asio::awaitable<void> serve_requests();
    boost::asio::awaitable<HeadOutcome> read_head();
    boost::asio::awaitable<HeadOutcome> answer_head_error(int status, std::string_view line = {});
    boost::asio::awaitable<Next> run_exchange();
    boost::asio::awaitable<void> linger();
    boost::asio::awaitable<void> wait_woken();
    bool await_client();
    int accept_head(size_t head_len);
    int fill_request();
    void after_exchange();
    void mark_start();
    void log_access(const hornet_request_t* request, std::string_view request_line);

    // The writer.
    void kick_write();
    void wait_writable();
    void fail_output();
    void on_output_settled();
    void wake();

    AsyncWorker& worker_;
    const hornet_worker_ctx_t* ctx_;
    int fd_;
    boost::asio::generic::stream_protocol::socket socket_;
    boost::asio::steady_timer timer_; // the exchange's timer extension
    sdk::ConnectionAddresses addresses_; // a PROXY header may replace them
    sdk::PeerState peer_;
    sdk::InputBuffer input_;
    sdk::RequestParser parser_;
    sdk::ResponseEncoder encoder_;
    hornet_request_t request_{};
    OutputBuffer out_;
    AsyncExchange exchange_;
    std::optional<boost::asio::any_completion_handler<void()>> woken_;

    Wait wait_ = Wait::none;
    int64_t deadline_ms_ = 0;       // for wait_
    int64_t write_deadline_ms_ = 0; // a write waits for the client to read
    int64_t head_since_ms_ = 0;
    bool head_expired_ = false;
    bool writing_ = false;     // an async write is in flight
    bool in_kick_ = false;     // kick_write() is on the stack
    bool broken_ = false;      // the output failed: nothing more can be sent
    bool cut_ = false;         // stop now
    size_t answered_ = 0;
    int64_t start_unix_us_ = 0;
    int64_t start_mono_us_ = 0;
};

} // namespace hornet::async
