// hornet/sdk/request_cycle.hpp: the life of one request on a connection, as
// every worker type goes through it, without the I/O.
//
//   gate → parse the head → fill the request → exchange_begin → the app
//   (through an exchange) → exchange_end (or the access log) → count
//
// A worker type reads bytes into the connection's input and calls
// parse_head() until it says ready or refused; for refused it sends
// refusal() and calls end_refused(); for ready, begin_exchange(), runs an
// exchange over parts(), sends what it says, and calls end_exchange(). The
// cycle owns the codec (parser and encoder) and the request view; the
// connection (its input, addresses, what its peer was judged) is lent per
// call as a ConnectionRef, so one cycle may serve one connection for its
// whole life (async) or connection after connection (a handler thread).
// Not thread-safe: the thread serving the connection uses it.
#pragma once

#include <cstdint>
#include <string_view>

#include "hornet/sdk/exchange_core.hpp"
#include "hornet/sdk/input_buffer.hpp"
#include "hornet/sdk/limits.hpp"
#include "hornet/sdk/peer_gate.hpp"
#include "hornet/sdk/request_parser.hpp"
#include "hornet/sdk/response_encoder.hpp"
#include "hornet/sdk/socket_address.hpp"
#include "hornet/worker.h"

namespace hornet::sdk {

// The connection a request arrives on.
struct ConnectionRef {
    InputBuffer& input;
    PeerState& peer;
    ConnectionAddresses& addresses; // a PROXY header may replace them
};

enum class HeadStatus { need_more, ready, refused };

// The app that serves a request: the worker's, or (health_path,
// ready_path) the SDK's own, which never blocks.
struct AppRoute {
    const hornet_app_t* app;
    void* instance;
    bool on_loop() const { return app->flags & HORNET_APP_NONBLOCKING; }
};

struct HeadStep {
    HeadStatus status = HeadStatus::need_more;
    int http_status = 0;     // refused: the status to answer
    std::string_view line;   // refused after the head parsed: its request line
};

// Another request on a connection of this worker? Not with keep_alive 0,
// nor once the worker stops. Any thread.
bool may_keep_alive(const hornet_worker_ctx_t* ctx, const Timeouts& timeouts);

class RequestCycle {
public:
    RequestCycle(const hornet_worker_ctx_t* ctx, const PeerGate& gate, const char* scheme = "http");

    // Before the first byte of a head is looked at (a head parked half-way
    // is parsed again from its first byte).
    void begin_head(const ConnectionRef& c);
    // The first bytes of a head are about to be committed to an empty input.
    void on_first_bytes() { mark_start(); }
    // Parses what the input holds.
    HeadStep parse_head(const ConnectionRef& c);

    // A refused head: the error response to send (it ends the connection),
    // then, once sent, the log lines and the count.
    WireBuffers refusal(int status);
    void end_refused(const ConnectionRef& c, const HeadStep& step);

    // A ready head: reset the encoder for the response (keep_going false
    // makes it say Connection: close), tell the host; the app that serves it.
    AppRoute begin_exchange(const ConnectionRef& c, bool keep_going);
    // The exchange is done: the access-log record and the count; the head's
    // views are released (leftover bytes may start the next request).
    void end_exchange(const ConnectionRef& c);

    // Another request on this connection? Not with keep_alive 0 (or
    // `allowed` false: sync), nor once the worker stops. Any thread.
    bool keep_going(bool allowed = true) const;

    // For the exchange: the parts of this request.
    ExchangeParts parts(InputBuffer& input);
    const Timeouts& timeouts() const { return timeouts_; }

private:
    int fill_request(const ConnectionRef& c);
    void fill_tls(TlsSession& tls);
    void mark_start();
    int64_t queued_us(const ConnectionRef& c);
    void report_end(const ConnectionRef& c, const hornet_request_t* request, std::string_view line);
    void count_request() const;

    const hornet_worker_ctx_t* ctx_;
    const PeerGate& gate_;
    const char* scheme_;
    const char* app_name_;
    Timeouts timeouts_;
    uint64_t max_discard_;
    RequestParser parser_;
    ResponseEncoder encoder_;
    hornet_request_t request_{};
    int64_t start_unix_us_ = 0;
    int64_t start_mono_us_ = 0;
    int64_t queued_us_ = -1;
    bool records_;       // the host wants a record of every request
    bool measure_queue_; // HORNET_OBSERVE_QUEUE_TIME
};

} // namespace hornet::sdk
