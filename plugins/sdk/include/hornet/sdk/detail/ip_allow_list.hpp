// hornet/sdk/detail/ip_allow_list.hpp: which peers to believe.
//
// Parses the worker context's forwarded_allow_ips / proxy_allow_ips text
// ("127.0.0.1,::1,10.0.0.0/8", or "*") once, then answers per connection
// whether its peer is in it. An IPv4 peer seen as ::ffff:a.b.c.d (a dual-
// stack listener) matches the IPv4 entries. A unix-socket peer is always
// allowed: only local processes reach it (Gunicorn's rule). Immutable after
// parse(): any thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "hornet/sdk/socket_address.hpp"

namespace hornet::sdk {

class IpAllowList {
public:
    IpAllowList() = default; // nobody (but unix-socket peers)

    // Entries that do not parse are skipped (the host checked them).
    static IpAllowList parse(std::string_view text);

    bool allows(const SocketAddress& peer) const;
    bool allows(std::string_view ip) const; // "10.1.2.3", "::1"
    bool allows_all() const { return all_; }
    bool empty() const { return !all_ && nets_.empty(); }

private:
    struct Net {
        uint8_t bytes[16];
        unsigned prefix; // bits that must match
        bool v4;
    };

    std::vector<Net> nets_;
    bool all_ = false;
};

} // namespace hornet::sdk
