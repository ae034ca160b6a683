// hornet/sdk/response_encoder.hpp: the output side of one exchange.
//
// Tracks a response from start() to finish() and says, as WireBuffers, which
// bytes to send: the head (held back until the first body bytes or finish, so
// head and a small body leave in one write), chunk framing, the final chunk
// and the trailer fields after it (only for a client that said TE: trailers).
// Enforces the framing: writes beyond Content-Length are refused, HEAD sends
// no body bytes, a short Content-Length body makes complete() false (the
// caller then closes). Transport-independent, so every worker type can use it;
// not thread-safe (the exchange serializes). One per connection, reset() per
// request.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "hornet/sdk/detail/response_head.hpp"
#include "hornet/sdk/detail/trailer_block.hpp"
#include "hornet/sdk/wire_buffers.hpp"

namespace hornet::sdk {

// Framing around `len` body bytes that the caller sends itself (sendfile).
struct BodyFrame {
    WireBuffers before;       // pending head, chunk-size line
    bool send_data = true;    // false for HEAD and body-less statuses
    std::string_view after;   // chunk CRLF, or empty
};

class ResponseEncoder {
public:
    void reset(const ResponseContext& ctx);

    // Before start(): this response ends the connection after all (the
    // worker began to stop meanwhile), so its head says Connection: close.
    void refuse_keep_alive() { ctx_.keep_alive = false; }
    // After start(): the connection closes after this response after all;
    // its head says so if it has not left yet.
    void close_connection() {
        if (started_ && !head_sent_) head_.close_connection();
    }

    // The head. HORNET_EINVAL when already started or when the head is
    // refused (head().error() says why; nothing is recorded).
    int start(int status, std::span<const hornet_header_t> headers);
    // The 101 of an upgrade: after it, body() passes bytes unframed.
    int start_upgrade(std::span<const hornet_header_t> headers);
    bool upgraded() const { return started_ && head_.framing() == Framing::raw; }

    // Appends the wire bytes for `data` to out (data itself is referenced,
    // not copied). HORNET_EINVAL before start() or beyond Content-Length.
    int body(const void* data, size_t len, WireBuffers& out);
    int frame(uint64_t len, BodyFrame& out);

    // Trailer fields for after the last chunk (ABI 1.6's trailers op).
    // HORNET_EINVAL before start() or for a field trailers() refuses
    // (trailer_error() says why). Kept only when they can reach the client
    // (carries_trailers()); else checked and dropped, HORNET_OK all the same.
    int trailers(std::span<const hornet_header_t> fields);
    const std::string& trailer_error() const { return trailers_.error(); }
    // A chunked response to a client that said TE: trailers.
    bool carries_trailers() const {
        return started_ && ctx_.trailers && head_.framing() == Framing::chunked;
    }

    // Appends the remaining bytes (unsent head, last chunk, trailers). Once.
    void finish(WireBuffers& out);

    // A plain-text response "<reason>\n" with Connection: close in place of
    // anything not yet sent; the caller must check !head_sent() first.
    void error_response(int status, WireBuffers& out);

    bool started() const { return started_; }
    bool head_sent() const { return head_sent_; }
    bool finished() const { return finished_; }
    // The body matched its framing; false means the peer cannot tell where
    // this response ends and the connection must close.
    bool complete() const { return complete_; }
    bool keep_alive() const { return head_.keep_alive() && complete_; }
    // Every byte of this response is accounted for (finished, or its whole
    // Content-Length written) and the connection closes after it: the bytes
    // of this call are the connection's last, so they may leave with its FIN.
    bool ends_connection() const {
        if (!started_ || head_.keep_alive()) return false;
        return finished_ || (head_.has_length() && written_ == head_.content_length());
    }

    int status() const { return started_ ? head_.status() : 0; }
    uint64_t body_bytes() const { return sent_; }
    const ResponseHead& head() const { return head_; }

private:
    void take_head(WireBuffers& out);
    void add_last_chunk(WireBuffers& out);
    int frame_into(uint64_t len, WireBuffers& out, bool& send_data, std::string_view& after);

    ResponseContext ctx_;
    ResponseHead head_;
    TrailerBlock trailers_;
    bool started_ = false;
    bool head_sent_ = false;
    bool finished_ = false;
    bool complete_ = false;
    uint64_t written_ = 0; // app bytes accepted
    uint64_t sent_ = 0;    // body bytes put on the wire
    char chunk_line_[20] = {};
};

} // namespace hornet::sdk
