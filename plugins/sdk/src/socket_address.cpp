// Socket addresses as the request view shows them.
#include "hornet/sdk/socket_address.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstddef>
#include <cstring>
#include <netinet/in.h>
#include <sys/un.h>

namespace hornet::sdk {

SocketAddress SocketAddress::from(const sockaddr* sa, socklen_t len) {
    SocketAddress out;
    if (!sa || len < static_cast<socklen_t>(sizeof(sa_family_t))) return out;
    out.family_ = sa->sa_family;
    if (sa->sa_family == AF_INET) {
        auto* in = reinterpret_cast<const sockaddr_in*>(sa);
        inet_ntop(AF_INET, &in->sin_addr, out.host_, sizeof out.host_);
        out.port_ = ntohs(in->sin_port);
        out.wildcard_ = in->sin_addr.s_addr == htonl(INADDR_ANY);
    } else if (sa->sa_family == AF_INET6) {
        auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
        inet_ntop(AF_INET6, &in6->sin6_addr, out.host_, sizeof out.host_);
        out.port_ = ntohs(in6->sin6_port);
        out.wildcard_ = IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
    } else if (sa->sa_family == AF_UNIX) {
        auto* un = reinterpret_cast<const sockaddr_un*>(sa);
        const size_t max = std::min<size_t>(len - offsetof(sockaddr_un, sun_path), sizeof out.host_ - 1);
        // An unnamed (peer) socket has no path; an abstract one starts with NUL.
        if (len > offsetof(sockaddr_un, sun_path) && un->sun_path[0] != '\0')
            std::memcpy(out.host_, un->sun_path, strnlen(un->sun_path, max));
    }
    out.host_len_ = strnlen(out.host_, sizeof out.host_);
    return out;
}

SocketAddress SocketAddress::local_of(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
    return from(reinterpret_cast<sockaddr*>(&ss), len);
}

SocketAddress SocketAddress::peer_of(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
    return from(reinterpret_cast<sockaddr*>(&ss), len);
}

} // namespace hornet::sdk
