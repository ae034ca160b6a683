// A listening socket bound by the arbiter and inherited by every worker.
//
// Only the arbiter creates Listeners, before it forks; workers see nothing but
// the fd numbers. Sockets are non-blocking so that many workers can poll the
// same listener and lose the race to accept() without stalling.
#pragma once

#include <string>

#include "config/bind_address.hpp"

namespace hornet {

class Listener {
public:
    // Binds and listens; throws std::runtime_error naming the address. A
    // unix socket file is created under `umask` (Gunicorn's rule).
    Listener(const std::string& spec, int backlog, unsigned umask);
    // Adopts a listening socket inherited from a parent arbiter or systemd.
    Listener(const std::string& spec, int inherited_fd);
    ~Listener();
    Listener(Listener&& other) noexcept;
    Listener& operator=(Listener&&) = delete;
    Listener(const Listener&) = delete;

    int fd() const { return fd_; }
    const std::string& spec() const { return spec_; }
    // "http://127.0.0.1:8000" or "unix:/run/app.sock", with the real port.
    std::string url() const;
    // The arbiter removes its unix socket files when it stops for good.
    void remove_socket_file() const;

private:
    void bind_tcp(int backlog);
    void bind_unix(int backlog, unsigned umask);

    std::string spec_;
    BindAddress address_;
    int fd_ = -1;
};

} // namespace hornet
