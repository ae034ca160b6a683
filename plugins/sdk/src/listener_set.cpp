// Polling and accepting on listeners shared with the other workers.
#include "hornet/sdk/listener_set.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>

#include "hornet/sdk/access_record.hpp"
#include "hornet/support/log.hpp"

namespace hornet::sdk {
namespace {

void set_nonblocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK)) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// Head and body leave in one write already; no Nagle delay on streamed chunks.
bool set_nodelay(int fd) {
    const int one = 1;
    return ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0;
}

// HTTP clients speak first: wake a worker only once the request is there.
// The seconds bound how long the kernel holds a silent connection back.
void set_defer_accept(int fd) {
    const int seconds = 5;
    ::setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds, sizeof seconds);
}

// Accepted sockets inherit it, and the request's ACK is sent before accept()
// returns, so only the listener can choose. Set either way: a listener kept
// across a reload may have served another worker type.
void set_first_ack(int fd, ListenerSet::FirstAck first_ack) {
    const int quick = first_ack == ListenerSet::FirstAck::immediate ? 1 : 0;
    ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &quick, sizeof quick);
}

// Accepted sockets inherit it: the first read's bytes come with the time the
// kernel received them. Set only when asked (it makes the kernel stamp every
// packet it receives); a listener kept across a reload keeps it, harmlessly.
void set_receive_timestamps(int fd) {
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
}

// With TCP_DEFER_ACCEPT a connection is queued once its request is in, so
// the time since its last data arrived is how long it waited for accept();
// the kernel counts it in milliseconds.
int64_t arrival_of(int fd) {
    tcp_info info{};
    socklen_t len = sizeof info;
    const int64_t now = monotonic_us();
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return now;
    return now - static_cast<int64_t>(info.tcpi_last_data_recv) * 1000;
}

} // namespace

// The stop fd's epoll id; listeners use their index.
constexpr uint32_t kStopId = UINT32_MAX;

ListenerSet::ListenerSet(const hornet_worker_ctx_t* ctx, FirstAck first_ack, QueueClock queue_clock)
    : ctx_(ctx),
      measure_queue_(HORNET_HAS(ctx, hornet_worker_ctx_t, observe_flags) &&
                     (ctx->observe_flags & HORNET_OBSERVE_QUEUE_TIME)),
      queue_clock_(queue_clock) {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    for (size_t i = 0; i < ctx->listen_count; ++i) {
        Listener l{ctx->listen_fds[i], SocketAddress::local_of(ctx->listen_fds[i])};
        set_nonblocking(l.fd);
        if (!l.local.is_unix()) {
            set_defer_accept(l.fd);
            set_first_ack(l.fd, first_ack);
            l.nodelay_inherited = set_nodelay(l.fd); // Linux copies it to accepted sockets
            if (measure_queue_ && queue_clock_ == QueueClock::first_read) set_receive_timestamps(l.fd);
        }
        listeners_.push_back(l);
        watch(l.fd, static_cast<uint32_t>(i), true);
    }
    if (ctx->stop_fd >= 0) watch(ctx->stop_fd, kStopId, false);
}

ListenerSet::~ListenerSet() { ::close(epoll_fd_); }

void ListenerSet::watch(int fd, uint32_t id, bool exclusive) {
    epoll_event ev{};
    ev.events = exclusive ? EPOLLIN | EPOLLEXCLUSIVE : EPOLLIN;
    ev.data.u32 = id;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0) return;
    ev.events = EPOLLIN; // a kernel without EPOLLEXCLUSIVE: every worker wakes, still correct
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0)
        throw std::system_error(errno, std::generic_category(), "epoll_ctl");
}

bool ListenerSet::stop_requested() const {
    return ctx_->stop_mode && ctx_->stop_mode(ctx_) != HORNET_STOP_NONE;
}

ListenerSet::Wake ListenerSet::wait(int timeout_ms) {
    for (Listener& l : listeners_) l.ready = false;
    epoll_event events[16];
    const int n = ::epoll_wait(epoll_fd_, events, 16, timeout_ms);
    if (n < 0) return stop_requested() ? Wake::stop : Wake::timeout; // EINTR: a signal, maybe ours
    if (n == 0) return Wake::timeout;
    for (int i = 0; i < n; ++i) {
        if (events[i].data.u32 == kStopId) return Wake::stop;
        listeners_[events[i].data.u32].ready = true;
    }
    return Wake::ready;
}

int ListenerSet::accept(size_t i, ConnectionAddresses& addresses) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    const int fd = ::accept4(listeners_[i].fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        // Another worker won the race, or the client gave up: both normal.
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            if (!warned_) support::logf(ctx_->host, HORNET_LOG_ERROR, "accept: %s; raise the open-file limit",
                               std::strerror(errno));
            warned_ = true;
            ::usleep(10000); // let connections close rather than spin on poll
        }
        return -1;
    }
    warned_ = false;
    fill_addresses(i, fd, SocketAddress::from(reinterpret_cast<sockaddr*>(&ss), len), addresses);
    return fd;
}

void ListenerSet::adopt(size_t i, int fd, const sockaddr* peer, socklen_t peer_len, ConnectionAddresses& addresses) {
    fill_addresses(i, fd, peer ? SocketAddress::from(peer, peer_len) : SocketAddress::peer_of(fd), addresses);
}

void ListenerSet::fill_addresses(size_t i, int fd, const SocketAddress& peer, ConnectionAddresses& addresses) {
    addresses.peer = peer;
    addresses.listener = static_cast<uint32_t>(i);
    addresses.tls = nullptr;
    const Listener& l = listeners_[i];
    // A wildcard listener's connections each have their own local address.
    addresses.local = l.local.is_wildcard() ? SocketAddress::local_of(fd) : l.local;
    const bool tcp = !l.local.is_unix();
    if (tcp && !l.nodelay_inherited) set_nodelay(fd);
    addresses.arrived_us = 0;
    addresses.stamp_first_read = false;
    addresses.received_unix_us = 0;
    if (!measure_queue_) return;
    addresses.stamp_first_read = tcp && queue_clock_ == QueueClock::first_read;
    if (!addresses.stamp_first_read) addresses.arrived_us = tcp ? arrival_of(fd) : monotonic_us();
}

} // namespace hornet::sdk
