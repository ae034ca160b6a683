// hornet/sdk/tls/tls_session.hpp: one TLS connection, over memory: the one
// TLS transport of every worker type.
//
// The session never touches a socket. The worker type's I/O (a blocking
// fd, an Asio socket, an io_uring ring) moves ciphertext: what it receives
// goes in with feed(), what output() holds goes out (then consume_output()).
// Plaintext comes out of read() and goes in with write(). The handshake
// runs inside the first read() (server side), so it lives under the same
// deadline as the first request's head (header_timeout). Adapters: the
// BlockingSocket (sync, gthread, the async pool) and plugins/async's
// TlsStream; a third-party worker type writes its own in a few lines.
// Not thread-safe: one thread at a time (the connection's owner).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

struct ssl_st;
struct bio_st;

namespace hornet::sdk {

class TlsContext;

// What the app may see of the TLS under its request (hornet_request_t).
struct TlsPeerInfo {
    std::string protocol;       // "TLSv1.3"
    std::string cipher;         // "TLS_AES_128_GCM_SHA256"
    std::string client_subject; // RFC 2253, of a verified client certificate
    std::string client_cert;    // its PEM
};

class TlsSession {
public:
    enum class Status {
        ok,         // bytes moved
        want_input, // feed() more ciphertext (and send output() first)
        closed,     // the peer sent close_notify
        failed      // a handshake or record error: drop the connection
    };
    struct Step {
        size_t bytes = 0;
        Status status = Status::ok;
    };

    // Keeps ctx alive: the generation's certificates stay while this
    // connection lives, even after a reload loaded new ones.
    explicit TlsSession(std::shared_ptr<const TlsContext> ctx);
    ~TlsSession();
    TlsSession(const TlsSession&) = delete;
    TlsSession& operator=(const TlsSession&) = delete;

    // Ciphertext received from the peer.
    void feed(const char* data, size_t len);
    // Plaintext, after the handshake (which it drives).
    Step read(std::span<char> out);
    // Encrypts all of data into output(); failed only after a fatal error.
    Step write(const void* data, size_t len);
    // A close_notify into output(): the connection's last TLS bytes.
    void close_notify();

    // Ciphertext waiting to be sent, contiguous; consume what was sent.
    std::span<const char> output() const;
    void consume_output(size_t n);
    bool has_output() const;

    // Has the peer sent its close_notify, among the records fed so far?
    // Consumes no plaintext (a peek): application data ahead of it (a
    // pipelined request) stays for read(), and hides what follows it. A
    // record error counts as gone. For watch_peer (the client left while
    // the app holds the exchange); after the handshake.
    bool peer_closed();
    // Ciphertext fed but not yet taken by a read.
    size_t input_pending() const;

    // Plaintext or a record already here, so a read may succeed without
    // feeding: a worker must not wait for the socket before reading again.
    bool buffered() const;
    bool handshake_done() const;
    // After the handshake; built once.
    const TlsPeerInfo& peer();
    // Why it failed (a handshake error: "no shared cipher", ...).
    const std::string& error() const { return error_; }

private:
    Step fail();

    std::shared_ptr<const TlsContext> ctx_;
    ssl_st* ssl_ = nullptr;
    bio_st* in_ = nullptr;  // owned by ssl_
    bio_st* out_ = nullptr; // owned by ssl_
    std::unique_ptr<TlsPeerInfo> peer_;
    std::string error_;
    bool starved_ = false; // read() wanted input that feed() has not given since
};

} // namespace hornet::sdk
