// hornet/sdk/listener_set.hpp: wait on and accept from the inherited listeners.
//
// Every worker process waits on the same listening sockets (bound by the
// arbiter), so a wake-up does not mean a connection is ours: accept() is
// non-blocking and "nothing" (EAGAIN) is normal. The wait is an epoll (one
// per process, made after fork) with EPOLLEXCLUSIVE on the listeners, so a
// new connection wakes one idle worker instead of all of them; the stop fd is
// watched with them. TCP listeners get TCP_DEFER_ACCEPT (a connection is
// offered once its first bytes are in: no wake-up just to wait for the
// request) and TCP_NODELAY, which accepted sockets inherit. Accepted sockets
// are non-blocking and close-on-exec. Used by one thread.
//
// FirstAck::delayed (for one request per connection, sync): the kernel does
// not ACK the request at once but lets the response carry the ACK, one
// packet less per connection. A client that waits for that ACK before
// sending more (Nagle, a head or body in several writes) is not held up:
// BlockingSocket sends any owed ACK before it waits for the client.
//
// Queue time (HORNET_OBSERVE_QUEUE_TIME), the kernel's part: with
// QueueClock::tcp_info a TCP_INFO read at accept (millisecond-grained, a
// system call per connection); with QueueClock::first_read the listeners get
// SO_TIMESTAMPNS and the worker type's first read of a connection takes the
// kernel's receive timestamp with the bytes (microseconds, no extra call):
// BlockingConnection does, for sync and gthread.
#pragma once

#include <cstddef>
#include <vector>

#include "hornet/sdk/socket_address.hpp"
#include "hornet/worker.h"

namespace hornet::sdk {

class ListenerSet {
public:
    enum class FirstAck { immediate, delayed };
    enum class QueueClock { tcp_info, first_read };

    // Makes the listeners non-blocking; learns their local addresses.
    // Throws std::system_error when the epoll cannot be set up.
    explicit ListenerSet(const hornet_worker_ctx_t* ctx, FirstAck first_ack = FirstAck::immediate,
                         QueueClock queue_clock = QueueClock::tcp_info);
    ~ListenerSet();
    ListenerSet(const ListenerSet&) = delete;
    ListenerSet& operator=(const ListenerSet&) = delete;

    enum class Wake { timeout, ready, stop };
    // Blocks up to timeout_ms (-1: forever) for a connection or the stop fd.
    Wake wait(int timeout_ms);

    size_t size() const { return listeners_.size(); }
    // Listener i's socket, for a worker type that waits in its own epoll (a
    // poller watching connections too) and accepts here with accept(i).
    int fd(size_t i) const { return listeners_[i].fd; }
    bool ready(size_t i) const { return listeners_[i].ready; } // after wait()
    // A connected socket from listener i, or -1 when there is none now;
    // addresses.arrived_us is set when the host asked for queue time.
    int accept(size_t i, ConnectionAddresses& addresses);
    // The same for a socket accepted from listener i by other means (an
    // io_uring accept): its addresses (the peer as the accept gave it, or
    // asked for when peer is null), TCP_NODELAY where not inherited, the
    // queue time's start. The caller owns fd.
    void adopt(size_t i, int fd, const sockaddr* peer, socklen_t peer_len, ConnectionAddresses& addresses);

    bool stop_requested() const;

private:
    struct Listener {
        int fd = -1;
        SocketAddress local;
        bool nodelay_inherited = false;
        bool ready = false;
    };

    void watch(int fd, uint32_t id, bool exclusive);
    void fill_addresses(size_t i, int fd, const SocketAddress& peer, ConnectionAddresses& addresses);

    const hornet_worker_ctx_t* ctx_;
    int epoll_fd_ = -1;
    std::vector<Listener> listeners_;
    bool measure_queue_;  // HORNET_OBSERVE_QUEUE_TIME
    QueueClock queue_clock_;
    bool warned_ = false; // fd exhaustion logged once per burst
};

} // namespace hornet::sdk
