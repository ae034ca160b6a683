// plugins/async/connection.hpp: one client connection of an async worker,
// served by one C++20 coroutine.
//
// serve() is the connection's life, the SDK's RequestCycle with Asio I/O:
// read a head (after a PROXY header where proxy_protocol says so; never
// blocking the loop: a client trickling its head a byte at a time costs one
// suspended coroutine), run the exchange (an AsyncExchange on the loop for a
// NONBLOCKING app, a PoolExchange on the blocking pool for any other), wait
// until it is done, and go on with the next request (keep-alive, pipelined
// bytes first) or close. The connection owns the socket, the input buffer
// (8 KiB, growing only for large heads), the cycle (codec), the writer and
// the timer, reused request after request. The coroutine frame owns the
// Connection, and it only returns once the exchange is done, so an app's
// PENDING exchange always outlives the app's last call.
//
// Timeouts are deadlines that the worker's tick checks (every 100 ms): the
// head (header_timeout, 408 for a partial head), keep-alive idle time, the
// body (body_timeout, 408), a stalled reader (timeout, the connection is
// dropped), and the linger after an error. A request on the pool keeps its
// own deadlines (BlockingSocket). [loop] unless said otherwise.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/stream_protocol.hpp>

#include "async_exchange.hpp"
#include "exchange_timer.hpp"
#include "hornet/sdk/blocking_pool.hpp"
#include "hornet/sdk/client_wait.hpp"
#include "hornet/sdk/input_buffer.hpp"
#include "hornet/sdk/peer_gate.hpp"
#include "hornet/sdk/request_cycle.hpp"
#include "hornet/sdk/socket_address.hpp"
#include "socket_writer.hpp"
#include "tls_stream.hpp"

namespace hornet::async {

class AsyncWorker;

class Connection final : private SocketWriter::Listener, public sdk::PoolTask {
public:
    using Socket = boost::asio::generic::stream_protocol::socket;

    // Takes fd: closes it even when the constructor throws.
    Connection(AsyncWorker& worker, int fd, const sdk::ConnectionAddresses& addresses);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // The coroutine: owns the connection until it closes.
    static boost::asio::awaitable<void> serve(std::unique_ptr<Connection> self);

    // The worker's tick: act on a deadline that has passed.
    void check_deadlines(int64_t now_ms);
    // Graceful stop: if waiting between requests, wait no later than by_ms.
    void drain(int64_t by_ms);
    // Stop now: the socket is shut, every op fails, timers end.
    void cut();
    bool is_cut() const { return cut_; }

    // For the exchanges.
    Socket& socket() { return socket_; }
    // Reads go through the stream: TLS when the listener speaks it.
    TlsStream& stream() { return stream_; }
    SocketWriter& writer() { return writer_; }
    ExchangeTimer& timer() { return timer_; }
    // Resumes the coroutine if it waits (it re-checks what it waits for).
    void wake();
    // ABI 1.5 (watch_peer): the exchange's check_peer() runs at the
    // socket's next readable edge (bytes, an end, an error) or when its
    // socket ops are cancelled. One wait at a time; it may outlive the
    // request (a keep-alive connection's next one then re-checks).
    void await_readable();

    // [pool thread] Serves the request whose head was parsed, as a blocking
    // exchange; tells the loop when done.
    void serve_on_pool() noexcept override;

    // The worker's open connections.
    Connection* prev = nullptr;
    Connection* next = nullptr;

private:
    enum class HeadOutcome { ready, answered, closed };
    enum class Next { again, close, linger };
    // What an exchange left the connection able to do.
    struct Outcome {
        bool reusable = false;
        bool unread = false;
    };

    boost::asio::awaitable<void> serve_requests();
    boost::asio::awaitable<HeadOutcome> read_head();
    boost::asio::awaitable<HeadOutcome> refuse_head(const sdk::HeadStep& step);
    boost::asio::awaitable<Next> run_exchange();
    boost::asio::awaitable<Outcome> run_on_loop();
    boost::asio::awaitable<Outcome> run_on_pool();
    boost::asio::awaitable<void> linger();
    boost::asio::awaitable<void> close_tls();
    boost::asio::awaitable<void> wait_woken();
    bool await_client();
    sdk::ConnectionRef ref() { return {input_, peer_, addresses_}; }

    // SocketWriter::Listener
    void on_source_taken(int error) override;
    void on_output_failed() override;
    void on_output_settled() override;

    AsyncWorker& worker_;
    const hornet_worker_ctx_t* ctx_;
    int fd_;
    Socket socket_;
    std::unique_ptr<sdk::TlsSession> tls_; // null: plaintext
    sdk::ConnectionAddresses addresses_; // a PROXY header may replace them
    sdk::PeerState peer_;
    sdk::InputBuffer input_;
    sdk::RequestCycle cycle_;
    SocketWriter writer_;
    TlsStream stream_;
    ExchangeTimer timer_;
    AsyncExchange exchange_;
    sdk::AppRoute route_{nullptr, nullptr}; // what serves the current request
    std::optional<boost::asio::any_completion_handler<void()>> woken_;

    sdk::ClientWatch watch_; // the socket read's wait for the client
    bool cut_ = false;        // stop now
    bool on_pool_ = false;    // a pool thread serves the request
    bool readable_wait_ = false; // await_readable's wait is in flight
    Outcome pool_outcome_;    // written by the pool thread before it posts
    size_t answered_ = 0;
};

} // namespace hornet::async
