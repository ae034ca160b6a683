// hornet/sdk/socket_address.hpp: a socket address as the request shows it.
//
// The request view wants a host string and a port: "127.0.0.1"/8000, "::1",
// or for a unix socket "" (peer) and the socket path (server). Fixed storage,
// no allocation; the host view lives as long as the SocketAddress.
#pragma once

#include <cstdint>
#include <string_view>
#include <sys/socket.h>

namespace hornet::sdk {

class TlsSession;

class SocketAddress {
public:
    SocketAddress() = default;
    static SocketAddress from(const sockaddr* sa, socklen_t len);
    static SocketAddress local_of(int fd); // getsockname
    static SocketAddress peer_of(int fd);  // getpeername

    std::string_view host() const { return {host_, host_len_}; }
    uint16_t port() const { return port_; }
    bool is_unix() const { return family_ == AF_UNIX; }
    // 0.0.0.0 or ::, where an accepted socket's own address must be asked for.
    bool is_wildcard() const { return wildcard_; }

private:
    char host_[108] = {}; // fits INET6_ADDRSTRLEN and sun_path
    size_t host_len_ = 0;
    uint16_t port_ = 0;
    int family_ = AF_UNSPEC;
    bool wildcard_ = false;
};

// Both ends of an accepted connection, and when its first request arrived.
struct ConnectionAddresses {
    SocketAddress peer;
    SocketAddress local;
    // Monotonic µs: when the first request entered the kernel's accept
    // queue (HORNET_OBSERVE_QUEUE_TIME); 0 once used, or not measured.
    int64_t arrived_us = 0;
    // QueueClock::first_read: the connection's first read is to take the
    // kernel's receive time of its bytes (false once read) into
    // received_unix_us (wall clock µs; 0 once used, or none), which
    // RequestCycle turns into a queue time with the clocks it reads anyway.
    bool stamp_first_read = false;
    int64_t received_unix_us = 0;
    // Which of the context's listeners accepted it (ListenerSet sets it).
    uint32_t listener = 0;
    // The connection's TLS session, null for plaintext: the request's
    // scheme is then https and its tls_* fields come from it. The
    // connection owns it; a PROXY header keeps it and `listener`.
    TlsSession* tls = nullptr;
};

} // namespace hornet::sdk
