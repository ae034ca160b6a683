#include "listen/inherited_sockets.hpp"

#include <arpa/inet.h>
#include <cstdlib>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

namespace hornet {
namespace {

// The bind entry a socket is bound to, or "" if it is not a listening socket.
std::string spec_of(int fd) {
    int listening = 0;
    socklen_t len = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) return {};
    sockaddr_storage ss{};
    len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
    char host[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_UNIX) return fmt::format("unix:{}", reinterpret_cast<sockaddr_un*>(&ss)->sun_path);
    if (ss.ss_family == AF_INET6) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
        ::inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
        return fmt::format("[{}]:{}", host, ntohs(s6->sin6_port));
    }
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
    return fmt::format("{}:{}", host, ntohs(s4->sin_port));
}

void add_if_listening(std::vector<InheritedSocket>& out, int fd) {
    std::string spec = spec_of(fd);
    if (!spec.empty()) out.push_back({fd, spec});
}

std::vector<InheritedSocket> from_upgrade() {
    std::vector<InheritedSocket> out;
    const char* list = std::getenv(upgrade_fds_variable);
    if (!list) return out;
    std::istringstream fds(list);
    for (std::string fd; std::getline(fds, fd, ',');) add_if_listening(out, std::atoi(fd.c_str()));
    ::unsetenv(upgrade_fds_variable);
    return out;
}

// sd_listen_fds(3): fds 3.. when LISTEN_PID is us.
std::vector<InheritedSocket> from_systemd() {
    std::vector<InheritedSocket> out;
    const char* pid = std::getenv("LISTEN_PID");
    const char* count = std::getenv("LISTEN_FDS");
    if (!pid || !count || std::atoi(pid) != ::getpid()) return out;
    for (int i = 0; i < std::atoi(count); ++i) add_if_listening(out, 3 + i);
    for (const char* name : {"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"}) ::unsetenv(name);
    return out;
}

} // namespace

InheritedSockets take_inherited_sockets() {
    return InheritedSockets{from_upgrade(), from_systemd()};
}

bool bind_matches(const BindAddress& wanted, const std::string& bound_spec) {
    BindAddress bound = parse_bind(bound_spec);
    if (wanted.kind != bound.kind) return false;
    if (wanted.kind == BindAddress::Kind::unix_socket) return wanted.path == bound.path;
    return wanted.host == bound.host && (wanted.port == 0 || wanted.port == bound.port);
}

} // namespace hornet
