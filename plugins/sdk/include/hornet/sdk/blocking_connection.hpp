// hornet/sdk/blocking_connection.hpp: serve client connections, one request
// at a time, on the calling thread.
//
// The request loop of thread-per-request worker types: on a new connection
// the PROXY header when proxy_protocol says so (proxy_header.hpp), then
// the RequestCycle (head, 400/403/408/413/414/431/501/505 answered here,
// the app through a BlockingExchange, access-log record, count) with
// blocking I/O, and then either close (sync: keep_alive = false, like
// Gunicorn's sync worker) or keep the connection for another request. Two
// ways to drive it:
//   serve(fd)          the whole connection on this thread, waiting for the
//                      client in between (sync);
//   serve_ready(state) every request already here, never waiting for the
//                      client between requests; returns what the connection
//                      waits for, so a poller can park it (gthread).
// Owns the request cycle (codec) and a spare input buffer, so one BlockingConnection
// per handler thread serves connection after connection without allocating.
// Not thread-safe: one thread uses it (thread tags: [handler]).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "hornet/sdk/connection_state.hpp"
#include "hornet/sdk/input_buffer.hpp"
#include "hornet/sdk/limits.hpp"
#include "hornet/sdk/peer_gate.hpp"
#include "hornet/sdk/request_cycle.hpp"
#include "hornet/sdk/socket_address.hpp"
#include "hornet/worker.h"

namespace hornet::sdk {

class BlockingSocket;

class TlsListeners;

struct ConnectionOptions {
    bool keep_alive = false; // serve several requests per connection
    const char* scheme = "http";
    // The worker's TLS listeners (outlive the connection), or null: a
    // connection from a TLS listener gets its session on its first visit.
    const TlsListeners* tls = nullptr;
};

// When a connection parked as `wait` at now_ms must be woken anyway: the
// keep-alive time after a request; the head timeout from the connection's
// opening for a first request, else from the moment a partial head was first
// parked.
int64_t park_deadline_ms(const ConnectionState& state, ConnectionWait wait, const Timeouts& timeouts,
                         int64_t now_ms);

// Monotonic milliseconds, the clock of park_deadline_ms().
int64_t monotonic_ms();

class BlockingConnection {
public:
    BlockingConnection(const hornet_worker_ctx_t* ctx, const ConnectionOptions& options);
    ~BlockingConnection();

    // ctx must carry the app; it and addresses outlive serve().
    // Serves fd (non-blocking, connected) until the connection ends, then
    // closes it. Returns the number of requests answered. Never throws.
    size_t serve(int fd, const ConnectionAddresses& addresses);

    // Serves the requests of `state` that are already here (buffered, or
    // readable now) and returns what the connection waits for next; its
    // unused bytes stay in state.input. A body the app reads may still block
    // (within the body timeout). state.head_expired set: a partial head is
    // answered 408. On closed, a pending linger is done; the caller closes
    // state.fd. Counts requests, not connections. Never throws.
    ConnectionWait serve_ready(ConnectionState& state);

    const Timeouts& timeouts() const { return cycle_.timeouts(); }

private:
    enum class HeadOutcome { ready, answered, closed, waiting };
    enum class Next { again, close, linger, wait };

    void attach(ConnectionState& state);
    ConnectionWait detach(ConnectionState& state, Next next);
    ConnectionRef ref() const;
    Next serve_requests(BlockingSocket& socket);
    bool wait_for_client(BlockingSocket& socket, ConnectionState& state, ConnectionWait wait);
    HeadOutcome take_head(BlockingSocket& socket);
    static IoResult read_first(BlockingSocket& socket, std::span<char> space, ConnectionAddresses& addresses);
    Next run_exchange(BlockingSocket& socket);
    HeadOutcome refuse_head(BlockingSocket& socket, const HeadStep& step);
    void count(int counter, int64_t delta) const;
    static bool may_keep_alive(const void* self); // for the exchange's start(), any thread

    const hornet_worker_ctx_t* ctx_;
    ConnectionOptions options_;
    PeerGate gate_;
    RequestCycle cycle_;
    std::unique_ptr<InputBuffer> spare_; // lent to the connection being served
    ConnectionState* state_ = nullptr;   // while serving
};

// One-shot convenience: a fresh BlockingConnection for this socket.
size_t serve_connection(int fd, const hornet_worker_ctx_t* ctx, const ConnectionAddresses& addresses,
                        bool keep_alive);

} // namespace hornet::sdk
