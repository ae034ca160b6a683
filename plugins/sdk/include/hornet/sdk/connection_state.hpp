// hornet/sdk/connection_state.hpp: what one client connection carries from
// one request to the next.
//
// A worker type that parks connections between requests (gthread parks them
// in its poller) keeps one ConnectionState per open connection and lends it
// to a handler thread's BlockingConnection::serve_ready() whenever the socket
// is readable. It holds exactly what must survive the hand-over between
// threads: the socket, both addresses, the bytes received but not used yet (a
// pipelined request, or the part of a head that has arrived), the head's
// timing and what the peer was judged to be (proxies). Parser and encoder state never needs to travel: a connection is
// only handed back between requests, or with a partial head, which the next
// handler parses again from its first byte.
//
// Owned by one thread at a time; the hand-over (a locked queue, a mutex)
// orders the accesses. The owner closes fd.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "hornet/sdk/input_buffer.hpp"
#include "hornet/sdk/peer_gate.hpp"
#include "hornet/sdk/socket_address.hpp"
#include "hornet/sdk/tls/tls_session.hpp"

namespace hornet::sdk {

// What a served connection waits for next.
enum class ConnectionWait {
    request, // nothing buffered: the next request (idle keep-alive, or the first one)
    head,    // part of a head is buffered: the rest of it, within the head timeout
    closed   // the connection is done; the owner closes fd
};

struct ConnectionState {
    ConnectionState(int socket, const ConnectionAddresses& addrs) : fd(socket), addresses(addrs) {}

    int fd;
    ConnectionAddresses addresses;
    // Received bytes not used yet. Null while there are none, so an idle
    // connection holds no buffer: serve_ready() lends one for the visit.
    std::unique_ptr<InputBuffer> input;
    size_t answered = 0;      // requests answered on this connection
    int64_t head_since_ms = 0; // monotonic ms: when the buffered partial head was first parked; 0: none
    bool head_expired = false; // the owner's verdict: the head timeout passed, answer 408
    // Judged on the first visit (PeerGate), from the socket's own peer.
    PeerState peer;
    int64_t opened_ms = 0; // monotonic ms of that visit: the first head's timeout counts from it
    // TLS listeners: the connection's session, made on the first visit
    // (addresses.tls points to it). Its handshake runs within the first
    // head's timeout, as a head would.
    std::unique_ptr<TlsSession> tls;
};

} // namespace hornet::sdk
