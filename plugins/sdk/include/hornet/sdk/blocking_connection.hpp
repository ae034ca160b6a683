// hornet/sdk/blocking_connection.hpp: serve one client socket, blocking.
//
// The request loop of thread-per-connection worker types: read and parse a
// head (bounded by the head timeout; 400/408/413/414/431 answered here), run
// the app through a BlockingExchange, write the access-log record, count,
// and either close (sync: keep_alive = false, like Gunicorn's sync worker) or
// wait for the next request on the same socket (gthread). Owns the reusable
// buffers, so one BlockingConnection per handler thread serves connection
// after connection without allocating. Not thread-safe: one thread uses it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hornet/sdk/input_buffer.hpp"
#include "hornet/sdk/limits.hpp"
#include "hornet/sdk/request_parser.hpp"
#include "hornet/sdk/response_encoder.hpp"
#include "hornet/sdk/socket_address.hpp"
#include "hornet/worker.h"

namespace hornet::sdk {

class BlockingSocket;
class Deadline;

struct ConnectionOptions {
    bool keep_alive = false; // serve several requests per connection
    const char* scheme = "http";
};

class BlockingConnection {
public:
    BlockingConnection(const hornet_worker_ctx_t* ctx, const ConnectionOptions& options);

    // ctx must carry the app; it and addresses outlive serve().
    // Serves fd (non-blocking, connected) until the connection ends, then
    // closes it. Returns the number of requests answered. Never throws.
    size_t serve(int fd, const ConnectionAddresses& addresses);

private:
    enum class HeadOutcome { ready, answered, closed };
    enum class Next { again, close, linger };

    Next serve_one(BlockingSocket& socket, bool first);
    HeadOutcome read_head(BlockingSocket& socket, bool first);
    void accept_head(size_t head_len);
    Next run_exchange(BlockingSocket& socket);
    HeadOutcome answer_head_error(BlockingSocket& socket, int status);
    void fill_request();
    void mark_start();
    void log_access(const hornet_request_t* request, std::string_view request_line);
    void count(int counter, int64_t delta) const;
    bool keep_going() const;

    const hornet_worker_ctx_t* ctx_;
    ConnectionOptions options_;
    Timeouts timeouts_;
    InputBuffer input_;
    RequestParser parser_;
    ResponseEncoder encoder_;
    hornet_request_t request_{};
    const ConnectionAddresses* addresses_ = nullptr;
    size_t answered_ = 0;
    int64_t start_unix_us_ = 0;
    int64_t start_mono_us_ = 0;
};

// One-shot convenience: a fresh BlockingConnection for this socket.
size_t serve_connection(int fd, const hornet_worker_ctx_t* ctx, const ConnectionAddresses& addresses,
                        bool keep_alive);

} // namespace hornet::sdk
