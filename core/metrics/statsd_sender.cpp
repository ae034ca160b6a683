// Non-blocking statsd datagrams; see statsd_sender.hpp.
#include "metrics/statsd_sender.hpp"

#include <cstring>
#include <netdb.h>
#include <stdexcept>
#include <sys/un.h>
#include <unistd.h>

namespace hornet::metrics {
namespace {

socklen_t resolve_udp(const StatsdAddress& a, sockaddr_storage& to) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(a.port);
    if (int rc = ::getaddrinfo(a.host.c_str(), port.c_str(), &hints, &found); rc != 0)
        throw std::runtime_error("statsd_host " + a.host + ": " + ::gai_strerror(rc));
    const socklen_t len = found->ai_addrlen;
    std::memcpy(&to, found->ai_addr, len);
    ::freeaddrinfo(found);
    return len;
}

socklen_t unix_address(const StatsdAddress& a, sockaddr_storage& to) {
    auto* un = reinterpret_cast<sockaddr_un*>(&to);
    if (a.path.size() >= sizeof un->sun_path) throw std::runtime_error("statsd_host unix:" + a.path + ": path too long");
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, a.path.c_str(), a.path.size() + 1);
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + a.path.size() + 1);
}

} // namespace

StatsdSender::StatsdSender(const StatsdAddress& a) {
    to_len_ = a.unix_socket ? unix_address(a, to_) : resolve_udp(a, to_);
    fd_ = ::socket(to_.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("statsd_host: cannot make a socket: ") + std::strerror(errno));
}

StatsdSender::~StatsdSender() {
    if (fd_ >= 0) ::close(fd_);
}

void StatsdSender::send(const std::vector<std::string>& lines) {
    std::string packet;
    for (const std::string& line : lines) {
        if (!packet.empty() && packet.size() + 1 + line.size() > kMaxDatagram) {
            send_datagram(packet);
            packet.clear();
        }
        packet += (packet.empty() ? "" : "\n") + line;
    }
    if (!packet.empty()) send_datagram(packet);
}

// sendto, not connect: a unix listener that appears later is found, and no
// ICMP error sticks to the socket.
void StatsdSender::send_datagram(const std::string& packet) {
    [[maybe_unused]] auto n =
        ::sendto(fd_, packet.data(), packet.size(), MSG_DONTWAIT | MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&to_), to_len_);
}

} // namespace hornet::metrics
