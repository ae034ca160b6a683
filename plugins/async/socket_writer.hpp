// plugins/async/socket_writer.hpp: the output side of one async connection.
//
// Sends what the OutputBuffer holds straight away with send(2) (one call for
// a small response), refills the buffer from its source as the socket
// drains, and waits for writability through Asio only when the kernel's
// buffer is full. The Listener (the connection) hears when a source has
// been taken, when the output failed, and when it settled (nothing in
// flight). A client that stops reading for `write_ms` breaks it (the
// connection's tick calls check_deadline). With a TlsSession the bytes are
// encrypted on their way out (at most kTlsBatch at a time, so the session
// never holds a whole response) and the session's own output (handshake
// answers) goes out first. [loop]
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include <boost/asio/generic/stream_protocol.hpp>

#include "hornet/sdk/tls/tls_session.hpp"
#include "hornet/sdk/wire_buffers.hpp"
#include "output_buffer.hpp"

namespace hornet::async {

class SocketWriter {
public:
    struct Listener {
        virtual void on_source_taken(int error) = 0; // error < 0: the source's bytes did not all go
        virtual void on_output_failed() = 0;
        virtual void on_output_settled() = 0;

    protected:
        ~Listener() = default;
    };

    // clock_ms: the worker's tick clock, read when a stall starts.
    // tls: null for plaintext; outlives the writer.
    SocketWriter(boost::asio::generic::stream_protocol::socket& socket, Listener& listener, const int64_t& clock_ms,
                 uint32_t write_ms, sdk::TlsSession* tls = nullptr)
        : socket_(socket), listener_(listener), clock_ms_(clock_ms), write_ms_(write_ms), tls_(tls) {}

    OutputBuffer& buffer() { return out_; }
    void append(const sdk::WireBuffers& out);
    void append(std::string_view s) { out_.append(s); }

    // Sends what can go now; see the file comment.
    void kick();
    // The client stopped reading: break the output.
    void check_deadline(int64_t now_ms);
    // Nothing more can be sent: drop what waits, tell the listener.
    void fail();

    bool broken() const { return broken_; }
    void set_broken() { broken_ = true; }
    // Nothing in flight and nothing left to send (or nothing can be sent).
    bool settled() const { return !writing_ && (broken_ || (out_.drained() && !tls_pending())); }

private:
    void wait_writable();
    bool tls_pending() const;
    // TLS: the ciphertext to send now, encrypting more of out_ when the
    // session has none; empty when nothing is left (or encryption failed:
    // then broken_).
    std::span<const char> tls_next();

    boost::asio::generic::stream_protocol::socket& socket_;
    Listener& listener_;
    const int64_t& clock_ms_;
    uint32_t write_ms_;
    OutputBuffer out_;
    int64_t deadline_ms_ = 0; // a write waits for the client to read
    bool writing_ = false;    // an Asio wait for writability is in flight
    bool in_kick_ = false;    // kick() is on the stack
    bool broken_ = false;
    sdk::TlsSession* tls_;
};

} // namespace hornet::async
