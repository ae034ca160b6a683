// Syntax of statsd_host, as Gunicorn reads it: HOST:PORT (UDP; port 8125
// when none is given), [IPV6]:PORT, or unix:PATH / unix://PATH (a unix
// datagram socket). Gunicorn's one oddity is kept: "unix:8125" is the host
// named "unix". Nothing here resolves names or opens sockets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hornet {

struct StatsdAddress {
    bool unix_socket = false;
    std::string host;        // UDP: an address or a host name
    std::uint16_t port = 0;
    std::string path;        // unix_socket only
};

// Throws ValueError naming the entry and the accepted forms.
StatsdAddress parse_statsd_host(std::string_view entry);

} // namespace hornet
