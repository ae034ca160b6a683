// StatsdSender: datagrams to statsd_host, UDP or a unix datagram socket.
// Never blocks and never fails loudly: the socket is non-blocking, a full
// buffer or an absent listener drops the datagram (as Gunicorn's client
// does), so a dead statsd host cannot slow the arbiter. Lines are packed
// into datagrams of at most kMaxDatagram bytes, one metric a line (statsd's
// multi-metric packets). Arbiter thread only.
#pragma once

#include <string>
#include <sys/socket.h>
#include <vector>

#include "config/statsd_address.hpp"

namespace hornet::metrics {

class StatsdSender {
public:
    // Resolves the host once (a name: getaddrinfo, here and now); throws
    // std::runtime_error with one line when it cannot.
    explicit StatsdSender(const StatsdAddress& address);
    ~StatsdSender();
    StatsdSender(const StatsdSender&) = delete;
    StatsdSender& operator=(const StatsdSender&) = delete;

    void send(const std::vector<std::string>& lines);
    int fd() const { return fd_; }

    static constexpr std::size_t kMaxDatagram = 1432; // fits an Ethernet MTU

private:
    void send_datagram(const std::string& packet);

    int fd_ = -1;
    sockaddr_storage to_{};
    socklen_t to_len_ = 0;
};

} // namespace hornet::metrics
