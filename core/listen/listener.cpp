#include "listen/listener.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace hornet {
namespace {

[[noreturn]] void fail(const std::string& spec, const char* what, int err) {
    throw std::runtime_error("cannot " + std::string(what) + " " + spec + ": " +
                             std::strerror(err));
}

addrinfo* resolve(const BindAddress& a, const std::string& spec) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    auto port = std::to_string(a.port);
    if (int rc = getaddrinfo(a.host.c_str(), port.c_str(), &hints, &found); rc != 0)
        throw std::runtime_error("cannot resolve " + spec + ": " + gai_strerror(rc));
    return found;
}

} // namespace

Listener::Listener(const std::string& spec, int backlog, unsigned umask)
    : spec_(spec), address_(parse_bind(spec)) {
    if (address_.kind == BindAddress::Kind::unix_socket)
        bind_unix(backlog, umask);
    else
        bind_tcp(backlog);
}

Listener::Listener(const std::string& spec, int inherited_fd)
    : spec_(spec), address_(parse_bind(spec)), fd_(inherited_fd) {
    // Ours now: close-on-exec and non-blocking like the ones we bind.
    ::fcntl(fd_, F_SETFD, FD_CLOEXEC);
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

Listener::~Listener() {
    if (fd_ < 0) return;
    ::close(fd_);
}

Listener::Listener(Listener&& other) noexcept
    : spec_(std::move(other.spec_)), address_(std::move(other.address_)), fd_(other.fd_) {
    other.fd_ = -1;
}

void Listener::bind_tcp(int backlog) {
    addrinfo* found = resolve(address_, spec_);
    int err = 0;
    for (addrinfo* ai = found; ai && fd_ < 0; ai = ai->ai_next) {
        int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) { err = errno; continue; }
        int on = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (ai->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
        if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, backlog) == 0) {
            fd_ = fd;
            break;
        }
        err = errno;
        ::close(fd);
    }
    freeaddrinfo(found);
    if (fd_ < 0) fail(spec_, "bind", err);
}

void Listener::bind_unix(int backlog, unsigned umask) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, address_.path.c_str(), sizeof sa.sun_path - 1);
    // A socket file left by a killed server would make bind fail: replace it,
    // but never a regular file someone put there.
    struct stat st{};
    if (::lstat(address_.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode))
        ::unlink(address_.path.c_str());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) fail(spec_, "create a socket for", errno);
    mode_t saved = ::umask(umask);
    int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    ::umask(saved);
    if (rc != 0 || ::listen(fd, backlog) != 0) {
        int err = errno;
        ::close(fd);
        fail(spec_, "bind", err);
    }
    fd_ = fd;
}

void Listener::remove_socket_file() const {
    if (address_.kind != BindAddress::Kind::unix_socket) return;
    ::unlink(address_.path.c_str());
}

std::string Listener::url() const {
    if (address_.kind == BindAddress::Kind::unix_socket) return "unix:" + address_.path;
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len);
    char host[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET6) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
        ::inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
        return "http://[" + std::string(host) + "]:" + std::to_string(ntohs(s6->sin6_port));
    }
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
    return "http://" + std::string(host) + ":" + std::to_string(ntohs(s4->sin_port));
}

} // namespace hornet
