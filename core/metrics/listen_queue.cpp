// TCP_INFO on a listener; see listen_queue.hpp.
#include "metrics/listen_queue.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace hornet::metrics {

std::optional<ListenQueue> listen_queue(int fd) {
    sockaddr_storage ss{};
    socklen_t ss_len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &ss_len) != 0) return std::nullopt;
    if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) return std::nullopt;
    tcp_info info{};
    socklen_t len = sizeof info;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 || info.tcpi_state != TCP_LISTEN)
        return std::nullopt;
    return ListenQueue{info.tcpi_unacked, info.tcpi_sacked};
}

} // namespace hornet::metrics
